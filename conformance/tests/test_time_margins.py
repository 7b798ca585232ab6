"""A suite test's margin is scaled like the answer limits (docs/guide/time.md, rule 2)."""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._plan import ConformPlan, installed
from gritwit_conformance.harness._state import scaled


@pytest.mark.req("ADP-012")
def test_a_margin_is_scaled_by_the_runs_time_out_scale() -> None:
    with installed(ConformPlan(timeout_scale=None)):
        assert scaled(0.2) == 0.2, "no scale: the margin as written"
    with installed(ConformPlan(timeout_scale=2.5)):
        assert scaled(0.2) == pytest.approx(0.5)
        assert scaled(3.0) == pytest.approx(7.5)
