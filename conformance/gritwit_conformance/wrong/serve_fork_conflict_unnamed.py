"""Wrong adapter: a fork made again is 409 without naming its child (HTTP-017.4).

The child exists, so the fork is ``ref-conflict`` as RUN-008.6 says, but the error names
no ``actor``: a client whose first fork's answer was lost cannot tell which child it made.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-017.4"}),
    "failed",
    "a fork whose child exists is 409 with no actor in its error",
)


def install() -> None:
    from gritwit._errors import RefConflict
    from gritwit.serve import _engine_ops

    original = _engine_ops.fork_actor

    def fork_actor(state: Any, actor: Any, step: Any, entries: Any) -> Any:
        try:
            return original(state, actor, step, entries)
        except Exception as exc:
            if getattr(exc, "status", None) == 409:  # the bug: the child's id dropped
                raise RefConflict("RUN-008.6", "the child exists") from None
            raise

    patch(_engine_ops, "fork_actor", fork_actor)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
