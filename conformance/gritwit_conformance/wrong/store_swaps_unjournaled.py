"""Wrong adapter: the store profile's ``ref-cas`` writes no row of the journal of swaps
(RUN-020.5).

The durable store journals every swap in the swap's own transaction, so that a
runtime catching up learns what moved without listing every ref (the reference's
``ref_journal``, RUN-003.1). Here the store profile's ``ref-cas`` swaps and journals
nothing, as a store's own interface written apart from the runtime's commits might.
Every answer of the store profile is right, and so is a runtime's first catch-up,
which lists the refs; a runtime that catches up again learns only of the swaps
journaled since, so a head and an outside's outbox that the store profile moved during
its run stay unknown to it, and it reads messages again.
"""

from __future__ import annotations

from gritwit import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import Json
from gritwit.store import _sqlite
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-020.5"}),
    "failed",
    "the store profile's ref-cas swaps without a row in the journal of swaps that "
    "runtimes catch up from: a runtime's second catch-up misses a head and an outside's "
    "outbox the store profile moved during its run, and reads messages again",
)

_journal = _sqlite._journal


def _no_row(conn: object, name: str, new: ObjectId | None) -> None:
    """The bug: the swap is made, and the journal hears nothing of it."""


class UnjournaledRefCas(ReferenceAdapter):
    def cmd_ref_cas(self, args: Json) -> Json:
        patch(_sqlite, "_journal", _no_row)  # one command at a time: only this swap
        try:
            return super().cmd_ref_cas(args)
        finally:
            _sqlite._journal = _journal


if __name__ == "__main__":
    run(UnjournaledRefCas)
