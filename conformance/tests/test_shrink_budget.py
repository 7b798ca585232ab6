"""Shrinking a failing property stops after its budget.

A wrong implementation must get its verdict within 10 times a passing run's time, so the
suite's property tests (:mod:`gritwit_conformance.suite._properties`) stop shrinking after
a budget derived from the time of their examples, and report the smallest failing example
found by then. The check here counts calls, not seconds: once a failure is found every
call takes :data:`SLOW`, so the shrinker gets a handful of calls within its budget of
:data:`~gritwit_conformance.suite._properties.SHRINK_FLOOR` seconds where hypothesis's own
limit of 300 s allows hundreds. Load only makes calls slower, so fewer: it cannot make the
count pass wrongly.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit_conformance.suite import _properties
from gritwit_conformance.suite._properties import (
    SHRINK_CAP,
    SHRINK_FACTOR,
    SHRINK_FLOOR,
    properties,
    shrink_budget,
)

#: Seconds each call takes once a failure was found.
SLOW = 0.25
#: Calls after the first failure that the budget allows at most: its seconds over SLOW,
#: and the replays hypothesis makes around the shrink (a generous count).
ALLOWED = int(SHRINK_FLOOR / SLOW) + 12


def test_the_budget_is_a_multiple_of_the_passing_time_between_floor_and_cap() -> None:
    assert shrink_budget(0.0, 100) == SHRINK_FLOOR
    assert shrink_budget(0.1, 20) == SHRINK_FACTOR * 0.1 * 20
    assert shrink_budget(10.0, 100) == SHRINK_CAP
    assert SHRINK_FACTOR + 1 < 10, "generation + budget + replay stays within 10 passing runs"


def test_shrinking_stops_after_the_budget_and_reports_the_smallest_example() -> None:
    calls: list[int] = []
    failed = False

    @properties(50, database=None)
    @given(xs=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1))
    def prop(xs: list[int]) -> None:
        nonlocal failed
        calls.append(sum(xs))
        if failed:
            time.sleep(SLOW)  # every shrink step costs as much as a slow adapter's answer
        if sum(xs) > 1000:
            failed = True
            raise AssertionError(f"sum {sum(xs)}")

    with pytest.raises(AssertionError, match="sum"):
        prop()
    first = next(i for i, total in enumerate(calls) if total > 1000)
    after = len(calls) - first - 1
    assert after <= ALLOWED, (
        f"{after} calls after the first failure: shrinking ran past its budget of "
        f"{SHRINK_FLOOR} s ({SLOW} s a call)"
    )
    assert after >= 1, "no shrinking at all: the budget must allow some"


def test_without_the_budget_this_property_shrinks_far_longer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The deliberately wrong variant: with hypothesis's own limit back in force, the
    same property makes more calls after its first failure than the budget allows."""
    monkeypatch.setattr(_properties, "shrink_budget", lambda mean, examples: 300.0)
    calls: list[int] = []
    failed = False

    @properties(50, database=None)
    @given(xs=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1))
    def prop(xs: list[int]) -> None:
        nonlocal failed
        calls.append(sum(xs))
        if failed:
            time.sleep(0.01)
        if sum(xs) > 1000:
            failed = True
            raise AssertionError(f"sum {sum(xs)}")

    with pytest.raises(AssertionError, match="sum"):
        prop()
    first = next(i for i, total in enumerate(calls) if total > 1000)
    assert len(calls) - first - 1 > ALLOWED
