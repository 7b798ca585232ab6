"""A woken runtime gathers the wake-ups of a stated window into one run (RUN-020.8).

A runtime of share 0/2 waits for work; two runtimes of share 1/2 each commit a send to
a counter of share 0/2, and each commit notifies the store's channel (RUN-020.6).  With
a gathering window, the waiter takes the first wake-up, then every wake-up that comes
within the window from it, and its one run then adopts both counters' steps in one
group commit (RUN-017.3) where it would otherwise have run, and committed, at the
first.  The window is not lengthened by what comes in it: a stream of commits that
never stops still ends the wait, and what came after it wakes the next wait.

Everything is counted, never timed: wake-ups by the listener's count of notifications
taken (``received``), commits by the store's own count of write commits
(``settings()["commits"]``).  The window is long (:data:`WINDOW`) only so that the
second sender's commit, sent once the waiter has taken the first wake-up, lands in it
on a loaded machine.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from core_numbers import head_count
from test_runtime import _say

import gritwit as g
from gritwit.runtime import Runtime, Share
from gritwit.store import Store
from gritwit.wit import RunReport, test_actor_core

#: The receiver's window in the gathering test, in seconds: the second sender commits
#: once the first wake-up was taken, a round trip and a flush, well within it.
WINDOW = 8.0
#: The receiver's window in the bound test: short beside the stream of sends.
SHORT = 0.3
#: Seconds a wait for a wake-up that must come may take (a bound against hangs).
COMES = 60.0
#: Most sends of the bound test's stream: far more than fit in :data:`SHORT`.
STREAM = 2_000
MINE, THEIRS = Share(k=0, n=2), Share(k=1, n=2)


@pytest.fixture
def pg_url(pg_database: str) -> str:
    from gritwit.store import create_schema

    return create_schema(pg_database)


@dataclass
class Stage:
    """The waiter's store and runtime, two senders of the other share, two counters of
    the waiter's share with their genesis adopted, the waiter listening and quiet."""

    stores: list[Store]
    senders: list[Runtime]
    counters: list[g.ObjectId]

    @property
    def store(self) -> Store:
        return self.stores[0]

    def received(self) -> int:
        """Notifications the waiter's store has taken so far (RUN-020.8)."""
        return int(self.store.backend._listener.received)  # type: ignore[attr-defined]

    def commits(self) -> int:
        """Write commits of the whole store so far (its own count)."""
        return int(self.store.backend.settings()["commits"])  # type: ignore[attr-defined]

    def quiet(self) -> None:
        """Listen, and take every notification already come (no window)."""
        while self.store.wait_for_swaps(0.2):
            pass

    def send(self, i: int, to: int, value: int) -> None:
        asyncio.run(_say(self.senders[i], self.counters[to], "inc", str(value)))


def _counter(i: int) -> tuple[g.Tree, tuple[g.Object, ...]]:
    """Counter ``i`` of the waiter's share (its ``tag`` makes it so, and tells it apart)."""
    for n in range(10_000):
        core, objects = test_actor_core("counter", {"tag": g.Blob(data=b"gather %d %d" % (i, n))})
        if MINE.owns(g.object_id(core)):
            return core, objects
    raise AssertionError("no counter in the share")


def senders_and_counters(stores: list[Store]) -> tuple[list[Runtime], list[g.ObjectId]]:
    """Two senders of the other share on ``stores[1:]``, and two counters of ``MINE``
    created by the first and adopted (their geneses run) by a runtime on ``stores[0]``.
    Each send is committed on its own as it is acknowledged (RUN-019.1): one commit, one
    notification, each."""
    senders = [Runtime(s, share=THEIRS, send_commit="own") for s in stores[1:]]
    counters = []
    for i in range(2):
        core, objects = _counter(i)
        counters.append(asyncio.run(senders[0].genesis(core, objects)))
    adopt = Runtime(stores[0], share=MINE, gather=0)
    assert len(asyncio.run(adopt.run_until_quiescent()).steps) == 2  # the geneses
    return senders, counters


def _stage(url: str) -> Iterator[Stage]:
    stores = [Store.open(url) for _ in range(3)]
    try:
        senders, counters = senders_and_counters(stores)
        stage = Stage(stores, senders, counters)
        stage.quiet()
        yield stage
    finally:
        for store in stores:
            store.close()


