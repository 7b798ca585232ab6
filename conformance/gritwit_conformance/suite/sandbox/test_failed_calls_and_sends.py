"""What a failed host call leaves, what the probe byte costs, what a send's fields may be,
and the class of a sandboxed transition its runtime gives up.

Each found in the reference and fixed with these tests:

- a write to standard output or error past the output limit copies the room left and
  one byte more, which shows the limit passed (SBX-005.16); that byte is moved like any
  other and paid like any other, as a file write's is (SBX-006.5): the run needs exactly
  the fuel of the same write with room for all of it, less the bytes not taken;
- a ``path_open`` that fails with ``EMFILE`` (the descriptor table full, SBX-005.25)
  makes no file (``O_CREAT``) and empties none (``O_TRUNC``), and with one descriptor
  closed the same call succeeds;
- in ``/out/sends.json`` ``to`` and ``data`` are text and ``headers`` an object:
  ``"data": null`` or a number, ``"headers": null``, or a ``to`` that is a number, is
  malformed → ``invalid-transition`` (SBX-004.5), while
  ``data`` left out or empty is an empty blob (SBX-012.2);
- a sandboxed transition its runtime gives up at its bound fails ``time-limit``, in
  every attempt and in the failure (SBX-006.10, SBX-013.1).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.teleport._scenarios import sandbox_core

from .._check import call_ok, check, check_equal, ok_answer
from ._runs import check_class, failure_class, ran

pytestmark = pytest.mark.profile("sandbox")


def _needs_interpreter() -> None:
    from gritwit.sandbox import interpreter_path

    if interpreter_path() is None:
        pytest.skip("the harness has no interpreter to compute the expected answer with")


def _reference_fuel(program: str) -> int:
    """The fuel the in-process reference meters for a run of ``program`` that succeeds."""
    from gritwit.sandbox import run_python

    with g.Store.memory() as store:
        return run_python(program, store=store).fuel


# --- the probe byte is paid (SBX-006.5) -----------------------------------------------------

#: Bytes each program writes in one call, and the output limit of the limited run.
WRITTEN, LIMIT = 1000, 100


@pytest.mark.req("SBX-006.5", "SBX-005.16", "SBX-007.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("stream", [1, 2], ids=["stdout", "stderr"])
@pytest.mark.req("CONV-004")
def test_the_byte_that_shows_the_output_limit_passed_is_paid(
    impl: Implementation, stream: int
) -> None:
    """Under no output limit the write takes and pays its 1 000 bytes; under a limit of 100
    it takes 101 (the room and the byte that shows the limit passed) and pays them all,
    so the run needs 899 fuel less, not 900: with that fuel it ends ``output-too-large``,
    with one less ``fuel-exhausted``."""
    _needs_interpreter()
    program = f"import os\nos.write({stream}, b'x' * {WRITTEN})\n"
    need = _reference_fuel(program) - WRITTEN + (LIMIT + 1)
    limits = {"output": LIMIT, "fuel": need}
    check_class(
        "SBX-007.2",
        "output-too-large",
        failure_class(impl, program, limits=limits),
        f"os.write({stream}, …) of {WRITTEN} bytes under an output limit of {LIMIT}, with the "
        f"fuel the whole write needs less the {WRITTEN - LIMIT - 1} bytes the host must not "
        f"copy ({need}): the run passes the limit",
    )
    limits = {"output": LIMIT, "fuel": need - 1}
    check_class(
        ("SBX-006.5", "SBX-005.16"),
        "fuel-exhausted",
        failure_class(impl, program, limits=limits),
        f"the same run with {need - 1} fuel: the write copies {LIMIT + 1} bytes, the room "
        "left and the byte that shows the limit passed, and every byte moved is paid, that "
        "one too, as a file write's is",
    )


# --- a failed path_open leaves nothing (SBX-005.25) -----------------------------------------

FULL_TABLE = """\
import errno, os
with open('/out/keep', 'wb') as f:
    f.write(b'abc')
fds = []
try:
    while True:
        fds.append(os.open('/out/f%d' % len(fds), os.O_WRONLY | os.O_CREAT))
except OSError as e:
    assert e.errno == errno.EMFILE, e
made = os.path.exists('/out/f%d' % len(fds))
try:
    os.open('/out/keep', os.O_WRONLY | os.O_TRUNC)
except OSError as e:
    assert e.errno == errno.EMFILE, e
