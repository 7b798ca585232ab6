"""Wrong adapter: every refused revert is 404 ``not-found`` (HTTP-016.2).

``POST /v1/actors/{actor}/revert`` answers a step that is the head, or of another
actor, 404 ``not-found`` instead of 400 ``invalid-ref-target`` (HTTP-003.2).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-016.2"}),
    "failed",
    "a revert refused for its step answers not-found, whatever the reason",
)


def install() -> None:
    from gritwit import GritError, ObjectNotFound
    from gritwit.serve import _engine_ops

    original = _engine_ops.revert_actor

    def revert_actor(state: Any, actor: Any, step: Any, head: Any = None) -> Any:
        try:
            return original(state, actor, step, head)
        except GritError as exc:
            raise ObjectNotFound("HTTP-016.2", str(exc)) from None  # the bug

    patch(_engine_ops, "revert_actor", revert_actor)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
