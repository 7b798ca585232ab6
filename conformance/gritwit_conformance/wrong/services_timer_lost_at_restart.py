"""Wrong adapter: the timers pending are known only to the process that set them (TIM-006.2).

The timer service writes each timer into the party's core but reads back only the timers
its own process set, as if the core were a log and its memory the table: after a restart
every timer set before it is gone, neither listed nor fired.
"""

from __future__ import annotations

from typing import Any

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _timers
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-006.2"}),
    "failed",
    "the table of timers is the process's memory: a restart loses every timer pending",
)

_real_read = _timers.read_table
_real_entry = _timers._entry_objects
#: The timers this process set (the bug: all it reads back).
_SET: set[ObjectId] = set()


def read_table(reader: Any, core: Any) -> dict[Any, _timers.PendingTimer]:
    return {key: t for key, t in _real_read(reader, core).items() if key[1] in _SET}


def _entry_objects(tid: ObjectId, *args: Any) -> Any:
    _SET.add(tid)
    return _real_entry(tid, *args)


def install() -> None:
    patch(_timers, "read_table", read_table)
    patch(_timers, "_entry_objects", _entry_objects)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
