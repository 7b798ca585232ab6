"""Wrong adapter: a revert's ``head`` is ignored (HTTP-016.3, RUN-024.10).

The service reverts from whatever its head is, so a step it adopted after the client
read the history is reverted too, unseen.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-016.3", "HTTP-016.4"}),
    "failed",
    "a revert given the head the client saw reverts from a newer head all the same",
)


def install() -> None:
    from gritwit.serve import _engine_ops

    original = _engine_ops.revert_actor

    def revert_actor(state: Any, actor: Any, step: Any, head: Any = None) -> Any:
        return original(state, actor, step)  # the bug: head dropped

    patch(_engine_ops, "revert_actor", revert_actor)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
