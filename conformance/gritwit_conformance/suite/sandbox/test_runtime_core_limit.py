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
    return str(impl.call("sandbox-info").expect_ok()["interpreter"])


def _open(impl: Implementation, path: Path, limit: int | None = LIMIT) -> str:
    path.mkdir()
    given: dict[str, Any] = {} if limit is None else {"max_core_bytes": limit}
    opened = impl.call("rt-open", path=str(path), first_delay=0, **given).expect_ok()
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
    impl.call("rt-send", runtime=runtime, to=actor, mt=mt, content=content).expect_ok()


def _run(impl: Implementation, runtime: str) -> Any:
    return impl.call("rt-run", runtime=runtime, max_steps=10).expect_ok()


# --- rt-open -----------------------------------------------------------------------------


@pytest.mark.req("SBX-007.7", "ADP-015", "ADP-004.12")
@pytest.mark.inputs("largest", "past-largest")
def test_rt_open_takes_the_core_limit_and_refuses_anything_else(
    impl: Implementation, tmp_path: Path
) -> None:
    """Omitted, the limit is 64 MiB; 1, 1 001 and 2**53 - 1 are taken and echoed in
    ``settings``; 0, -1, 2**53, 0.5, 4 099.0, true, null and "1" are ``bad-request``."""
    (tmp_path / "default").mkdir()
    settings = impl.call("rt-open", path=str(tmp_path / "default")).expect_ok()["settings"]
    assert settings.get("max_core_bytes") == DEFAULT, (
        f"rt-open's settings show the core limit in effect, 64 MiB by default (ADP-015, "
        f"SBX-007.7): {settings}"
    )
    wrong: list[str] = []
    for good in (1, LIMIT, LARGEST):
        where = tmp_path / f"good-{good}"
        where.mkdir()
        reply = impl.call("rt-open", path=str(where), max_core_bytes=good)
        if not reply.ok or reply.result["settings"].get("max_core_bytes") != good:
            wrong.append(f"{good}: {reply.result or reply.error}")
    for index, bad in enumerate((0, -1, LARGEST + 1, 0.5, 4099.0, True, None, "1")):
        where = tmp_path / f"bad-{index}"
        where.mkdir()
        reply = impl.call("rt-open", path=str(where), check=False, max_core_bytes=bad)
        if reply.ok or reply.error_class != "bad-request":
            wrong.append(f"{bad!r}: {reply.result or reply.error}")
    assert not wrong, (
        "rt-open's max_core_bytes is an integer from 1 to 2**53 - 1, echoed in settings, "
        "anything else bad-request (ADP-015, SBX-007.7, ADP-004.12):\n" + "\n".join(wrong)
    )


# --- a genesis ---------------------------------------------------------------------------


@pytest.mark.req("SBX-007.7", "SBX-006.17", "SBX-006.16", "SBX-011.1", "WIT-012.1")
@pytest.mark.req("RUN-004.1", "RUN-004.4", "SBX-013.1", "ADP-015")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("last", [1, 2], ids=["at-the-limit", "one-byte-past"])
def test_a_genesis_core_is_bounded_by_the_runtimes_core_limit(
    impl: Implementation, tmp_path: Path, last: int
) -> None:
    """A genesis core whose files hold 1 001 bytes (a blob of 500 at two paths, counted
    at each, and one byte; the ``wit`` entry is not mounted) is adopted under a core limit
    of 1 001; one of 1 002 fails its genesis ``too-large`` at every attempt and is
    marked failed, with no step."""
    files = _files(last)
    size = 2 * len(SHARED) + last
    assert _bytes(files) == size
    runtime = _open(impl, tmp_path / "rt")
    try:
        actor, _ = _genesis(impl, runtime, files)
        run = _run(impl, runtime)
        if size <= LIMIT:
            assert run["failures"] == [] and run["attempts"] == [], (
                f"a genesis core of files holding {size} bytes, a blob of 500 at two paths "
                f"among them, is within the runtime's core limit of {LIMIT}: adopted and "
                f"mounted (SBX-007.7, SBX-006.17, SBX-006.16, SBX-011.1): {run}"
            )
            assert head_core(impl, runtime, actor) == actor, (
                "the genesis step holds the genesis core, which its run left (SBX-006.17)"
            )
            return
        refused = [[actor, "too-large"]]
        assert run["attempts"] == refused * ATTEMPTS and run["failures"] == refused, (
            f"a genesis core of files holding {size} bytes (a blob of 500 at two paths "
            f"counts at each) is past the runtime's core limit of {LIMIT}: its genesis "
            f"fails too-large where it enters, retried, then marked failed (SBX-007.7, "
            f"SBX-006.17, SBX-006.16, SBX-013.1, RUN-004): {run}"
        )
        assert head_core(impl, runtime, actor) is None, (
            "a refused genesis adopts no step (SBX-006.17, RUN-004.1)"
        )
        mark = failed_mark(impl, runtime, actor)
        assert mark == {"actor": actor, "attempts": ATTEMPTS, "error": "too-large"}, (
            f"the failed mark names the refusal's class (RUN-004.4): {mark}"
        )
    finally:
        impl.call("rt-close", runtime=runtime)


