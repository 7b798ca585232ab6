"""A runtime's core limit, set by ``rt-open``, at every place a core comes from (SBX-007.7).

SBX-006.16 bounds a ``python-wasi`` core's files in bytes by the core limit (SBX-007.3),
where a run mounts it; SBX-006.17 where it enters (a genesis, an update), SBX-006.18 at
import.  The limit is the runtime's (SBX-007.7), 64 MiB by default, which no request can
carry at a genesis or an import (a content description repeats each file's bytes), so
here it is set small with ``rt-open``'s ``max_core_bytes`` (ADP-015), and each place is
judged at both sides of it:

* a genesis core of exactly the limit is adopted and its run mounts it; one byte more
  fails the genesis ``too-large`` (retried, then the failed mark);
* an update that merges (WIT-013.4) to exactly the limit is adopted, one byte more is
  refused, read by a step that keeps the actor's last core (SBX-006.19);
* an import whose head's core holds one byte more than the importing runtime's limit is
  ``too-large`` and imports nothing; at the limit it is imported and runs;
* a run that leaves one byte more than the limit fails ``output-too-large``, and so does
  one that writes one byte past the limit plus the sends limit (the write budget).

The limit is 1 001 bytes and the cores name one blob of 500 bytes at two paths, so a
runtime that counts a blob once, counts the ``wit`` entry (which is not mounted,
SBX-011.1), or keeps the default limit anywhere, answers wrongly.  Written against
``gritwit_conformance.wrong.runtime_entry_core_limit_default``,
``runtime_import_core_limit_default`` and ``runtime_run_core_limit_default``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, describe, error_answer, ok_answer, suite_premise
from ._heads import failed_mark, head_core

pytestmark = [pytest.mark.profile("sandbox"), pytest.mark.profile("runtime")]

#: The runtime's core limit here: no power of two, far below the default.
LIMIT = 1001
#: The default core limit (SBX-007.3, SBX-007.7): 64 MiB.
DEFAULT = 64 << 20
LARGEST = 2**53 - 1
#: Reads nothing and writes nothing under ``/core``: a run leaves the core it was given.
PROGRAM = "print(1)\n"
#: The blob named at two paths: ``a`` and ``d/b``.
SHARED = b"s" * 500
#: The retries of a failed transition before the failed mark (RUN-004.3).
ATTEMPTS = 5
#: Leaves, for a message whose data is JSON ``[n, k]``, files ``f`` and ``g`` of ``n``
#: bytes each (one blob) and ``h`` of ``k``; a message without data leaves the core.
FILL = (
    "import base64, json\n"
    "for m in json.load(open('/input/transition.json'))['messages']:\n"
    "    if m['data']:\n"
    "        n, k = json.loads(base64.b64decode(m['data']))\n"
    "        for name, size in (('f', n), ('g', n), ('h', k)):\n"
    "            with open(name, 'wb') as f:\n"
    "                f.write(b'w' * size)\n"
)


def _wit(interpreter: str, program: str) -> tuple[dict[str, Any], g.Blob]:
    headers = {"interpreter": interpreter, "runtime": "python-wasi", "sandbox": "1"}
    return {"blob": program.encode().hex(), "headers": headers}, g.Blob(
        data=program.encode(), headers=headers
    )


def _files(last: int) -> dict[str, bytes | dict[str, bytes]]:
    """``SHARED`` at ``a`` and ``d/b`` and ``last`` bytes at ``c``: 1 000 + ``last`` bytes
    as SBX-006.16 counts them, a blob at each path it is reached by."""
    files: dict[str, bytes | dict[str, bytes]] = {"a": SHARED, "d": {"b": SHARED}}
    if last:
        files["c"] = b"c" * last
    return files


def _bytes(files: dict[str, Any]) -> int:
    return sum(_bytes(v) if isinstance(v, dict) else len(v) for v in files.values())


def _described(files: dict[str, Any]) -> tuple[dict[str, Any], dict[str, g.ObjectId]]:
    """The content description (ADP-019.7) of ``files`` and its entries' ids."""
    entries: dict[str, Any] = {}
    ids: dict[str, g.ObjectId] = {}
    for name, value in files.items():
        if isinstance(value, dict):
            inner, inner_ids = _described(value)
            entries[name] = inner
            ids[name] = g.object_id(g.Tree(entries=inner_ids))
        else:
            entries[name] = {"blob": value.hex()}
            ids[name] = g.object_id(g.Blob(data=value))
    return {"tree": entries}, ids


