"""A run's limits on both sides (SBX-006, SBX-007.2, SBX-012.4, ADP-019.2): exactly its
fuel, exactly its memory, standard error at its limit, and not one unit more.  Helpers:
:mod:`._sandbox_texts`.
"""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit_conformance.expected import reference_answer
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, check_error_class, suite_premise
from ._sandbox_texts import _class, _needs_interpreter, _run

pytestmark = pytest.mark.profile("sandbox")


# --------------------------------------------------------------------------- SBX-006, SBX-007


#: A program whose fuel and memory the reference measures: it allocates, loops and prints.
MEASURED = "b = bytearray(24 << 20)\nfor i in range(2000):\n    pass\nprint(len(b))\n"


def _reference_run(program: str, **limits: int) -> tuple[str | None, int]:
    """The reference's class (``None`` for a success) and fuel used of ``program``."""
    from gritwit.sandbox import SandboxLimits, run_python

    with g.Store.memory() as store:
        try:
            result = run_python(program, store=store, limits=SandboxLimits(**limits))
        except g.GritError as exc:
            return exc.error_class, -1
    return None, result.fuel


@pytest.mark.req("SBX-006.1", "SBX-006.4", "SBX-006.5", "ADP-019.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("ENC-014")
@pytest.mark.req("CONV-004")
def test_a_run_may_use_exactly_its_fuel_and_not_one_unit_more(impl: Implementation) -> None:
    """The fuel a run needs, as the reference meters it (WASM-019 and SBX-006.5's rates,
    counted from the snapshot point): with exactly that fuel it passes, with one less it
    fails → ``fuel-exhausted``."""
    _needs_interpreter()
    for program in (MEASURED, "import os\nprint(len(os.listdir('.')), os.urandom(8).hex())\n"):
        error, fuel = _reference_run(program)
        suite_premise(error is None and fuel > 0, f"the reference runs {program!r}")
        got = _run(
            impl,
            "a run with exactly its fuel",
            program,
            rule=("SBX-006.1", "ADP-019.2"),
            limits={"fuel": fuel},
        )
        known = reference_answer("sandbox-run", program=program)
        suite_premise(known.ok, f"the reference runs {program!r}: {known}")
        want = bytes.fromhex(str(dict(known.result)["stdout"]))
        check_equal(
            "SBX-006.1", want, bytes.fromhex(got["stdout"]), "stdout of a run with exactly its fuel"
        )
        check_error_class(
            "SBX-006.1",
            "fuel-exhausted",
            _class(impl, program, limits={"fuel": fuel - 1}),
            f"the class of {program!r}, which needs {fuel} fuel, with {fuel - 1}",
        )


@pytest.mark.req("SBX-006.2", "ADP-019.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("ENC-014")
@pytest.mark.req("CONV-004")
def test_a_run_may_use_exactly_its_memory_and_not_one_byte_more(impl: Implementation) -> None:
    """The least memory limit the run passes with (found on the reference, a whole number of
    64 KiB pages): that limit passes, one byte less fails → ``memory-limit``."""
    _needs_interpreter()
    page = 64 * 1024
    low, high = 16 << 20, 64 << 20  # fails with low, passes with high (checked below)
    suite_premise(
        _reference_run(MEASURED, memory_bytes=low)[0] == "memory-limit"
        and _reference_run(MEASURED, memory_bytes=high)[0] is None,
        "the reference's bounds of the measured program's memory",
    )
    low, high = low // page, high // page
    while high - low > 1:
        mid = (low + high) // 2
        if _reference_run(MEASURED, memory_bytes=mid * page)[0] is None:
            high = mid
        else:
            low = mid
    least = high * page
    suite_premise(
        _reference_run(MEASURED, memory_bytes=least - 1)[0] == "memory-limit",
        f"the reference needs {least} bytes of memory for the measured program",
    )
    got = _run(
        impl,
        "a run with exactly its memory",
        MEASURED,
        rule=("SBX-006.2", "ADP-019.2"),
        limits={"memory": least},
    )
    check_equal(
        "SBX-006.2",
        b"%d\n" % (24 << 20),
        bytes.fromhex(got["stdout"]),
        "stdout of a run with exactly its memory",
    )
    check_error_class(
        "SBX-006.2",
        "memory-limit",
        _class(impl, MEASURED, limits={"memory": least - 1}),
        f"the class of the program, which needs {least} bytes of linear memory, with one less",
    )


@pytest.mark.req("SBX-007.2", "SBX-012.4", "ADP-019.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("ENC-014")
@pytest.mark.req("CONV-004")
def test_standard_error_at_the_limit_passes_one_byte_over_fails(impl: Implementation) -> None:
    program = "import sys\nsys.stderr.write('e' * 700)\nsys.stdout.write('o' * 300)\n"
    got = _run(
        impl,
        "standard error at the output limit",
        program,
        rule=("SBX-007.2", "ADP-019.2"),
        limits={"output": 700},
    )
    check_equal(
        "SBX-012.4",
        b"o" * 300,
        bytes.fromhex(got["stdout"]),
        "stdout of a run writing to both (standard error is never part of it)",
    )
    check_error_class(
        "SBX-007.2",
        "output-too-large",
        _class(impl, program, limits={"output": 699}),
        "the class of 700 bytes on standard error with an output limit of 699 (standard "
        "output or standard error, each on its own)",
    )
