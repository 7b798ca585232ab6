"""The bound on a ``python-wasi`` core where it enters: its genesis and an update
(SBX-006.17), by entries (SBX-006.15) and, at an update, by bytes (SBX-006.16).

SBX-006.15 bounds a core at 262 144 (2**18) entries where it is mounted; a runtime
refuses a core its actor's runs could not mount where the core enters, not at every run
after.  A genesis core past the bound fails the genesis ``too-large`` (retried, then the
failed mark: RUN-004) and the actor has no step; one at the bound is adopted and its run
mounts it.  An update whose *merged* core (WIT-013.4: trees of one name merged
recursively) passes the bound is refused ``too-large``, read by a step that keeps the
actor's last core (SBX-006.19), where an update that merges to exactly 2**18 entries is
adopted and the actor's next message runs on it.

The protocol describes a core entry by entry (a content description shares nothing), so
the cores are wide, not a DAG: 512 directories of 511 files, about 5 MB of JSON.  The
update that passes the bound is tiny (one file into a directory the core has): only its
merge with the core is past the bound, so a runtime that bounds the update's own tree,
or merges without recursing, adopts it.  SBX-006.16's bytes bound is reached at an update
only: a description repeats each file's bytes (64 MiB of files would be more than 128 MB
of JSON), so the actor's own run leaves 64 MiB - 1 byte, one blob named at seven paths,
and one-byte updates take the core to the limit and past it.  A genesis core past the
default bytes bound cannot be described within a request: ``test_runtime_core_limit.py``
sets a small core limit with ``rt-open`` (SBX-007.7) and checks a genesis, an update, an
import and a run at both sides of it.

Every runtime here keeps RUN-005.1's default bound on a transition: a core at the bound
is mountable, so its genesis and every run on it mount it within that bound (the mount
is host work counted against it, RUN-005.10), flat — 2**18 files in one directory — as
well as nested.
Written against ``gritwit_conformance.wrong.runtime_update_core_unbounded``,
``runtime_entry_core_unbounded`` and ``sandbox_mount_reads_at_every_name``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal, ok_answer, suite_premise
from ._heads import failed_mark, head_core

pytestmark = [pytest.mark.profile("sandbox"), pytest.mark.profile("runtime"), pytest.mark.slow]

BOUND = 2**18
#: Reads nothing and writes nothing under ``/core``: a run leaves the core it was given.
PROGRAM = "print(1)\n"
#: Each file's data (hex): one byte, shared by every file (one blob).
DATA = "78"
LEAF = g.Blob(data=bytes.fromhex(DATA))
#: The data an update gives one file instead.
OTHER = g.Blob(data=b"y")
#: The retries of a failed transition before the failed mark (RUN-004.3).
ATTEMPTS = 5
#: Seconds the harness waits for an ``rt-run`` here, beyond its own limit: not the
#: runtime's bound (RUN-005.1's default, which counts a transition's work), but room for
#: a loaded machine's wall time and RUN-004's retries of a refused genesis.
RUN_WAIT = 120
#: The core's directories, and the files of each: 512 * (1 + 511) = 2**18 entries.
DIRECTORIES, FILES = 512, 511


def _shape(extra: int) -> dict[str, int]:
    """Files per directory: ``DIRECTORIES`` of ``FILES``, and ``extra`` files ``z<i>``
    beside them (``-1``: a file, not a directory)."""
    shape = {f"{i:03x}": FILES for i in range(DIRECTORIES)}
    shape.update({f"z{i}": -1 for i in range(extra)})
    return shape


def _entries(shape: dict[str, int]) -> int:
    return sum(1 + max(files, 0) for files in shape.values())


def _described(
    shape: dict[str, int], interpreter: str, program: str = PROGRAM
) -> tuple[Any, dict[str, g.ObjectId]]:
    """The genesis content description of a ``python-wasi`` core of ``shape`` (ADP-019.7's
    ``wit`` blob), and the core's entries, computed here from the objects."""
    headers = {"interpreter": interpreter, "runtime": "python-wasi", "sandbox": "1"}
    wit = g.Blob(data=program.encode(), headers=headers)
    blob = {"blob": DATA}
    entries: dict[str, Any] = {"wit": {"blob": program.encode().hex(), "headers": headers}}
    ids = {"wit": g.object_id(wit)}
    for name, files in shape.items():
        if files < 0:
            entries[name], ids[name] = blob, g.object_id(LEAF)
            continue
        names = [f"{j:03x}" for j in range(files)]
        entries[name] = {"tree": dict.fromkeys(names, blob)}
        ids[name] = g.object_id(g.Tree(entries=dict.fromkeys(names, g.object_id(LEAF))))
    return {"tree": entries}, ids


