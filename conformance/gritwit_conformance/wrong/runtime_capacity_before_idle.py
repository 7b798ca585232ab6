"""Wrong adapter: capacity eviction runs before the idle timeout (RUN-012.8).

Both rules are evaluated at the same points, but in the other order: the least
recently used idle actors are evicted down to ``max_resident`` first, then those
idle past ``idle_after``. The set evicted can be the same; the order of the
``archived`` events, and their reasons, are not.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _schedule
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-012.8"}),
    "failed",
    "capacity eviction runs before the idle timeout: the archived events come in another "
    "order, with other reasons",
)

_real = _schedule.Scheduler.evict_idle


def evict_idle(self: _schedule.Scheduler, *, everything_idle: bool = False) -> list[Any]:
    if everything_idle:
        return _real(self, everything_idle=True)
    residents = self._residents  # the runs evict through the resident actors' part
    idle_after, residents.idle_after = residents.idle_after, None
    try:
        first = _real(self)  # the bug: capacity first …
    finally:
        residents.idle_after = idle_after
    max_resident, residents.max_resident = residents.max_resident, None
    try:
        return first + _real(self)  # … then the idle timeout
    finally:
        residents.max_resident = max_resident


def install() -> None:
    patch(_schedule.Scheduler, "evict_idle", evict_idle)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
