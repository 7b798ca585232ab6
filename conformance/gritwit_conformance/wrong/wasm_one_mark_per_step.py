"""Wrong adapter: a step keeps one read mark, the last, not one per sender (WASM-010.1).

``mark_read`` forgets the marks of the other senders: a step that marks a message of
the outside and then one of another actor reads only the other actor's messages.
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
    "a step keeps one read mark, the last: marking two senders reads only the last one's",
)

_real = _host.StepHost._h_mark_read


def mark_read(self: Any, g: Any, i: int) -> int:
    done = _real(self, g, i)  # its checks and trap
    sender = self.visible[i][0]
    for other in [s for s in self.marked if s != sender]:
        del self.marked[other]  # the bug: one mark per step
    return done


def install() -> None:
    patch(_host.StepHost, "_h_mark_read", mark_read)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