def _genesis(
    impl: Implementation, runtime: str, shape: dict[str, int], program: str = PROGRAM
) -> tuple[str, dict[str, g.ObjectId]]:
    """Send the genesis of a core of ``shape`` from the outside (WIT-012.1), as
    ``rt-genesis`` sends a test actor's: the actor (the core's id) and the core's entries."""
    interpreter = str(call_ok(impl, "SBX-006.17", "sandbox-info")["interpreter"])
    content, ids = _described(shape, interpreter, program)
    actor = g.object_id(g.Tree(entries=ids)).hex()
    # a valid request; check=False spares the harness's schema check of its 2**18
    # descriptions (seconds), not the adapter's own checks
    sent = impl.call(
        "rt-send", check=False, runtime=runtime, to=actor, mt="genesis", content=content
    )
    ok_answer(sent, "SBX-006.17", "rt-send of the genesis")
    return actor, ids


def _open(impl: Implementation, path: Path) -> str:
    """A runtime with RUN-005.1's default bound on a transition (no ``time_limit``): a
    core at the entries bound is mountable, so its runs mount it within that bound."""
    path.mkdir(exist_ok=True)
    opened = impl.call("rt-open", path=str(path))
    return str(ok_answer(opened, "SBX-006.17", "rt-open")["runtime"])


def _run(impl: Implementation, runtime: str) -> Any:
    """``rt-run``, the harness waiting ``RUN_WAIT`` seconds more than for a quick answer."""
    reply = impl.call_taking(RUN_WAIT, "rt-run", runtime=runtime, max_steps=10)
    return ok_answer(reply, "SBX-006.17", "rt-run")


def _outcome(run: Any) -> dict[str, Any]:
    """A run's failures, attempts and number of steps: what the checks compare."""
    return {
        "failures": run["failures"],
        "attempts": run["attempts"],
        "steps": len(run["steps"]),
    }


@pytest.mark.req("SBX-006.17", "SBX-006.15", "WIT-012.1", "RUN-004.1", "RUN-004.4")
@pytest.mark.req("SBX-013.1", "ADP-015")
@pytest.mark.inputs("past-largest")
def test_a_genesis_core_past_the_entries_bound_is_refused_at_its_genesis(
    impl: Implementation, tmp_path: Path
) -> None:
    """A ``python-wasi`` genesis core of 2**18 + 1 entries (``wit`` is not mounted,
    SBX-011.1) fails its genesis ``too-large`` at every attempt, not ``output-too-large``
    at a mount: it is marked failed and has no step.  One of 2**18 is adopted: the next
    test."""
    shape = _shape(1)
    suite_premise(_entries(shape) == BOUND + 1, "the shape is one entry past the bound")
    runtime = _open(impl, tmp_path / "rt")
    try:
        actor, _ = _genesis(impl, runtime, shape)
        run = _run(impl, runtime)
        refused = [[actor, "too-large"]]
        check_equal(
            ("SBX-006.17", "SBX-013.1"),
            {"attempts": refused * ATTEMPTS, "failures": refused},
            {"attempts": run["attempts"], "failures": run["failures"]},
            "the run of a python-wasi genesis core of 2**18 + 1 entries: its genesis fails "
            "too-large where it enters, retried, then marked failed",
        )
        check_equal(
            ("SBX-006.17", "RUN-004.1"),
            None,
            head_core(impl, runtime, actor, "SBX-006.17"),
            "the head core after the refused genesis: none, no step adopted",
        )
        mark = failed_mark(impl, runtime, actor, "SBX-006.17")
        check_equal(
            "RUN-004.4",
            {"actor": actor, "attempts": ATTEMPTS, "error": "too-large"},
            mark,
            "the failed mark: it names the refusal's class",
        )
    finally:
        impl.call("rt-close", runtime=runtime)


