"""A core file whose blob a run of the runtime stored, then erased: an update whose new
core names it fails (RUN-011.3, SBX-006.17).

A run that writes a new file under ``/core`` leaves a core naming a new blob, stored when
its step is committed.  A runtime may keep the objects it stored and what it learned of
them (that a blob it has just stored as new had no tombstone), and may read a core's next
files together (SBX-006.15, SBX-006.16), but an erased blob's bytes are gone for every
read through the runtime (RUN-011.3), however it came to hold them.

Here one actor's run writes the file; another ``python-wasi`` actor, imported with a core
naming the same blob (RUN-009), is sent an update adding a file after the blob was
erased.  The update's new core is walked where it enters (SBX-006.17), the walk of
SBX-006.16 that reads each distinct blob once: it reads the erased blob, so the update's
transition fails as an error without a Wit-chapter class, ``failed``, at each attempt,
and the actor is marked failed after the 5th (RUN-004.3, RUN-004.4).  Were the file's
bytes given to the walk, the update would be adopted as a step.

The imported actor's program and files reach the runtime by the import alone and the
update is a tree, so between the erasure and that walk the runtime reads no blob it had
read or stored before but the erased one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal
from ._heads import failed_mark, head_core

pytestmark = [pytest.mark.profile("sandbox"), pytest.mark.profile("runtime")]

#: The bytes of the file the writer's run makes.
MADE = b"made by a run"
#: The writer's program: makes ``/core/made`` once.
WRITER = (
    "import os\n"
    "if not os.path.exists('/core/made'):\n"
    f"    open('/core/made', 'wb').write({MADE!r})\n"
)
#: The reader's program: writes nothing, so a run that mounts its core leaves it.
READER = "print('reader')\n"
#: The writer's core files as its genesis gives them.
WRITER_FILES = {"a": b"writer's file"}
#: The reader's core files as its genesis gives them: ``made`` names the blob the writer's
#: run makes.
READER_FILES = {"b": b"reader's file", "made": MADE}
#: The update sent to the reader: a tree adding one file (WIT-013.4).
UPDATE: dict[str, Any] = {"tree": {"c": {"blob": b"added by the update".hex()}}}
#: The attempts of a failing transition before the failed mark (RUN-004.3).
ATTEMPTS = 5


def _open(impl: Implementation, path: Path) -> str:
    path.mkdir()
    return str(call_ok(impl, "ADP-015", "rt-open", path=str(path), first_delay=0)["runtime"])


def _genesis(
    impl: Implementation, runtime: str, files: dict[str, bytes], program: str
) -> tuple[str, dict[str, g.ObjectId]]:
    """Send the genesis of a ``python-wasi`` core of ``files`` and ``program`` from the
    outside (WIT-012.1); the actor (the core's id) and the ids of the core's entries."""
    interpreter = str(call_ok(impl, "ADP-019.5", "sandbox-info")["interpreter"])
    headers = {"interpreter": interpreter, "runtime": "python-wasi", "sandbox": "1"}
    tree: dict[str, Any] = {name: {"blob": data.hex()} for name, data in files.items()}
    tree["wit"] = {"blob": program.encode().hex(), "headers": headers}
    ids = {name: g.object_id(g.Blob(data=data)) for name, data in files.items()}
    ids["wit"] = g.object_id(g.Blob(data=program.encode(), headers=headers))
    actor = g.object_id(g.Tree(entries=ids)).hex()
    call_ok(
        impl, "ADP-015", "rt-send", runtime=runtime, to=actor, mt="genesis", content={"tree": tree}
    )
    return actor, ids


def _run(impl: Implementation, runtime: str) -> Any:
    return call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=10)


def _ran(run: Any, actor: str, what: str) -> None:
    check_equal(
        ("SBX-006.15", "ADP-015"),
        {"failures": [], "attempts": [], "actors": [actor]},
        {
            "failures": run["failures"],
            "attempts": run["attempts"],
            "actors": sorted({a for a, _ in run["steps"]}),
        },
        what,
    )


def _exported_reader(impl: Implementation, path: Path) -> tuple[str, str, str]:
    """The reader actor, made in a runtime of its own: (actor, head step, bundle)."""
    source = _open(impl, path)
    try:
        actor, _ = _genesis(impl, source, READER_FILES, READER)
        _ran(_run(impl, source), actor, "rt-run of the reader's genesis, in a runtime of its own")
        head = call_ok(impl, "ADP-015", "rt-head", runtime=source, actor=actor)["step"]
        bundle = call_ok(impl, "ADP-015", "rt-export", runtime=source, actor=actor)["bundle"]
    finally:
        impl.call("rt-close", runtime=source)
    return actor, str(head), str(bundle)


@pytest.mark.req("RUN-011.3", "RUN-004.3", "RUN-004.4", "SBX-006.17", "SBX-006.16")
@pytest.mark.req("RUN-009.8", "SBX-006.15", "ADP-015")
@pytest.mark.req("ADP-019.5")  # sandbox-info names the interpreter of its wit
def test_an_update_whose_core_names_a_blob_a_run_stored_then_erased_fails(
    impl: Implementation, tmp_path: Path
) -> None:
    """The writer's run makes ``/core/made``, stored with its step; the reader, whose core
    names the same blob, is imported, the blob erased, and the reader sent an update adding
    a file.  The update's new core is walked where it enters, each distinct blob read
    once: the walk reads the erased blob, so the update fails ``failed`` at each of the 5
    attempts, the reader is marked failed, and its head stays the imported one."""
    reader, head, bundle = _exported_reader(impl, tmp_path / "source")
    runtime = _open(impl, tmp_path / "rt")
    try:
        writer, ids = _genesis(impl, runtime, WRITER_FILES, WRITER)
        _ran(_run(impl, runtime), writer, "rt-run of the genesis of the writer")
        made = g.object_id(g.Blob(data=MADE))
        check_equal(
            "ADP-015",
            g.object_id(g.Tree(entries={**ids, "made": made})).hex(),
            head_core(impl, runtime, writer),
            "the core of the writer's head: its genesis core and the file 'made' its run wrote",
        )
        imported = call_ok(impl, "ADP-015", "rt-import", runtime=runtime, bundle=bundle)
        check_equal(
            "RUN-009.8",
            {"actor": reader, "head": head},
            imported,
            "rt-import of the reader's bundle: its actor and head",
        )
        call_ok(impl, "RUN-011.3", "rt-erase", runtime=runtime, blob=made.hex(), reason="test")
        call_ok(impl, "ADP-015", "rt-send", runtime=runtime, to=reader, mt="update", content=UPDATE)
        run = _run(impl, runtime)
        failing = [[reader, "failed"]]
        check_equal(
            ("RUN-011.3", "SBX-006.17", "RUN-004.3"),
            {"steps": [], "attempts": failing * ATTEMPTS, "failures": failing},
            {"steps": run["steps"], "attempts": run["attempts"], "failures": run["failures"]},
            "rt-run of an update adding a file to an actor whose core file 'made' names a "
            "blob another actor's run stored and that was erased since: the walk of the new "
            "core reads the erased blob, so the update fails 'failed' at each attempt and "
            "adopts no step (a step means the walk was given the erased file's bytes)",
        )
        check_equal(
            ("RUN-004.4", "RUN-011.3"),
            {"actor": reader, "attempts": ATTEMPTS, "error": "failed"},
            failed_mark(impl, runtime, reader),
            "the failed mark of the actor whose core file was erased",
        )
        check_equal(
            "RUN-011.3",
            head,
            call_ok(impl, "ADP-015", "rt-head", runtime=runtime, actor=reader)["step"],
            "the head of the actor whose core file was erased: the imported head, no other",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
