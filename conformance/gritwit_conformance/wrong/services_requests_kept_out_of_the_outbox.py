"""Wrong adapter: a message to a service party never enters its sender's outbox (TIM-001.2).

An implementer who takes a timer request for a call rather than a message leaves it out
of the step's outbox, as if the service had been handed it on the side.  Nothing then
holds the request for the timer party to read: no timer is set, and the sender's outbox
shows nothing addressed to the party.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime._parties import SERVICE_PARTIES
from gritwit.wit import _assemble
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-001.2"}),
    "failed",
    "a message to the timer party is left out of its sender's outbox: nothing is pending for it",
)

_real_sent_entries = _assemble._sent_entries


def _sent_entries(latest: dict[ObjectId, ObjectId]) -> dict[str, bytes]:
    # the bug: the outbox entries a step sets leave out the service parties
    return _real_sent_entries({to: m for to, m in latest.items() if to not in SERVICE_PARTIES})


def install() -> None:
    patch(_assemble, "_sent_entries", _sent_entries)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
