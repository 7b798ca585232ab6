"""The gate of RUN-023.2 waits for the turns finished in threads, and only for them.

A transition about to start in a thread while steps finished elsewhere but not yet
counted could take the run to ``max_run_bytes`` waits until the loop has settled them
(:meth:`RunBounds.settle`), then starts, or not once the run halted (RUN-023.2). Its
wait ends the moment the last of those turns is settled: the free-running scheduler's
threads and the engine lane get there only with two transitions at once, which the
rounds of ``rt-run`` never run, and the service's bound is 1 GiB, so the counts are
driven here directly, a turn at a time, with the settle's own timeout made long so that
a wait for a count that never comes back to zero shows.
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from gritwit.runtime import _disk
from gritwit.runtime._disk import Halted, RunBounds, Turn

#: The run's bound in these tests, and the encoded bytes of one finished step past it.
BOUND, STEP = 100, 150


def _bounds() -> RunBounds:
    group = SimpleNamespace(bytes=0)  # the open group holds nothing
    return RunBounds(None, None, group, max_step_bytes=10**6, max_run_bytes=BOUND)  # type: ignore[arg-type]


def _built(size: int) -> object:
    """A built transition whose encoded objects hold ``size`` bytes."""
    return SimpleNamespace(encodings=[(b"x" * size, None)])


def _gate_in_thread(turn: Turn) -> tuple[threading.Thread, list[str]]:
    outcome: list[str] = []

    def start() -> None:
        try:
            turn.start()
        except Halted:
            outcome.append("halted")
        else:
            outcome.append("started")

    thread = threading.Thread(target=start, daemon=True)
    thread.start()
    return thread, outcome


def _settled_turn(bounds: RunBounds, size: int) -> None:
    """One turn started, finished with ``size`` bytes and settled, as a step in a thread."""
    turn = Turn(bounds, gated=True)
    turn.start()
    turn.finish(_built(size))  # type: ignore[arg-type]
    bounds.settle(turn)


@pytest.mark.req("RUN-023.2", "RUN-023.1")
@pytest.mark.parametrize("before", [0, 1, 3])
def test_a_gate_waits_for_an_unsettled_turn_and_no_longer(
    monkeypatch: pytest.MonkeyPatch, before: int
) -> None:
    """After ``before`` turns started, finished and settled (steps under the bound), a
    turn finishes a step past the bound; a second turn about to start waits for it, and
    the loop then counts it (the run halts) and settles it: the waiting turn is told at
    once that the run halted.  A third, with every turn settled and the run not halted,
    starts without waiting."""
    monkeypatch.setattr(_disk, "_SETTLE_WAIT", 60.0)
    bounds = _bounds()
    for _ in range(before):
        _settled_turn(bounds, 10)
    first = Turn(bounds, gated=True)
    first.start()
    first.finish(_built(STEP))  # type: ignore[arg-type]
    thread, outcome = _gate_in_thread(Turn(bounds, gated=True))
    time.sleep(0.2)
    assert outcome == [], "a turn started while a finished step past the bound was uncounted"
    bounds.counted(STEP)
    bounds.settle(first)
    thread.join(10.0)
    assert outcome == ["halted"], "the waiting turn was not woken by the settle"
    bounds.start_counting()  # the next run: nothing unsettled, nothing counted
    thread, outcome = _gate_in_thread(Turn(bounds, gated=True))
    thread.join(10.0)
    assert outcome == ["started"]


@pytest.mark.req("RUN-023.2")
def test_a_turn_given_up_before_it_finished_counts_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A turn settled (given up) while its thread ran finishes uncounted: a gate after it
    neither waits for it nor counts its bytes."""
    monkeypatch.setattr(_disk, "_SETTLE_WAIT", 60.0)
    bounds = _bounds()
    abandoned = Turn(bounds, gated=True)
    abandoned.start()
    bounds.settle(abandoned)
    abandoned.finish(_built(STEP))  # type: ignore[arg-type]
    thread, outcome = _gate_in_thread(Turn(bounds, gated=True))
    thread.join(10.0)
    assert outcome == ["started"]
