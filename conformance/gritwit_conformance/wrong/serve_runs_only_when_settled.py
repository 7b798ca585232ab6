"""Wrong adapter: its service runs only when a settle waits (HTTP-001.1).

The engine's runner wakes for ``POST /v1/settle`` alone: an acknowledged send sits
pending until some client asks the service to settle, instead of running as it arrives.
Everything a settle waits for is run, so every test that settles before it looks passes.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-001.1"}),
    "failed",
    "the service runs only while a settle waits: a send is not run until a client settles",
)


async def _run_loop(self: Any) -> None:
    runtime, kick = self._state.runtime, self._kick
    while not self._stop_asked:
        kick.clear()
        if self.runs and not self._settles:  # the bug: nothing runs unless a settle waits
            await kick.wait()
            continue
        self.runs += 1
        number = self.runs
        report = await runtime.run_until_quiescent(self.settings.slice_steps)
        if report.quiescent:
            self._settled(number)
        if report.quiescent and not kick.is_set() and not self._stop_asked:
            await kick.wait()


def install() -> None:
    from gritwit.serve import _engine

    patch(_engine.Engine, "_run_loop", _run_loop)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
