"""Wrong adapter: an update sent before the genesis is read in the first transition (WIT-013.3).

The first transition of an actor sees every pending message, updates included,
instead of stopping each sender's messages at its first update: the update is
read over by the test actor with no effect, so it is lost instead of running
after the first step.
"""

from __future__ import annotations

from gritwit import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _executor
from gritwit.wit._model import PendingMessage
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-013.3"}),
    "failed",
    "an update sent before the genesis is read over by the first transition",
    smoke=False,
)

_original = _executor._prefixes


def leaky(
    found: dict[ObjectId, tuple[PendingMessage, ...]], stop: frozenset[str]
) -> dict[ObjectId, tuple[PendingMessage, ...]]:
    if stop == frozenset({"update"}):  # the bug: the first transition also reads updates
        return dict(found)
    return _original(found, stop)


def install() -> None:
    patch(_executor, "_prefixes", leaky)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
