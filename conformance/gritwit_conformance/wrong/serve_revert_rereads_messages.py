"""Wrong adapter: a revert moves the head back to the step it reverts to (HTTP-016.1).

``POST /v1/actors/{actor}/revert`` sets ``heads/<actor>`` to S itself, as ``git reset``
would, instead of adopting a new step with S's core and the head's inbox and outbox
(RUN-024.1): S's inbox is older than the head's, so the messages the reverted steps read
are pending again and read a second time (RUN-024.3), and the history loses its steps.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-016.1"}),
    "failed",
    "a revert moves the head back to S: the reverted steps' messages are read again",
)


def install() -> None:
    from gritwit.serve import _engine_ops
    from gritwit.store import head_ref

    def revert_actor(state: Any, actor: Any, step: Any, head: Any = None) -> Any:
        state.runtime.flush()
        name = head_ref(actor)
        state.store.cas_ref(name, state.store.get_ref(name), step)  # the bug
        return step

    patch(_engine_ops, "revert_actor", revert_actor)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
