"""Paths paid by their walk, and a host that holds nothing growing with a path's depth.

* SBX-006.13: a path costs 20 000 and 2 000 per component, paid from its bytes alone,
  whatever the walk meets and however deep it starts; a directory rename pays the levels
  above its target.  Each program here needs exactly the fuel the in-process reference
  meters for it: it runs with that fuel and fails ``fuel-exhausted`` with one unit less.
  A host that charges a path a flat rate, whatever its components, needs less, and a host
  that charges by the depth a walk starts from needs more.
* SBX-006.14: a chain of 2 000 directories with names of 255 bytes, made one ``dir_fd``
  level at a time and read back, then mounted and read back again, and 1 000 descriptors
  of a file at its bottom grow the implementation's peak resident size by far less than a
  host that keeps a path per level or per descriptor (about 600 MB and 500 MB), where it
  can be read (Linux ``VmHWM``, as ``test_hostile_bounds.py`` reads it).
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, ok_answer
from ._runs import check_class, encodings, failure_class, ran, returned_objects
from .test_failed_calls_and_sends import _needs_interpreter, _reference_fuel
from .test_hostile_bounds import _counter_still_counts, _peak_bytes

pytestmark = pytest.mark.profile("sandbox")


#: A descriptor ``fd`` {depth} directories down a chain ``d``, made one level at a time;
#: ``root`` is ``/core``.
CHAIN = (
    "import os\nroot = os.open('.', os.O_RDONLY)\nfd = os.open('.', os.O_RDONLY)\n"
    "for i in range({depth}):\n    os.mkdir('d', dir_fd=fd)\n"
    "    below = os.open('d', os.O_RDONLY, dir_fd=fd)\n    os.close(fd)\n    fd = below\n"
    "os.close(os.open('f', os.O_CREAT | os.O_WRONLY, dir_fd=fd))\nos.mkdir('e', dir_fd=fd)\n"
)

#: Programs whose fuel is mostly their walks: long paths, deep starts, ``..``, failed walks
#: and directory renames deep down.
WALKS = {
    "a long path, many times": CHAIN.format(depth=300)
    + "p = 'd/' * 299 + 'd/f'\nfor i in range(40):\n    os.stat(p, dir_fd=root)\nprint('ok')\n",
    "a short path from deep down": CHAIN.format(depth=1500)
    + "for i in range(40):\n    os.stat('f', dir_fd=fd)\n    os.stat(fd)\nprint('ok')\n",
    "climbs and empty components": CHAIN.format(depth=300)
    + "p = '../' * 200 + './/' * 100 + 'd/' * 200 + 'f'\n"
    + "for i in range(40):\n    os.stat(p, dir_fd=fd)\nprint('ok')\n",
    "walks that fail": CHAIN.format(depth=50)
    + "for p in ('x/' * 500 + 'f', 'f/' + 'd/' * 500, '../' * 50 + 'x'):\n"
    + "    for i in range(20):\n        try:\n            os.stat(p, dir_fd=fd)\n"
    + "        except OSError as e:\n            pass\nprint('ok')\n",
    "directory renames deep down": CHAIN.format(depth=1500)
    + "for i in range(20):\n    os.rename('e', 'e2', src_dir_fd=fd, dst_dir_fd=fd)\n"
    + "    os.rename('e2', 'e', src_dir_fd=fd, dst_dir_fd=fd)\nprint('ok')\n",
}


@pytest.mark.req("SBX-006.13", "SBX-006.5")
@pytest.mark.parametrize("name", list(WALKS))
@pytest.mark.req("ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_a_walk_costs_exactly_its_components_from_any_depth(
    impl: Implementation, name: str
) -> None:
    """The run needs exactly the reference's fuel: enough with it, ``fuel-exhausted`` with one
    unit less (SBX-006.13's rates, SBX-006.5's for the rest)."""
    _needs_interpreter()
    program = WALKS[name]
    need = _reference_fuel(program)
    done = ran(impl, program, limits={"fuel": need})
    check_equal(
        "SBX-006.13", b"ok\n".hex(), done.get("stdout"), f"{name}: the stdout within {need} fuel"
    )
    check_class(
        "SBX-006.13",
        "fuel-exhausted",
        failure_class(impl, program, limits={"fuel": need - 1}),
        f"{name} within {need - 1} fuel, one less than it needs as SBX-006.13 prices its "
        "paths (20 000 a path, 2 000 a component, 2 000 a level above a renamed directory's "
        "target); a host that charges less for its walks, a flat rate a path, lets it finish",
    )


# --- what the host holds (SBX-006.14) -------------------------------------------------------

#: How much the implementation's peak may grow for each program: the runs' guest memory and
#: more, far less than a path per level (about 600 MB) or per descriptor (about 500 MB).
GROWTH = 256 << 20

#: A chain of 2 000 directories with names of 255 bytes, one ``dir_fd`` level at a time,
#: under ``{top}``, a file ``f`` at the bottom and ``fd`` the directory holding it.
LONG_NAMES = (
    "import os\nname = 'a' * 255\nfd = os.open('{top}', os.O_RDONLY)\n"
    "for i in range(2000):\n    os.mkdir(name, dir_fd=fd)\n"
    "    below = os.open(name, os.O_RDONLY, dir_fd=fd)\n    os.close(fd)\n    fd = below\n"
    "os.close(os.open('f', os.O_CREAT | os.O_WRONLY, dir_fd=fd))\n"
)


def _grown(impl: Implementation, before: int | None) -> int | None:
    after = _peak_bytes(impl)
    return None if before is None or after is None else after - before


@pytest.mark.req("SBX-006.14", "SBX-004.1", "SBX-004.2", "SBX-004.3")
@pytest.mark.req("ADP-019.2", "ADP-019.4", "ENC-014")
def test_a_deep_core_comes_back_and_mounts_again_in_linear_memory(impl: Implementation) -> None:
    _counter_still_counts(impl)  # the implementation warm: its baseline
    before = _peak_bytes(impl)
    program = LONG_NAMES.format(top=".") + "print('made')\n"
    reply = impl.call("sandbox-run", program=program)
    result = ok_answer(
        reply, "SBX-006.14", "a run making a chain of 2 000 directories, a file at the bottom"
    )
    objects = returned_objects("the chain's run", reply)
    core = result.get("core")
    check_equal(
        "SBX-004.2",
        2002,
        len(objects),
        "the objects of the chain's core: 2 000 trees, the core's own and the file's blob",
    )
    again = impl.call(
        "sandbox-run", program="print('again')\n", core=core, objects=encodings(objects, core)
    )
    kept = ok_answer(again, "SBX-004.3", "a run over the chain's core that leaves it untouched")
    check_equal(
        "SBX-004.3", core, kept.get("core"), "the new core of the run that left it untouched"
    )
    grown = _grown(impl, before)
    if grown is not None:
        check(
            "SBX-006.14",
            grown <= GROWTH,
            expected=f"a peak grown by at most {GROWTH >> 20} MiB: what it holds is linear in "
            "the core, not a path per level",
            came=f"{grown >> 20} MiB more",
            what="the implementation's peak for a chain of 2 000 directories",
        )
    _counter_still_counts(impl)


@pytest.mark.req("SBX-006.14", "SBX-005.11")
@pytest.mark.req("ADP-019.2", "ADP-019.4", "ENC-014")
def test_descriptors_deep_in_a_chain_pin_no_path(impl: Implementation) -> None:
    _counter_still_counts(impl)
    before = _peak_bytes(impl)
    program = LONG_NAMES.format(top="/out") + (
        "files = [os.open('f', os.O_RDONLY, dir_fd=fd) for _ in range(1000)]\n"
        "print(len(files), len({os.fstat(f).st_ino for f in files}))\n"
    )
    done = ran(impl, program)
    check_equal(
        "SBX-005.11",
        b"1000 1\n".hex(),
        done.get("stdout"),
        "the stdout of 1 000 descriptors of one file: one inode number",
    )
    grown = _grown(impl, before)
    if grown is not None:
        check(
            "SBX-006.14",
            grown <= GROWTH,
            expected=f"a peak grown by at most {GROWTH >> 20} MiB: a descriptor holds no copy "
            "of its path",
            came=f"{grown >> 20} MiB more",
            what="the implementation's peak for 1 000 descriptors of a file 2 000 directories down",
        )
    _counter_still_counts(impl)