#: The flat core's files, all in ``/core`` itself: ``FLAT + extra`` entries.
FLAT = BOUND


def _flat(extra: int) -> dict[str, int]:
    """``FLAT + extra`` files side by side in ``/core`` (``-1``: a file, not a directory)."""
    return {f"{i:05x}": -1 for i in range(FLAT + extra)}


@pytest.mark.req("SBX-006.17", "SBX-006.15", "WIT-012.1", "RUN-005.1", "RUN-005.10")
@pytest.mark.req("RUN-004.1", "RUN-004.4", "SBX-013.1", "ADP-015", "SBX-004.3")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("extra", [0, 1], ids=["at-the-bound", "past-it"])
def test_a_flat_genesis_core_is_mounted_within_the_default_bound_or_refused(
    impl: Implementation, tmp_path: Path, extra: int
) -> None:
    """A genesis core of 2**18 files in one directory (``wit`` beside them is not mounted,
    SBX-011.1) is adopted, its genesis run mounting it within RUN-005.1's default bound on a
    transition (the mount is host work counted against it, RUN-005.10), and the step keeps
    it; one more file and the genesis fails ``too-large`` at every attempt, then the failed
    mark (SBX-006.17, RUN-004)."""
    if extra == 0 and sys.gettrace() is not None:
        pytest.skip(
            "a traced run (gritwit mutate's test map) does the in-process mount's work "
            "several times over, past the default bound on a transition it judges"
        )
    shape = _flat(extra)
    suite_premise(_entries(shape) == BOUND + extra, "the flat shape has FLAT + extra entries")
    runtime = _open(impl, tmp_path / "rt")
    try:
        actor, _ = _genesis(impl, runtime, shape)
        run = _run(impl, runtime)
        if extra == 0:
            check_equal(
                ("RUN-005.1", "RUN-005.10", "SBX-006.15"),
                {"attempts": [], "failures": []},
                {"attempts": run["attempts"], "failures": run["failures"]},
                "the run of a python-wasi genesis core of exactly 2**18 files in one "
                "directory: mountable, so adopted, its run mounting it within the runtime's "
                "default bound on a transition",
            )
            check_equal(
                ("SBX-006.17", "SBX-004.3"),
                actor,
                head_core(impl, runtime, actor, "SBX-006.17"),
                "the head core after the genesis: the genesis core, which its run left as it was",
            )
            return
        refused = [[actor, "too-large"]]
        check_equal(
            ("SBX-006.17", "SBX-013.1"),
            {"attempts": refused * ATTEMPTS, "failures": refused},
            {"attempts": run["attempts"], "failures": run["failures"]},
            "the run of a python-wasi genesis core of 2**18 + 1 files in one directory: its "
            "genesis fails too-large where it enters, retried, then marked failed",
        )
        check_equal(
            ("SBX-006.17", "RUN-004.1"),
            None,
            head_core(impl, runtime, actor, "SBX-006.17"),
            "the head core after the refused genesis: none, no step adopted",
        )
        check_equal(
            "RUN-004.4",
            {"actor": actor, "attempts": ATTEMPTS, "error": "too-large"},
            failed_mark(impl, runtime, actor, "SBX-006.17"),
            "the failed mark: it names the refusal's class",
        )
    finally:
        impl.call("rt-close", runtime=runtime)


