"""A core file whose stored copy is corrupt fails the transition that mounts it (STO-004.2).

Every read of an object re-hashes its bytes (STO-004.1) and refuses bytes that do not
hash to their id ``corrupt-object`` (STO-004.2), whichever path reads them: a mount
reads a core's files together (its count, SBX-006.15), and those reads must refuse a
corrupt copy as a read of one file does.  A ``python-wasi`` actor's core of three small
files is adopted on a runtime over a directory (ADP-015); the runtime is closed, a
second adapter process opens the same store by its path (ADP-010.6) and flips a bit of
each file's stored copy (``store-corrupt``, ADP-010.5); a new runtime over the directory
(which has read none of the core) is sent a message for the actor.  Its transition
mounts the core and must fail, never adopting a step built on the corrupt files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal, error_answer
from .._writers import second as second  # the store profile's process (ADP-010.6)

pytestmark = [pytest.mark.profile("sandbox"), pytest.mark.profile("runtime")]

#: Small files, each its own blob: the mount reads them together.
FILES = {"a": b"alpha file 1", "b": b"bravo file 2", "c": b"charlie file 3"}
PROGRAM = "print(1)\n"


def _open(impl: Implementation, path: Path) -> str:
    opened = call_ok(impl, "ADP-015", "rt-open", path=str(path), first_delay=0)
    return str(opened["runtime"])


@pytest.mark.profile("sandbox", "runtime", "store")
@pytest.mark.req("STO-004.1", "STO-004.2", "SBX-006.15", "ADP-010.5", "ADP-010.6")
@pytest.mark.req("ADP-019.5", "WIT-012.1")
@pytest.mark.req("ADP-015", "CONV-004")  # its checks name them too
def test_a_mount_refuses_core_files_whose_copies_are_corrupt(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    path = tmp_path / "rt"
    path.mkdir()
    interpreter = str(call_ok(impl, "ADP-019.5", "sandbox-info")["interpreter"])
    headers = {"interpreter": interpreter, "runtime": "python-wasi", "sandbox": "1"}
    wit = g.Blob(data=PROGRAM.encode(), headers=headers)
    ids = {name: g.object_id(g.Blob(data=data)) for name, data in FILES.items()}
    actor = g.object_id(g.Tree(entries={**ids, "wit": g.object_id(wit)})).hex()
    content: dict[str, Any] = {name: {"blob": data.hex()} for name, data in FILES.items()}
    content["wit"] = {"blob": PROGRAM.encode().hex(), "headers": headers}
    first = _open(impl, path)
    call_ok(
        impl,
        "WIT-012.1",
        "rt-send",
        runtime=first,
        to=actor,
        mt="genesis",
        content={"tree": content},
    )
    ran = call_ok(impl, "WIT-012.1", "rt-run", runtime=first, max_steps=10)
    check_equal("WIT-012.1", [], ran["failures"], f"the genesis of a core of three files: {ran}")
    call_ok(impl, "ADP-015", "rt-close", runtime=first)
    store = str(call_ok(second, "ADP-010.6", "store-open", kind="durable", path=str(path))["store"])
    for oid in ids.values():
        call_ok(second, "ADP-010.5", "store-corrupt", store=store, id=oid.hex())
        error_answer(second.call("get", store=store, id=oid.hex()), "STO-004.2", "corrupt-object")
    head = call_ok(second, "ADP-010.6", "ref-get", store=store, name=f"heads/{actor}")["id"]
    later = _open(impl, path)
    call_ok(
        impl, "STO-004.2", "rt-send", runtime=later, to=actor, mt="ping", content={"blob": "00"}
    )
    ran = call_ok(impl, "STO-004.2", "rt-run", runtime=later, max_steps=10)
    now = call_ok(second, "ADP-010.6", "ref-get", store=store, name=f"heads/{actor}")["id"]
    check_equal(
        ("STO-004.2", "STO-004.1"),
        head,
        now,
        "the actor's head after a run whose transition mounts core files whose stored copies "
        "are corrupt: no step may be adopted on them",
    )
