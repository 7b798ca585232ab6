"""The default fuel of a run is exactly 5 × 10⁹ (SBX-006.3): slow, three runs of 5 × 10⁹ fuel.

A run spends its default fuel only when it runs for some 10⁹ instructions, so this one
check costs about two seconds per run.  The program loops to just under 5 × 10⁹ fuel and
then writes 1 MiB to standard output in one call; an output limit of ``L`` bytes makes the
host copy, and charge, only the room left (SBX-005.16, SBX-006.5), so the limit tunes the
run's fuel by the byte without changing the program (whose text seeds the run, SBX-005.5).
Past the output limit the run fails ``output-too-large`` if its fuel lasts, else
``fuel-exhausted``, which SBX-008.1 puts first.
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import suite_premise
from ._runs import check_class

pytestmark = pytest.mark.profile("sandbox")

MIB = 1 << 20
DEFAULT_FUEL = 5_000_000_000
#: Loops to some 5 × 10⁹ - 2**19 fuel, then writes 1 MiB at once.
NEAR_DEFAULT = "import os\nfor i in range(2_719_251):\n    pass\nos.write(1, bytes(1 << 20))\n"


def _class(impl: Implementation, program: str, **args: Any) -> str | None:
    reply = impl.call("sandbox-run", program=program, **args)
    return None if reply.ok else reply.error_class


@pytest.mark.slow
@pytest.mark.req("SBX-006.3", "SBX-006.1", "SBX-008.1", "SBX-005.16", "ADP-019.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("CONV-004")
def test_the_default_fuel_is_exactly_five_billion(impl: Implementation) -> None:
    """The fuel ``C`` the program needs besides its write is measured on the in-process
    reference (with 2 MiB of output the write pays its 1 MiB in full); with an output
    limit ``L`` the run needs ``C + L`` fuel, or ``C + L + 1`` if a host charges the byte
    that shows the limit passed.  Left at the default, a limit one under
    ``5 × 10⁹ - C`` ends ``output-too-large`` and one over ``fuel-exhausted``."""
    from gritwit.sandbox import SandboxLimits, interpreter_path, run_python

    if interpreter_path() is None:
        pytest.skip("the harness has no interpreter to measure the fuel with")
    with g.Store.memory() as store:
        limits = SandboxLimits(fuel=2 * DEFAULT_FUEL, output_bytes=2 * MIB)
        whole = run_python(NEAR_DEFAULT, store=store, limits=limits).fuel
    room = DEFAULT_FUEL - (whole - MIB)
    suite_premise(2 <= room < MIB - 2, f"the program is tuned: {whole} fuel with its 1 MiB")
    check_class(
        ("SBX-006.3", "SBX-005.16"),
        "output-too-large",
        _class(impl, NEAR_DEFAULT, limits={"output": room - 1}),
        f"a run that needs {DEFAULT_FUEL - 1} fuel (or {DEFAULT_FUEL}), within the default "
        "of 5 x 10**9, and passes its output limit",
    )
    check_class(
        ("SBX-006.3", "SBX-006.1", "SBX-008.1"),
        "fuel-exhausted",
        _class(impl, NEAR_DEFAULT, limits={"output": room + 1}),
        f"a run that needs {DEFAULT_FUEL + 1} fuel (or {DEFAULT_FUEL + 2}), past the default "
        "of 5 x 10**9",
    )
