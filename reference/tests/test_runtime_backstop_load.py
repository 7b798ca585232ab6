"""Only an attempt's own work fails it, even on a machine slowed 45-fold (RUN-005.9).

At load 30 a run went 45 times slower than its CPU, and the wall-clock backstop of 60 s,
not the 5 s bound of work, decided: any attempt with more than about 1.3 s of its own
work failed.  The backstop now counts the attempt's *awake* time, its wall time less the
waits for a CPU the kernel reported for its thread, so a load alone never reaches it,
while an attempt blocked where its work cannot be seen still fails there
(``test_runtime_fair.py`` keeps that side, and the last test here).

Each test pins processes to one CPU (``os.sched_setaffinity``) beside busy loops, so the
attempts' threads wait for that CPU most of the time:

* the default run: 3 loops (a 4-fold slowdown), attempts of 0.5 s of CPU, the backstop
  lowered to 1 s in the child process — a worker-thread transition, the engine lane
  and the inline judge, each adopted (before the fix each failed at the backstop);
* the deep profile: 20 runtime processes at once, each one transition of 2.5 s of CPU
  with the real backstop (60 s), beside 25 loops: some 45-fold; 20 of 20 adopted.

Nothing here asserts a time: the slowdowns are printed, the outcomes asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from profiles import PROFILE

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs sched_setaffinity"),
    pytest.mark.skipif(
        not os.path.exists(f"/proc/self/task/{os.getpid()}/schedstat"),
        reason="the kernel reports no waits for a CPU (RUN-005.8 counts wall time then)",
    ),
]

#: One process: pinned to ``cpu``; ``runs`` transitions of ``burn`` s of CPU each in a
#: worker thread (a Wit of its own), then (``light``) as many in the engine lane and
#: through the inline judge; prints the failures and each attempt's wall / CPU ratio.
_CHILD = textwrap.dedent(
    """\
    import asyncio, json, os, sys, time
    cpu, burn, runs, light = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    os.sched_setaffinity(0, {cpu})
    import gritwit as g
    from gritwit.runtime import Runtime, _work
    from gritwit.runtime._bound import TimeBound, _started
    from gritwit.runtime._lane import run_in_lane
    from gritwit.wit import TEST_ACTORS, test_actor_core

    if light == "light":  # a backstop of 1 s: a 4-fold slowdown of 0.5 s would reach it
        _work.BACKSTOP_FLOOR, _work.BACKSTOP_FACTOR = 1.0, 0.0
    ratios = []

    def spin():
        wall, start = time.monotonic(), time.thread_time()
        while time.thread_time() - start < burn:
            pass
        ratios.append((time.monotonic() - wall) / burn)

    def burner(inp):
        spin()
        return TEST_ACTORS["counter"](inp)

    async def main():
        store = g.Store.memory()
        rt = Runtime(store, time_limit=5.0, attempts=1, actors={**TEST_ACTORS, "burn": burner})
        actor = await rt.genesis(*test_actor_core("burn"))
        failures = len((await rt.run_until_quiescent()).failures)
        for _ in range(runs - 1):
            empty = g.Blob(data=b"")
            await rt.send(actor, g.object_id(empty), {"mt": "inc"}, [empty])
            failures += len((await rt.run_until_quiescent()).failures)
        if light == "light":
            for _ in range(runs):  # the engine lane (RUN-005.7)
                try:
                    await run_in_lane(spin, 5.0)
                except TimeoutError:
                    failures += 1
            judge = TimeBound(None, None, inline=True, time_limit=5.0)  # type: ignore
            for _ in range(runs):  # an inline attempt, judged when it returns
                started = _started()
                spin()
                try:
                    judge.judge_overrun(started)
                except TimeoutError:
                    failures += 1
        print(json.dumps({"failures": failures, "attempts": len(ratios), "ratios": ratios}))

    asyncio.run(main())
    """
)


def _cpu() -> int:
    return max(os.sched_getaffinity(0))


@contextmanager
def _loops(cpu: int, count: int) -> Iterator[None]:
    """``count`` busy loops pinned to ``cpu``, stopped (by their ids) on the way out."""
    code = f"import os\nos.sched_setaffinity(0, {{{cpu}}})\nwhile True:\n    pass\n"
    loops = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(count)]
    try:
        time.sleep(0.5)  # each pinned before the attempts start
        yield
    finally:
        for loop in loops:
            loop.kill()
        for loop in loops:
            loop.wait()


def _children(cpu: int, burn: float, runs: int, light: str, count: int) -> list[dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    args = [sys.executable, "-c", _CHILD, str(cpu), str(burn), str(runs), light]
    procs = [
        subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    answers = []
    for proc in procs:
        out, err = proc.communicate(timeout=3600)
        assert proc.returncode == 0, err[-3000:]
        answers.append(json.loads(out.strip().splitlines()[-1]))
    return answers


@pytest.mark.slow
@pytest.mark.req("RUN-005.9", "RUN-005.8", "RUN-005.5")
def test_a_loaded_cpu_does_not_reach_the_backstop() -> None:
    """The light twin: 4-fold slower on one CPU, 0.5 s of work against a 1 s backstop."""
    cpu = _cpu()
    with _loops(cpu, 3):
        (answer,) = _children(cpu, 0.5, 3, "light", 1)
    assert answer["attempts"] == 9
    assert answer["failures"] == 0, answer
    print(f"slowdowns {answer['ratios']}, load {os.getloadavg()}")


@pytest.mark.heavy
@pytest.mark.skipif(PROFILE != "deep", reason="minutes of one CPU: GRITWIT_PROFILE=deep runs it")
@pytest.mark.req("RUN-005.9", "RUN-005.8", "RUN-005.5")
def test_twenty_attempts_of_2_5_s_slowed_45_fold_are_all_adopted() -> None:
    """20 processes at once, each one transition of 2.5 s of CPU under the real backstop
    (60 s), beside 25 loops on the same CPU: all 20 adopted."""
    cpu = _cpu()
    with _loops(cpu, 25):
        answers = _children(cpu, 2.5, 1, "deep", 20)
    assert sum(a["attempts"] for a in answers) == 20  # type: ignore[misc]
    assert [a["failures"] for a in answers] == [0] * 20, answers
    ratios = sorted(r for a in answers for r in a["ratios"])  # type: ignore[attr-defined]
    print(f"slowdowns {ratios[0]:.0f}..{ratios[-1]:.0f}-fold, load {os.getloadavg()}")


@pytest.mark.req("RUN-005.9")
def test_a_sleep_still_reaches_the_inline_backstop(monkeypatch: pytest.MonkeyPatch) -> None:
    """An inline attempt asleep (no CPU time, no wait for a CPU) for longer than the
    backstop fails when it returns; one that returns before it does not."""
    from gritwit.runtime import _work
    from gritwit.runtime._bound import TimeBound, _started

    monkeypatch.setattr(_work, "BACKSTOP_FLOOR", 0.3)
    monkeypatch.setattr(_work, "BACKSTOP_FACTOR", 0.0)
    judge = TimeBound(None, None, inline=True, time_limit=5.0)  # type: ignore[arg-type]
    started = _started()
    judge.judge_overrun(started)  # at once: adopted
    time.sleep(0.5)
    with pytest.raises(TimeoutError):
        judge.judge_overrun(started)