def _send(impl: Implementation, runtime: str, actor: str, mt: str, content: Any) -> None:
    call_ok(impl, "SBX-006.17", "rt-send", runtime=runtime, to=actor, mt=mt, content=content)


def _into_last(name: str, data: str) -> dict[str, Any]:
    """An update setting the file ``<last directory>/<name>`` (WIT-013.1)."""
    return {"tree": {f"{DIRECTORIES - 1:03x}": {"tree": {name: {"blob": data}}}}}


@pytest.mark.req("SBX-006.17", "SBX-006.15", "WIT-012.1", "WIT-013.4", "SBX-006.19")
@pytest.mark.req("ADP-015", "SBX-004.3")
@pytest.mark.inputs("largest", "past-largest")
def test_an_update_whose_merged_core_is_past_the_entries_bound_is_refused(
    impl: Implementation, tmp_path: Path
) -> None:
    """A genesis core of exactly 2**18 entries is adopted.  An update replacing one file
    of its last directory merges (WIT-013.4) to 2**18 entries again: adopted, and the next
    message runs on it.  An update adding a file to that directory merges to 2**18 + 1
    entries, though its own tree holds two: refused ``too-large``, the actor keeps its
    last core."""
    shape = _shape(0)
    suite_premise(_entries(shape) == BOUND, "the shape is exactly the bound")
    runtime = _open(impl, tmp_path / "rt")
    try:
        actor, ids = _genesis(impl, runtime, shape)
        run = _run(impl, runtime)
        check_equal(
            ("SBX-006.17", "SBX-006.15"),
            {"failures": [], "attempts": []},
            {"failures": run["failures"], "attempts": run["attempts"]},
            "the run of a python-wasi genesis core of exactly 2**18 entries: adopted and mounted",
        )
        check_equal(
            "SBX-004.3",
            actor,
            head_core(impl, runtime, actor, "SBX-006.17"),
            "the genesis step's core: the genesis core, which its run left as it was",
        )
        names = [f"{j:03x}" for j in range(FILES)]
        last = {**dict.fromkeys(names, g.object_id(LEAF)), names[0]: g.object_id(OTHER)}
        kept = {**ids, f"{DIRECTORIES - 1:03x}": g.object_id(g.Tree(entries=last))}
        kept_core = g.object_id(g.Tree(entries=kept)).hex()
        _send(impl, runtime, actor, "update", _into_last(names[0], OTHER.data.hex()))
        _send(impl, runtime, actor, "note", {"blob": DATA})
        run = _run(impl, runtime)
        check_equal(
            ("SBX-006.17", "SBX-006.15"),
            {"failures": [], "attempts": [], "steps": 2},
            _outcome(run),
            "the run of an update that merges to a core of exactly 2**18 entries, then a "
            "message: both adopted, the message run on that core",
        )
        check_equal(
            "WIT-013.4",
            kept_core,
            head_core(impl, runtime, actor, "SBX-006.17"),
            "the update's core: the old core with one file of its last directory replaced, "
            "the directory merged, left as it was by the next run",
        )
        _send(impl, runtime, actor, "update", _into_last("zzz", DATA))
        run = _run(impl, runtime)
        check_equal(
            ("SBX-006.17", "SBX-006.19"),
            {"failures": [], "attempts": [], "steps": 1},
            _outcome(run),
            "the run of an update whose merge with the core expands to 2**18 + 1 entries "
            "(its own tree holds two): refused too-large where it enters by one step that "
            "reads it, no failed attempt",
        )
        check_equal(
            ("SBX-006.17", "SBX-006.19"),
            kept_core,
            head_core(impl, runtime, actor, "SBX-006.17"),
            "the core of the refused update's step: the last core",
        )
        check_equal(
            "SBX-006.19",
            None,
            failed_mark(impl, runtime, actor, "SBX-006.17"),
            "the failed mark after the refused update: none",
        )
    finally:
        impl.call("rt-close", runtime=runtime)


