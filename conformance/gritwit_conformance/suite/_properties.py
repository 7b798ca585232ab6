"""The hypothesis settings of the suite's property tests, in one place.

Every property runs at most ``--gritwit-examples`` examples (``gritwit conform
--examples``), fewer where one example costs a whole scenario (``cap``), derandomized
so that a run is repeatable, without a deadline (an implementation over stdio is slow
by nature), and without the health checks that fire on function-scoped fixtures and
on the large, filtered inputs these tests generate on purpose.

A wrong implementation gets its verdict in bounded time: shrinking a failing
example stops after a budget of :data:`SHRINK_FACTOR` times the test's estimated passing
time — the mean time of its passing examples before the first failure (or that failing
example's time, when the first fails) times its number of examples — kept between
:data:`SHRINK_FLOOR` and :data:`SHRINK_CAP` seconds, and hypothesis reports the smallest
failing example found by then. The failing run so takes at most its examples until the
first failure (no more than a passing run), the budget, and the replay of the example:
within 10 times the passing time (the ``explain`` phase, which would replay the example
many more times after shrinking, is left out). Hypothesis has no setting for this; its engine reads
``MAX_SHRINKING_SECONDS`` (300 s by default, a module constant its authors keep
"monkeypatchable, for the rare users who need to keep on shrinking") when shrinking
starts, so a property test's first failing example sets it, before the shrink phase. Its
warning then still speaks of "more than five minutes"; the budget is the one above.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import UnsatisfiedAssumption
from hypothesis.internal.conjecture import engine as _engine

from gritwit_conformance.harness import current_plan

__all__ = ["SHRINK_CAP", "SHRINK_FACTOR", "SHRINK_FLOOR", "Properties", "properties"]

_QUIET = (
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
    HealthCheck.data_too_large,
)

#: Every phase but ``explain``, which replays the shrunk example many times over after
#: shrinking, outside the budget (each replay a whole scenario against the adapter).
_PHASES = tuple(p for p in Phase if p is not Phase.explain)

#: The shrink budget is this many times the test's estimated passing time …
SHRINK_FACTOR = 5.0
#: … but at least this many seconds (a quick test still shrinks to a small example) …
SHRINK_FLOOR = 2.0
#: … and at most this many (hypothesis's own limit is 300 s).
SHRINK_CAP = 60.0

T = TypeVar("T", bound=Callable[..., Any])


def shrink_budget(mean_seconds: float, examples: int) -> float:
    """Seconds of shrinking allowed after examples of ``mean_seconds`` each."""
    return min(SHRINK_CAP, max(SHRINK_FLOOR, SHRINK_FACTOR * mean_seconds * examples))


@dataclass(slots=True)
class _Clock:
    """A property test's passing examples and their time; fixes the shrink budget at
    its first failing example, before hypothesis starts shrinking it."""

    examples: int
    passed: int = 0
    seconds: float = 0.0
    budget: float | None = field(default=None)

    def record(self, seconds: float, *, failed: bool) -> None:
        if self.budget is not None:
            return  # fixed at the first failure: the shrink calls do not move it
        if not failed:
            self.passed += 1
            self.seconds += seconds
            return
        mean = self.seconds / self.passed if self.passed else seconds
        self.budget = shrink_budget(mean, self.examples)
        _engine.MAX_SHRINKING_SECONDS = self.budget  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Properties:
    """A property test's hypothesis settings and its shrink budget, as one decorator.

    Used as ``@run`` right above ``@given``; ``settings`` is the plain hypothesis
    settings object (for ``run_state_machine_as_test`` and the like).
    """

    settings: settings

    def __call__(self, test: T) -> T:
        wrapped = self.settings(test)
        handle: Any = wrapped  # a @given test: its ``hypothesis`` attribute holds the body
        inner = handle.hypothesis.inner_test  # documented as reassignable (hypothesis #1257)
        clock = _Clock(examples=self.settings.max_examples)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = inner(*args, **kwargs)
            except UnsatisfiedAssumption:
                raise  # assume() left the example out: neither a pass nor a failure
            except Exception:
                clock.record(time.perf_counter() - started, failed=True)
                raise
            clock.record(time.perf_counter() - started, failed=False)
            return result

        handle.hypothesis.inner_test = timed
        return wrapped


def properties(cap: int | None = None, **extra: Any) -> Properties:
    """Settings of a property test: the run's examples, at most ``cap`` of them."""
    planned = current_plan().examples
    examples = planned if cap is None else max(1, min(planned, cap))
    return Properties(
        settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(_QUIET),
            phases=_PHASES,
            **extra,
        )
    )
