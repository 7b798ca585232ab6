"""Wrong adapter: ``mark_read`` sets the sender's mark where it must raise it (WASM-010.1).

A later mark of an earlier message of the same sender, in the same step, lowers the mark:
marking message 3 then message 2 of one sender reads up to 2, not 3.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _host
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-010.1"}),
    "failed",
    "mark_read sets the sender's read mark instead of raising it: a later, lower mark of "
    "one step lowers it",
)

_real = _host.StepHost._h_mark_read


def mark_read(self: Any, g: Any, i: int) -> int:
    done = _real(self, g, i)  # its checks and trap
    sender, index, _ = self.visible[i]
    self.marked[sender] = index + 1  # the bug: set, whatever was marked before
    return done


def install() -> None:
    patch(_host.StepHost, "_h_mark_read", mark_read)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