def _interpreter(impl: Implementation) -> str:
    return str(call_ok(impl, "ADP-019.5", "sandbox-info")["interpreter"])


def _open(impl: Implementation, path: Path, limit: int | None = LIMIT) -> str:
    path.mkdir()
    given: dict[str, Any] = {} if limit is None else {"max_core_bytes": limit}
    opened = call_ok(impl, "ADP-015", "rt-open", path=str(path), first_delay=0, **given)
    return str(opened["runtime"])


def _genesis(
    impl: Implementation, runtime: str, files: dict[str, Any], program: str = PROGRAM
) -> tuple[str, dict[str, g.ObjectId]]:
    """Send the genesis of a ``python-wasi`` core of ``files`` from the outside (WIT-012.1):
    the actor (the core's id) and the core's entries."""
    wit, blob = _wit(_interpreter(impl), program)
    content, ids = _described(files)
    content["tree"]["wit"] = wit
    ids["wit"] = g.object_id(blob)
    actor = g.object_id(g.Tree(entries=ids)).hex()
    _send(impl, runtime, actor, "genesis", content)
    return actor, ids


def _send(impl: Implementation, runtime: str, actor: str, mt: str, content: Any) -> None:
    call_ok(impl, "ADP-015", "rt-send", runtime=runtime, to=actor, mt=mt, content=content)


def _run(impl: Implementation, runtime: str) -> Any:
    return call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=10)


# --- rt-open -----------------------------------------------------------------------------


@pytest.mark.req("SBX-007.7", "ADP-015", "ADP-004.12")
@pytest.mark.inputs("largest", "past-largest")
def test_rt_open_takes_the_core_limit_and_refuses_anything_else(
    impl: Implementation, tmp_path: Path
) -> None:
    """Omitted, the limit is 64 MiB; 1, 1 001 and 2**53 - 1 are taken and echoed in
    ``settings``; 0, -1, 2**53, 0.5, 4 099.0, true, null and "1" are ``bad-request``."""
    (tmp_path / "default").mkdir()
    opened = call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path / "default"))
    settings = opened["settings"]
    check_equal(
        ("ADP-015", "SBX-007.7"),
        DEFAULT,
        settings.get("max_core_bytes"),
        "rt-open's settings' max_core_bytes with none given: the limit in effect, 64 MiB",
    )
    wrong: list[str] = []
    for good in (1, LIMIT, LARGEST):
        where = tmp_path / f"good-{good}"
        where.mkdir()
        reply = impl.call("rt-open", path=str(where), max_core_bytes=good)
        echoed = dict(reply.result).get("settings", {}) if reply.ok else {}
        if not reply.ok or echoed.get("max_core_bytes") != good:
            wrong.append(f"{good}: {describe(reply)}")
    for index, bad in enumerate((0, -1, LARGEST + 1, 0.5, 4099.0, True, None, "1")):
        where = tmp_path / f"bad-{index}"
        where.mkdir()
        reply = impl.call("rt-open", path=str(where), check=False, max_core_bytes=bad)
        if reply.ok or reply.error_class != "bad-request":
            wrong.append(f"{bad!r}: {describe(reply)}")
    check(
        ("ADP-015", "SBX-007.7", "ADP-004.12"),
        not wrong,
        expected="rt-open's max_core_bytes taken from 1 to 2**53 - 1 and echoed in settings, "
        "anything else bad-request",
        came=lambda: "; ".join(wrong),
    )


# --- a genesis ---------------------------------------------------------------------------


