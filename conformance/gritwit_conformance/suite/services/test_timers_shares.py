"""A runtime given a share fires only the timers its share's actors set (TIM-006.3).

Two ``alarm`` actors, one in each share of two (RUN-021: an id's first 8 bytes, read as
an unsigned big-endian integer, modulo ``n``), set a timer each in a runtime without a
share; the directory is then opened again with ``share: [k, 2]`` for one alarm's share.
Once both timers are due, that runtime's run fires its share's timer and leaves the
other's pending: another share's timers are its runtime's. Shares are a feature claimed
in ``hello`` (ADP-005.7): elsewhere the test is *not claimed*.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, fail
from .._shares import share_of
from ._clocked import Clocked

pytestmark = [pytest.mark.profile("services"), pytest.mark.feature("shares")]

START = 1_000_000
#: Shares of two: each alarm is in one of them.
N = 2


def _share(actor: str) -> int:
    """The share of :data:`N` that ``actor`` is in (RUN-021), computed from its id."""
    return share_of(actor, N)


def _one_in_each(rt: Clocked) -> tuple[str, str]:
    """Two alarms of different shares, found by seeds (a deterministic search)."""
    first = rt.alarm("share-0")
    for seed in range(1, 64):
        other = rt.alarm(f"share-{seed}")
        if _share(other) != _share(first):
            return first, other
    # ids are digests: 63 alarms all in the first's share is a chance of 2^-63
    fail("RUN-021", expected="two alarms of different shares", came="63 seeds in one share")


@pytest.mark.req("TIM-006.3", "RUN-021")
def test_a_runtime_given_a_share_fires_only_its_shares_timers(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    mine, theirs = _one_in_each(rt)
    kept = rt.set(theirs, after="100")
    fired = rt.set(mine, after="100")
    rt.close()
    rt.open(START, share=[_share(mine), N])
    rt.clock(advance=100)
    rt.run()
    got = [m.headers["timer-id"] for m in rt.fired(mine)]
    check_equal("TIM-006.3", [fired], got, "fires to the alarm of the runtime's share")
    got = [m.headers["timer-id"] for m in rt.fired(theirs)]
    check_equal("TIM-006.3", [], got, "fires to the alarm of the other share")
    got = [t["id"] for t in rt.timers(theirs)]
    check_equal("TIM-006.3", [kept], got, "the other share's timer, still pending")
