"""Wrong adapter: a fork looks up its step before it checks its ``state`` (HTTP-017.3).

The body's ``state`` is judged only once the step was read from the store, so a fork of
an absent step with a ``state`` that is not hexadecimal answers 404 ``not-found`` where
the clause puts the body's 400 ``bad-request`` first.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-017.3"}),
    "failed",
    "a fork of an absent step with a state that is not hex answers 404, not 400",
)


def install() -> None:
    from gritwit.serve import _engine_ops, _life_api

    checked, forked = _life_api.state_entries, _engine_ops.fork_actor

    def state_entries(value: Any) -> Any:
        return value  # judged later, in the engine

    def fork_actor(state: Any, actor: Any, step: Any, entries: Any) -> Any:
        state.store.get_object(step)  # the bug: the store's not-found first
        return forked(state, actor, step, checked(entries))

    patch(_life_api, "state_entries", state_entries)
    patch(_engine_ops, "fork_actor", fork_actor)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
