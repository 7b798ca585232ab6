"""Wrong adapter: a program that exits non-zero still makes a step (SBX-013.1).

The host treats ``program-exit`` as "the program is done": the transition reads its
messages and keeps the last core, instead of failing and leaving them pending.
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import ProgramExit
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit.wit._model import TransitionOutput
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-013.1"}),
    "failed",
    "a program that exits non-zero still reads its messages and keeps its core",
    timeout=STARTUP_TIMEOUT,
)

_real = _actor.SandboxWit.__call__


def call(self: _actor.SandboxWit, inp: Any) -> Any:
    try:
        return _real(self, inp)
    except ProgramExit:  # the bug
        read = {sender: len(items) for sender, items in inp.pending.items()}
        return TransitionOutput(core=inp.core, read=read, sends=(), new_objects=())


def install() -> None:
    patch(_actor.SandboxWit, "__call__", call)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
