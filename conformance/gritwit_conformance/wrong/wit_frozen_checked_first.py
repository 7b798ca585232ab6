"""Wrong adapter: the frozen entries of a new core are checked before its structure
(WIT-029.1).

An update of a frozen core that replaces ``wit`` with a blob without ``runtime``
fails ``frozen-core``, where the structure (WIT-007.2) comes first:
``invalid-transition``.
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import FrozenCore
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _assemble
from gritwit.wit._cores import FROZEN_ENTRIES
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-029.1"}),
    "failed",
    "a new core's frozen entries are checked before its structure",
)

_check = _assemble._check_core


def _frozen_first(inp: Any, out: Any, reader: Any, wit_read: bool = False) -> None:
    if "frozen" in inp.core.entries:  # the bug: WIT-016 before WIT-015 and WIT-007
        for name in FROZEN_ENTRIES:
            if inp.core.entries.get(name) != out.core.entries.get(name):
                raise FrozenCore("WIT-016", f"the core is frozen; entry {name!r} cannot change")
    _check(inp, out, reader, wit_read)


if __name__ == "__main__":
    run(ReferenceAdapter, lambda: patch(_assemble, "_check_core", _frozen_first))
