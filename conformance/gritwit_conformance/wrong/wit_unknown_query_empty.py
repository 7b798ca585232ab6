"""Wrong adapter: a test actor answers a query it does not list with the empty blob.

WIT-028.9 (and WIT-017.3): every query but those an actor's rows list and ``wut``
must fail with ``unknown-query``; this adapter answers them as if the state
entry were absent.
"""

from __future__ import annotations

from gritwit import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _actors
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-028.9"}),
    "failed",
    "a test actor answers a query it does not list with the empty blob",
    smoke=False,
)

_original = _actors.BuiltinActor.query


def lenient(self: _actors.BuiltinActor, name: str, inp: _actors.QueryInput) -> Blob:
    if name != "wut" and name not in self.queries:
        return Blob(data=b"")  # the bug: no unknown-query
    return _original(self, name, inp)


def install() -> None:
    patch(_actors.BuiltinActor, "query", lenient)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
