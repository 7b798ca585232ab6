"""Calls that need only the fixed clock and the run's randomness work (SBX-005.23, SBX-005.24).

Probing found: ``platform.platform()`` and ``uuid.uuid1()`` ended ``forbidden-operation``,
which a program an LLM wrote hits at once.  Neither waits nor leaves the sandbox: both
import ``socket`` or ``subprocess``, whose ``selectors`` calls ``poll(0)`` on no
descriptor when it is imported, and the host refused every ``poll_oneoff``.  A poll of
clocks already due at the fixed time waits for nothing and now succeeds at once
(SBX-005.23); every other poll — a sleep, a descriptor — is still refused
(SBX-005.3).  With the modules importable, starting a process and resolving a name must
still end the run: on WASI they fail before CPython's audit events, so the prelude names
them (SBX-005.6).  ``tempfile`` without a directory still opens ``/tmp`` first: there is
no temporary directory, and given one (``/out``, or under ``/core``) it works
(SBX-005.24).

A host that refuses every poll fails the first tests; one that answers every poll
(a sleep passing at once) fails the ones that sleep; one whose prelude lets
``subprocess`` or ``create_connection`` fail as plain ``OSError``/``AttributeError``
fails the forbidden ones.
"""

from __future__ import annotations

from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, check, check_equal, ok_answer
from ._runs import check_class, returned_objects

pytestmark = pytest.mark.profile("sandbox")

#: ``uuid.uuid1()``'s time for the fixed clock (SBX-005.4): 100 ns steps since 1582-10-15.
UUID_TIME = 946_684_800 * 10**7 + 0x01B21DD213814000

CLOCK_ONLY = (
    "import platform, uuid\n"
    "u = uuid.uuid1()\n"
    "print(platform.platform())\n"
    "print(u.version, u.time, (u.node >> 40) & 1)\n"
    "print(u.clock_seq, u.node)\n"
)


def _run(impl: Implementation, program: str, clause: Clause, **args: Any) -> tuple[str, Any]:
    """The stdout (as text) and the core of a run that must succeed, under ``clause``."""
    reply = impl.call("sandbox-run", program=program, **args)
    result = ok_answer(reply, clause, f"sandbox-run of {program[:40]!r}")
    returned_objects(f"sandbox-run of {program[:40]!r}", reply)
    stdout = bytes.fromhex(str(result.get("stdout", ""))).decode("utf-8", "replace")
    return stdout, result.get("core")


def _class(impl: Implementation, program: str, **args: Any) -> str | None:
    reply = impl.call("sandbox-run", program=program, **args)
    return None if reply.ok else reply.error_class


@pytest.mark.req("SBX-005.23", "SBX-005.3", "SBX-005.6")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_a_poll_that_waits_for_nothing_returns_at_once(impl: Implementation) -> None:
    program = (
        "import select, selectors, socket, subprocess, time\n"
        "print(select.select([], [], [], 0), select.poll().poll(0))\n"
        "time.sleep(0)\n"
        "print('slept', time.time())\n"
    )
    stdout, _ = _run(impl, program, "SBX-005.23")
    check_equal(
        ("SBX-005.23", "SBX-005.6"),
        "([], [], []) []\nslept 946684800.0\n",
        stdout,
        "the stdout of a poll of one clock due now (select on nothing with timeout 0, "
        "time.sleep(0)): it succeeds at once, and importing selectors, socket and "
        "subprocess is no attempt",
    )


@pytest.mark.req("SBX-005.23", "SBX-005.4", "SBX-005.5", "SBX-009.1")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_platform_and_uuid1_answer_from_the_fixed_clock_and_the_run_stream(
    impl: Implementation,
) -> None:
    first, _ = _run(impl, CLOCK_ONLY, "SBX-005.23")
    lines = first.splitlines()
    check_equal(
        "SBX-005.23",
        ["wasi-0.0.0-wasm32-32bit", f"1 {UUID_TIME} 1"],
        lines[:2],
        "platform.platform() (the interpreter's own answer), then uuid.uuid1()'s version, "
        "time (the fixed clock's) and multicast bit (a random node)",
    )
    again, _ = _run(impl, CLOCK_ONLY, "SBX-009.1")
    # uuid1's clock sequence and node come from the run's random stream (SBX-005.5), a
    # function of the program and its input alone
    check_equal(
        ("SBX-009.1", "SBX-005.5"),
        first,
        again,
        "the same program's stdout again: the same uuid1",
    )
    other, _ = _run(impl, CLOCK_ONLY + "# another program: another seed\n", "SBX-005.5")
    check(
        "SBX-005.5",
        other.splitlines()[:2] == lines[:2] and other.splitlines()[2:3] != lines[2:3],
        expected=f"the first two lines {lines[:2]} again and a clock sequence and node other "
        f"than {lines[2:3]}: they come from the run's stream, seeded by the program",
        came=other,
        what="the stdout of another program",
    )


