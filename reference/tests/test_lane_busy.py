"""The engine lane is busy exactly while a transition waits for it or runs in it (RUN-005.7).

A Wasm step runs inline only while no other engine transition waits or runs, since it
would wait on the engine's lock on the event loop; so ``busy()`` must say so for each
lane transition in turn, and be false again after each. The rounds of ``rt-run`` run one
transition at a time and the service's Wasm steps give the same answers either way, so
the flag itself is checked here, over three lane transitions one after another.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from aio import run

from gritwit.runtime._lane import busy, run_in_lane


def _idle_again() -> bool:
    """Whether the lane is free within a bounded wait (its thread leaves the lane just
    after handing the answer over)."""
    for _ in range(500):
        if not busy():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.req("RUN-005.7")
def test_the_lane_is_busy_while_each_transition_runs_and_free_after() -> None:
    assert _idle_again()
    for turn in range(3):
        release, entered = threading.Event(), threading.Event()

        def hold(entered: threading.Event = entered, release: threading.Event = release) -> int:
            entered.set()
            release.wait(10)
            return 7

        async def scenario(
            entered: threading.Event = entered, release: threading.Event = release
        ) -> tuple[bool, int]:
            task = asyncio.ensure_future(run_in_lane(hold, 30.0))
            while not entered.is_set():
                await asyncio.sleep(0.005)
            during = busy()
            release.set()
            return during, await task

        during, answer = run(scenario())
        assert during, f"transition {turn + 1}: the lane ran it and was not busy"
        assert answer == 7
        assert _idle_again(), f"transition {turn + 1}: the lane stayed busy after it"
