"""The sandbox profile's vectors through the adapter (ADP-019; chapter 09, SBX-*).

Every vector of ``vectors/sandbox.json`` — a counter carried from run to run, an
agent loop, the input file, the core round trip, sends and the hostile programs,
each followed by a normal run on the same adapter — is played with ``sandbox-info``
and ``sandbox-run``; output, new core, sends and error classes must be the
reference's.  Vectors flagged ``Fuel`` or ``Memory`` depend on fuel metering or on
where the memory limit falls (ADP-019.6).
"""

from __future__ import annotations

import pytest

from gritwit_conformance.data._vectors import Vector
from gritwit_conformance.harness._implementation import Implementation

from .._check import check
from .._scenario import replay_scenario, scenario_params
from ._runs import replay, sandbox_params

pytestmark = pytest.mark.profile("sandbox")


@pytest.mark.parametrize("vector", list(sandbox_params()))
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_sandbox_vector(impl: Implementation, vector: Vector) -> None:
    replay(impl, vector)


@pytest.mark.req("CONV-005", "ADP-019.6")
def test_sandbox_vectors_were_found(impl: Implementation) -> None:
    """Needs ``impl`` only so that it counts as not claimed where sandbox is not (ADP-006)."""
    found = {param.id for param in sandbox_params()}
    check(
        "CONV-005",
        len(found) >= 20,
        expected="at least 20 sandbox vectors in vectors/sandbox.json",
        came=f"{len(found)} vectors",
    )
    for name in ("os-system", "etc-passwd", "socket", "infinite-loop", "memory-hog",
                 "fork-bomb", "huge-output"):  # fmt: skip
        check(
            ("CONV-005", "ADP-019.6"),
            f"sandbox/hostile/{name}" in found,
            expected=f"a vector sandbox/hostile/{name}",
            came="none",
        )


@pytest.mark.parametrize("vector", list(scenario_params("sandbox.json", "ADP-019.7")))
@pytest.mark.req("WIT-018", "ADP-014")  # a run's failures are wit-run's answer
def test_sandbox_actor_scenario(impl: Implementation, vector: Vector) -> None:
    """Python programs as actors' Wits, beside a counter that keeps stepping (SBX-010 …)."""
    replay_scenario(impl, vector)
