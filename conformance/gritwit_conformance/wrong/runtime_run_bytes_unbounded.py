"""Wrong adapter: a run's bytes are counted but never stop it (RUN-023.2).

An unbounded store growth: ``max_run_bytes`` is taken, answered in ``settings`` and
counted, but the run never halts on it, so a run of actors that keep megabytes each
step stores as much as its ``max_steps`` allow (10,000 steps of a sandboxed program's
15 MB: 150 GB).
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _disk
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-023.2"}),
    "failed",
    "an unbounded store growth: max_run_bytes is answered and counted but never stops "
    "a run, so actors keeping megabytes a step fill the disk up to max_steps",
    smoke=True,
)


def counted(self: _disk.RunBounds, added: int) -> None:
    self.run_bytes += added  # the bug: never halted


def install() -> None:
    patch(_disk.RunBounds, "counted", counted)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
