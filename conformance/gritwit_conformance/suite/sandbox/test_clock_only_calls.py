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

from ._runs import returned_objects

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


def _run(impl: Implementation, program: str, **args: Any) -> tuple[str, Any]:
    reply = impl.call("sandbox-run", program=program, **args)
    result = reply.expect_ok()
    returned_objects(f"sandbox-run of {program[:40]!r}", reply)
    return bytes.fromhex(result["stdout"]).decode("utf-8", "replace"), result["core"]


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
    stdout, _ = _run(impl, program)
    assert stdout == "([], [], []) []\nslept 946684800.0\n", (
        "a poll of one clock due now (select on nothing with timeout 0, time.sleep(0)) "
        "succeeds at once, and importing selectors, socket and subprocess is no attempt "
        "(SBX-005.23, SBX-005.6)"
    )


@pytest.mark.req("SBX-005.23", "SBX-005.4", "SBX-005.5", "SBX-009.1")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_platform_and_uuid1_answer_from_the_fixed_clock_and_the_run_stream(
    impl: Implementation,
) -> None:
    first, _ = _run(impl, CLOCK_ONLY)
    lines = first.splitlines()
    assert lines[:2] == ["wasi-0.0.0-wasm32-32bit", f"1 {UUID_TIME} 1"], (
        "platform.platform() is the interpreter's own answer, uuid.uuid1() a version 1 uuid "
        "at the fixed time with a random node (its multicast bit set) (SBX-005.23)"
    )
    again, _ = _run(impl, CLOCK_ONLY)
    assert again == first, "the same program gives the same uuid1 in every run (SBX-009.1)"
    other, _ = _run(impl, CLOCK_ONLY + "# another program: another seed\n")
    assert other.splitlines()[:2] == lines[:2] and other.splitlines()[2] != lines[2], (
        "uuid1's clock sequence and node come from the run's stream, seeded by the program "
        "(SBX-005.5)"
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
def test_a_poll_that_waits_is_still_forbidden(impl: Implementation, waiting: str) -> None:
    program = (
        f"import select, time\ntry:\n    {waiting}\nexcept OSError:\n    pass\nprint('went on')\n"
    )
    assert _class(impl, program) == "forbidden-operation", (
        f"{waiting} waits (a timeout in the future, or a descriptor): poll_oneoff fails "
        "ENOTSUP and the run ends forbidden-operation, caught or not (SBX-005.3)"
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
def test_processes_and_name_resolution_stay_forbidden(impl: Implementation, attempt: str) -> None:
    program = f"try:\n    {attempt}\nexcept Exception:\n    pass\nprint('went on')\n"
    assert _class(impl, program) == "forbidden-operation", (
        f"{attempt.split(chr(10))[-1].strip()}: with socket and subprocess importable, "
        "starting a process or resolving a name still ends the run forbidden-operation, "
        "caught or not (SBX-005.6)"
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
def test_tempfile_without_a_directory_is_forbidden(impl: Implementation, call: str) -> None:
    program = f"import tempfile\ntry:\n    {call}\nexcept Exception:\n    pass\nprint('went on')\n"
    assert _class(impl, program) == "forbidden-operation", (
        f"{call}: with no dir and no TMPDIR tempfile opens a file in /tmp, outside the "
        "preopens: forbidden-operation (SBX-005.24)"
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
    stdout, core = _run(impl, program)
    assert stdout == "more /out\nscratch /out []\n", (
        "tempfile given a directory (dir=, or tempfile.tempdir) makes its files there (SBX-005.24)"
    )
    assert core is None, (
        "scratch files in /out are no part of the core, and a TemporaryDirectory under /core "
        "leaves nothing: the run leaves no core (SBX-005.24, SBX-004.2)"
    )
