"""Wrong adapter: ``rt-run`` passes the port once, before its rounds, and never after (ADP-024.2).

ADP-024.2 has ``rt-run`` run a port pass before its rounds and again whenever they end
quiescent, and not end while a request it accepted is in flight. This adapter's run
passes the port only before its rounds: a request an actor sends during the run is read
by the next call's pass, and its answer adopted only by the call after that.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.wit import RunReport
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"ADP-024.2"}),
    "failed",
    "rt-run passes the port before its rounds only: requests sent in the run wait for the next",
)

_real_run = adapter_runtime._Open.run_with_timers


class _Idle:
    """A port that passes nothing and has nothing in flight."""

    in_flight = 0

    def run_pass(self) -> ObjectId | None:
        return None

    def wait(self, timeout: float) -> bool:
        return False


async def _run_with_timers(self: adapter_runtime._Open, bound: int) -> tuple[RunReport, int]:
    port = self.port
    port.run_pass()  # before the rounds
    self.port = _Idle()  # type: ignore[assignment]  # the bug: no pass after them
    try:
        return await _real_run(self, bound)
    finally:
        self.port = port


def install() -> None:
    patch(adapter_runtime._Open, "run_with_timers", _run_with_timers)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
