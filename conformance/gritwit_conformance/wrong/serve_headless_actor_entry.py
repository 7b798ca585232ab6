"""Wrong adapter: an actor without a head has an entry of nulls (HTTP-007.3).

Any id gets an entry — ``head``, ``code`` and ``failed`` null — instead of 404
``not-found``: a client cannot tell an actor from a typo.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-007.3"}),
    "failed",
    "an actor without a head has an entry of nulls, not 404 not-found",
)


def install() -> None:
    from gritwit.serve import _engine_ops

    original = _engine_ops.actor_entry

    def actor_entry(state: Any, actor: Any) -> dict[str, Any] | None:
        entry = original(state, actor)
        if entry is None:  # the bug
            return {
                "actor": actor.hex(),
                "head": None,
                "code": None,
                "failed": None,
                "busy": False,
                "share": None,
            }
        return entry

    patch(_engine_ops, "actor_entry", actor_entry)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
