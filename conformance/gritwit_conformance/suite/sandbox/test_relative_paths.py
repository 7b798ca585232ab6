"""A relative path starts from its directory: a descriptor, or the working directory (SBX-005.33).

A review found ``os.open("../../y", os.O_CREAT | os.O_WRONLY, dir_fd=fd)``, with ``fd`` a
descriptor of ``/core/a/b``, refused as ``forbidden-operation: open /y``: the reference's
prelude judged every relative path from the working directory (``/core``), since
CPython's audit event for an open carries no ``dir_fd``.  The path is ``/core/y``, inside
the core, and must be allowed; a path whose ``..`` climbs above ``/core`` from the same
descriptor must still end the run (SBX-005.8).

A host (or prelude) that judges a relative path from the working directory, or counts a
path's ``..`` against nothing but the path itself, fails the first test; one that lets a
``..`` above the root stay at the root (as ``chroot``) fails the second.
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, ok_answer
from ._runs import build, check_class, failure_class, returned_objects

pytestmark = pytest.mark.profile("sandbox")

#: A descriptor ``fd`` of ``/core/a/b``, two levels down.
DIR_FD = "import os\nos.makedirs('/core/a/b')\nfd = os.open('/core/a/b', os.O_RDONLY)\n"

INSIDE = DIR_FD + (
    "f = os.open('../../y', os.O_CREAT | os.O_WRONLY, dir_fd=fd)\n"
    "os.write(f, b'y')\n"
    "os.close(f)\n"
    "opener = lambda path, flags: os.open(path, flags, dir_fd=fd)\n"
    "open('../x', 'w', opener=opener).write('x')\n"
    "print(open('../../y', opener=opener).read())\n"
    "print(os.stat('../..', dir_fd=fd).st_ino == os.stat('/core').st_ino)\n"
    "os.chdir('/core/a/b')\n"
    "open('../../z', 'w').write('z')\n"
)


@pytest.mark.req("SBX-005.33", "SBX-005.6")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_dot_dot_from_a_descriptor_that_stays_inside_is_allowed(impl: Implementation) -> None:
    reply = impl.call("sandbox-run", program=INSIDE)
    result = ok_answer(
        reply,
        ("SBX-005.33", "SBX-005.6"),
        "the run making /core/y by os.open('../../y', O_CREAT | O_WRONLY, dir_fd=fd), fd a "
        "descriptor of /core/a/b: inside the core, no forbidden open",
    )
    returned_objects("the dir_fd program", reply)
    check_equal(
        "SBX-005.33",
        b"y\nTrue\n".hex(),
        result.get("stdout"),
        "the run's stdout, hex: ../../y from the descriptor reads what was written there "
        "(y), and ../.. from it is /core (True)",
    )
    core, _ = build({"a": {"x": b"x"}, "y": b"y", "z": b"z"})
    check_equal(
        "SBX-005.33",
        core,
        result.get("core"),
        "the new core: y and z at the top and a/x, each .. taken from the directory the path "
        "starts from (a descriptor of /core/a/b, or the working directory)",
    )


@pytest.mark.req("SBX-005.33", "SBX-005.8", "SBX-008.2")
@pytest.mark.parametrize(
    "attempt",
    [
        "os.open('../../../y', os.O_CREAT | os.O_WRONLY, dir_fd=fd)",
        "os.open('../y', os.O_CREAT | os.O_WRONLY, dir_fd=os.open('/core', os.O_RDONLY))",
        "os.open('../core/y', os.O_CREAT | os.O_WRONLY, dir_fd=os.open('.', os.O_RDONLY))",
        "os.stat('../../../..', dir_fd=fd)",
    ],
)
@pytest.mark.req("CONV-004")
def test_dot_dot_above_the_root_from_a_descriptor_ends_the_run(
    impl: Implementation, attempt: str
) -> None:
    program = DIR_FD + f"try:\n    {attempt}\nexcept OSError:\n    pass\nprint('went on')\n"
    check_class(
        ("SBX-005.33", "SBX-008.2"),
        "forbidden-operation",
        failure_class(impl, program),
        f"{attempt}, caught: from the directory it starts from, a .. climbs above /core "
        "(though it comes back), which ends the run",
    )