@pytest.mark.req("SBX-007.7", "SBX-006.17", "SBX-006.16", "SBX-011.1", "WIT-012.1")
@pytest.mark.req("RUN-004.1", "RUN-004.4", "SBX-013.1", "ADP-015")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("last", [1, 2], ids=["at-the-limit", "one-byte-past"])
@pytest.mark.req("ADP-019.5")  # sandbox-info names the interpreter of its wit
def test_a_genesis_core_is_bounded_by_the_runtimes_core_limit(
    impl: Implementation, tmp_path: Path, last: int
) -> None:
    """A genesis core whose files hold 1 001 bytes (a blob of 500 at two paths, counted
    at each, and one byte; the ``wit`` entry is not mounted) is adopted under a core limit
    of 1 001; one of 1 002 fails its genesis ``too-large`` at every attempt and is
    marked failed, with no step."""
    files = _files(last)
    size = 2 * len(SHARED) + last
    suite_premise(_bytes(files) == size, f"the core's files hold {size} bytes")
    runtime = _open(impl, tmp_path / "rt")
    try:
        actor, _ = _genesis(impl, runtime, files)
        run = _run(impl, runtime)
        if size <= LIMIT:
            check_equal(
                ("SBX-006.17", "SBX-007.7", "SBX-006.16", "SBX-011.1"),
                {"failures": [], "attempts": []},
                {"failures": run["failures"], "attempts": run["attempts"]},
                f"rt-run of a genesis core of files holding {size} bytes, a blob of 500 at "
                f"two paths among them, within the runtime's core limit of {LIMIT}: adopted "
                "and mounted",
            )
            check_equal(
                "SBX-006.17",
                actor,
                head_core(impl, runtime, actor),
                "the genesis step's core: the genesis core, which its run left",
            )
            return
        refused = [[actor, "too-large"]]
        check_equal(
            ("SBX-006.17", "SBX-007.7", "SBX-006.16", "SBX-013.1"),
            {"attempts": refused * ATTEMPTS, "failures": refused},
            {"attempts": run["attempts"], "failures": run["failures"]},
            f"rt-run of a genesis core of files holding {size} bytes (a blob of 500 at two "
            f"paths counts at each), past the runtime's core limit of {LIMIT}: too-large "
            "where it enters, retried, then marked failed",
        )
        check_equal(
            ("SBX-006.17", "RUN-004.1"),
            None,
            head_core(impl, runtime, actor),
            "the head's core after a refused genesis (no step adopted)",
        )
        mark = failed_mark(impl, runtime, actor)
        check_equal(
            "RUN-004.4",
            {"actor": actor, "attempts": ATTEMPTS, "error": "too-large"},
            mark,
            "the failed mark, naming the refusal's class",
        )
    finally:
        impl.call("rt-close", runtime=runtime)


# --- an update ---------------------------------------------------------------------------


@pytest.mark.req("SBX-007.7", "SBX-006.17", "SBX-006.16", "WIT-013.4", "SBX-006.19")
@pytest.mark.req("ADP-015")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("ADP-019.5")  # sandbox-info names the interpreter of its wit
def test_an_update_is_bounded_by_the_runtimes_core_limit(
    impl: Implementation, tmp_path: Path
) -> None:
    """A genesis core of 1 000 bytes (a blob of 500 at two paths).  An update adding a
    file of one byte merges to 1 001, the limit: adopted, and the next message runs on
    it.  An update adding one more byte merges to 1 002: refused ``too-large``, read by a
    step that keeps the actor's last core (SBX-006.19)."""
    runtime = _open(impl, tmp_path / "rt")
    try:
        actor, ids = _genesis(impl, runtime, _files(0))
        run = _run(impl, runtime)
        check_equal(
            ("SBX-006.17", "SBX-007.7"),
            {"failures": [], "steps": 1},
            {"failures": run["failures"], "steps": len(run["steps"])},
            f"rt-run of a genesis core of 1 000 bytes, within the core limit of {LIMIT}",
        )
        kept = g.object_id(g.Tree(entries={**ids, "u": g.object_id(g.Blob(data=b"u"))}))
        _send(impl, runtime, actor, "update", {"tree": {"u": {"blob": b"u".hex()}}})
        _send(impl, runtime, actor, "note", {"blob": "6e"})
        run = _run(impl, runtime)
        check_equal(
            ("SBX-006.17", "SBX-007.7", "SBX-006.16"),
            {"failures": [], "attempts": [], "steps": 2},
            {"failures": run["failures"], "attempts": run["attempts"], "steps": len(run["steps"])},
            "rt-run of an update that merges (WIT-013.4) to files of 1 001 bytes, the "
            "runtime's core limit, and a message after it: both adopted",
        )
        check_equal(
            "WIT-013.4",
            kept.hex(),
            head_core(impl, runtime, actor),
            "the update's core: the old core with u merged in",
        )
        _send(impl, runtime, actor, "update", {"tree": {"v": {"blob": b"v".hex()}}})
        run = _run(impl, runtime)
        check_equal(
            ("SBX-006.19", "SBX-006.17", "SBX-007.7"),
            {"attempts": [], "failures": [], "steps": 1},
            {"attempts": run["attempts"], "failures": run["failures"], "steps": len(run["steps"])},
            f"rt-run of an update whose merged core holds 1 002 bytes, past the runtime's "
            f"core limit of {LIMIT}: refused too-large where it enters, by one step that reads "
            "it, with no failed attempt and no failed mark",
        )
        check_equal(
            ("SBX-006.19", "SBX-006.17"),
            kept.hex(),
            head_core(impl, runtime, actor),
            "the head's core after a refused update: the actor keeps its last core",
        )
    finally:
        impl.call("rt-close", runtime=runtime)


