"""Wrong adapter: timers due together fire in the order of their ids alone (TIM-003.3).

The timer service sorts the timers due by id, as a table keyed by id lists them, and
forgets that *set for* comes first: of two timers due in one pass, the one set for later
may fire first.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-003.3"}),
    "failed",
    "timers due together fire by id alone, not by set-for first",
)


def _order(self: _timers.PendingTimer) -> tuple[bytes, int, bytes]:
    return (self.id.digest, self.set_for, self.setter.digest)  # the bug: id before set-for


def install() -> None:
    patch(_timers.PendingTimer, "order", _order)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