#: Leaves 64 MiB - 1 byte of files at its first run, and nothing new after: eight files,
#: seven naming one blob of 8 MiB, ``f0`` one of 8 MiB - 1 byte.
FILL = (
    "import os\n"
    "if not os.path.exists('f0'):\n"
    "    buf = b'x' * (8 << 20)\n"
    "    for i in range(8):\n"
    "        with open(f'f{i}', 'wb') as f:\n"
    "            f.write(buf if i else buf[:-1])\n"
)
MIB = 1 << 20


@pytest.mark.req("SBX-006.17", "SBX-006.16", "WIT-013.4", "SBX-007.3", "SBX-006.19")
@pytest.mark.req("SBX-004.2")
@pytest.mark.inputs("largest", "past-largest")
def test_an_update_past_the_core_limit_in_bytes_is_refused(
    impl: Implementation, tmp_path: Path
) -> None:
    """A run leaves 64 MiB - 1 byte of files, one blob named at seven paths counted at each
    (SBX-006.16).  An update adding a file of one byte merges to exactly the core limit
    (64 MiB): adopted, and the next message runs on it; an update adding another byte is
    refused ``too-large``, the actor keeping its last core.  A description cannot carry
    64 MiB (each file's bytes again), so the bytes come from the actor's own run."""
    runtime = _open(impl, tmp_path / "rt")
    try:
        actor, ids = _genesis(impl, runtime, {}, FILL)
        _send(impl, runtime, actor, "fill", {"blob": DATA})
        run = _run(impl, runtime)
        check_equal(
            "SBX-007.3",
            {"failures": [], "attempts": [], "steps": 1},
            _outcome(run),
            "the run that leaves 64 MiB - 1 byte of files: within the core limit",
        )
        full, short = g.Blob(data=b"x" * (8 * MIB)), g.Blob(data=b"x" * (8 * MIB - 1))
        files = {f"f{i}": g.object_id(full if i else short) for i in range(8)}
        filled = {**ids, **files}
        check_equal(
            "SBX-004.2",
            g.object_id(g.Tree(entries=filled)).hex(),
            head_core(impl, runtime, actor, "SBX-006.17"),
            "the run's core: its eight files beside its wit",
        )
        kept = g.object_id(g.Tree(entries={**filled, "u": g.object_id(LEAF)})).hex()
        _send(impl, runtime, actor, "update", {"tree": {"u": {"blob": DATA}}})
        _send(impl, runtime, actor, "note", {"blob": DATA})
        run = _run(impl, runtime)
        check_equal(
            ("SBX-006.17", "SBX-006.16"),
            {"failures": [], "attempts": [], "steps": 2},
            _outcome(run),
            "the run of an update that merges to files of exactly the core limit (64 MiB, a "
            "blob named at seven paths counted at each), then a message: both adopted",
        )
        check_equal(
            "WIT-013.4",
            kept,
            head_core(impl, runtime, actor, "SBX-006.17"),
            "the update's core: the old core with u merged in",
        )
        _send(impl, runtime, actor, "update", {"tree": {"v": {"blob": DATA}}})
        run = _run(impl, runtime)
        check_equal(
            ("SBX-006.17", "SBX-006.16", "SBX-006.19"),
            {"failures": [], "attempts": [], "steps": 1},
            _outcome(run),
            "the run of an update whose merged core holds 64 MiB + 1 byte of files (a blob "
            "named at seven paths counts at each): refused too-large where it enters by one "
            "step that reads it, no failed attempt",
        )
        check_equal(
            ("SBX-006.17", "SBX-006.19"),
            kept,
            head_core(impl, runtime, actor, "SBX-006.17"),
            "the core of the refused update's step: the last core",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
