"""Wrong adapter: the port party is the service party named ``port``, not ``http`` (PORT-001.1).

PORT-001.1 fixes the party's id: the service party named ``http``. This runtime names it
``port``: consistent within itself (its ``courier`` sends there, its service writes that
party's steps), so every request is answered, but by a party no other runtime or store
knows, and the requests sit in the courier's outbox under an id the clause does not name.
"""

from __future__ import annotations

from collections.abc import Mapping

from gritwit._ids import ObjectId
from gritwit._objects import Blob, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _forwarder, _index, _parties, _party_step, _port, _schedule
from gritwit.wit import Send
from gritwit.wit._model import queued_send
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


_PARTY = _parties.party_id("port")


def _queued_send(recipient: ObjectId, content: ObjectId, headers: Mapping[str, str]) -> Send:
    """The courier's request, sent to the party of the wrong name."""
    return queued_send(_PARTY if recipient == _parties.HTTP else recipient, content, headers)


def install() -> None:
    party = _PARTY
    patch(_party_step, "party_wit", _party_wit)
    patch(_party_step, "party_core", _party_core)
    patch(_forwarder, "queued_send", _queued_send)
    patch(_port, "HTTP", party)
    parties = frozenset({_parties.TIMER, party})
    patch(_schedule, "SERVICE_PARTIES", parties)
    patch(_index, "_NOT_RUN", frozenset({_index.OUTSIDE, *parties}))


if __name__ == "__main__":
    run(ReferenceAdapter, install)
