"""Wrong adapter: ``ref-cas`` ignores ``expected``, so refs move without compare-and-swap (REF-004).

It reads the current value and swaps against that — a read-modify-write that
never reports ``ref-conflict``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _str
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def cmd_ref_cas(self, args: dict[str, Any]) -> dict[str, Any]:
        current = self._store(args).get_ref(_str(args, "name"))
        current_hex = None if current is None else current.hex()
        return super().cmd_ref_cas({**args, "expected": current_hex})  # the bug


if __name__ == "__main__":
    run(Adapter)
