"""Wrong adapter: ``wasm-load`` accepts any module without its load checks (ADP-016).

It only parses the hex: the checks run later, at the first transition.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import _hex
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"ADP-016"}),
    "failed",
    "wasm-load accepts any module: the load checks of WASM-002 are skipped",
)


class Adapter(ReferenceAdapter):
    def cmd_wasm_load(self, args: dict[str, Any]) -> dict[str, Any]:
        _hex(args, "module")
        return {}  # the bug: no WASM-002 checks


if __name__ == "__main__":
    run(Adapter)
