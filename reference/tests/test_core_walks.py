"""Every walk of a core stays linear in its size, and a DAG core costs what it expands to
(WIT-007.5, SBX-006.15, SBX-006.14).

* the runtime's presence check of a new core (WIT-007.3) holds a name per level, not a
  path, and walks a shared tree once: a chain of 255-byte names 3 000 and 8 000 deep is
  adopted through :meth:`Runtime.run_until_quiescent` and through ``gritwit runtime run``
  within a stated bound over a one-entry core's peak, and a 2**40-path DAG core is adopted
  after a walk of its 42 objects;
* the sandbox counts a core's entries over its distinct trees before it mounts anything:
  a DAG core past 2**18 entries fails ``output-too-large`` after reading K + 2 objects,
  one at the bound mounts; ``sandbox-run``'s own check of its objects reads each once.

Memory is measured with ``tracemalloc`` in process (the peak over the run against a
one-entry core's in the same test) and with the own peak of a fresh ``gritwit runtime
run`` (``peakrss``: ``os.wait4``'s ``ru_maxrss`` carries its spawner's); work is
counted in objects read, never timed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from aio import run
from peakrss import own_peak, own_peak_command

from gritwit import ObjectId
from gritwit._codec import object_id
from gritwit._errors import InvalidTransition, OutputTooLarge
from gritwit._objects import Blob, GritObject, Tree
from gritwit.runtime import Runtime
from gritwit.sandbox._interpreter import INSTALL_HINT, interpreter_path
from gritwit.sandbox._mount import MAX_CORE_ENTRIES, count_entries, mount_tree, unmount_tree
from gritwit.store import Store
from gritwit.wit import test_actor_core
from gritwit.wit._assemble import check_core_present

MIB = 1 << 20
NAME = "a" * 255
LEAF = Blob(data=b"x")
needs_interpreter = pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)


def chain(depth: int) -> tuple[ObjectId, list[GritObject]]:
    """A chain of ``depth`` trees each naming the next ``'a' * 255``, a blob at the bottom."""
    objects: list[GritObject] = [LEAF]
    top = object_id(LEAF)
    for _ in range(depth):
        tree = Tree(entries={NAME: top})
        objects.append(tree)
        top = object_id(tree)
    return top, objects


def dag(levels: int) -> tuple[ObjectId, list[GritObject]]:
    """``levels`` trees each naming the one below twice, over a tree of one blob: K + 2
    objects, 2**K paths to the blob, 3 * 2**K - 2 entries (SBX-006.15)."""
    bottom = Tree(entries={"f": object_id(LEAF)})
    objects: list[GritObject] = [LEAF, bottom]
    top = object_id(bottom)
    for _ in range(levels):
        tree = Tree(entries={"a": top, "b": top})
        objects.append(tree)
        top = object_id(tree)
    return top, objects


class Counting:
    """A memory store counting the objects read from it (``get_object``)."""

    def __init__(self, objects: list[GritObject]) -> None:
        self.store = Store.memory()
        for obj in objects:
            self.store.put_object(obj)
        self.reads = 0

    def get_object(self, oid: ObjectId) -> GritObject:
        self.reads += 1
        return self.store.get_object(oid)

    def has(self, oid: ObjectId) -> bool:
        return self.store.has(oid)

    def put_object(self, obj: GritObject) -> ObjectId:
        return self.store.put_object(obj)


def _counting_store(objects: list[GritObject]) -> Any:
    return Counting(objects)


# --- the runtime's presence check (WIT-007.3, WIT-007.5) -------------------------------


async def _adopt_peak(entry: ObjectId | None, objects: list[GritObject]) -> tuple[int, bool]:
    """The traced peak of a run that adopts a counter's genesis whose core holds ``entry``
    as ``deep`` (the check walks the whole new core, WIT-007.3), and whether it adopted."""
    core, code = test_actor_core("counter")
    if entry is not None:
        core = Tree(entries={**core.entries, "deep": entry})
    with Store.memory() as store:
        rt = Runtime(store)
        actor = await rt.genesis(core, (*code, *objects))
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        report = await rt.run_until_quiescent()
        peak = tracemalloc.get_traced_memory()[1] - base
        return peak, rt.head(actor) is not None and not report.failures


def _peaks(depth: int) -> tuple[int, int]:
    tracemalloc.start()
    try:
        one, ok_one = run(_adopt_peak(object_id(LEAF), [LEAF]))
        top, objects = chain(depth)
        deep, ok_deep = run(_adopt_peak(top, objects))
    finally:
        tracemalloc.stop()
    assert ok_one and ok_deep
    return one, deep


@pytest.mark.req("WIT-007.5", "WIT-007.3", "WIT-007.4")
@pytest.mark.parametrize("depth", [3000, 8000])
def test_a_deep_chain_is_adopted_in_memory_linear_in_its_depth(depth: int) -> None:
    """A genesis whose core is a chain 3 000 / 8 000 deep of 255-byte names: the run's
    traced peak is within 4 KiB a level of a one-entry core's (before: about
    123 * depth**2 bytes in the check alone, 1.1 GB at 3 000)."""
    one, deep = _peaks(depth)
    assert deep - one < depth * 4096, (one, deep)


@pytest.mark.req("WIT-007.5", "WIT-007.3")
def test_a_dag_core_is_checked_once_per_distinct_tree() -> None:
    """A 40-level DAG core (2**40 paths, 42 objects) is checked reading each tree once;
    one absent object at its bottom is still found, its path joined for the message."""
    top, objects = dag(40)
    store = _counting_store(objects)
    core = Tree(entries={"deep": top})
    check_core_present(store, core)
    assert store.reads <= 42, store.reads
    absent = Tree(entries={"f": object_id(Blob(data=b"absent"))})
    below = object_id(absent)
    store.put_object(absent)
    for _ in range(3):
        tree = Tree(entries={"b": below})
        store.put_object(tree)
        below = object_id(tree)
    with pytest.raises(InvalidTransition, match=r"WIT-007\.3.*core entry deep/b/b/b/f "):
        check_core_present(store, Tree(entries={"deep": below}))


@pytest.mark.req("WIT-007.5")
def test_a_small_dag_core_reads_each_tree_once() -> None:
    """A 12-level DAG (4,096 paths, 14 objects): each tree read once, so a walk that
    forgot the trees it walked reads thousands, and fails here rather than hang on 2**40."""
    top, objects = dag(12)
    store = _counting_store(objects)
    check_core_present(store, Tree(entries={"deep": top}))
    assert store.reads <= 14, store.reads


@pytest.mark.req("WIT-007.5", "WIT-007.3")
def test_a_runtime_adopts_a_2_40_path_dag_core_without_expanding_it() -> None:
    top, objects = dag(40)
    tracemalloc.start()
    try:
        peak, adopted = run(_adopt_peak(top, objects))
    finally:
        tracemalloc.stop()
    assert adopted and peak < 16 * MIB, peak


# --- gritwit runtime run, a fresh process measured from outside ------------------------


def _runtime_run_peak(folder: Path, entry: ObjectId, objects: list[GritObject]) -> int:
    """``gritwit runtime run`` of a store holding a counter's genesis whose core has
    ``deep`` = ``entry``: its own peak resident size (``peakrss``), in bytes."""
    core, code = test_actor_core("counter")
    return _genesis_peak(folder, Tree(entries={**core.entries, "deep": entry}), [*code, *objects])


def _genesis_peak(folder: Path, core: Tree, objects: list[GritObject], *options: str) -> int:
    """The peak resident size of a fresh ``gritwit runtime run`` that adopts the genesis of
    ``core`` (its own, ``peakrss``), in bytes."""
    with Store.open(folder) as store:
        actor = run(Runtime(store, send_commit="own").genesis(core, objects))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "gritwit", "runtime", "run", *options, str(folder)]
    report = folder.with_suffix(".peak")
    with open(folder.with_suffix(".out"), "wb") as out:
        command = own_peak_command(command, report)  # its own peak, not its spawner's
        child = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, _ = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, folder.with_suffix(".out").read_text()[-2000:]
    with Store.open(folder) as store:
        rt = Runtime(store)
        head = rt.head(actor)
        assert head is not None and head != actor, "the genesis was adopted"
    return own_peak(report)


@pytest.mark.slow
@pytest.mark.req("WIT-007.5", "WIT-007.3")
def test_runtime_run_adopts_an_8000_deep_chain_within_64_mib_of_a_one_entry_core(
    tmp_path: Path,
) -> None:
    """Peaks of fresh ``gritwit runtime run`` processes, measured from outside: a genesis
    core with a one-entry ``deep`` against one with an 8 000-deep chain of 255-byte names
    (before: killed at a 4 GB guard) and one with a 2**40-path DAG."""
    one = _runtime_run_peak(tmp_path / "one", object_id(LEAF), [LEAF])
    deep = _runtime_run_peak(tmp_path / "deep", *chain(8000))
    wide = _runtime_run_peak(tmp_path / "dag", *dag(40))
    assert deep - one < 64 * MIB, (one, deep)
    assert wide - one < 64 * MIB, (one, wide)


# --- the sandbox's mount (SBX-006.15, SBX-006.14) --------------------------------------


@pytest.mark.req("SBX-006.15")
@pytest.mark.parametrize("levels", [17, 40, 4000])
def test_a_dag_core_past_the_bound_is_refused_after_reading_each_object_once(
    levels: int,
) -> None:
    """K = 17 expands to 393 214 entries, past 2**18: ``output-too-large`` with K + 2
    objects read, nothing expanded — as for K = 40 and K = 4 000."""
    top, objects = dag(levels)
    store = _counting_store(objects)
    with pytest.raises(OutputTooLarge, match=r"SBX-006\.15"):
        mount_tree(store, top)
    assert store.reads <= levels + 2, store.reads


@pytest.mark.req("SBX-006.15", "SBX-004.1", "SBX-004.3")
def test_a_dag_core_below_the_bound_mounts_each_path_and_comes_back() -> None:
    """K = 16: 196 606 entries, within 2**18: every path is mounted, the objects read
    once each, and reading it back untouched gives the same tree."""
    top, objects = dag(16)
    store = _counting_store(objects)
    root, mounted = mount_tree(store, top)
    assert store.reads == 16 + 2  # each of its K + 2 distinct objects once
    node = root
    for _ in range(16):
        node = node.entries["b"]  # type: ignore[assignment]
    assert set(node.entries) == {"f"}  # type: ignore[attr-defined]
    assert unmount_tree(store, root, mounted, 1 << 30) == top


@pytest.mark.req("SBX-006.15")
def test_the_bound_on_both_sides_mounted_and_read_back() -> None:
    """A flat core of exactly ``bound`` entries mounts and comes back; at ``bound - 1`` it
    is refused before mounting, and read back past it fails ``output-too-large``; the
    default bound is 2**18."""
    assert MAX_CORE_ENTRIES == 1 << 18
    bound = 1000
    tree = Tree(entries={f"f{i}": object_id(LEAF) for i in range(bound)})
    store = _counting_store([LEAF, tree])
    top = object_id(tree)
    assert count_entries(store, top, tree, mount_tree(store, None)[1], bound) == bound
    root, mounted = mount_tree(store, top, max_entries=bound)
    assert unmount_tree(store, root, mounted, 1 << 20, max_entries=bound) == top
    with pytest.raises(OutputTooLarge, match=r"SBX-006\.15"):
        mount_tree(store, top, max_entries=bound - 1)
    with pytest.raises(OutputTooLarge, match=r"SBX-006\.15"):
        unmount_tree(store, root, mounted, 1 << 20, max_entries=bound - 1)


@needs_interpreter
@pytest.mark.req("SBX-006.15", "SBX-008.1", "ADP-019.3")
def test_sandbox_run_refuses_a_dag_core_past_the_bound_before_the_program() -> None:
    """Through the adapter's ``sandbox-run`` (its own check of the given objects, then the
    mount): K = 17 fails ``output-too-large``, K = 16 runs and comes back unchanged."""
    from gritwit._codec import encode_object
    from gritwit.adapter import ReferenceAdapter

    adapter = ReferenceAdapter()
    for levels, ok in ((16, True), (17, False), (40, False)):
        top, objects = dag(levels)
        reply = adapter.handle(
            {
                "seq": levels,
                "cmd": "sandbox-run",
                "program": "print('ran')",
                "core": top.hex(),
                "objects": [encode_object(o).hex() for o in objects],
            }
        )
        if ok:
            assert reply["ok"] and reply["core"] == top.hex(), str(reply)[:400]
        else:
            assert not reply["ok"] and reply["error"]["class"] == "output-too-large", reply


_CHAIN = """\
import os
name = 'a' * 255
fd = os.open('.', os.O_RDONLY)
for i in range({depth}):
    os.mkdir(name, dir_fd=fd)
    below = os.open(name, os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = below
os.close(os.open('f', os.O_CREAT | os.O_WRONLY, dir_fd=fd))
"""


@needs_interpreter
@pytest.mark.slow
@pytest.mark.req("WIT-007.5", "SBX-006.14", "SBX-010.1")
def test_runtime_run_adopts_a_sandboxed_genesis_making_an_8000_deep_chain(
    tmp_path: Path,
) -> None:
    """The issue's actor: a ``python-wasi`` program whose genesis transition makes a chain
    of 8 000 directories named with 255 bytes, adopted by a fresh ``gritwit runtime run``
    (generous time bound: the check is what is measured).  Its peak stays within 96 MiB
    of the same run of a program that makes nothing (before: killed at a 4 GB guard)."""
    one = _genesis_peak(tmp_path / "one", *_core("print(1)"), "--time-limit", "120")
    deep = _genesis_peak(
        tmp_path / "deep", *_core(_CHAIN.format(depth=8000)), "--time-limit", "120"
    )
    assert deep - one < 96 * MIB, (one, deep)


def _core(program: str) -> tuple[Tree, list[GritObject]]:
    from gritwit.adapter._sandbox import program_core

    core, objects = program_core(program, {})
    return core, list(objects)


@pytest.mark.req("SBX-004.2", "SBX-004.4", "SBX-006.14")
def test_a_host_directory_deeper_than_the_call_stack_is_read_into_a_tree(tmp_path: Path) -> None:
    """``sandbox run --mount DIR`` reads a host directory 1 500 levels deep (more than
    Python's call stack holds frames) into the chain it is, a file at the bottom; a link
    inside is still refused, with its path under the mount."""
    from gritwit._errors import ForbiddenOperation
    from gritwit.sandbox._mount import read_directory

    depth = 1500
    below = os.open(tmp_path, os.O_RDONLY)
    for _ in range(depth):  # each level opened from the one above: no long path needed
        os.mkdir("d", dir_fd=below)
        deeper = os.open("d", os.O_RDONLY, dir_fd=below)
        os.close(below)
        below = deeper
    with open(os.open("f", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=below), "wb") as out:
        out.write(b"bottom")
    store = Store.memory()
    node = read_directory(store, tmp_path, {}, 1 << 20)
    for _ in range(depth):
        tree = store.get_object(node)  # type: ignore[arg-type]
        assert isinstance(tree, Tree) and set(tree.entries) == {"d"}
        node = tree.entries["d"]
    tree = store.get_object(node)
    assert isinstance(tree, Tree) and store.get_object(tree.entries["f"]) == Blob(data=b"bottom")
    os.symlink("f", "l", dir_fd=below)
    os.close(below)
    try:
        with pytest.raises(ForbiddenOperation, match=r"SBX-004\.4.*'(d/){1500}l'"):
            read_directory(store, tmp_path, {}, 1 << 20)
    finally:
        _flatten(tmp_path)


def _flatten(top: Path) -> None:
    """Remove the chain of ``d`` below ``top`` a level at a time, its bottom's entries moved
    up to ``top``: pytest's clean-up of old temporary folders recurses once a level, and a
    chain deeper than the call stack would fail every later session's clean-up."""
    fd = os.open(top, os.O_RDONLY)
    try:
        while "d" in os.listdir(fd):
            sub = os.open("d", os.O_RDONLY, dir_fd=fd)
            try:
                for name in os.listdir(sub):
                    os.rename(name, "up-" + name, src_dir_fd=sub, dst_dir_fd=fd)
            finally:
                os.close(sub)
            os.rmdir("d", dir_fd=fd)
            for name in [n for n in os.listdir(fd) if n.startswith("up-")]:
                os.rename(name, name[3:], src_dir_fd=fd, dst_dir_fd=fd)
    finally:
        os.close(fd)


# --- a wide core's genesis reads each object once (SBX-006.15, WIT-007.5) -----------------

#: Names of the flat core: enough that a read per name is thousands of reads.
WIDE = 4096


@needs_interpreter
@pytest.mark.req("SBX-006.15", "SBX-006.17", "WIT-007.5", "RUN-005.10")
def test_a_flat_genesis_core_reads_its_one_blob_a_few_times_not_at_every_name(
    tmp_path: Path,
) -> None:
    """A ``python-wasi`` genesis whose core names one blob at 4 096 names, on a SQLite
    store: the bound's walk (SBX-006.17), the mount (SBX-006.15) and the presence check
    (WIT-007.5) ask the store about that blob (a read, or its tombstone on a cached copy)
    a few times in all, not once a name at each walk (before: 4 098 times, a tombstone
    query each, which made a flat core of 2**18 names overrun the default bound).  Work
    is counted in the store's answers, not timed."""
    from unittest import mock

    from gritwit.adapter._sandbox import program_core

    core, objects = program_core("print(1)\n", {f"f{i:04x}": LEAF for i in range(WIDE)})
    leaf = object_id(LEAF)
    asked: list[ObjectId] = []
    real_get, real_tombstone = Store.get_object, Store.tombstone

    def get_object(self: Store, oid: ObjectId) -> GritObject:
        asked.append(oid)
        return real_get(self, oid)

    def tombstone(self: Store, oid: ObjectId) -> str | None:
        asked.append(oid)
        return real_tombstone(self, oid)

    with Store.open(tmp_path / "store") as store:
        rt = Runtime(store)
        actor = run(rt.genesis(core, objects))
        with (
            mock.patch.object(Store, "get_object", get_object),
            mock.patch.object(Store, "tombstone", tombstone),
        ):
            report = run(rt.run_until_quiescent())
        assert not report.failures and rt.head(actor) is not None, report
    assert 0 < asked.count(leaf) <= 8, asked.count(leaf)
