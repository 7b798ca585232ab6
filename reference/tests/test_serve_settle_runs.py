"""A settle is answered only after a run that started after it arrived (HTTP-011.1).

A settle that arrives while a run is under way is not answered by that run's end, even
when it ends quiescent: the run may have begun before sends acknowledged ahead of the
settle. Over HTTP whether a settle lands inside a run is the machine's timing; here the
engine is driven directly, a run held at its start (the runtime's ``run_until_quiescent``
waiting on the test) while the settle arrives, then let go.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from gritwit.runtime import Runtime
from gritwit.serve._engine import Engine
from gritwit.serve._engine_commands import Settle
from gritwit.store import Store


@pytest.mark.req("HTTP-011.1")
def test_a_settle_arriving_during_a_run_waits_for_the_next_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = Runtime.run_until_quiescent
    hold, held, release = threading.Event(), threading.Event(), threading.Event()

    async def gated(self: Runtime, max_steps: int | None = None) -> Any:
        if hold.is_set():  # this run has started (it is numbered): wait for the test
            hold.clear()
            held.set()
            while not release.is_set():
                await asyncio.sleep(0.01)
        return await original(self, max_steps)

    monkeypatch.setattr(Runtime, "run_until_quiescent", gated)
    engine = Engine(Store.memory())
    engine.start()
    try:
        hold.set()
        first = engine.submit(Settle(time.monotonic() + 30))  # wakes the runner: a run starts
        assert held.wait(10), "no run started"
        under_way = engine.runs  # the run now held, started before the settle below
        answered_after: list[int] = []
        second = engine.submit(Settle(time.monotonic() + 30))
        second.add_done_callback(lambda _: answered_after.append(engine.runs))
        deadline = time.monotonic() + 10
        while len(engine._settles) < 2:  # both settles wait on the engine
            assert time.monotonic() < deadline, "the second settle never reached the engine"
            time.sleep(0.01)
        release.set()
        assert first.result(10) is True
        assert second.result(10) is True
        assert answered_after and answered_after[0] > under_way, (
            f"answered at the end of run {answered_after}, which started before the settle"
            f" (run {under_way} was under way when it arrived)"
        )
    finally:
        release.set()
        engine.stop(30)
