"""What a run leaves as it was keeps its ids, and still counts against the bounds
(SBX-004.2, SBX-004.3, SBX-006.15, SBX-007.3).

Every blob mounted here has headers, so a file read back keeps its blob only by keeping
that blob's id (a blob made anew has none, SBX-004.3). The program changes one file at the
top and leaves a subdirectory untouched, rewrites another file with the bytes it holds,
or empties a directory and puts an empty one where a file was. The expected cores follow
from the clauses alone: the untouched subdirectory and the rewritten file keep their ids,
the changed file becomes a blob without headers, an empty directory is dropped (never
kept as the tree or the file mounted at its path); and the untouched subdirectory's bytes
(300 000, more than 2**18) count against the core limit as bytes, not as entries.
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, error_answer, ok_answer
from ._runs import returned_objects

pytestmark = pytest.mark.profile("sandbox")

#: Held in ``sub/f``: more bytes than SBX-006.15 allows entries (2**18).
BIG = 300_000
A = g.Blob(data=b"a", headers={"k": "a"})
F = g.Blob(data=b"s" * BIG, headers={"k": "f"})
Z = g.Blob(data=b"z", headers={"k": "z"})
SUB = g.Tree(entries={"f": g.object_id(F)})
TOP = g.Tree(entries={"a": g.object_id(A), "sub": g.object_id(SUB), "z": g.object_id(Z)})
#: The bytes of the core's files: the core limit of these runs, exactly.
LIMIT = 1 + BIG + 1


def _run(impl: Implementation, program: str, top: g.Tree, objects: list[Any]) -> Any:
    return impl.call(
        "sandbox-run",
        program=program,
        core=g.object_id(top).hex(),
        objects=sorted(g.encode_object(obj).hex() for obj in objects),
        limits={"core": LIMIT},
    )


@pytest.mark.req("SBX-004.3", "SBX-004.2", "SBX-006.15", "SBX-007.3", "ADP-019.2", "ENC-014")
def test_an_untouched_directory_and_a_file_rewritten_as_it_was_keep_their_ids(
    impl: Implementation,
) -> None:
    """``a`` changed, ``z`` rewritten with its own byte, ``sub`` untouched, under a core
    limit of exactly the files' bytes: the run succeeds, ``sub`` and ``z`` keep their ids
    (their headers with them), ``a`` is a new blob without headers."""
    program = "open('/core/a', 'wb').write(b'b')\nopen('/core/z', 'wb').write(b'z')\n"
    reply = _run(impl, program, TOP, [A, F, Z, SUB, TOP])
    what = (
        "a run that changes /core/a, rewrites /core/z as it was and leaves /core/sub "
        f"untouched, its files exactly the core limit ({LIMIT} bytes)"
    )
    result = ok_answer(reply, "SBX-007.3", what)
    want = g.Tree(
        entries={
            "a": g.object_id(g.Blob(data=b"b")),
            "sub": g.object_id(SUB),
            "z": g.object_id(Z),
        }
    )
    check_equal(
        "SBX-004.3",
        g.object_id(want).hex(),
        result.get("core"),
        f"{what}: the new core, sub and z under their mounted ids, a a blob without headers",
    )
    returned_objects("sandbox-run keeping an untouched directory", reply)


@pytest.mark.req("SBX-007.3", "SBX-004.3", "SBX-008.1")
@pytest.mark.req("CONV-004")
def test_an_untouched_directorys_bytes_count_against_the_core_limit(
    impl: Implementation,
) -> None:
    """``z`` grown by one byte beside the untouched ``sub``: the files left are one byte
    past the core limit → ``output-too-large``, ``sub``'s bytes counted though it kept its
    tree."""
    program = "open('/core/z', 'wb').write(b'zz')\n"
    reply = _run(impl, program, TOP, [A, F, Z, SUB, TOP])
    error_answer(
        reply,
        ("SBX-007.3", "SBX-008.1"),
        "output-too-large",
        f"a run that leaves /core/sub untouched and grows /core/z by one byte: {LIMIT + 1} "
        f"bytes of files past a core limit of {LIMIT}",
    )


@pytest.mark.req("SBX-004.2", "SBX-004.3", "ADP-019.2", "ENC-014")
def test_a_directory_emptied_and_one_put_where_a_file_was_are_dropped(
    impl: Implementation,
) -> None:
    """``sub/f`` removed, leaving ``sub`` empty, and ``z`` removed with an empty directory
    made under its name: both empty directories are dropped (SBX-004.2), so the new core is
    ``a`` alone, as mounted; nothing of ``sub`` or ``z`` is kept."""
    program = "import os\nos.remove('/core/sub/f')\nos.remove('/core/z')\nos.mkdir('/core/z')\n"
    reply = _run(impl, program, TOP, [A, F, Z, SUB, TOP])
    what = "a run that empties /core/sub and puts an empty directory where the file /core/z was"
    result = ok_answer(reply, "SBX-004.2", what)
    want = g.Tree(entries={"a": g.object_id(A)})
    check_equal(
        "SBX-004.2",
        g.object_id(want).hex(),
        result.get("core"),
        f"{what}: the new core, both empty directories dropped and a as mounted",
    )
    returned_objects("sandbox-run dropping empty directories", reply)
