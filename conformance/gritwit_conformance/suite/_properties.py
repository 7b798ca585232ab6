"""The hypothesis settings of the suite's property tests, in one place.

Every property runs at most ``--gritwit-examples`` examples (``gritwit conform
--examples``), fewer where one example costs a whole scenario (``cap``), derandomized
so that a run is repeatable, without a deadline (an implementation over stdio is slow
by nature), and without the health checks that fire on function-scoped fixtures and
on the large, filtered inputs these tests generate on purpose.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings

from gritwit_conformance._state import settings as run_settings

__all__ = ["properties"]

_QUIET = (
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
    HealthCheck.data_too_large,
)


def properties(cap: int | None = None, **extra: Any) -> settings:
    """Settings of a property test: the run's examples, at most ``cap`` of them."""
    examples = run_settings.examples if cap is None else max(1, min(run_settings.examples, cap))
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(_QUIET),
        **extra,
    )
