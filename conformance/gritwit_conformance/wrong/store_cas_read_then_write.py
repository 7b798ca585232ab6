"""Wrong adapter: the backend compares and swaps in two transactions, a read then a write (DUR-003).

The store's rules are all kept — the target is checked, a ref holding another
value than ``expected`` is a conflict — but the backend compares in one
transaction and writes in the next, as a backend on a key-value store without a
conditional write would (a get, then a put).  Between the two, another writer of
the store (another runtime process, RUN-020.1) can swap the same ref: both swaps
then "succeed", and the later one overwrites the other's step (RUN-002.2) or the
outside's sends (RUN-002.4).  The two transactions are a round trip apart on a
network store: :data:`ROUND_TRIP` seconds here.  The runtime commits each step on
its own (per-step commits, where every head moves by this swap); one process alone
never notices.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from gritwit import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as _adapter_runtime
from gritwit.store import _sqlite
from gritwit.store._backend import CasResult, CasStatus
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-020.1", "RUN-002.2"}),
    "failed",
    "the backend's compare-and-swap reads in one transaction and writes in the next (a get, "
    "then a put, 20 ms apart): one process alone never notices; two runtime processes on one "
    "store overwrite each other's steps and sends",
)

#: Seconds between the read and the write: a network store's round trip.  At 2 ms the short
#: form missed the overwrite in 1 CI run at load 5-8 (no two swaps of a ref fell that close);
#: at 20 ms it caught it in 6 of 6 runs at load 6.5.
ROUND_TRIP = 0.02

_real_cas = _sqlite.SqliteBackend.cas_ref
_real_insert_many = _sqlite.SqliteBackend.insert_many


def _read_then_write(
    self: _sqlite.SqliteBackend, name: str, expected: ObjectId | None, new: ObjectId | None
) -> CasResult:
    current = self.get_ref(name)  # transaction 1: the comparison
    if new is not None and not self.contains(new):
        return CasResult(CasStatus.MISSING_TARGET, current)
    if current != expected:
        return CasResult(CasStatus.CONFLICT, current)
    time.sleep(ROUND_TRIP)
    while True:  # transaction 2: the write, whatever the ref holds by now (the bug)
        now = self.get_ref(name)
        result = _real_cas(self, name, now, new)
        if result.status is not CasStatus.CONFLICT:
            return result


def insert_many_then_cas(
    self: _sqlite.SqliteBackend,
    items: Iterable[tuple[ObjectId, bytes]],
    name: str,
    expected: ObjectId | None,
    new: ObjectId | None,
    fresh: set[bytes] | None = None,
    wake: bool = True,
) -> CasResult:
    _real_insert_many(self, items, fresh)
    return _read_then_write(self, name, expected, new)


def install() -> None:
    patch(_adapter_runtime, "COMMIT", "step")  # every head moves by the backend's own swap
    patch(_sqlite.SqliteBackend, "cas_ref", _read_then_write)
    patch(_sqlite.SqliteBackend, "insert_many_then_cas", insert_many_then_cas)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
