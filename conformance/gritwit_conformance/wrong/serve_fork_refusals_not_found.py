"""Wrong adapter: every refused fork is 404 ``not-found`` (HTTP-017.2).

``POST /v1/actors/{actor}/fork`` answers a step of another actor or a ``state``
naming ``fork`` 404 ``not-found`` instead of its class (RUN-008.9, HTTP-003.2).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-017.2"}),
    "failed",
    "a fork refused for its step or state answers not-found, whatever the reason",
)


def install() -> None:
    from gritwit import GritError, ObjectNotFound
    from gritwit.serve import _engine_ops

    original = _engine_ops.fork_actor

    def fork_actor(state: Any, actor: Any, step: Any, entries: Any) -> Any:
        try:
            return original(state, actor, step, entries)
        except GritError as exc:
            raise ObjectNotFound("HTTP-017.2", str(exc)) from None  # the bug

    patch(_engine_ops, "fork_actor", fork_actor)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
