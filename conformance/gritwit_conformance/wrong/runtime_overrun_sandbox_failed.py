"""Wrong adapter: a sandboxed transition its runtime gives up fails ``failed`` (SBX-013.1).

The runtime stops the run at its bound, but reports the attempt as any overrun, with
no class, where a run a runtime's bound stops fails → ``time-limit`` (SBX-006.10) and
its transition with that class (SBX-013.1).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime._bound import TimeBound
from gritwit.wit import TransitionTimeout
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox", "runtime"),
    frozenset({"SBX-013.1"}),
    "failed",
    "stops a sandboxed run its runtime gives up, but fails the transition 'failed', "
    "without the class time-limit",
    timeout=STARTUP_TIMEOUT,
)


def overrun(self: TimeBound, actor: Any, job: Any) -> Exception:
    return TransitionTimeout(f"the transition overran {self.time_limit} s")  # the bug


def install() -> None:
    patch(TimeBound, "overrun", overrun)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
