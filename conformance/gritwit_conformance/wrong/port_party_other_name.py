"""Wrong adapter: the port party is the service party named ``port``, not ``http`` (PORT-001.1).

PORT-001.1 fixes the party's id: the service party named ``http``. This runtime names it
``port``: consistent within itself (its ``courier`` sends there, its service writes that
party's steps), so every request is answered, but by a party no other runtime or store
knows, and the requests sit in the courier's outbox under an id the clause does not name.
"""

from __future__ import annotations

from gritwit._objects import Blob, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _courier, _index, _parties, _port, _schedule
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-001.1"}),
    "failed",
    "the port party is the service party named port: another id than PORT-001.1's",
)


def _name(name: str) -> str:
    return "port" if name == "http" else name  # the bug


def _party_wit(name: str) -> Blob:
    return _parties.party_wit(_name(name))


def _party_core(name: str) -> Tree:
    return _parties.party_core(_name(name))


def install() -> None:
    party = _parties.party_id("port")
    patch(_port, "party_wit", _party_wit)
    patch(_port, "party_core", _party_core)
    for module in (_port, _courier):
        patch(module, "HTTP", party)
    parties = frozenset({_parties.TIMER, party})
    patch(_schedule, "SERVICE_PARTIES", parties)
    patch(_index, "_NOT_RUN", frozenset({_index.OUTSIDE, *parties}))


if __name__ == "__main__":
    run(ReferenceAdapter, install)
