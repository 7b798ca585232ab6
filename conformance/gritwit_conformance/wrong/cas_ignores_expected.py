"""Wrong adapter: ``ref-cas`` ignores ``expected``, so refs move without compare-and-swap (REF-004).

It reads the current value and swaps against that — a read-modify-write that
never reports ``ref-conflict``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _str
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"REF-004.1", "REF-004.3"}),
    "failed",
    "ref-cas ignores expected: any writer moves a ref, no ref-conflict ever",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_ref_cas(self, args: dict[str, Any]) -> dict[str, Any]:
        current = self._store(args).get_ref(_str(args, "name"))
        current_hex = None if current is None else current.hex()
        return super().cmd_ref_cas({**args, "expected": current_hex})  # the bug


if __name__ == "__main__":
    run(Adapter)
