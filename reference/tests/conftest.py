"""Shared test configuration: hypothesis profiles (style guide rule 11)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# `ci` is the default: fast enough for every push.  `deep` finds more:
#   GRITWIT_HYPOTHESIS_PROFILE=deep python -m pytest
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
settings.load_profile(os.environ.get("GRITWIT_HYPOTHESIS_PROFILE", "ci"))
