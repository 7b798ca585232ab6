"""Wrong adapter: a transition reads one message per sender (SBX-012.1).

The program is shown every pending message, but the step records only the first of
each sender as read: the rest are delivered again in the next transition.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-012.1"}),
    "failed",
    "a transition reads one message per sender, though the program was shown all",
    timeout=STARTUP_TIMEOUT,
)

_real = _actor.SandboxWit.__call__


def call(self: _actor.SandboxWit, inp: Any) -> Any:
    out = _real(self, inp)
    return dataclasses.replace(out, read={sender: 1 for sender in out.read})  # the bug


def install() -> None:
    patch(_actor.SandboxWit, "__call__", call)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
