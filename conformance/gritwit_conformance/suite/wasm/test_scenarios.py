"""The wasm profile: Wasm Wit scenarios through the adapter (ADP-016, WASM-001 … WASM-022).

Every scenario of ``vectors/wasm.json`` — the Wasm builds of the test actors
and the hostile modules — is replayed as the ``wit`` profile's scenarios are,
with ``wit-genesis`` of a ``module`` and ``wasm-load``; step ids, failure
classes (``trap``, ``fuel-exhausted`` …) and query answers must equal the
reference's.  Vectors flagged ``Fuel`` depend on fuel metering (ADP-016).
"""

from __future__ import annotations

import pytest

from gritwit_conformance.data._vectors import Vector
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, error_answer
from .._scenario import replay_scenario, scenario_params

pytestmark = pytest.mark.profile("wasm")


@pytest.mark.parametrize("vector", list(scenario_params("wasm.json", "ADP-016")))
@pytest.mark.req("WIT-018", "ADP-014")  # a run's failures are wit-run's answer
def test_wasm_scenario(impl: Implementation, vector: Vector) -> None:
    replay_scenario(impl, vector)


@pytest.mark.req("CONV-005", "ADP-016")
def test_wasm_scenarios_were_found(impl: Implementation) -> None:
    """Needs ``impl`` only so that it counts as not claimed where wasm is not (ADP-006)."""
    count = sum(1 for _ in scenario_params("wasm.json", "ADP-016"))
    check(
        "CONV-005",
        count >= 20,
        expected="at least 20 Wasm scenario vectors in vectors/wasm.json",
        came=f"{count} vectors",
    )


@pytest.mark.req("ADP-016", "WASM-002.1")
@pytest.mark.parametrize("size", [4 * 1024 * 1024 + 1, 16 * 1024 * 1024 + 1])
@pytest.mark.req("CONV-004")
def test_wasm_load_checks_the_module_size_first(impl: Implementation, size: int) -> None:
    """Over the 4 MiB module limit is invalid-module, even past the 16 MiB object limit."""
    module = b"\x00asm\x01\x00\x00\x00" + bytes(size - 8)
    reply = impl.call("wasm-load", module=module.hex())
    error_answer(
        reply,
        "WASM-002.1",
        "invalid-module",
        f"wasm-load of a {size}-byte module: past the 4 MiB module limit, checked first",
    )
