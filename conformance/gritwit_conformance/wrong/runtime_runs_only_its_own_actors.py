"""Wrong adapter: a runtime runs only the actors it takes for its own (RUN-020.4).

The runtime assumes actors are divided among the runtimes of a store by who made
them: its own are the actors it found with a head when it opened the store and those
whose first step it builds (a genesis pending for an actor without a head). A
message pending for any other actor is left for "its" runtime, which may never come.
Alone, or after a restart, every actor is its own and it is right; with another
runtime on the same store, an actor that runtime created after this one opened is
never run here, whoever sent the message.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime, _transition
from gritwit.store._refs import HEADS_PREFIX, head_actor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-020.4"}),
    "failed",
    "a runtime runs only the actors it found when it opened the store and those whose "
    "genesis it built: an actor another runtime created later is never run there, "
    "whoever sent the message",
    smoke=True,
)

_real_init = _runtime.Runtime.__init__
_real_prepare = _transition.Transitions._prepare
#: id(its transitions part) → the actors a runtime takes for its own.
_own: dict[int, set[Any]] = {}


def init(self: _runtime.Runtime, store: Any, *args: Any, **kwargs: Any) -> None:
    _real_init(self, store, *args, **kwargs)
    _own[id(self._transitions)] = {
        head_actor(name) for name, _ in store.list_ref_targets(HEADS_PREFIX)
    }


def prepare(self: _transition.Transitions, actor: Any, idle: Any) -> Any:
    own = _own.setdefault(id(self), set())
    if actor not in own:
        if self._residents.head(actor) is not None:  # the bug: another runtime's actor, left to it
            return None
        own.add(actor)  # its genesis is built here: this runtime's own
    return _real_prepare(self, actor, idle)


def install() -> None:
    patch(_runtime.Runtime, "__init__", init)
    patch(_transition.Transitions, "_prepare", prepare)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
