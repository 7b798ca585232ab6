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

from ._runs import COUNTER, build, encodings, returned_objects

pytestmark = pytest.mark.profile("sandbox")


def _run(impl: Implementation, program: str, **args: Any) -> str:
    reply = impl.call("sandbox-run", program=program, **args)
    result = reply.expect_ok()
    returned_objects(f"sandbox-run of {program[:40]!r}", reply)
    return bytes.fromhex(result["stdout"]).decode("utf-8")


def _class(impl: Implementation, program: str, **args: Any) -> str | None:
    reply = impl.call("sandbox-run", program=program, **args)
    return None if reply.ok else reply.error_class


def _counter_still_counts(impl: Implementation) -> None:
    core, objects = build({"n": b"41"})
    reply = impl.call("sandbox-run", program=COUNTER, core=core, objects=encodings(objects, core))
    assert reply.ok and bytes.fromhex(reply.result["stdout"]) == b"42\n", (
        f"after a hostile run the counter no longer counts (ADP-019.4): {reply}"
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
def test_one_buffer_listed_a_thousand_times_is_output_too_large(impl: Implementation) -> None:
    _counter_still_counts(impl)  # the implementation warm: its baseline
    before = _peak_bytes(impl)
    assert _class(impl, WRITEV) == "output-too-large", (
        "os.writev of one 1 MiB buffer listed 1024 times must end output-too-large; a host "
        "that copies every listing first holds a GiB before it checks (SBX-005.15, SBX-005.16)"
    )
    after = _peak_bytes(impl)
    if before is not None and after is not None:
        assert after - before <= GROWTH, (
            f"the implementation's peak grew by {(after - before) >> 20} MiB for one 1 MiB "
            "buffer listed 1024 times: it copies per listing (SBX-005.15)"
        )
    _counter_still_counts(impl)


@pytest.mark.req("SBX-005.16", "SBX-007.2")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_writev_to_standard_output_on_both_sides_of_the_limit(impl: Implementation) -> None:
    at = "import os\nos.writev(1, [b'x' * 100] * 10)\n"
    assert _run(impl, at, limits={"output": 1000}) == "x" * 1000, (
        "ten buffers of 100 bytes are exactly the output limit of 1000 (SBX-007.2)"
    )
    over = "import os\nos.writev(1, [b'x' * 100] * 10 + [b'y'])\n"
    assert _class(impl, over, limits={"output": 1000}) == "output-too-large"


@pytest.mark.req("SBX-005.16", "SBX-007.4", "SBX-007.5")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_writev_to_a_file_is_held_to_the_write_budget_before_it_copies(
    impl: Implementation,
) -> None:
    program = (
        "import os\nfd = os.open('/out/f', os.O_WRONLY | os.O_CREAT)\n"
        "print(os.writev(fd, [b'z' * 10] * {n}))\n"
    )
    assert _run(impl, program.format(n=2), limits={"core": 15, "sends": 5}) == "20\n"
    assert _class(impl, program.format(n=3), limits={"core": 15, "sends": 5}) == (
        "output-too-large"
    ), "30 bytes written against a budget of 20 must fail the run (SBX-007.4)"


@pytest.mark.req("SBX-005.18", "SBX-005.19")
@pytest.mark.req("ADP-019.2", "ADP-019.4", "ENC-014")
def test_a_position_past_2_63_fails_eoverflow_not_the_host(impl: Implementation) -> None:
    program = (
        "import errno, os\nfd = os.open('f', os.O_RDWR | os.O_CREAT)\n"
        "print(os.lseek(fd, 2**63 - 1, os.SEEK_SET))\n"
        "try:\n    os.lseek(fd, 1, os.SEEK_CUR)\n"
        "except OSError as e:\n    print(errno.errorcode[e.errno])\n"
        "print(os.lseek(fd, 0, os.SEEK_CUR))\n"
    )
    assert _run(impl, program) == f"{2**63 - 1}\nEOVERFLOW\n{2**63 - 1}\n", (
        "a position of 2**63 - 1 is allowed, one past it fails EOVERFLOW and leaves the "
        "position where it was (SBX-005.18)"
    )
    twice = (
        "import os\nfd = os.open('f', os.O_RDWR | os.O_CREAT)\n"
        "os.lseek(fd, 2**63 - 1, os.SEEK_CUR)\nos.lseek(fd, 2**63 - 1, os.SEEK_CUR)\n"
    )
    assert _class(impl, twice) == "program-exit", (
        "the issue's seek program: the second seek is an OSError in the program, not a "
        "failure of the host (SBX-005.19)"
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
    assert _run(impl, program) == "4096 ENOENT\n4097 ENAMETOOLONG\n", (
        "a path of 4096 bytes is looked up (there is no x), one of 4097 is refused before "
        "it is copied (SBX-005.17)"
    )


# --- what a program declares, parsed without the host's own errors (SBX-004.5) -------------


@pytest.mark.req("SBX-004.5", "SBX-013.1")
@pytest.mark.req("ADP-019.4")
def test_sends_nested_a_hundred_thousand_deep_are_invalid_transition(
    impl: Implementation,
) -> None:
    deep = "open('/out/sends.json', 'w').write('[' * 100000)\n"
    assert _class(impl, deep) == "invalid-transition", (
        "a sends.json of 100 000 '[' is not a list of sends: invalid-transition, never the "
        "host's recursion error (SBX-004.5)"
    )
    nested = "open('/out/sends.json', 'w').write('[' * 20 + ']' * 20)\n"
    assert _class(impl, nested) == "invalid-transition"
    _counter_still_counts(impl)


@pytest.mark.req("SBX-004.5")
def test_a_send_header_with_a_lone_surrogate_is_invalid_transition(impl: Implementation) -> None:
    to = "ab" * 32
    good = {"to": to, "headers": {"mt": "note"}}
    program = "open('/out/sends.json', 'w').write({!r})\n"
    reply = impl.call("sandbox-run", program=program.format(json.dumps([good])))
    assert reply.ok and reply.result["sends"][0]["headers"] == {"mt": "note"}, reply
    lone = json.dumps([good]).replace("note", "\\ud800")
    assert _class(impl, program.format(lone)) == "invalid-transition", (
        "a header value holding a lone surrogate is no text (SBX-004.5)"
    )


# --- host work paid in fuel (SBX-006.5, SBX-006.6) ------------------------------------------


@pytest.mark.req("SBX-006.5", "SBX-008.1")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_random_bytes_are_paid_in_fuel(impl: Implementation) -> None:
    program = "import os\nos.urandom(1 << 20)\nprint('ok')\n"
    assert _run(impl, program, limits={"fuel": 400_000_000}) == "ok\n"
    assert _class(impl, program, limits={"fuel": 200_000_000}) == "fuel-exhausted", (
        "a MiB of random bytes costs 256 fuel a byte, 2.7 x 10**8 in all: 2 x 10**8 fuel "
        "cannot pay for it (SBX-006.5)"
    )


@pytest.mark.req("SBX-006.5", "SBX-006.6")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_listing_entries_is_paid_in_fuel(impl: Implementation) -> None:
    program = (
        "import os\nfor i in range(1000):\n    open(str(i), 'w').close()\n"
        "for _ in range(200):\n    os.listdir('.')\nprint('ok')\n"
    )
    assert _run(impl, program, limits={"fuel": 2_500_000_000}) == "ok\n"
    assert _class(impl, program, limits={"fuel": 1_600_000_000}) == "fuel-exhausted", (
        "200 listings of 1000 entries cost 5000 fuel an entry, 10**9 on top of the "
        "program's own (about 1.1 x 10**9, SBX-006.5)"
    )


@pytest.mark.req("SBX-006.5", "SBX-008.1")
@pytest.mark.req("ADP-019.4")
def test_the_urandom_loop_of_the_issue_ends_fuel_exhausted(impl: Implementation) -> None:
    program = "import os\nwhile True:\n    os.urandom(1 << 20)\n"
    assert _class(impl, program, limits={"fuel": 1_000_000_000}) == "fuel-exhausted"
    _counter_still_counts(impl)


#: 20 000 forbidden attempts (a path climbing out of ``/core``, each refused and caught),
#: then an exit with status 0.
MANY_FORBIDDEN = (
    "import os\nrefused = 0\nfor i in range(20000):\n    try:\n"
    "        os.stat('../' + str(i) + 'x' * 200)\n    except OSError:\n        refused += 1\n"
    "print(refused)\n"
)


@pytest.mark.req("SBX-008.5", "SBX-008.2")
def test_many_forbidden_attempts_are_named_in_a_bounded_message(impl: Implementation) -> None:
    """A run that made 20 000 forbidden attempts fails ``forbidden-operation`` (SBX-008.2) with
    a message that names at most 16 of them: at most 8 000 characters (SBX-008.5), where one
    that named each would take some 5 MB.  Of 17 attempts the first 16 are named, the
    17th not."""
    reply = impl.call("sandbox-run", program=MANY_FORBIDDEN, limits={"fuel": 5_000_000_000})
    assert not reply.ok and reply.error_class == "forbidden-operation", reply
    message = str(reply.error.get("message", ""))
    assert len(message) <= 8000, (
        f"20 000 forbidden attempts gave a forbidden-operation message of {len(message)} "
        "characters: it must name at most the first 16 attempts (SBX-008.5)"
    )
    seventeen = MANY_FORBIDDEN.replace("range(20000)", "range(17)")
    reply = impl.call("sandbox-run", program=seventeen)
    assert not reply.ok and reply.error_class == "forbidden-operation", reply
    message = str(reply.error.get("message", ""))
    assert "../0xxx" in message and "../15xxx" in message and "../16xxx" not in message, (
        "of 17 forbidden attempts the message names the first 16, not the 17th (SBX-008.5): "
        + message[:300]
    )


# --- the classification a program cannot switch off (SBX-005.6, SBX-005.21) -----------------
# --- the classification a program cannot switch off (SBX-005.6, SBX-005.21) -----------------


@pytest.mark.req("SBX-005.6", "SBX-008.2")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_opening_a_bytes_path_outside_is_forbidden(impl: Implementation) -> None:
    assert _class(impl, "open(b'/etc/passwd')\n") == "forbidden-operation"
    assert _run(impl, "open(b'x', 'w').write('1')\nprint(open(b'x').read())\n") == "1\n"


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
def test_nothing_a_program_rebinds_turns_the_classification_off(
    impl: Implementation, rebind: str
) -> None:
    assert _class(impl, rebind + "open('/etc/passwd')\n") == "forbidden-operation", (
        "after rebinding what the prelude's hook might look up, opening /etc/passwd must "
        "still be a forbidden operation (SBX-005.21)"
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
    assert _class(impl, f"raise SystemExit({status})\n") == expected


@pytest.mark.req("SBX-008.3")
def test_an_exception_whose_traceback_raises_is_program_exit(impl: Implementation) -> None:
    program = (
        "class E(Exception):\n    @property\n    def __traceback__(self):\n"
        "        raise RuntimeError('no')\nraise E()\n"
    )
    assert _class(impl, program) == "program-exit"


@pytest.mark.req("SBX-007.6", "SBX-007.3", "SBX-008.1")
def test_a_file_larger_than_an_object_is_output_too_large(impl: Implementation) -> None:
    program = "open('big', 'wb').write(b'x' * ({mib} << 20))\n"
    reply = impl.call("sandbox-run", program=program.format(mib=15))
    assert reply.ok, f"a 15 MiB file fits one object and the core limit: {reply}"
    assert _class(impl, program.format(mib=20)) == "output-too-large", (
        "a 20 MiB file is within the 64 MiB core limit but no object holds it: "
        "output-too-large, never too-large (SBX-007.6)"
    )


@pytest.mark.req("SBX-006.8", "SBX-006.2")
@pytest.mark.parametrize("memory", [1, 1 << 20, 9 << 20])
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_a_memory_limit_the_interpreter_cannot_start_in_is_memory_limit(
    impl: Implementation, memory: int
) -> None:
    assert _class(impl, "print(1)\n", limits={"memory": memory}) == "memory-limit", (
        f"a memory limit of {memory} bytes is below the interpreter's 10 MiB minimum (SBX-006.8)"
    )
    assert _run(impl, "print(1)\n", limits={"memory": 16 << 20}) == "1\n"


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
    assert _run(impl, RENAME) == "EINVAL\n['d'] x\n", (
        "moving a into b, which is inside a now, must fail EINVAL and keep a's files in "
        "the core; an ordinary rename still works (SBX-005.20)"
    )
