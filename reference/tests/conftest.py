"""Shared test configuration: hypothesis profiles (style guide rule 11).

``ci`` is the default, fast enough for every push; ``deep`` finds more.  Both
are chosen by the one switch in ``profiles.py``::

    GRITWIT_PROFILE=deep python -m pytest     # also raises the crash tests' kill counts

``GRITWIT_HYPOTHESIS_PROFILE=deep`` still selects the hypothesis profile alone.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from profiles import hypothesis_profile

settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "deep",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(hypothesis_profile())