# --- an import ---------------------------------------------------------------------------


@pytest.mark.req("SBX-007.7", "SBX-006.18", "SBX-006.16", "RUN-009.3", "RUN-009.8")
@pytest.mark.req("ADP-015")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("ADP-019.5")  # sandbox-info names the interpreter of its wit
@pytest.mark.req("CONV-004")
def test_an_import_is_bounded_by_the_importing_runtimes_core_limit(
    impl: Implementation, tmp_path: Path
) -> None:
    """An actor whose core holds 1 002 bytes (a blob of 500 at two paths, two bytes) runs
    in a runtime of limit 4 097 and is exported.  A runtime of limit 1 001 refuses its
    bundle ``too-large`` and stores nothing of it; one of limit 1 002 imports it, and
    the actor runs there."""
    files = _files(2)
    size = _bytes(files)
    source = _open(impl, tmp_path / "source", 4097)
    try:
        actor, ids = _genesis(impl, source, files)
        run = _run(impl, source)
        check_equal(
            "SBX-007.7",
            {"failures": [], "steps": 1},
            {"failures": run["failures"], "steps": len(run["steps"])},
            f"rt-run of a core of {size} bytes, within a core limit of 4 097",
        )
        head = call_ok(impl, "ADP-015", "rt-head", runtime=source, actor=actor)["step"]
        bundle = call_ok(impl, "ADP-015", "rt-export", runtime=source, actor=actor)["bundle"]
    finally:
        impl.call("rt-close", runtime=source)
    blob = g.object_id(g.Blob(data=SHARED)).hex()
    for limit in (size - 1, size):
        runtime = _open(impl, tmp_path / f"limit-{limit}", limit)
        try:
            reply = impl.call("rt-import", runtime=runtime, bundle=bundle)
            target = call_ok(impl, "ADP-015", "rt-ref", runtime=runtime, name=f"heads/{actor}")
            if limit < size:
                error_answer(
                    reply,
                    ("SBX-006.18", "SBX-007.7", "SBX-006.16"),
                    "too-large",
                    f"rt-import of a head whose core holds {size} bytes (a blob of 500 at two "
                    f"paths counts at each) into a runtime of core limit {limit}",
                )
                check_equal("RUN-009.3", None, target["target"], "the head after a refused import")
                for oid in (head, actor, blob):
                    got = impl.call("rt-object", runtime=runtime, id=oid)
                    error_answer(
                        got, "RUN-009.3", "not-found", f"rt-object {oid} after a refused import"
                    )
                continue
            ok_answer(
                reply,
                ("SBX-006.18", "SBX-007.7"),
                f"rt-import of a head whose core holds {size} bytes, the importing runtime's "
                "core limit",
            )
            check_equal(
                "RUN-009.8",
                head,
                target["target"],
                "the head after the import: the bundle's head step",
            )
            _send(impl, runtime, actor, "note", {"blob": "6e"})
            run = _run(impl, runtime)
            check_equal(
                ("SBX-007.7", "SBX-006.16"),
                {"failures": [], "steps": 1},
                {"failures": run["failures"], "steps": len(run["steps"])},
                "rt-run of an imported actor whose core holds the core limit: its runs mount it",
            )
            check_equal(
                "SBX-006.18",
                actor,
                head_core(impl, runtime, actor),
                f"the head's core after the run: the imported core, {ids}, as it was",
            )
        finally:
            impl.call("rt-close", runtime=runtime)


# --- what a run leaves ---------------------------------------------------------------------


