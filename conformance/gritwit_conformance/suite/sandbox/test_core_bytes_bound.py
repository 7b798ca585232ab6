"""A core's bytes are bounded before it is mounted (SBX-006.16).

A core whose files hold more than the run's core limit — each blob's bytes at each path
it is reached by — is refused ``output-too-large`` before the interpreter starts, whatever
the program: even one that would remove a file and leave a core within the limit, or one
that would exit non-zero.  Files of exactly the limit mount.  Expected answers come from
the clause's arithmetic on the objects made here.  Written against
``gritwit_conformance.wrong.sandbox_core_bytes_unbounded``.
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from ._runs import check_class, failure_class

pytestmark = pytest.mark.profile("sandbox")

#: Removes one file, then exits 0: what it leaves is within any limit checked here.
_REMOVE = "import os\nos.remove('/core/{path}')\nprint('ran')\n"


def _core(objects: list[Any]) -> dict[str, Any]:
    return {
        "core": g.object_id(objects[-1]).hex(),
        "objects": [g.encode_object(o).hex() for o in objects],
    }


def _flat() -> dict[str, Any]:
    """Two files, 600 and 400 bytes: 1 000 bytes."""
    a, b = g.Blob(data=b"a" * 600), g.Blob(data=b"b" * 400)
    return _core([a, b, g.Tree(entries={"a": g.object_id(a), "b": g.object_id(b)})])


def _shared() -> dict[str, Any]:
    """One 500-byte file reached at two paths, ``x/f`` and ``y/f``: 1 000 bytes."""
    blob = g.Blob(data=b"s" * 500)
    below = g.Tree(entries={"f": g.object_id(blob)})
    top = g.Tree(entries={"x": g.object_id(below), "y": g.object_id(below)})
    return _core([blob, below, top])


def _shared_after_a_file() -> dict[str, Any]:
    """A 200-byte file ``a``, then one 400-byte file reached at two paths, ``x/f`` and
    ``y/f``: 1 000 bytes.  The shared subtree is first met after ``a``'s bytes were
    counted, so its own bytes are what the count grew by below it (400), not the count
    so far (600)."""
    first, blob = g.Blob(data=b"a" * 200), g.Blob(data=b"s" * 400)
    below = g.Tree(entries={"f": g.object_id(blob)})
    entries = {"a": g.object_id(first), "x": g.object_id(below), "y": g.object_id(below)}
    return _core([first, blob, below, g.Tree(entries=entries)])


@pytest.mark.req("SBX-006.16", "SBX-007.3", "ADP-019.2")
@pytest.mark.parametrize(
    ("make", "path"), [(_flat, "b"), (_shared, "x/f"), (_shared_after_a_file, "a")]
)
@pytest.mark.req("CONV-004")
def test_files_past_the_core_limit_are_refused_before_the_program(
    impl: Implementation, make: Any, path: str
) -> None:
    core = make()
    program = _REMOVE.format(path=path)
    check_class(
        "SBX-006.16",
        None,
        failure_class(impl, program, limits={"core": 1000}, **core),
        "a run whose files are exactly the core limit (1 000 bytes): they mount",
    )
    check_class(
        "SBX-006.16",
        "output-too-large",
        failure_class(impl, program, limits={"core": 999}, **core),
        "a run whose files (each blob counted at each path) are 1 000 bytes, past a core "
        "limit of 999, though the program would leave less: refused before it runs",
    )
    exits = "raise SystemExit(3)\n"
    check_class(
        "SBX-006.16",
        "output-too-large",
        failure_class(impl, exits, limits={"core": 999}, **core),
        "a program that exits at once over a core past the limit: refused before it runs",
    )
