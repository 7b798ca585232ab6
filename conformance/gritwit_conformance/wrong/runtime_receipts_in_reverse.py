"""Wrong adapter: a run's error receipts are held to its end and sent newest mark first
(RUN-004.11).

RUN-004.6 says a receipt is sent; RUN-004.11 says receipts to one sender are chained in
the order their actors were marked failed.  An implementer who collects a run's receipts
and sends them when the run ends, popping from a stack, chains them to a sender that
had messages pending for several failed actors in the reverse order.  Only a sender
with two or more receipts can tell.
"""

from __future__ import annotations

from typing import Any

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime, _schedule, _transition
from gritwit.wit import RunReport
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-004.11"}),
    "failed",
    "a run's error receipts are sent when it ends, the last marked actor's first",
)


class HoldsReceipts(_transition.Transitions):
    """The reference's transitions, whose receipts wait in :attr:`held`."""

    held: list[tuple[tuple[Any, ...], dict[str, Any]]]

    async def _mark_failed(
        self, actor: ObjectId, error: Exception, attempts: int, found: Any
    ) -> None:
        send = self._send
        held = self.__dict__.setdefault("held", [])

        async def hold(*args: Any, **kwargs: Any) -> Any:
            held.append((args, kwargs))

        self._send = hold
        try:
            await super()._mark_failed(actor, error, attempts, found)
        finally:
            self._send = send


class SendsHeldReceiptsLast(_schedule.Scheduler):
    """The reference's scheduler, which sends the held receipts after the run, newest first."""

    async def run_rounds(self, max_steps: int) -> RunReport:
        report = await super().run_rounds(max_steps)
        transitions: Any = self._transitions
        held = transitions.__dict__.get("held", [])
        while held:
            args, kwargs = held.pop()  # the bug: the last marked first
            await transitions._send(*args, **kwargs)
        return report


def install() -> None:
    patch(_runtime, "Transitions", HoldsReceipts)
    patch(_runtime, "Scheduler", SendsHeldReceiptsLast)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