kept = os.path.getsize('/out/keep')
os.close(fds.pop())
os.close(os.open('/out/new', os.O_WRONLY | os.O_CREAT | os.O_TRUNC))
print(len(fds) + 1, made, kept, os.path.exists('/out/new'))
"""


@pytest.mark.req("SBX-005.25")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_a_path_open_that_fails_emfile_makes_and_empties_nothing(impl: Implementation) -> None:
    got = ran(impl, FULL_TABLE)
    words = bytes.fromhex(str(got.get("stdout", ""))).decode("utf-8", "replace").split()
    check_equal(
        "SBX-005.25",
        {"opened": "1018", "made": "False", "kept": "3", "room": "True"},
        dict(zip(("opened", "made", "kept", "room"), words, strict=False)),
        "the program's answers: a program that closes none opens 1 018 descriptors; "
        "os.open(…, O_CREAT) of a new name with the table full fails EMFILE and makes no "
        "file; os.open(…, O_TRUNC) of a 3-byte file then fails and leaves its 3 bytes; with "
        "one descriptor closed, os.open(…, O_CREAT) opens and makes a file again",
    )


# --- the fields of a send are text (SBX-004.5) ----------------------------------------------

#: Writes ``SENDS`` (JSON text) to ``/out/sends.json``.
SENDS = "open('/out/sends.json', 'w').write({text!r})\n"
TO = g.object_id(g.Blob(data=b"a neighbour")).hex()


def _sends_program(sends: list[dict[str, Any]] | str) -> str:
    text = sends if isinstance(sends, str) else json.dumps(sends)
    return SENDS.format(text=text)


@pytest.mark.req("SBX-004.5", "SBX-012.2", "ADP-019.2")
@pytest.mark.parametrize(
    "sends",
    [
        [{"to": TO, "data": None}],
        [{"to": TO, "data": 1234}],
        [{"to": TO, "headers": {"mt": "x"}, "data": None}],
        [{"to": TO, "headers": None}],
        '[{"to": ' + "1" * 64 + "}]",
    ],
    ids=["data-null", "data-number", "data-null-with-headers", "headers-null", "to-number"],
)
@pytest.mark.req("CONV-004")
def test_a_send_whose_to_or_data_is_no_text_is_invalid(
    impl: Implementation, sends: list[dict[str, Any]] | str
) -> None:
    program = _sends_program(sends)
    check_class(
        "SBX-004.5",
        "invalid-transition",
        failure_class(impl, program),
        f"/out/sends.json {sends!r}: 'to' is an id in text form and 'data' base64 text; "
        "null or a number in either is no such text, and 'headers' maps text to text, "
        "which null does not: the file is malformed",
    )


@pytest.mark.req("SBX-004.5", "SBX-012.2", "ADP-019.2")
@pytest.mark.req("ENC-014")
def test_a_send_without_data_or_with_empty_data_is_an_empty_blob(impl: Implementation) -> None:
    got = ran(impl, _sends_program([{"to": TO}, {"to": TO, "data": ""}]))
    sends = got.get("sends") or []
    check_equal(
        "SBX-012.2",
        [{"to": TO, "data": ""}, {"to": TO, "data": ""}],
        [{"to": send.get("to"), "data": send.get("data")} for send in sends],
        "the sends' to and data: a send whose data is left out or empty carries no bytes",
    )


# --- a given-up sandboxed transition fails time-limit (SBX-006.10, SBX-013.1) --------------

SPIN = "import os\nwhile True:\n    os.urandom(1 << 16)\n"


@pytest.mark.profile("sandbox", "runtime")
@pytest.mark.req("SBX-006.10", "SBX-013.1", "RUN-005.3", "RUN-005.7")
def test_a_given_up_sandboxed_transition_fails_time_limit(
    impl: Implementation, tmp_path: Path
) -> None:
    warm = impl.call("sandbox-run", program="print(1)\n")  # compilation and snapshot: once
    ok_answer(warm, "SBX-006.10", "sandbox-run of print(1), to compile once")
    interpreter = call_ok(impl, "SBX-006.10", "sandbox-info")["interpreter"]
    opened = call_ok(
        impl, "SBX-006.10", "rt-open", path=str(tmp_path), time_limit=0.1, first_delay=0
    )
    runtime = opened["runtime"]
    try:
        made = call_ok(impl, "SBX-006.10", "rt-genesis", runtime=runtime, actor="spawner")
        spawner = made["actor"]
        description, spinner = sandbox_core(SPIN, interpreter)
        call_ok(
            impl,
            "SBX-006.10",
            "rt-send",
            runtime=runtime,
            to=spawner,
            mt="spawn",
            content=description,
        )
        run = call_ok(impl, "SBX-006.10", "rt-run", runtime=runtime, max_steps=10)
        check_equal(
            ("SBX-006.10", "SBX-013.1"),
            [[spinner, "time-limit"]],
            run["failures"],
            "the failures of a sandboxed program spinning on host work past its runtime's "
            "bound of 0.1 s in every attempt: the runtime stops the run, which fails "
            "time-limit, and so does the transition",
        )
        attempts = run["attempts"]
        check(
            ("SBX-006.10", "SBX-013.1"),
            attempts and all(attempt == [spinner, "time-limit"] for attempt in attempts),
            expected=f"given-up attempts, each [{spinner}, time-limit]",
            came=attempts,
            what="rt-run's attempts",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
