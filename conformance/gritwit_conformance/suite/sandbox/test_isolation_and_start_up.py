"""What a run sees and leaves (SBX-003, SBX-005, SBX-006.4, SBX-007.1): nothing
outside the core survives, the input file is the canonical JSON, nothing of the host is
visible, stdout is the program's alone, randomness is the seeded stream, and the start-up
is the same for every run and not charged to it.  Helpers: :mod:`._clauses`.
"""

from __future__ import annotations

import json

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, check_error_class
from ._clauses import _class, _run, _stdout
from ._runs import build, encodings, run_stream

pytestmark = pytest.mark.profile("sandbox")


# --- what the program sees (SBX-003, SBX-005) -------------------------------------------


@pytest.mark.req("SBX-003.1", "SBX-004.5", "ADP-019.4")
@pytest.mark.inputs("ascii")
def test_nothing_a_run_leaves_outside_the_core_survives_it(impl: Implementation) -> None:
    to = "cd" * 32
    first = _run(
        impl,
        "import json\nopen('/out/sends.json', 'w').write(json.dumps([{'to': '" + to + "'}]))\n"
        "open('/out/note', 'w').write('x')\n",
    )
    check_equal(
        "SBX-003.1",
        [{"to": to, "headers": {}, "data": ""}],
        first["sends"],
        "the first run's sends",
    )
    second = _run(impl, "import os\nprint(sorted(os.listdir('/out')))\n")
    # each run starts fresh (SBX-003.1): a neighbour's leftovers are ADP-019.4's too
    check_equal(
        ("SBX-003.1", "ADP-019.4"),
        (b"[]\n", []),
        (bytes.fromhex(second["stdout"]), second["sends"]),
        "the second run's listing of /out and its sends: nothing the first run left",
    )


@pytest.mark.req("SBX-003.3", "SBX-010.4", "SBX-003.2")
@pytest.mark.inputs("ascii", "bmp")
def test_the_input_file_holds_exactly_the_canonical_json(impl: Implementation) -> None:
    core, objects = build({"n": b"1"})
    messages = [{"z": 1, "a": "Grüezi ☃", "m": {"y": [1, None, True], "b": "\x01"}}, {}]
    program = "import sys\nsys.stdout.buffer.write(open('/input/transition.json', 'rb').read())\n"
    got = _run(impl, program, core=core, objects=encodings(objects, core), messages=messages)
    value = {"format": "gritwit-sandbox/1", "core": core, "messages": messages}
    want = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    check_equal(
        ("SBX-003.3", "SBX-010.4"),
        want,
        bytes.fromhex(got["stdout"]),
        "/input/transition.json: the JSON text with sorted keys, no white space and \\u escapes",
    )


@pytest.mark.req("SBX-005.2", "SBX-005.1", "SBX-003.2")
def test_nothing_of_the_host_is_visible(impl: Implementation) -> None:
    program = (
        "import os, sys\n"
        "print(sorted(os.environ), sys.argv, repr(sys.stdin.read()))\n"
        "print([os.path.exists(p) for p in ('/tmp', '/etc', '/home', '/', '/core', '/out')])\n"
        "print(os.getcwd(), __name__, sys.flags.isolated, sys.flags.no_site)\n"
    )
    check_equal(
        "SBX-005.1",
        "[] ['/input/gritwit_prelude.py'] ''\n"
        "[False, False, False, False, True, True]\n"
        "/core __main__ 1 1\n",
        _stdout(impl, program),
        "what the program sees of the environment, arguments, input and directories",
    )


@pytest.mark.req("SBX-007.1", "SBX-005.10", "SBX-012.4")
def test_stdout_is_what_the_program_wrote_to_standard_output_only(
    impl: Implementation,
) -> None:
    program = (
        "import os, sys\nprint('out')\nsys.stderr.write('err\\n')\nsys.stdout.flush()\n"
        "sys.stderr.flush()\nos.write(1, b'raw')\nos.write(2, b'raw2')\n"
    )
    check_equal(
        ("SBX-007.1", "SBX-005.10"),
        "out\nraw",
        _stdout(impl, program),
        "stdout: exactly what descriptor 1 received",
    )


@pytest.mark.req("SBX-005.5", "SBX-005.14", "SBX-003.4", "SBX-009.1", "SBX-010.4")
def test_randomness_is_the_seeded_stream(impl: Implementation) -> None:
    program = "import os\nprint(os.urandom(32).hex())\n"
    messages = [{"n": 1}]
    got = _stdout(impl, program, messages=messages).strip()
    again = _stdout(impl, program, messages=messages).strip()
    check_equal(
        ("SBX-005.5", "SBX-009.1"), again, got, "os.urandom of a run beside an identical run's"
    )
    stream = run_stream(program, messages, 2048)
    # the start-up draws from its own stream (SBX-005.14); the run's starts at n = 0 at the
    # snapshot point, where the host's runner may draw some before the program's first line
    check(
        ("SBX-005.5", "SBX-005.14", "SBX-003.4"),
        bytes.fromhex(got) in stream,
        expected="os.urandom's bytes within the stream SHA-256(seed ‖ n), from the snapshot "
        "point on (a restored run as a cold one)",
        came=got,
    )
    other = _stdout(impl, program, messages=[{"n": 2}]).strip()
    check(
        "SBX-005.5",
        other != got,
        expected="other random bytes for other messages: the seed depends on "
        "/input/transition.json",
        came=other,
    )


@pytest.mark.req("SBX-005.14", "SBX-003.4")
def test_the_start_up_is_the_same_for_every_run(impl: Implementation) -> None:
    """The hash seed is drawn before the snapshot point, from the start-up stream."""
    first = _stdout(impl, "print(hash('gritwit'))\n", messages=[{"a": 1}])
    other = _stdout(impl, "x = 1\nprint(hash('gritwit'))\n", messages=[{"b": 2}])
    check_equal(
        "SBX-005.14",
        other,
        first,
        "hash('gritwit') in one run beside another's (the start-up draws from the start-up "
        "stream, the same in every run)",
    )


@pytest.mark.req("SBX-006.4", "SBX-006.1")
@pytest.mark.req("CONV-004")
def test_the_start_up_is_not_charged_to_the_run(impl: Implementation) -> None:
    # starting CPython costs some 5 x 10**8; printing a line some 10**6
    check_equal(
        "SBX-006.4",
        "1\n",
        _stdout(impl, "print(1)\n", rule="SBX-006.4", limits={"fuel": 20_000_000}),
        "stdout of print(1) with 2 x 10**7 fuel (the fuel counts from the snapshot point)",
    )
    check_error_class(
        "SBX-006.4",
        "fuel-exhausted",
        _class(impl, "print(1)\n", limits={"fuel": 10_000}),
        "the class of print(1) with 10 000 fuel",
    )
