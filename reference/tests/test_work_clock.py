"""An attempt's work and awake time, as its thread's clock reads them (RUN-005.8, RUN-005.9).

How the work of an attempt in a lane thread is read changes its verdict only where the
machine makes that thread wait for a CPU, which no conformance test does: these tests
read the pieces directly, with the monotonic clock, the thread's CPU clock and the
kernel's report of its state and of its waits for a CPU stood in for.
"""

from __future__ import annotations

import asyncio
import time
import types
from collections.abc import Awaitable
from pathlib import Path

import pytest

from gritwit.runtime import _work


class _Thread:
    """A lane thread as the kernel reports it, set by hand: the monotonic clock, its CPU
    clock, its waits for a CPU so far (``None``: not reported) and whether it is runnable."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 1000.0
        self.cpu = 7.0
        self.waits: float | None = 2.0
        self.runnable = False
        # the names the module reads through ``time``: set for this test only
        monkeypatch.setattr(time, "monotonic", lambda: self.now)
        monkeypatch.setattr(time, "pthread_getcpuclockid", lambda ident: 3, raising=False)
        monkeypatch.setattr(time, "clock_gettime", lambda clock: self.cpu)
        monkeypatch.setattr(_work, "_waited", lambda path: self.waits)
        monkeypatch.setattr(_work, "_runnable", lambda path: self.runnable)


@pytest.mark.req("RUN-005.8")
def test_a_thread_is_runnable_by_the_state_after_its_name(tmp_path: Path) -> None:
    """The state is the first field after the name's closing parenthesis (the name may
    hold parentheses and spaces); an unreadable file counts as runnable."""
    stat = tmp_path / "stat"
    stat.write_bytes(b"4242 (lane (1) x) R 4200 4242 4242 0 -1 4194560\n")
    assert _work._runnable(str(stat))
    stat.write_bytes(b"4242 (lane (1) x) S 4200 4242 4242 0 -1 4194560\n")
    assert not _work._runnable(str(stat))
    assert _work._runnable(str(tmp_path / "absent"))


@pytest.mark.req("RUN-005.9")
def test_awake_is_the_wall_time_less_the_waits_since_the_clock_was_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    thread = _Thread(monkeypatch)
    clock = _work.WorkClock()  # waits of 2 s before the attempt: not its own
    thread.now, thread.waits = 1010.0, 5.5
    assert clock.wall() == pytest.approx(10.0)
    assert clock.awake() == pytest.approx(10.0 - 3.5)
    thread.waits = None  # the thread ended: its outcome is in
    assert clock.awake() == 0.0
    thread.now, thread.waits = 1000.0, None
    unreported = _work.WorkClock()  # no waits reported: the wall time
    thread.now = 1004.0
    assert unreported.awake() == pytest.approx(4.0)
    assert unreported.work() == pytest.approx(4.0)


@pytest.mark.req("RUN-005.8")
def test_the_work_is_the_cpu_time_while_runnable_and_else_at_least_the_time_awake(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    thread = _Thread(monkeypatch)
    clock = _work.WorkClock()  # 7 s of CPU and 2 s of waits before the attempt
    thread.now, thread.cpu, thread.waits = 1010.0, 7.25, 5.5
    thread.runnable = True  # a wait for a CPU may be under way: the CPU time alone
    assert clock.work() == pytest.approx(0.25)
    thread.runnable = False  # asleep: its wall time less its waits, 6.5 s
    assert clock.work() == pytest.approx(10.0 - 3.5)
    thread.cpu = 16.75  # more CPU time than that (another thread's clock never is)
    assert clock.work() == pytest.approx(9.75)


class _Stood:
    """An attempt's :class:`~gritwit.runtime._work.WorkClock` stood in for."""

    def __init__(self, used: float, awake: float) -> None:
        self.used, self.up = used, awake

    def work(self) -> float:
        return self.used

    def awake(self) -> float:
        return self.up


def _looks(monkeypatch: pytest.MonkeyPatch, clock: _Stood, time_limit: float) -> list[float]:
    """The waits :func:`~gritwit.runtime._work.await_work` makes between its looks at an
    attempt that never ends, whose clock reaches both its bound and its backstop by the
    second look."""
    waits: list[float] = []

    async def wait_for(done: Awaitable[object], timeout: float) -> object:
        waits.append(timeout)
        clock.used, clock.up = time_limit, _work.backstop(time_limit)
        raise TimeoutError

    stood = types.SimpleNamespace(wait_for=wait_for, shield=asyncio.shield)
    monkeypatch.setattr(_work, "asyncio", stood)

    async def attempt() -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with pytest.raises(TimeoutError):
            await _work.await_work(done, [clock], time_limit)  # type: ignore[list-item]

    asyncio.run(attempt())
    return waits


@pytest.mark.req("RUN-005.8", "RUN-005.9")
def test_a_look_waits_for_the_nearer_of_the_bound_and_the_backstop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backstop = _work.backstop(100.0)  # 1200 s
    assert _looks(monkeypatch, _Stood(used=1.0, awake=backstop - 0.5), 100.0) == [
        pytest.approx(0.5)
    ]
    assert _looks(monkeypatch, _Stood(used=99.75, awake=10.0), 100.0) == [pytest.approx(0.25)]
    assert _looks(monkeypatch, _Stood(used=99.99, awake=10.0), 100.0) == [_work._TICK]
