"""The free-running scheduler's inline attempts and retries, where the protocol cannot
reach them (RUN-004.3, RUN-004.10, RUN-005.3, RUN-005.6, RUN-005.9).

``rt-run`` runs the rounds of ADP-015, never :meth:`Runtime.run_until_quiescent`'s
passes, and the service that does run those passes takes no time bound (5 s): an
inline attempt's overrun judged there, and the retry delays as exact values rather
than the lower bounds a suite can time, are seen here.

* an inline attempt whose CPU time reaches a bound of a microsecond fails
  (``failed``, RUN-005.3) and adopts nothing;
* the backstop of an inline attempt (RUN-005.9) counts its awake time: an attempt
  60 s old that was awake all along fails, one that spent those seconds waiting for a
  CPU does not, nor does one younger than the backstop's floor;
* the waits before the retries of a failing transition are 10, 20, 40 and 80 ms
  (RUN-004.3), a hundred times that after overruns (RUN-004.10), read from the
  runtime's injected sleep;
* a Wit of the runtime's user runs in a worker thread, under a deadline the runtime
  cancels when it gives the attempt up (RUN-005.10): host work that checks it stops
  there, not when it would have ended (no test actor's work checks it in a thread).
"""

from __future__ import annotations

import time

import pytest
from aio import run

import gritwit as g
from gritwit._deadline import checkpoint
from gritwit.runtime import Runtime, _work
from gritwit.runtime._bound import TimeBound, _started
from gritwit.store import Store
from gritwit.wit import TEST_ACTORS, TransitionInput, TransitionOutput, test_actor_core


@pytest.mark.req("RUN-005.3", "RUN-005.6", "RUN-005.7", "RUN-005.8")
def test_an_inline_attempt_past_its_bound_fails_and_adopts_nothing() -> None:
    """A counter's genesis transition takes more than a microsecond of CPU: under a
    bound of 1 µs its only attempt fails as an overrun and no step is adopted."""
    store = Store.memory()
    rt = Runtime(store, time_limit=1e-6, attempts=1)

    async def go() -> tuple[g.ObjectId, list[str], int]:
        actor = await rt.genesis(*test_actor_core("counter", {}))
        report = await rt.run_until_quiescent()
        return actor, [type(f.error).__name__ for f in report.failures], len(report.steps)

    actor, failures, steps = run(go())
    assert failures == ["TransitionTimeout"], failures
    assert steps == 0
    record = rt.failed(actor)
    assert record is not None and record["error"] == "failed", record
    assert store.get_ref(f"heads/{actor.hex()}") is None


@pytest.mark.req("RUN-005.9", "RUN-005.8")
def test_the_inline_backstop_counts_awake_time_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """An inline attempt that started 100 s ago (the backstop of a 1 s bound is 60 s):
    awake all that time it fails; asleep waiting for a CPU nearly all of it (the load),
    it does not; one that started a second ago does not either."""
    judge = TimeBound(None, None, inline=True, time_limit=1.0)  # type: ignore[arg-type]
    wall, cpu, waits = _started()
    long_ago = (wall - 100.0, cpu, waits)
    monkeypatch.setattr(_work, "awake_since", lambda since, sample: time.monotonic() - since)
    with pytest.raises(TimeoutError):
        judge.judge_overrun(long_ago)
    judge.judge_overrun((wall - 1.0, cpu, waits))  # under the floor: adopted
    monkeypatch.setattr(_work, "awake_since", lambda since, sample: 0.5)
    judge.judge_overrun(long_ago)  # a loaded machine's waits: adopted


@pytest.mark.req("RUN-004.3", "RUN-004.10", "RUN-004.4")
def test_the_retry_delays_are_exact() -> None:
    """A ``failing`` actor's five attempts wait 10, 20, 40 and 80 ms between them; a
    ``slow`` one's (every attempt an overrun) 1, 2, 4 and 8 s."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def go(name: str) -> None:
        rt = Runtime(Store.memory(), sleep=sleep)
        actor = await rt.genesis(*test_actor_core(name, {}))
        await rt.run_until_quiescent()
        assert rt.failed(actor) is not None

    run(go("failing"))
    assert waits == pytest.approx([0.01, 0.02, 0.04, 0.08], rel=1e-9), waits
    waits.clear()
    run(go("slow"))
    assert waits == pytest.approx([1.0, 2.0, 4.0, 8.0], rel=1e-9), waits


@pytest.mark.req("RUN-005.10", "RUN-005.3", "RUN-005.6")
def test_host_work_of_an_abandoned_thread_attempt_stops_at_its_deadline() -> None:
    """A user's Wit walking in steps, each checking its deadline, overruns a bound of
    0.2 s: its attempt fails, and the walk stops within seconds, not after the 10 s it
    would take (the event loop's end waits for the thread either way)."""
    walked: list[float] = []

    def walker(inp: TransitionInput) -> TransitionOutput:
        started = time.monotonic()
        try:
            while time.monotonic() < started + 10.0:
                checkpoint()  # raises once the attempt is given up
                time.sleep(0.005)
        finally:
            walked.append(time.monotonic() - started)
        return TEST_ACTORS["counter"](inp)

    rt = Runtime(
        Store.memory(), actors={**TEST_ACTORS, "walker": walker}, time_limit=0.2, attempts=1
    )

    async def go() -> g.ObjectId:
        actor = await rt.genesis(*test_actor_core("walker", {}))
        await rt.run_until_quiescent()
        return actor

    actor = run(go())
    assert rt.failed(actor) is not None
    assert len(walked) == 1 and walked[0] < 5.0, walked
