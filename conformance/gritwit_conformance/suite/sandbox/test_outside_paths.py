"""Paths outside the preopens: the interpreter's ``ENOENT``, not a forbidden operation (SBX-005.22).

Asked: what ``os.stat("/etc/passwd")``, ``os.listdir("/")`` and
``os.rename("/core/a", "/etc/x")`` give.  None reaches a host: the pinned
interpreter's libc matches a path against the preopens' names (``/core``,
``/input``, ``/out``, and the module's own ``/usr``) by its leading components and
answers ``ENOENT`` itself for one that starts with none of them, so every host that
preopens what SBX-005.1 says gives the same answer.  Only opening such a path is
classed ``forbidden-operation`` (the prelude's audit hook, SBX-005.6); a path that
starts with a preopen's name and climbs out of it does reach the host and is
SBX-005.8's.

A host that classes the other calls too (say, an audit hook that also watches
``os.listdir`` and ``os.rename``, or a WASI layer that preopens ``/``) fails the first
test; one that lets ``open`` of such a path through fails the second.
"""

from __future__ import annotations

from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, ok_answer
from ._runs import COUNTER, build, check_class, encodings, returned_objects

pytestmark = pytest.mark.profile("sandbox")

#: Every call on a path outside, by name; each raises an OSError the program catches.
OUTSIDE = (
    "import errno, os\n"
    "open('/core/a', 'w').write('x')\n"
    "calls = [\n"
    "    ('stat /etc/passwd', lambda: os.stat('/etc/passwd')),\n"
    "    ('stat b/etc/passwd', lambda: os.stat(b'/etc/passwd')),\n"
    "    ('lstat /etc/passwd', lambda: os.lstat('/etc/passwd')),\n"
    "    ('stat /', lambda: os.stat('/')),\n"
    "    ('listdir /', lambda: os.listdir('/')),\n"
    "    ('scandir /', lambda: list(os.scandir('/'))),\n"
    "    ('listdir /etc', lambda: os.listdir('/etc')),\n"
    "    ('rename /core/a /etc/x', lambda: os.rename('/core/a', '/etc/x')),\n"
    "    ('rename /etc/x /core/b', lambda: os.rename('/etc/x', '/core/b')),\n"
    "    ('replace /core/a /tmp/a', lambda: os.replace('/core/a', '/tmp/a')),\n"
    "    ('mkdir /tmp/d', lambda: os.mkdir('/tmp/d')),\n"
    "    ('makedirs /var/d/e', lambda: os.makedirs('/var/d/e')),\n"
    "    ('remove /etc/x', lambda: os.remove('/etc/x')),\n"
    "    ('rmdir /etc', lambda: os.rmdir('/etc')),\n"
    "    ('chdir /', lambda: os.chdir('/')),\n"
    "    ('stat /corex', lambda: os.stat('/corex')),\n"
    "]\n"
    "for name, call in calls:\n"
    "    try:\n"
    "        call()\n"
    "        print(name, 'ok')\n"
    "    except OSError as e:\n"
    "        print(name, type(e).__name__, errno.errorcode.get(e.errno, e.errno))\n"
    "print('exists', os.path.exists('/etc/passwd'), os.path.isdir('/tmp'))\n"
    "print(os.getcwd(), sorted(os.listdir('/core')))\n"
)
EXPECTED = (
    "".join(
        f"{name} FileNotFoundError ENOENT\n"
        for name in (
            "stat /etc/passwd",
            "stat b/etc/passwd",
            "lstat /etc/passwd",
            "stat /",
            "listdir /",
            "scandir /",
            "listdir /etc",
            "rename /core/a /etc/x",
            "rename /etc/x /core/b",
            "replace /core/a /tmp/a",
            "mkdir /tmp/d",
            "makedirs /var/d/e",
            "remove /etc/x",
            "rmdir /etc",
            "chdir /",
            "stat /corex",
        )
    )
    + "exists False False\n/core ['a']\n"
)


def _class(impl: Implementation, program: str, **args: Any) -> str | None:
    reply = impl.call("sandbox-run", program=program, **args)
    return None if reply.ok else reply.error_class


@pytest.mark.req("SBX-005.22", "SBX-005.1", "SBX-008.2")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_calls_on_paths_outside_fail_enoent_and_the_run_goes_on(impl: Implementation) -> None:
    reply = impl.call("sandbox-run", program=OUTSIDE)
    result = ok_answer(
        reply,
        "SBX-005.22",
        "the run calling os.stat, os.listdir, os.rename … on paths outside every preopen: "
        "they fail ENOENT in the interpreter and the program catches them",
    )
    returned_objects("the outside-paths program", reply)
    stdout = bytes.fromhex(str(result.get("stdout", ""))).decode("utf-8", "replace")
    check_equal(
        "SBX-005.22",
        EXPECTED,
        stdout,
        "the stdout: each call on a path naming no preopen raises FileNotFoundError "
        "(ENOENT), os.path.exists answers False, and the working directory stays /core",
    )
    core, _ = build({"a": b"x"})
    check_equal(
        "SBX-005.22",
        core,
        result.get("core"),
        "the new core: os.rename('/core/a', '/etc/x') moves nothing, /core/a stays",
    )


@pytest.mark.req("SBX-005.22", "SBX-005.6", "SBX-008.2")
@pytest.mark.parametrize(
    "opening",
    ["open('/etc/passwd')", "os.open('/etc/passwd', os.O_RDONLY)", "open('/tmp/x', 'w')"],
)
@pytest.mark.req("CONV-004")
def test_opening_a_path_outside_is_still_forbidden(impl: Implementation, opening: str) -> None:
    program = (
        "import os\ntry:\n    os.stat('/etc/passwd')\nexcept OSError:\n    pass\n"
        f"try:\n    {opening}\nexcept OSError:\n    pass\nprint('went on')\n"
    )
    check_class(
        ("SBX-005.22", "SBX-005.6"),
        "forbidden-operation",
        _class(impl, program),
        f"{opening}, caught, after a caught os.stat of the same place: the stat is ENOENT, "
        "opening the path ends the run",
    )


@pytest.mark.req("SBX-005.22", "SBX-005.8", "SBX-008.2")
@pytest.mark.parametrize("path", ["/core/../etc", "../etc", "/input/../../etc/passwd"])
@pytest.mark.req("CONV-004")
def test_a_path_climbing_out_of_a_preopen_is_forbidden(impl: Implementation, path: str) -> None:
    program = (
        f"import os\ntry:\n    os.stat({path!r})\nexcept OSError:\n    pass\nprint('went on')\n"
    )
    check_class(
        ("SBX-005.22", "SBX-005.8"),
        "forbidden-operation",
        _class(impl, program),
        f"os.stat({path!r}), caught: it starts in a preopen and climbs out of it, so it "
        "reaches the host, which refuses it ENOTCAPABLE and ends the run",
    )


@pytest.mark.req("SBX-005.22", "ADP-019.4")
def test_a_counter_counts_after_the_outside_calls(impl: Implementation) -> None:
    impl.call("sandbox-run", program=OUTSIDE)
    core, objects = build({"n": b"41"})
    reply = impl.call("sandbox-run", program=COUNTER, core=core, objects=encodings(objects, core))
    result = ok_answer(reply, "ADP-019.4", "the counter's run after the outside-paths run")
    check_equal(
        "ADP-019.4",
        b"42\n".hex(),
        result.get("stdout"),
        "the counter's stdout after the outside-paths run: it still counts",
    )
