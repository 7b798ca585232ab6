"""Hostile programs that stay inside the sandbox but aim at the host (SBX-005 … SBX-008).

Each program of the issue is here with the typed answer the spec now names: one
buffer listed a thousand times in ``os.writev`` (SBX-005.15, SBX-005.16), a seek
past 2**63 - 1 (SBX-005.18), a ``/out/sends.json`` nested a hundred thousand deep
(SBX-004.5), host work that must be paid in fuel (SBX-006.5, SBX-006.6), the
classification a program must not switch off (SBX-005.6, SBX-005.21), the exit
status, the object limit and the memory floor (SBX-007.6, SBX-006.8, SBX-008.3), and a
directory renamed into its own subtree through a stale descriptor (SBX-005.20).
Every bound is tested on both sides; after the hostile runs a counter on the same
implementation must still count (ADP-019.4).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation, InProcess, Subprocess

from .._check import Clause, check, check_equal, check_error_class, error_answer, ok_answer
from ._runs import COUNTER, build, encodings, returned_objects

pytestmark = pytest.mark.profile("sandbox")


def _run(impl: Implementation, program: str, *, rule: Clause = "ADP-019.2", **args: Any) -> str:
    """stdout of a ``sandbox-run`` that must succeed; ``rule``: the clause a failure
    breaks (ADP-019.2, or the limit's clause for a run at a limit)."""
    reply = impl.call("sandbox-run", program=program, **args)
    result = ok_answer(reply, rule)
    returned_objects(f"sandbox-run of {program[:40]!r}", reply)
    return bytes.fromhex(result["stdout"]).decode("utf-8")


def _class(impl: Implementation, program: str, **args: Any) -> str | None:
    reply = impl.call("sandbox-run", program=program, **args)
    return None if reply.ok else reply.error_class


def _counter_still_counts(impl: Implementation) -> None:
    core, objects = build({"n": b"41"})
    reply = impl.call("sandbox-run", program=COUNTER, core=core, objects=encodings(objects, core))
    counted = ok_answer(reply, "ADP-019.4", "the counter's run after a hostile run")
    check_equal(
        "ADP-019.4",
        b"42\n",
        bytes.fromhex(counted["stdout"]),
        "stdout of the counter's run after a hostile run (it still counts, 41 to 42)",
    )


# --- every host call bounded before it copies (SBX-005.15, SBX-005.16) ---------------------

WRITEV = "import os\nbuf = b'x' * (1 << 20)\nos.writev(1, [buf] * 1024)\n"


#: How much the implementation's peak resident size may grow for the writev program: its
#: guest memory and more, far less than the GiB a copy per listing takes.
GROWTH = 512 << 20


def _peak_bytes(impl: Implementation) -> int | None:
    """The implementation's peak resident size (Linux ``VmHWM``), when it can be read."""
    if isinstance(impl, InProcess):
        where: object = "self"
    elif isinstance(impl, Subprocess) and impl.pid is not None:
        where = impl.pid
    else:
        return None
    try:
        status = Path(f"/proc/{where}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


@pytest.mark.req("SBX-005.15", "SBX-005.16", "SBX-007.2", "ADP-019.4")
@pytest.mark.req("CONV-004")
def test_one_buffer_listed_a_thousand_times_is_output_too_large(impl: Implementation) -> None:
    _counter_still_counts(impl)  # the implementation warm: its baseline
    before = _peak_bytes(impl)
    check_error_class(
        ("SBX-005.15", "SBX-005.16"),
        "output-too-large",
        _class(impl, WRITEV),
        "os.writev of one 1 MiB buffer listed 1024 times must end output-too-large; a host "
        "that copies every listing first holds a GiB before it checks",
    )
    after = _peak_bytes(impl)
    if before is not None and after is not None:
        check(
            "SBX-005.15",
            after - before <= GROWTH,
            expected=f"the implementation's peak resident size to grow by at most "
            f"{GROWTH >> 20} MiB for one 1 MiB buffer listed 1024 times (no copy per listing)",
            came=f"it grew by {(after - before) >> 20} MiB",
        )
    _counter_still_counts(impl)


@pytest.mark.req("SBX-005.16", "SBX-007.2")
@pytest.mark.req("ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_writev_to_standard_output_on_both_sides_of_the_limit(impl: Implementation) -> None:
    at = "import os\nos.writev(1, [b'x' * 100] * 10)\n"
    check_equal(
        "SBX-007.2",
        "x" * 1000,
        _run(impl, at, rule=("SBX-007.2", "ADP-019.2"), limits={"output": 1000}),
        "ten buffers of 100 bytes are exactly the output limit of 1000",
    )
    over = "import os\nos.writev(1, [b'x' * 100] * 10 + [b'y'])\n"
    check_error_class(
        "SBX-005.16",
        "output-too-large",
        _class(impl, over, limits={"output": 1000}),
        "the class of ten buffers of 100 bytes and one more byte, past the output limit of 1000",
    )


@pytest.mark.req("SBX-005.16", "SBX-007.4", "SBX-007.5")
@pytest.mark.req("ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_writev_to_a_file_is_held_to_the_write_budget_before_it_copies(
    impl: Implementation,
) -> None:
    program = (
        "import os\nfd = os.open('/out/f', os.O_WRONLY | os.O_CREAT)\n"
        "print(os.writev(fd, [b'z' * 10] * {n}))\n"
    )
    check_equal(
        "SBX-005.16",
        "20\n",
        _run(impl, program.format(n=2), limits={"core": 15, "sends": 5}),
        "what os.writev of 20 bytes answers against a write budget of 20 (core 15, sends 5)",
    )
    check_error_class(
        "SBX-007.4",
        "output-too-large",
        _class(impl, program.format(n=3), limits={"core": 15, "sends": 5}),
        "30 bytes written against a budget of 20 must fail the run",
    )


@pytest.mark.req("SBX-005.18", "SBX-005.19")
@pytest.mark.req("ADP-019.2", "ADP-019.4", "ENC-014")
@pytest.mark.req("CONV-004")
def test_a_position_past_2_63_fails_eoverflow_not_the_host(impl: Implementation) -> None:
    program = (
        "import errno, os\nfd = os.open('f', os.O_RDWR | os.O_CREAT)\n"
        "print(os.lseek(fd, 2**63 - 1, os.SEEK_SET))\n"
        "try:\n    os.lseek(fd, 1, os.SEEK_CUR)\n"
        "except OSError as e:\n    print(errno.errorcode[e.errno])\n"
        "print(os.lseek(fd, 0, os.SEEK_CUR))\n"
    )
    check_equal(
        "SBX-005.18",
        f"{2**63 - 1}\nEOVERFLOW\n{2**63 - 1}\n",
        _run(impl, program),
        "a position of 2**63 - 1 is allowed, one past it fails EOVERFLOW and leaves the "
        "position where it was",
    )
    twice = (
        "import os\nfd = os.open('f', os.O_RDWR | os.O_CREAT)\n"
        "os.lseek(fd, 2**63 - 1, os.SEEK_CUR)\nos.lseek(fd, 2**63 - 1, os.SEEK_CUR)\n"
    )
    check_error_class(
        "SBX-005.19",
        "program-exit",
        _class(impl, twice),
        "the issue's seek program: the second seek is an OSError in the program, not a "
        "failure of the host",
    )
    _counter_still_counts(impl)


@pytest.mark.req("SBX-005.17")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_a_path_of_4096_bytes_is_taken_and_one_longer_is_enametoolong(
    impl: Implementation,
) -> None:
    program = (
        "import errno, os\nhere = os.open('.', os.O_RDONLY)\n"
        "for n in (4096, 4097):\n"
        "    path = './' * ((n - 1) // 2) + 'x' * (n - 2 * ((n - 1) // 2))\n"
        "    try:\n        os.stat(path, dir_fd=here)\n        print(n, 'found')\n"
        "    except OSError as e:\n        print(n, errno.errorcode[e.errno])\n"
    )
    check_equal(
        "SBX-005.17",
        "4096 ENOENT\n4097 ENAMETOOLONG\n",
        _run(impl, program),
        "a path of 4096 bytes is looked up (there is no x), one of 4097 is refused before "
        "it is copied",
    )


# --- what a program declares, parsed without the host's own errors (SBX-004.5) -------------


@pytest.mark.req("SBX-004.5", "SBX-013.1")
@pytest.mark.req("ADP-019.4")
@pytest.mark.req("CONV-004")
def test_sends_nested_a_hundred_thousand_deep_are_invalid_transition(
    impl: Implementation,
) -> None:
    deep = "open('/out/sends.json', 'w').write('[' * 100000)\n"
    check_error_class(
        "SBX-004.5",
        "invalid-transition",
        _class(impl, deep),
        "a sends.json of 100 000 '[' is not a list of sends: invalid-transition, never the "
        "host's recursion error",
    )
    nested = "open('/out/sends.json', 'w').write('[' * 20 + ']' * 20)\n"
    check_error_class(
        "SBX-004.5",
        "invalid-transition",
        _class(impl, nested),
        "the class of a sends.json of lists nested 20 deep, no list of sends",
    )
    _counter_still_counts(impl)


@pytest.mark.req("SBX-004.5")
@pytest.mark.req("CONV-004")
def test_a_send_header_with_a_lone_surrogate_is_invalid_transition(impl: Implementation) -> None:
    to = "ab" * 32
    good = {"to": to, "headers": {"mt": "note"}}
    program = "open('/out/sends.json', 'w').write({!r})\n"
    reply = impl.call("sandbox-run", program=program.format(json.dumps([good])))
    sent = ok_answer(reply, "SBX-004.5", "a run whose sends.json holds one send")
    check_equal(
        "SBX-004.5",
        [{"mt": "note"}],
        [send.get("headers") for send in sent["sends"][:1]],
        "the headers of the first send",
    )
    lone = json.dumps([good]).replace("note", "\\ud800")
    check_error_class(
        "SBX-004.5",
        "invalid-transition",
        _class(impl, program.format(lone)),
        "a header value holding a lone surrogate is no text",
    )


# --- host work paid in fuel (SBX-006.5, SBX-006.6) ------------------------------------------


@pytest.mark.req("SBX-006.5", "SBX-008.1")
@pytest.mark.req("ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_random_bytes_are_paid_in_fuel(impl: Implementation) -> None:
    program = "import os\nos.urandom(1 << 20)\nprint('ok')\n"
    check_equal(
        "SBX-006.5",
        "ok\n",
        _run(impl, program, limits={"fuel": 400_000_000}),
        "stdout of a MiB of random bytes with 4 x 10**8 fuel, enough to pay for them",
    )
    check_error_class(
        "SBX-006.5",
        "fuel-exhausted",
        _class(impl, program, limits={"fuel": 200_000_000}),
        "a MiB of random bytes costs 256 fuel a byte, 2.7 x 10**8 in all: 2 x 10**8 fuel "
        "cannot pay for it",
    )


@pytest.mark.req("SBX-006.5", "SBX-006.6")
@pytest.mark.req("ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_listing_entries_is_paid_in_fuel(impl: Implementation) -> None:
    program = (
        "import os\nfor i in range(1000):\n    open(str(i), 'w').close()\n"
        "for _ in range(200):\n    os.listdir('.')\nprint('ok')\n"
    )
    check_equal(
        "SBX-006.5",
        "ok\n",
        _run(impl, program, limits={"fuel": 2_500_000_000}),
        "stdout of 200 listings of 1000 entries with 2.5 x 10**9 fuel, enough to pay for them",
    )
    check_error_class(
        "SBX-006.5",
        "fuel-exhausted",
        _class(impl, program, limits={"fuel": 1_600_000_000}),
        "200 listings of 1000 entries cost 5000 fuel an entry, 10**9 on top of the "
        "program's own (about 1.1 x 10**9, SBX-006.5)",
    )


@pytest.mark.req("SBX-006.5", "SBX-008.1")
@pytest.mark.req("ADP-019.4")
@pytest.mark.req("CONV-004")
def test_the_urandom_loop_of_the_issue_ends_fuel_exhausted(impl: Implementation) -> None:
    program = "import os\nwhile True:\n    os.urandom(1 << 20)\n"
    check_error_class(
        "SBX-006.5",
        "fuel-exhausted",
        _class(impl, program, limits={"fuel": 1_000_000_000}),
        "the class of a loop of os.urandom(1 MiB) with 10**9 fuel",
    )
    _counter_still_counts(impl)


#: 20 000 forbidden attempts (a path climbing out of ``/core``, each refused and caught),
#: then an exit with status 0.
MANY_FORBIDDEN = (
    "import os\nrefused = 0\nfor i in range(20000):\n    try:\n"
    "        os.stat('../' + str(i) + 'x' * 200)\n    except OSError:\n        refused += 1\n"
    "print(refused)\n"
)


@pytest.mark.req("SBX-008.5", "SBX-008.2")
@pytest.mark.req("CONV-004")
def test_many_forbidden_attempts_are_named_in_a_bounded_message(impl: Implementation) -> None:
    """A run that made 20 000 forbidden attempts fails ``forbidden-operation`` (SBX-008.2) with
    a message that names at most 16 of them: at most 8 000 characters (SBX-008.5), where one
    that named each would take some 5 MB.  Of 17 attempts the first 16 are named, the
    17th not."""
    reply = impl.call("sandbox-run", program=MANY_FORBIDDEN, limits={"fuel": 5_000_000_000})
    error_answer(reply, "SBX-008.2", "forbidden-operation", "a run of 20 000 forbidden attempts")
    message = str(reply.error.get("message", ""))
    check(
        "SBX-008.5",
        len(message) <= 8000,
        expected="a forbidden-operation message of at most 8 000 characters for 20 000 "
        "forbidden attempts (it names at most the first 16)",
        came=f"{len(message)} characters",
    )
    seventeen = MANY_FORBIDDEN.replace("range(20000)", "range(17)")
    reply = impl.call("sandbox-run", program=seventeen)
    error_answer(reply, "SBX-008.2", "forbidden-operation", "a run of 17 forbidden attempts")
    message = str(reply.error.get("message", ""))
    check(
        "SBX-008.5",
        "../0xxx" in message and "../15xxx" in message and "../16xxx" not in message,
        expected="a message naming the first 16 of 17 forbidden attempts (../0xxx … ../15xxx), "
        "not the 17th (../16xxx)",
        came=message[:300],
    )


# --- the classification a program cannot switch off (SBX-005.6, SBX-005.21) -----------------
# --- the classification a program cannot switch off (SBX-005.6, SBX-005.21) -----------------


@pytest.mark.req("SBX-005.6", "SBX-008.2")
@pytest.mark.req("ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_opening_a_bytes_path_outside_is_forbidden(impl: Implementation) -> None:
    check_error_class(
        "SBX-005.6",
        "forbidden-operation",
        _class(impl, "open(b'/etc/passwd')\n"),
        "the class of opening the bytes path b'/etc/passwd'",
    )
    check_equal(
        "SBX-005.6",
        "1\n",
        _run(impl, "open(b'x', 'w').write('1')\nprint(open(b'x').read())\n"),
        "stdout of writing and reading back the bytes path b'x' inside /core",
    )


@pytest.mark.req("SBX-005.21", "SBX-008.2")
@pytest.mark.parametrize(
    "rebind",
    [
        "import __main__\n__main__._forbid = lambda what: None\n",
        "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.any = lambda *a: True\n",
        "import os\nos._exit = lambda code: None\nos.getcwd = lambda: '/core'\n",
        "import os.path\nos.path.normpath = lambda p: '/core/x'\n",
    ],
    ids=["main-forbid", "builtins", "os-exit", "normpath"],
)
@pytest.mark.req("CONV-004")
def test_nothing_a_program_rebinds_turns_the_classification_off(
    impl: Implementation, rebind: str
) -> None:
    check_error_class(
        "SBX-005.21",
        "forbidden-operation",
        _class(impl, rebind + "open('/etc/passwd')\n"),
        "after rebinding what the prelude's hook might look up, opening /etc/passwd must "
        "still be a forbidden operation",
    )


# --- classes SBX-008.1 lists (SBX-008.3, SBX-007.6, SBX-006.8) ------------------------------


@pytest.mark.req("SBX-008.3")
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("0", None),
        ("2**31 - 1", "program-exit"),
        ("2**40", "program-exit"),
        ("-(2**40)", "program-exit"),
    ],
)
def test_a_system_exit_that_is_no_32_bit_status_is_program_exit(
    impl: Implementation, status: str, expected: str | None
) -> None:
    check_equal(
        "SBX-008.3",
        expected,
        _class(impl, f"raise SystemExit({status})\n"),
        f"the class of raise SystemExit({status})",
    )


@pytest.mark.req("SBX-008.3")
@pytest.mark.req("CONV-004")
def test_an_exception_whose_traceback_raises_is_program_exit(impl: Implementation) -> None:
    program = (
        "class E(Exception):\n    @property\n    def __traceback__(self):\n"
        "        raise RuntimeError('no')\nraise E()\n"
    )
    check_error_class(
        "SBX-008.3",
        "program-exit",
        _class(impl, program),
        "the class of an exception whose traceback raises",
    )


@pytest.mark.req("SBX-007.6", "SBX-007.3", "SBX-008.1")
@pytest.mark.req("CONV-004")
def test_a_file_larger_than_an_object_is_output_too_large(impl: Implementation) -> None:
    program = "open('big', 'wb').write(b'x' * ({mib} << 20))\n"
    reply = impl.call("sandbox-run", program=program.format(mib=15))
    ok_answer(reply, "SBX-007.6", "a run leaving a 15 MiB file, which fits one object")
    check_error_class(
        "SBX-007.6",
        "output-too-large",
        _class(impl, program.format(mib=20)),
        "a 20 MiB file is within the 64 MiB core limit but no object holds it: "
        "output-too-large, never too-large",
    )


@pytest.mark.req("SBX-006.8", "SBX-006.2")
@pytest.mark.parametrize("memory", [1, 1 << 20, 9 << 20])
@pytest.mark.req("ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_a_memory_limit_the_interpreter_cannot_start_in_is_memory_limit(
    impl: Implementation, memory: int
) -> None:
    check_error_class(
        "SBX-006.8",
        "memory-limit",
        _class(impl, "print(1)\n", limits={"memory": memory}),
        f"a memory limit of {memory} bytes is below the interpreter's 10 MiB minimum",
    )
    check_equal(
        "SBX-006.8",
        "1\n",
        _run(impl, "print(1)\n", limits={"memory": 16 << 20}),
        "stdout of print(1) under a memory limit of 16 MiB",
    )


# --- rename into its own subtree (SBX-005.20) -----------------------------------------------

RENAME = """\
import errno, os
os.mkdir('b')
open('b/f', 'w').write('x')
stale = os.open('b', os.O_RDONLY)
os.mkdir('a')
os.rename('b', 'a/b')
try:
    os.rename('a', 'c', dst_dir_fd=stale)
    print('moved')
except OSError as e:
    print(errno.errorcode[e.errno])
os.rename('a', 'd')
print(sorted(os.listdir('.')), open('d/b/f').read())
"""


@pytest.mark.req("SBX-005.20", "SBX-004.2")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_a_directory_cannot_move_into_its_own_subtree_through_a_stale_descriptor(
    impl: Implementation,
) -> None:
    check_equal(
        "SBX-005.20",
        "EINVAL\n['d'] x\n",
        _run(impl, RENAME),
        "moving a into b, which is inside a now, must fail EINVAL and keep a's files in "
        "the core; an ordinary rename still works",
    )
