"""Wrong adapter: each runtime keeps the outside's outbox in memory and writes it blind (RUN-002.4).

A runtime remembers the mailbox it last wrote to each of the outside's mailbox refs
(``names/outside-outbox/<h>``, RUN-003.4) and builds the next send from that copy, then
sets the ref without expecting what is there now. Alone it is right; with a second
writer on the same store, the other's sends are overwritten: the next message does not
continue them (WIT-004) and the winner's mailbox is lost.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _commit
from gritwit.wit._outside import is_outside_ref
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-002.4"}),
    "failed",
    "each runtime builds the outside's sends from its own copy of the outside outbox and "
    "sets the ref without a compare-and-swap: another writer's sends are overwritten",
    smoke=True,
)

_real_send = _commit.send_from_outside
#: (id(store), ref) → the mailbox this runtime last wrote there (its in-memory copy).
_kept: dict[tuple[int, str], Any] = {}


class _Blind:
    """The store as this runtime sees it: its own copy of the outside's outbox."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def get_ref(self, name: str) -> Any:
        if is_outside_ref(name) and (id(self._store), name) in _kept:
            return _kept[id(self._store), name]  # the bug: a stale copy
        return self._store.get_ref(name)

    def get_refs(self, names: list[str]) -> Any:
        return None  # each ref through get_ref, the copies included

    def put_encoded_then_cas(self, encoded: Any, ref: str, expected: Any, *rest: Any, **kw: Any):  # type: ignore[no-untyped-def]
        if is_outside_ref(ref):
            expected = self._store.get_ref(ref)  # the bug: no compare-and-swap
        result = self._store.put_encoded_then_cas(encoded, ref, expected, *rest, **kw)
        if is_outside_ref(ref):
            _kept[id(self._store), ref] = self._store.get_ref(ref)
        return result


def send_from_outside(store: Any, batch: Any, objects: Any = (), seen: Any = None) -> Any:
    return _real_send(_Blind(store), batch, objects)  # its own copy, not the index's


def install() -> None:
    patch(_commit, "send_from_outside", send_from_outside)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