@pytest.fixture
def stage(pg_url: str) -> Iterator[Stage]:
    yield from _stage(pg_url)


def _until(check: Callable[[], bool], what: str) -> None:
    """Poll ``check`` until true, within :data:`COMES` (a bound against hangs, not a
    measure)."""
    deadline = time.monotonic() + COMES
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.001)


@pytest.mark.req("RUN-020.8", "RUN-020.6", "RUN-017.3")
def test_wake_ups_within_the_window_are_run_in_one_group_commit(stage: Stage) -> None:
    """The waiter takes the first sender's wake-up; the second sender then commits; the
    wait answers with both taken, and the one run that follows adopts both counters'
    steps in one commit."""
    mine = Runtime(stage.store, share=MINE, gather=WINDOW)
    base = stage.received()
    seen: dict[str, object] = {}

    def wait_and_run() -> None:
        seen["woken"] = asyncio.run(mine.wait_for_swaps(COMES))
        seen["received"] = stage.received() - base
        before = stage.commits()
        seen["report"] = asyncio.run(mine.run_until_quiescent())
        seen["commits"] = stage.commits() - before

    waiter = threading.Thread(target=wait_and_run)
    waiter.start()
    stage.send(0, 0, 2)
    _until(lambda: stage.received() > base, "RUN-020.6: the first commit woke the waiter")
    stage.send(1, 1, 3)  # within the window: the waiter holds the first wake-up
    waiter.join(COMES * 2)
    received = seen["received"]  # a sender's first send notifies once, a later one may twice
    assert seen["woken"] is True and isinstance(received, int) and received >= 2, (
        "RUN-020.8: the wake-up that came within the window was taken with the first",
        seen,
    )
    report = seen["report"]
    assert isinstance(report, RunReport) and len(report.steps) == 2, (
        "RUN-020.8: the one run after the window ran both commits' work",
        report,
    )
    assert seen["commits"] == 1, (
        "RUN-020.8, RUN-017.3: the gathered work was committed in one group commit",
        seen,
    )
    assert [head_count(stage.store, c) for c in stage.counters] == [2, 3], (
        "RUN-020.8: gathering changed nothing of what the run did (RUN-020.6)"
    )


@pytest.mark.req("RUN-020.8", "RUN-020.6")
def test_the_window_is_not_lengthened_by_what_comes_in_it(stage: Stage) -> None:
    """Senders commit one send after another, without end while the waiter waits; with
    a window of :data:`SHORT` the wait still ends, having taken only some of them, and
    a commit after it wakes the next wait."""
    mine = Runtime(stage.store, share=MINE, gather=SHORT)
    base = stage.received()
    done = threading.Event()
    seen: dict[str, object] = {}

    def wait() -> None:
        seen["woken"] = asyncio.run(mine.wait_for_swaps(COMES))
        seen["received"] = stage.received() - base
        done.set()

    waiter = threading.Thread(target=wait)
    waiter.start()
    sent = 0
    while not done.is_set() and sent < STREAM:
        stage.send(sent % 2, sent % 2, 1)
        sent += 1
    waiter.join(COMES * 2)
    assert done.is_set() and sent < STREAM, (
        "RUN-020.8: the wait ended within its window while commits kept coming",
        sent,
    )
    received = seen["received"]
    assert seen["woken"] is True and isinstance(received, int) and received >= 1, (
        "RUN-020.8: the wait took the first wake-up and some of those in its window",
        seen,
        sent,
    )
    stage.send(0, 0, 1)  # after the window: left to the next wait, not lost
    assert stage.store.wait_for_swaps(COMES) is True, (
        "RUN-020.8: a wake-up after the window wakes the next wait"
    )
    stage.quiet()
    report = asyncio.run(mine.run_until_quiescent())
    assert report.steps and not report.failures, (
        "RUN-020.6: the counters' messages run once the waiter runs",
        report,
    )
    counts = [head_count(stage.store, c) for c in stage.counters]
    assert counts == [(sent + 1) // 2 + 1, sent // 2], (
        "RUN-020.8: every send of the stream, inside the window or after it, ran once",
        counts,
        sent,
    )
