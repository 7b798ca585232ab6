"""Wrong adapter: a fork leaves its ``state`` out of the child's core (HTTP-017.1).

``POST /v1/actors/{actor}/fork`` forks the step with no entries set, whatever the
body's ``state`` holds (RUN-008.2).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-017.1"}),
    "failed",
    "a fork ignores the state of its body",
)


def install() -> None:
    from gritwit.serve import _engine_ops

    original = _engine_ops.fork_actor

    def fork_actor(state: Any, actor: Any, step: Any, entries: Any) -> Any:
        return original(state, actor, step, {})  # the bug

    patch(_engine_ops, "fork_actor", fork_actor)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