@pytest.mark.req("SBX-005.3", "SBX-005.23", "SBX-008.2")
@pytest.mark.parametrize(
    "waiting",
    [
        "time.sleep(0.001)",
        "time.sleep(3600)",
        "select.select([0], [], [], 0)",
        "select.select([], [], [], 0.5)",
    ],
)
@pytest.mark.req("CONV-004")
def test_a_poll_that_waits_is_still_forbidden(impl: Implementation, waiting: str) -> None:
    program = (
        f"import select, time\ntry:\n    {waiting}\nexcept OSError:\n    pass\nprint('went on')\n"
    )
    check_class(
        ("SBX-005.3", "SBX-008.2"),
        "forbidden-operation",
        _class(impl, program),
        f"{waiting}, caught: it waits (a timeout in the future, or a descriptor), so "
        "poll_oneoff fails ENOTSUP and the run ends",
    )


@pytest.mark.req("SBX-005.6", "SBX-005.23", "SBX-008.2")
@pytest.mark.parametrize(
    "attempt",
    [
        "import subprocess\n    subprocess.run(['ls'])",
        "import subprocess\n    subprocess.Popen(['ls'])",
        "import subprocess\n    subprocess.check_output('ls', shell=True)",
        "import socket\n    socket.create_connection(('127.0.0.1', 9))",
        "import socket\n    socket.getaddrinfo('example.org', 80)",
        "import urllib.request\n    urllib.request.urlopen('http://example.org/')",
    ],
)
@pytest.mark.req("CONV-004")
def test_processes_and_name_resolution_stay_forbidden(impl: Implementation, attempt: str) -> None:
    program = f"try:\n    {attempt}\nexcept Exception:\n    pass\nprint('went on')\n"
    check_class(
        ("SBX-005.6", "SBX-008.2"),
        "forbidden-operation",
        _class(impl, program),
        f"{attempt.split(chr(10))[-1].strip()}, caught: with socket and subprocess "
        "importable, starting a process or resolving a name still ends the run",
    )


@pytest.mark.req("SBX-005.24", "SBX-005.6", "SBX-008.2")
@pytest.mark.parametrize(
    "call",
    [
        "tempfile.mkdtemp()",
        "tempfile.mkstemp()",
        "tempfile.TemporaryFile()",
        "tempfile.NamedTemporaryFile()",
        "tempfile.gettempdir()",
    ],
)
@pytest.mark.req("CONV-004")
def test_tempfile_without_a_directory_is_forbidden(impl: Implementation, call: str) -> None:
    program = f"import tempfile\ntry:\n    {call}\nexcept Exception:\n    pass\nprint('went on')\n"
    check_class(
        ("SBX-005.24", "SBX-008.2"),
        "forbidden-operation",
        _class(impl, program),
        f"{call}, caught: with no dir and no TMPDIR tempfile opens a file in /tmp, outside "
        "the preopens",
    )


@pytest.mark.req("SBX-005.24", "SBX-004.2")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_tempfile_with_a_directory_works(impl: Implementation) -> None:
    program = (
        "import os, tempfile\n"
        "d = tempfile.mkdtemp(dir='/out')\n"
        "open(os.path.join(d, 'x'), 'w').write('scratch')\n"
        "tempfile.tempdir = '/out'\n"
        "with tempfile.NamedTemporaryFile('w+') as f:\n"
        "    f.write('more')\n"
        "    f.seek(0)\n"
        "    print(f.read(), os.path.dirname(f.name))\n"
        "with tempfile.TemporaryDirectory(dir='/core') as kept:\n"
        "    open(os.path.join(kept, 'y'), 'w').write('gone')\n"
        "print(open(os.path.join(d, 'x')).read(), os.path.dirname(d), os.listdir('/core'))\n"
    )
    stdout, core = _run(impl, program, "SBX-005.24")
    check_equal(
        "SBX-005.24",
        "more /out\nscratch /out []\n",
        stdout,
        "the stdout of tempfile given a directory (dir=, or tempfile.tempdir): it makes its "
        "files there",
    )
    check_equal(
        ("SBX-004.2", "SBX-005.24"),
        None,
        core,
        "the new core: scratch files in /out are no part of it, and a TemporaryDirectory "
        "under /core leaves nothing",
    )
