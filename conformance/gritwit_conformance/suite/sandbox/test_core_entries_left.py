"""The bound on a core's entries, on what a run leaves behind (SBX-006.15).

SBX-006.15 bounds a core's expansion at 262 144 (2**18) entries in two places: where a
core is mounted (``test_core_expansion.py``) and on what a run leaves under ``/core``
(files and directories, empty ones included), so that no run leaves a core its next run
could not mount. Here the mounted core has 2**18 - 1 entries, one below the bound, and
the program adds to it: one file leaves exactly 2**18 (the run succeeds, the new core
holds it), two files or a file and an empty directory leave 2**18 + 1 (the run fails
``output-too-large``, SBX-008.1's class for the core limit's place).
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, error_answer, ok_answer, suite_premise
from ._runs import returned_objects

pytestmark = pytest.mark.profile("sandbox")

LEAF = g.Blob(data=b"x")
BOUND = 2**18


def _below() -> tuple[g.Tree, list[str]]:
    """1 023 directories of 255 files and one of 254: 2**18 - 1 entries of one blob."""
    full = g.Tree(entries={f"f{i}": g.object_id(LEAF) for i in range(255)})
    short = g.Tree(entries={f"f{i}": g.object_id(LEAF) for i in range(254)})
    entries = {f"d{i:04}": g.object_id(full) for i in range(1023)}
    entries["d1023"] = g.object_id(short)
    top = g.Tree(entries=entries)
    suite_premise(BOUND - 1 == 1023 * 256 + 255, "the entries add up to one under the bound")
    encoded = sorted(g.encode_object(obj).hex() for obj in (LEAF, full, short, top))
    return top, encoded


#: What each program adds to ``/core`` (the run's working directory), in entries.
PROGRAMS: dict[str, tuple[str, int]] = {
    "one-file": ("open('z', 'w').write('x')\n", 1),
    "two-files": ("open('y', 'w').write('x')\nopen('z', 'w').write('x')\n", 2),
    "file-and-empty-directory": ("import os\nos.mkdir('e')\nopen('z', 'w').write('x')\n", 2),
}


@pytest.mark.req("SBX-006.15", "SBX-007.3", "SBX-008.1", "SBX-004.2", "ADP-019.2", "ENC-014")
@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.req("CONV-004")
def test_a_run_may_leave_a_core_at_the_bound_and_no_more(impl: Implementation, name: str) -> None:
    top, objects = _below()
    program, added = PROGRAMS[name]
    reply: Any = impl.call(
        "sandbox-run", program=program, core=g.object_id(top).hex(), objects=objects
    )
    left = BOUND - 1 + added
    if left <= BOUND:
        result = ok_answer(
            reply, "SBX-006.15", f"a run leaving {left} entries under /core, the bound of 2**18"
        )
        want = g.Tree(entries={**top.entries, "z": g.object_id(LEAF)})
        check_equal(
            "SBX-004.2",
            g.object_id(want).hex(),
            result.get("core"),
            "the new core: the mounted one with the file z added",
        )
        returned_objects("sandbox-run leaving a core at the bound", reply)
    else:
        error_answer(
            reply,
            ("SBX-006.15", "SBX-008.1"),
            "output-too-large",
            f"a run leaving {left} entries under /core, past 2**18 (files and directories, "
            "empty ones included): no run leaves a core its next run could not mount",
        )
