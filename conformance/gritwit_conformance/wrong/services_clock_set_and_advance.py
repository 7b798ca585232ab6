"""Wrong adapter: ``rt-clock`` given both ``set`` and ``advance`` sets (ADP-023.2).

The adapter takes ``set`` when it is there and ignores ``advance`` beside it, where the
call must give exactly one of them: both is answered with the clock set, not
``bad-request``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"ADP-023.2"}),
    "failed",
    "rt-clock with both set and advance takes set",
)

_real_clock = adapter_runtime.RuntimeCommands.cmd_rt_clock


def _cmd_rt_clock(self: Any, args: Any) -> Any:
    if "set" in args and "advance" in args:  # the bug: set wins, advance ignored
        args = {k: v for k, v in args.items() if k != "advance"}
    return _real_clock(self, args)


def install() -> None:
    patch(adapter_runtime.RuntimeCommands, "cmd_rt_clock", _cmd_rt_clock)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