# --- an update ---------------------------------------------------------------------------


@pytest.mark.req("SBX-007.7", "SBX-006.17", "SBX-006.16", "WIT-013.4", "SBX-006.19")
@pytest.mark.req("ADP-015")
@pytest.mark.inputs("largest", "past-largest")
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
        assert run["failures"] == [] and len(run["steps"]) == 1, (
            f"a genesis core of 1 000 bytes is within the core limit of {LIMIT} "
            f"(SBX-007.7, SBX-006.17): {run}"
        )
        kept = g.object_id(g.Tree(entries={**ids, "u": g.object_id(g.Blob(data=b"u"))}))
        _send(impl, runtime, actor, "update", {"tree": {"u": {"blob": b"u".hex()}}})
        _send(impl, runtime, actor, "note", {"blob": "6e"})
        run = _run(impl, runtime)
        assert run["failures"] == [] and run["attempts"] == [] and len(run["steps"]) == 2, (
            f"an update that merges (WIT-013.4) to files of 1 001 bytes, the runtime's core "
            f"limit, must be adopted, and the next message runs on it (SBX-007.7, "
            f"SBX-006.17, SBX-006.16): {run}"
        )
        assert head_core(impl, runtime, actor) == kept.hex(), (
            "the update's core is the old core with u merged in (WIT-013.4)"
        )
        _send(impl, runtime, actor, "update", {"tree": {"v": {"blob": b"v".hex()}}})
        run = _run(impl, runtime)
        assert run["attempts"] == [] and run["failures"] == [] and len(run["steps"]) == 1, (
            f"an update whose merged core holds 1 002 bytes, past the runtime's core limit "
            f"of {LIMIT}, is refused too-large where it enters (SBX-007.7, SBX-006.17), by "
            f"one step that reads it: no failed attempt, no failed mark (SBX-006.19): {run}"
        )
        assert head_core(impl, runtime, actor) == kept.hex(), (
            "a refused update's step keeps the last core (SBX-006.17, SBX-006.19)"
        )
    finally:
        impl.call("rt-close", runtime=runtime)


# --- an import ---------------------------------------------------------------------------


