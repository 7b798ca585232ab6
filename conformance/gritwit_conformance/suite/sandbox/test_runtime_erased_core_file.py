"""A ``python-wasi`` core file erased after a run mounted it: the next run fails (RUN-011.3).

A run mounts its actor's core (SBX-006.15): it reads every file's blob.  A runtime may
keep the objects it read, and may read a core's next files together (SBX-006.16), but
an erased blob's bytes are gone for every read through the runtime (RUN-011.3), however
recently it was read: the next transition of an actor whose core names it reads it, so
it fails as an error without a Wit-chapter class, ``failed``, at each attempt, and the
actor is marked failed after the 5th (RUN-004.3, RUN-004.4).  The same actor whose
other file is the one erased fails alike; one whose core is left alone runs on, so an
implementation that fails every run after an erasure fails here too.

The core holds three files, so a mount reads more than one file's blob at a time.
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

#: Reads nothing and writes nothing under ``/core``: a run leaves the core it was given.
PROGRAM = "print(1)\n"
#: The core's files: the blob of each is erased in turn.
FILES = {"a": b"first file", "b": b"second file", "c": b"third file"}
#: The files of another actor's core, none erased.
OTHER = {"a": b"kept file", "b": b"kept too", "c": b"kept as well"}
#: The attempts of a failing transition before the failed mark (RUN-004.3).
ATTEMPTS = 5


def _genesis(impl: Implementation, runtime: str, files: dict[str, bytes]) -> str:
    """Send the genesis of a ``python-wasi`` core of ``files`` and ``PROGRAM`` from the
    outside (WIT-012.1); the actor is the core's id."""
    interpreter = str(call_ok(impl, "ADP-019.5", "sandbox-info")["interpreter"])
    headers = {"interpreter": interpreter, "runtime": "python-wasi", "sandbox": "1"}
    tree: dict[str, Any] = {name: {"blob": data.hex()} for name, data in files.items()}
    tree["wit"] = {"blob": PROGRAM.encode().hex(), "headers": headers}
    ids = {name: g.object_id(g.Blob(data=data)) for name, data in files.items()}
    ids["wit"] = g.object_id(g.Blob(data=PROGRAM.encode(), headers=headers))
    actor = g.object_id(g.Tree(entries=ids)).hex()
    call_ok(
        impl, "ADP-015", "rt-send", runtime=runtime, to=actor, mt="genesis", content={"tree": tree}
    )
    return actor


def _run(impl: Implementation, runtime: str) -> Any:
    return call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=10)


@pytest.mark.req("RUN-011.3", "RUN-004.3", "RUN-004.4", "SBX-006.15", "ADP-015")
@pytest.mark.req("ADP-019.5")  # sandbox-info names the interpreter of its wit
@pytest.mark.parametrize("erased", sorted(FILES))
def test_a_core_file_erased_after_a_run_mounted_it_fails_the_next_run(
    impl: Implementation, tmp_path: Path, erased: str
) -> None:
    """A genesis core of three files is mounted by its run; the blob of one file is then
    erased.  A message to the actor is a transition that mounts the core again: it fails
    ``failed`` at each of the 5 attempts, the actor is marked failed, and its head stays
    the genesis step.  A second actor of the same program and other files, sent the same
    message in the same run, runs."""
    (tmp_path / "rt").mkdir()
    opened = call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path / "rt"), first_delay=0)
    runtime = str(opened["runtime"])
    try:
        actor, other = _genesis(impl, runtime, FILES), _genesis(impl, runtime, OTHER)
        run = _run(impl, runtime)
        check_equal(
            ("SBX-006.15", "ADP-015"),
            {"failures": [], "attempts": [], "actors": sorted([actor, other])},
            {
                "failures": run["failures"],
                "attempts": run["attempts"],
                "actors": sorted(a for a, _ in run["steps"]),
            },
            "rt-run of the geneses of two python-wasi cores of three files each: adopted",
        )
        before = call_ok(impl, "ADP-015", "rt-head", runtime=runtime, actor=actor)["step"]
        blob = g.object_id(g.Blob(data=FILES[erased])).hex()
        call_ok(impl, "RUN-011.3", "rt-erase", runtime=runtime, blob=blob, reason="test")
        for to in (actor, other):
            call_ok(
                impl,
                "ADP-015",
                "rt-send",
                runtime=runtime,
                to=to,
                mt="note",
                content={"blob": "6e"},
            )
        run = _run(impl, runtime)
        failing = [[actor, "failed"]]
        check_equal(
            ("RUN-011.3", "RUN-004.3"),
            {"actors": [other], "attempts": failing * ATTEMPTS, "failures": failing},
            {
                "actors": [a for a, _ in run["steps"]],
                "attempts": run["attempts"],
                "failures": run["failures"],
            },
            f"rt-run of a message to an actor whose core file {erased!r} was erased after a "
            "run mounted it: the transition reads the erased blob, so it fails 'failed' at "
            "each attempt and the actor is marked failed; the other actor, whose core "
            "keeps its files, runs the same message",
        )
        check_equal(
            ("RUN-004.4", "RUN-011.3"),
            {"actor": actor, "attempts": ATTEMPTS, "error": "failed"},
            failed_mark(impl, runtime, actor),
            "the failed mark of the actor whose core file was erased",
        )
        check_equal(
            "RUN-011.3",
            before,
            call_ok(impl, "ADP-015", "rt-head", runtime=runtime, actor=actor)["step"],
            "the head of the actor whose core file was erased: its genesis step, no other",
        )
        check_equal(
            "RUN-011.3",
            actor,
            head_core(impl, runtime, actor),
            "the core of that head: the genesis core",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
