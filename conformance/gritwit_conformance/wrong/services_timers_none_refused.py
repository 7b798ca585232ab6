"""Wrong adapter: ``rt-timers`` of an actor that set no timer is refused (ADP-023.4).

The adapter answers ``bad-request`` when the actor has no timer pending, as if the command
looked the actor up in the timer table, where it must answer ``{"timers": []}``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"ADP-023.4"}),
    "failed",
    "rt-timers of an actor that set no timer answers bad-request, not an empty list",
)

_real_timers = adapter_runtime.RuntimeCommands.cmd_rt_timers


def _cmd_rt_timers(self: Any, args: Any) -> Any:
    answer = _real_timers(self, args)
    if not answer["timers"]:  # the bug: no timer pending is no such actor
        raise adapter_runtime.BadRequest("ADP-023.4: no timers for this actor")
    return answer


def install() -> None:
    patch(adapter_runtime.RuntimeCommands, "cmd_rt_timers", _cmd_rt_timers)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
