"""Wrong adapter: an evicted actor is restored from the head it had at eviction (RUN-013.2).

Eviction drops the actor's state but remembers its head id, as a cheap way to
restore it later; the restore for a query answers from that remembered head
instead of reading ``heads/<actor>``. Alone it is right; once another writer moved
the head while the actor was evicted, the query answers from a stale step.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _resident, _runtime
from gritwit.wit import _executor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-013.2"}),
    "failed",
    "eviction remembers the actor's head and a restore for a query answers from it "
    "instead of reading the head ref: stale once another writer moved the head",
    smoke=True,
)

_real_archive = _resident.ResidentActors.archive
_real_query = _runtime.Runtime.query
_real_head = _executor.Executor.head
#: (id(the runtime's residents), actor) → the head it had when it was evicted.
_kept: dict[tuple[int, Any], Any] = {}


def archive(self: _resident.ResidentActors, actor: Any, reason: str, evicted: list[Any]) -> None:
    _kept[(id(self), actor)] = self.head(actor)
    _real_archive(self, actor, reason, evicted)


def query(self: _runtime.Runtime, actor: Any, name: str) -> Any:
    key = (id(self._residents), actor)
    if key not in _kept:
        return _real_query(self, actor, name)
    kept = _kept.pop(key)

    def head(executor: Any, who: Any) -> Any:  # the bug: the remembered head
        return kept if who == actor else _real_head(executor, who)

    _executor.Executor.head = head  # type: ignore[method-assign,assignment]
    try:
        return _real_query(self, actor, name)
    finally:
        _executor.Executor.head = _real_head  # type: ignore[method-assign]


def install() -> None:
    patch(_resident.ResidentActors, "archive", archive)
    patch(_runtime.Runtime, "query", query)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