@pytest.mark.req("SBX-007.7", "SBX-007.3", "SBX-006.16", "SBX-013.1", "RUN-004.1")
@pytest.mark.req("ADP-015", "SBX-004.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("last", [1, 2], ids=["at-the-limit", "one-byte-past"])
@pytest.mark.req("ADP-019.5")  # sandbox-info names the interpreter of its wit
def test_a_run_is_bounded_by_the_runtimes_core_limit(
    impl: Implementation, tmp_path: Path, last: int
) -> None:
    """A run that leaves ``f`` and ``g`` of 500 bytes each (one blob) and ``h`` of one
    byte, 1 001 in all, is adopted under a core limit of 1 001, and the next run mounts
    what it left; one that leaves 1 002 fails ``output-too-large``, retried, and is
    marked failed."""
    size = 2 * 500 + last
    runtime = _open(impl, tmp_path / "rt")
    try:
        actor, ids = _genesis(impl, runtime, {}, FILL)
        _send(impl, runtime, actor, "fill", {"blob": json.dumps([500, last]).encode().hex()})
        run = _run(impl, runtime)
        if size <= LIMIT:
            check_equal(
                ("SBX-007.7", "SBX-007.3"),
                {"failures": [], "attempts": []},
                {"failures": run["failures"], "attempts": run["attempts"]},
                f"rt-run of a run that leaves {size} bytes of files, one blob at two paths "
                f"among them, within the runtime's core limit of {LIMIT}",
            )
            _send(impl, runtime, actor, "note", {"blob": ""})
            run = _run(impl, runtime)
            check_equal(
                ("SBX-007.7", "SBX-006.16"),
                {"failures": [], "steps": 1},
                {"failures": run["failures"], "steps": len(run["steps"])},
                f"rt-run of the next run, which mounts the {size} bytes the last one left",
            )
            full, short = g.Blob(data=b"w" * 500), g.Blob(data=b"w" * last)
            left = {**ids, "f": g.object_id(full), "g": g.object_id(full)}
            left["h"] = g.object_id(short)
            check_equal(
                "SBX-004.2",
                g.object_id(g.Tree(entries=left)).hex(),
                head_core(impl, runtime, actor),
                "the run's core: the files it left beside its wit",
            )
            return
        refused = [[actor, "output-too-large"]]
        check_equal(
            ("SBX-007.3", "SBX-007.7", "SBX-013.1"),
            {"attempts": refused * ATTEMPTS, "failures": refused},
            {"attempts": run["attempts"], "failures": run["failures"]},
            f"rt-run of a run that leaves {size} bytes of files (a blob at two paths counts "
            f"at each), past the runtime's core limit of {LIMIT}: output-too-large",
        )
    finally:
        impl.call("rt-close", runtime=runtime)


#: Writes, for a message whose data is JSON ``n``, a file of ``n`` bytes in one write and
#: removes it: nothing is left, but the write counts against the write budget.
WRITE_AND_REMOVE = (
    "import base64, json, os\n"
    "for m in json.load(open('/input/transition.json'))['messages']:\n"
    "    if m['data']:\n"
    "        with open('big', 'wb') as f:\n"
    "            f.write(b'w' * json.loads(base64.b64decode(m['data'])))\n"
    "        os.remove('big')\n"
)
#: The sends limit (SBX-007.3): the write budget is the core limit plus it (SBX-007.4).
SENDS_LIMIT = 1 << 20


@pytest.mark.req("SBX-007.7", "SBX-007.4", "SBX-007.5", "SBX-013.1", "RUN-004.1")
@pytest.mark.req("ADP-015")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("extra", [0, 1], ids=["the-budget", "one-byte-past"])
@pytest.mark.req("ADP-019.5")  # sandbox-info names the interpreter of its wit
def test_a_runs_write_budget_is_the_runtimes_core_limit_plus_the_sends_limit(
    impl: Implementation, tmp_path: Path, extra: int
) -> None:
    """A run that writes 1 001 + 1 MiB bytes, the write budget under a core limit of 1 001,
    and removes the file is adopted; one that writes a byte more fails
    ``output-too-large``, though it leaves nothing: the budget is the runtime's core limit
    plus the sends limit, not the default's."""
    written = LIMIT + SENDS_LIMIT + extra
    runtime = _open(impl, tmp_path / "rt")
    try:
        actor, _ = _genesis(impl, runtime, {}, WRITE_AND_REMOVE)
        _send(impl, runtime, actor, "write", {"blob": json.dumps(written).encode().hex()})
        run = _run(impl, runtime)
        if not extra:
            check_equal(
                ("SBX-007.4", "SBX-007.7", "SBX-007.5"),
                {"failures": [], "attempts": []},
                {"failures": run["failures"], "attempts": run["attempts"]},
                f"rt-run of a run writing exactly the budget, {written} bytes: the runtime's "
                f"core limit {LIMIT} plus the sends limit",
            )
            return
        refused = [[actor, "output-too-large"]]
        check_equal(
            ("SBX-007.4", "SBX-007.7", "SBX-013.1"),
            {"attempts": refused * ATTEMPTS, "failures": refused},
            {"attempts": run["attempts"], "failures": run["failures"]},
            f"rt-run of a run writing {written} bytes, one past the runtime's core limit "
            f"{LIMIT} plus the sends limit: output-too-large whatever it leaves",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