@pytest.mark.req("SBX-007.7", "SBX-006.18", "SBX-006.16", "RUN-009.3", "RUN-009.8")
@pytest.mark.req("ADP-015")
@pytest.mark.inputs("largest", "past-largest")
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
        assert run["failures"] == [] and len(run["steps"]) == 1, (
            f"a core of {size} bytes is within a core limit of 4 097 (SBX-007.7): {run}"
        )
        head = impl.call("rt-head", runtime=source, actor=actor).expect_ok()["step"]
        bundle = impl.call("rt-export", runtime=source, actor=actor).expect_ok()["bundle"]
    finally:
        impl.call("rt-close", runtime=source)
    blob = g.object_id(g.Blob(data=SHARED)).hex()
    for limit in (size - 1, size):
        runtime = _open(impl, tmp_path / f"limit-{limit}", limit)
        try:
            reply = impl.call("rt-import", runtime=runtime, bundle=bundle)
            target = impl.call("rt-ref", runtime=runtime, name=f"heads/{actor}").expect_ok()
            if limit < size:
                assert not reply.ok and reply.error_class == "too-large", (
                    f"an import whose head's core holds {size} bytes (a blob of 500 at two "
                    f"paths counts at each) into a runtime of core limit {limit} must fail "
                    f"too-large: its runs could not mount it (SBX-007.7, SBX-006.18, "
                    f"SBX-006.16): {reply.result or reply.error}"
                )
                assert target["target"] is None, "a refused import sets no head (RUN-009.3)"
                for oid in (head, actor, blob):
                    got = impl.call("rt-object", runtime=runtime, id=oid)
                    assert not got.ok and got.error_class == "not-found", (
                        f"a refused import stores nothing (RUN-009.3), but it stored {oid}"
                    )
                continue
            assert reply.ok, (
                f"an import whose head's core holds {size} bytes, the importing runtime's "
                f"core limit, must be imported (SBX-007.7, SBX-006.18): {reply.error}"
            )
            assert target["target"] == head, (
                "the import sets the head to the bundle's head step (RUN-009.8)"
            )
            _send(impl, runtime, actor, "note", {"blob": "6e"})
            run = _run(impl, runtime)
            assert run["failures"] == [] and len(run["steps"]) == 1, (
                f"an imported actor whose core holds the core limit runs: its runs mount "
                f"the core (SBX-007.7, SBX-006.16): {run}"
            )
            assert head_core(impl, runtime, actor) == actor, (
                f"the run left the imported core, {ids}, as it was (SBX-006.18)"
            )
        finally:
            impl.call("rt-close", runtime=runtime)


# --- what a run leaves ---------------------------------------------------------------------


@pytest.mark.req("SBX-007.7", "SBX-007.3", "SBX-006.16", "SBX-013.1", "RUN-004.1")
@pytest.mark.req("ADP-015", "SBX-004.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("last", [1, 2], ids=["at-the-limit", "one-byte-past"])
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
            assert run["failures"] == [] and run["attempts"] == [], (
                f"a run that leaves {size} bytes of files, one blob at two paths among them, "
                f"is within the runtime's core limit of {LIMIT} (SBX-007.7, SBX-007.3): {run}"
            )
            _send(impl, runtime, actor, "note", {"blob": ""})
            run = _run(impl, runtime)
            assert run["failures"] == [] and len(run["steps"]) == 1, (
                f"the next run mounts the {size} bytes the last one left (SBX-007.7, "
                f"SBX-006.16): {run}"
            )
            full, short = g.Blob(data=b"w" * 500), g.Blob(data=b"w" * last)
            left = {**ids, "f": g.object_id(full), "g": g.object_id(full)}
            left["h"] = g.object_id(short)
            assert head_core(impl, runtime, actor) == g.object_id(g.Tree(entries=left)).hex(), (
                "the run's core is the files it left beside its wit (SBX-004.2)"
            )
            return
        refused = [[actor, "output-too-large"]]
        assert run["attempts"] == refused * ATTEMPTS and run["failures"] == refused, (
            f"a run that leaves {size} bytes of files (a blob at two paths counts at each), "
            f"past the runtime's core limit of {LIMIT}, fails output-too-large (SBX-007.7, "
            f"SBX-007.3, SBX-013.1, RUN-004): {run}"
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
            assert run["failures"] == [] and run["attempts"] == [], (
                f"a run may write exactly the budget, {written} bytes: the runtime's core "
                f"limit {LIMIT} plus the sends limit (SBX-007.7, SBX-007.4, SBX-007.5): {run}"
            )
            return
        refused = [[actor, "output-too-large"]]
        assert run["attempts"] == refused * ATTEMPTS and run["failures"] == refused, (
            f"a run that writes {written} bytes, one past the runtime's core limit {LIMIT} "
            f"plus the sends limit, fails output-too-large whatever it leaves (SBX-007.7, "
            f"SBX-007.4, SBX-013.1): {run}"
        )
    finally:
        impl.call("rt-close", runtime=runtime)
