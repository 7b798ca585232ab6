"""The timer service (spec chapter 11): what a pass costs with timers pending, and what
a fired timer costs, on the harness's clock so that nothing waits.

A scene is a store with ``PENDING`` timers pending, set by alarms (TIM-008) of at most
1,000 timers each (TIM-004.2), all set for one time an hour ahead, and one timer set
for a moment from now:

* ``time_pass_nothing_due`` — a pass of the timer service that has nothing to read and
  nothing due: what a running service pays between two runs (its lateness floor, beside
  the service's idle wait of 0.2 s);
* ``time_fire_one`` — the clock reaches the near timer and a pass fires it alone, among
  ``PENDING`` pending: a fired timer's lateness past its time, on a clock that jumps;
* ``time_fire_thousand`` — the clock reaches the hour and one pass fires 1,000 timers
  (``max_fires`` 1,000, TIM-004.5): divide by 1,000 for the CPU per fired timer.

The timed calls restore the scene's head of the timer party before each call (a ref
swap), and the table the running service held, so each call fires the same timers from
the same table, as a service that has run a while does.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar, Final

import gritwit as g
from gritwit.runtime import (
    SERVICE_TEST_ACTORS,
    TIMER,
    Runtime,
    TimerBounds,
    TimerService,
)
from gritwit.store import head_ref
from gritwit.wit import TEST_ACTORS, test_actor_core

#: The service's clock at the start of a scene (milliseconds since 1970).
START: Final = 1_000_000_000
#: Timers one alarm sets (TIM-004.2's default bound).
PER_ALARM: Final = 1_000


def _request(headers: dict[str, str], data: bytes) -> tuple[g.ObjectId, list[g.GritObject]]:
    request, content = g.Blob(data=b"", headers=headers), g.Blob(data=data)
    tree = g.Tree(entries={"request": g.object_id(request), "content": g.object_id(content)})
    return g.object_id(tree), [request, content, tree]


class _Scene:
    params: ClassVar[list[int]] = [1_000, 10_000]
    param_names: ClassVar[list[str]] = ["pending"]

    def setup(self, pending: int) -> None:
        self.store = g.Store.memory()
        self.now = [START]
        runtime = Runtime(self.store, actors={**TEST_ACTORS, **SERVICE_TEST_ACTORS})
        self.service = TimerService(
            runtime.service_door, clock=lambda: self.now[0], bounds=TimerBounds(max_fires=10**9)
        )

        async def fill() -> None:
            for n in range((pending + PER_ALARM - 1) // PER_ALARM):
                core, objects = test_actor_core("alarm", {"n": g.Blob(data=b"%d" % n)})
                alarm = await runtime.genesis(core, objects)
                for i in range(min(PER_ALARM, pending - n * PER_ALARM)):
                    at = START + (1_000 if n == i == 0 else 3_600_000)
                    headers = {"mt": "timer-set", "timer-mt": "ring", "timer-at": str(at)}
                    content, sent = _request(headers, b"%d" % i)
                    await runtime.send(alarm, content, {"mt": "timer"}, sent)
                await runtime.run_until_quiescent()
                self.service.run_pass()

        asyncio.run(fill())
        self.runtime = runtime
        self.head = self.store.get_ref(head_ref(TIMER))
        self.service.run_pass()  # reads the table once, as a running service has
        #: The table as the running service holds it: each timed call starts from it.
        self.known = self.service._known

    def _fresh(self, max_fires: int) -> TimerService:
        """The running service, with no fires counted in this second (TIM-004.5) and the
        table it held before the call."""
        service = TimerService(
            self.runtime.service_door,
            clock=lambda: self.now[0],
            bounds=TimerBounds(max_fires=max_fires),
        )
        service._known = self.known
        return service

    def _restore(self) -> None:
        current = self.store.get_ref(head_ref(TIMER))
        if current != self.head:
            self.store.cas_ref(head_ref(TIMER), current, self.head)
            self.runtime.service_door().routing.pending(TIMER)  # the index catches up


class TimerPasses(_Scene):
    def time_pass_nothing_due(self, pending: int) -> None:
        self.now[0] = START
        self.service.run_pass()

    def time_fire_one(self, pending: int) -> None:
        self._restore()
        self.now[0] = START + 1_000
        self._fresh(10**9).run_pass()

    def time_fire_thousand(self, pending: int) -> None:
        self._restore()
        self.now[0] = START + 3_600_000
        self._fresh(1_000).run_pass()
