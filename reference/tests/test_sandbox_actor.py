"""Sandboxed Python as an actor (spec/09-sandbox.md, SBX-010 … SBX-015).

A Python counter actor runs through the executor and the durable runtime like any
actor: its step ids repeat across processes, a restart and an eviction; it forks and
moves in a bundle; a failing or hostile program adopts nothing while a neighbour keeps
counting.  These run the real interpreter (``pip install 'gritwit[sandbox]'``);
without it they skip, saying so (except the test of that very case).
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

import gritwit as g
from gritwit.runtime import Runtime, export_bundle, fork, history, import_bundle
from gritwit.sandbox import INSTALL_HINT, SandboxLimits, SandboxWits, interpreter_path, wit_blob
from gritwit.sandbox import interpreter_id as held_interpreter
from gritwit.wit import OUTSIDE, Executor, outside_ref

needs_interpreter = pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)
pytestmark = [pytest.mark.slow]

#: Counts ``inc`` messages in the file ``count``; answers ``get`` with mt ``count``;
#: ``boom`` raises (an uncaught exception: ``program-exit``).
COUNTER = """\
import base64, json
t = json.load(open("/input/transition.json"))
try:
    n = int(open("count").read())
except FileNotFoundError:
    n = 0
sends = []
for m in t["messages"]:
    mt = m["headers"].get("mt")
    if mt == "inc":
        n += 1
    elif mt == "boom":
        raise RuntimeError("boom")
    elif mt == "get":
        data = base64.b64encode(str(n).encode()).decode()
        sends.append({"to": m["from"], "headers": {"mt": "count"}, "data": data})
open("count", "w").write(str(n))
if sends:
    json.dump(sends, open("/out/sends.json", "w"))
"""

#: The limits of these tests' transitions: enough for the counter, quick to exhaust.
LIMITS = SandboxLimits(fuel=2_000_000_000, memory_bytes=64 << 20)


def _core(store: g.Store, source: str, **state: bytes) -> g.Tree:
    """A core running ``source``, with state entries ``state``; its objects stored."""
    entries = {"wit": store.put_object(wit_blob(source, held_interpreter()))}
    entries.update({name: store.put_object(g.Blob(data=data)) for name, data in state.items()})
    return g.Tree(entries=entries)


def _executor(store: g.Store) -> Executor:
    return Executor(store, sandbox=SandboxWits(LIMITS))


def _send(ex: Executor, store: g.Store, actor: g.ObjectId, mt: str, data: bytes = b"") -> None:
    ex.inject(actor, store.put_object(g.Blob(data=data)), {"mt": mt})


def _count(store: g.Store, actor: g.ObjectId) -> bytes:
    (_, step) = history(store, actor)[-1]
    core = store.get_object(step.core)
    assert isinstance(core, g.Tree)
    blob = store.get_object(core.entries["count"])
    assert isinstance(blob, g.Blob)
    return blob.data


def _steps(store: g.Store, actor: g.ObjectId) -> list[str]:
    return [step_id.hex() for step_id, _ in history(store, actor)]


async def _no_sleep(_: float) -> None:
    return None


def _runtime(store: g.Store, **kw: object) -> Runtime:
    return Runtime(store, sleep=_no_sleep, **kw)  # type: ignore[arg-type]


async def _feed(rt: Runtime, actor: g.ObjectId, types: Iterable[str], *, run: bool = True) -> None:
    """Queue one message per type from the outside, then (``run``) run until quiescent."""
    for mt in types:
        await rt.send(actor, g.object_id(g.Blob(data=b"")), {"mt": mt}, [g.Blob(data=b"")])
    if run:
        report = await rt.run_until_quiescent()
        assert not report.failures, report.failures


#: A program run in a fresh process: a counter actor, three batches of messages, its
#: step ids as JSON (the same every time: SBX-009.1, WIT-011).
_PROCESS_SCRIPT = """\
import json, sys
import gritwit as g
from gritwit.sandbox import SandboxLimits, SandboxWits, interpreter_id, wit_blob
from gritwit.wit import Executor
from gritwit.runtime import history
source = sys.stdin.read()
store = g.Store.memory()
ex = Executor(store, sandbox=SandboxWits(SandboxLimits(fuel=2_000_000_000, memory_bytes=64 << 20)))
core = g.Tree(entries={"wit": store.put_object(wit_blob(source, interpreter_id()))})
actor = ex.genesis(core)
ex.run_until_quiescent()
for batch in (["inc"], ["inc", "inc"], ["inc", "get"]):
    for mt in batch:
        ex.inject(actor, store.put_object(g.Blob(data=b"")), {"mt": mt})
    report = ex.run_until_quiescent()
    assert not report.failures, report.failures
print(json.dumps([s.hex() for s, _ in history(store, actor)]))
"""


@needs_interpreter
@pytest.mark.req("SBX-009.1", "SBX-010.1", "SBX-010.4", "WIT-011")
def test_a_counter_actor_gives_the_same_step_ids_in_two_processes() -> None:
    runs = [
        subprocess.run(
            [sys.executable, "-c", _PROCESS_SCRIPT],
            input=COUNTER,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    first, second = (json.loads(run.stdout) for run in runs)
    assert len(first) == 4 and len(set(first)) == 4  # genesis + three batches
    assert first == second
    # and the same in this process
    store = g.Store.memory()
    ex = _executor(store)
    actor = ex.genesis(_core(store, COUNTER))
    ex.run_until_quiescent()
    for batch in (["inc"], ["inc", "inc"], ["inc", "get"]):
        for mt in batch:
            _send(ex, store, actor, mt)
        ex.run_until_quiescent()
    assert _steps(store, actor) == first
    assert _count(store, actor) == b"4"


@needs_interpreter
@pytest.mark.req("SBX-010.1", "SBX-012.1", "SBX-012.2", "WIT-008.1", "WIT-009.1")
def test_the_counter_counts_reads_everything_and_replies_through_its_outbox() -> None:
    store = g.Store.memory()
    ex = _executor(store)
    actor = ex.genesis(_core(store, COUNTER, name=b"reply"))
    for mt in ("inc", "inc", "get", "inc", "get"):
        _send(ex, store, actor, mt)
    report = ex.run_until_quiescent()
    assert not report.failures and len(report.steps) == 1
    assert _count(store, actor) == b"3"
    assert ex.pending_for(actor) == {}  # every message read (SBX-012.1)
    replies = ex.replies(actor)
    assert [r.message.headers for r in replies] == [{"mt": "count"}, {"mt": "count"}]
    contents = [store.get_object(r.message.content) for r in replies]
    assert contents == [g.Blob(data=b"2"), g.Blob(data=b"3")]  # blobs without headers
    assert replies[1].message.previous == replies[0].id  # queued, not signalled (WIT-004)


@needs_interpreter
@pytest.mark.req("RUN-007", "RUN-003", "SBX-009.1")
def test_step_ids_survive_a_restart_of_a_durable_runtime(tmp_path: Path) -> None:
    batches = (["inc"], ["inc", "inc"], ["get", "inc"])

    async def straight() -> list[str]:
        store = g.Store.memory()
        rt = _runtime(store)
        actor = await rt.genesis(_core(store, COUNTER))
        await rt.run_until_quiescent()
        for batch in batches:
            await _feed(rt, actor, batch)
        return _steps(store, actor)

    async def with_restarts() -> tuple[list[str], bytes]:
        with g.Store.open(tmp_path / "store") as store:
            rt = _runtime(store)
            actor = await rt.genesis(_core(store, COUNTER))
            await rt.run_until_quiescent()
        for batch in batches:  # a new process's view: a reopened store, a new runtime
            with g.Store.open(tmp_path / "store") as store:
                await _feed(_runtime(store), actor, batch)
        with g.Store.open(tmp_path / "store") as store:
            return _steps(store, actor), _count(store, actor)

    expected = asyncio.run(straight())
    restarted, count = asyncio.run(with_restarts())
    assert restarted == expected and len(expected) == 4
    assert count == b"4"


@needs_interpreter
@pytest.mark.req("RUN-012.2", "RUN-013.1", "SBX-009.1")
def test_step_ids_survive_an_eviction_and_restore() -> None:
    batches = (["inc"], ["inc", "get"], ["inc"])

    async def run(evict: bool) -> list[str]:
        store = g.Store.memory()
        rt = _runtime(store)
        actor = await rt.genesis(_core(store, COUNTER))
        await rt.run_until_quiescent()
        for batch in batches:
            if evict:
                assert actor in rt.evict_idle(everything_idle=True)
                assert not rt.resident(actor)
            await _feed(rt, actor, batch)
            if evict:
                assert rt.resident(actor)  # restored on demand
        assert _count(store, actor) == b"3"
        return _steps(store, actor)

    assert asyncio.run(run(evict=True)) == asyncio.run(run(evict=False))


@needs_interpreter
@pytest.mark.req("RUN-008.5", "SBX-011.1")
def test_a_fork_continues_counting_from_its_step() -> None:
    store = g.Store.memory()
    ex = _executor(store)
    parent = ex.genesis(_core(store, COUNTER))
    for _ in range(3):
        _send(ex, store, parent, "inc")
    ex.run_until_quiescent()
    at = history(store, parent)[-1][0]
    child = fork(store, parent, at)
    for _ in range(2):
        _send(ex, store, child, "inc")
    _send(ex, store, parent, "inc")
    report = ex.run_until_quiescent()
    assert not report.failures
    assert _count(store, child) == b"5"  # 3 from the parent's history, 2 of its own
    assert _count(store, parent) == b"4"
    child_core = ex.core(child)
    assert set(child_core.entries) == {"wit", "count", "fork"}  # the fork entry is kept
    assert child_core.entries["wit"] == ex.core(parent).entries["wit"]


@needs_interpreter
@pytest.mark.req("RUN-009.4", "SBX-009.1")
def test_a_bundle_moves_the_counter_to_fresh_stores_where_it_goes_on_alike() -> None:
    store = g.Store.memory()
    ex = _executor(store)
    actor = ex.genesis(_core(store, COUNTER))
    for _ in range(2):
        _send(ex, store, actor, "inc")
    ex.run_until_quiescent()
    bundle = export_bundle(store, actor)
    after = []
    for _ in range(2):
        fresh = g.Store.memory()
        assert import_bundle(fresh, bundle) == (actor, history(store, actor)[-1][0])
        moved = _executor(fresh)
        _send(moved, fresh, actor, "inc")
        assert not moved.run_until_quiescent().failures
        assert _count(fresh, actor) == b"3"
        after.append(_steps(fresh, actor))
    assert after[0] == after[1]
    assert after[0][:-1] == _steps(store, actor)


@needs_interpreter
@pytest.mark.req("SBX-013.1", "SBX-008.3", "WIT-006", "RUN-004.2", "RUN-004.4")
def test_a_failing_program_adopts_nothing_and_its_messages_stay_pending() -> None:
    async def run() -> None:
        store = g.Store.memory()
        rt = _runtime(store, attempts=2)
        actor = await rt.genesis(_core(store, COUNTER))
        await _feed(rt, actor, ["inc"])
        head = rt.head(actor)
        await rt.send(actor, g.object_id(g.Blob(data=b"")), {"mt": "boom"}, [g.Blob(data=b"")])
        report = await rt.run_until_quiescent()
        assert [f.error_class for f in report.failures] == ["program-exit", "program-exit"]
        assert rt.head(actor) == head  # no step adopted
        assert _count(store, actor) == b"1"
        record = rt.failed(actor)
        assert record is not None and record["error"] == "program-exit"
        pending = Executor(store).pending_for(actor)
        assert [p.mt for p in pending[OUTSIDE]] == ["boom"]

    asyncio.run(run())


HOSTILE = {
    "while True:\n    pass\n": "fuel-exhausted",
    "import os\nos.system('rm -rf /')\n": "forbidden-operation",
    "print(open('/etc/passwd').read())\n": "forbidden-operation",
}


@needs_interpreter
@pytest.mark.req("SBX-013.2", "SBX-008.2", "SBX-006.1", "WIT-027.2", "RUN-005.4")
def test_hostile_neighbours_fail_while_a_counter_keeps_counting() -> None:
    async def run(hostile: bool) -> tuple[list[str], dict[str, object]]:
        store = g.Store.memory()
        rt = _runtime(store, attempts=1)
        counter = await rt.genesis(_core(store, COUNTER))
        bad = []
        if hostile:
            for source in HOSTILE:
                bad.append(await rt.genesis(_core(store, source)))
        report = await rt.run_until_quiescent()
        for _ in range(2):
            for actor in (counter, *bad):
                await rt.send(
                    actor, g.object_id(g.Blob(data=b"")), {"mt": "inc"}, [g.Blob(data=b"")]
                )
            report = await rt.run_until_quiescent()
        failures = {}
        for actor, source in zip(bad, HOSTILE if hostile else (), strict=True):
            record = rt.failed(actor)
            assert record is not None
            failures[source] = record["error"]
            assert rt.head(actor) is None
        assert not [f for f in report.failures if f.actor == counter]
        assert _count(store, counter) == b"2"
        return _steps(store, counter), failures

    alone, _ = asyncio.run(run(hostile=False))
    beside, failures = asyncio.run(run(hostile=True))
    assert beside == alone
    assert failures == HOSTILE


#: Copies what it was given into its core: the input file and the mount's listing.
SPY = """\
import os
data = open("/input/transition.json", "rb").read()
names = sorted(os.listdir("/core"))
open("seen.json", "wb").write(data)
open("listing", "w").write(",".join(names))
"""


def _seen(store: g.Store, actor: g.ObjectId) -> tuple[bytes, str, g.Tree]:
    (_, step) = history(store, actor)[-1]
    core = store.get_object(step.core)
    assert isinstance(core, g.Tree)
    seen, listing = (store.get_object(core.entries[n]) for n in ("seen.json", "listing"))
    assert isinstance(seen, g.Blob) and isinstance(listing, g.Blob)
    return seen.data, listing.data.decode(), core


@needs_interpreter
@pytest.mark.req("SBX-010.2", "SBX-010.3", "SBX-010.4", "SBX-011.1", "SBX-015.1", "WIT-012.1")
def test_the_first_transition_sees_the_genesis_and_a_mount_without_the_code() -> None:
    store = g.Store.memory()
    ex = _executor(store)
    core = _core(store, SPY, note="é".encode())
    actor = ex.genesis(core)
    hello = g.Blob(data=b"\x00hi\xff")
    ex.inject(actor, store.put_object(hello), {"mt": "hello", "x": "ü", "y": "\x7f\n😀/"})
    assert not ex.run_until_quiescent().failures
    data, listing, new_core = _seen(store, actor)
    assert listing == "note"  # no 'wit' in the mount (SBX-011.1)
    outbox = store.get_ref(outside_ref(actor))
    assert outbox is not None
    pending = [p for items in Executor(store).pending_for(actor).values() for p in items]
    assert pending == []
    step = history(store, actor)[-1][1]
    read = store.get_object(step.inbox)  # type: ignore[arg-type]
    assert isinstance(read, g.Mailbox)
    hello_id = read.entries[OUTSIDE]
    genesis_id = store.get_object(hello_id).previous  # type: ignore[union-attr]
    assert genesis_id is not None
    mount = g.object_id(g.Tree(entries={"note": core.entries["note"]}))
    expected = {
        "core": mount.hex(),
        "format": "gritwit-sandbox/1",
        "messages": [
            {
                "content": actor.hex(),
                "data": None,  # the content is the core, a tree
                "from": "00" * 32,
                "headers": {"mt": "genesis"},
                "id": genesis_id.hex(),
            },
            {
                "content": g.object_id(hello).hex(),
                "data": base64.b64encode(hello.data).decode(),
                "from": "00" * 32,
                "headers": {"mt": "hello", "x": "ü", "y": "\x7f\n😀/"},
                "id": hello_id.hex(),
            },
        ],
    }
    assert json.loads(data) == expected
    # SBX-010.4: ASCII, no spaces, U+007F and astral characters escaped, "/" not
    assert b'"x":"\\u00fc","y":"\\u007f\\n\\ud83d\\ude00/"' in data and b" " not in data
    assert list(json.loads(data)) == ["core", "format", "messages"]
    assert new_core.entries["wit"] == core.entries["wit"]  # SBX-011.2: the code kept


@needs_interpreter
@pytest.mark.req("SBX-010.3", "SBX-011.1", "SBX-011.2")
def test_a_core_of_code_alone_mounts_nothing_and_keeps_its_code() -> None:
    store = g.Store.memory()
    ex = _executor(store)
    replace = store.put_object(g.Blob(data=b"replace", headers={"runtime": "test-actor"}))
    core = _core(store, SPY)
    core = g.Tree(entries={**core.entries, "wit_update": replace})
    actor = ex.genesis(core)
    assert not ex.run_until_quiescent().failures
    data, listing, new_core = _seen(store, actor)
    assert listing == ""  # neither wit nor wit_update is mounted
    assert json.loads(data)["core"] is None
    assert new_core.entries["wit"] == core.entries["wit"]
    assert new_core.entries["wit_update"] == replace
    assert set(new_core.entries) == {"wit", "wit_update", "seen.json", "listing"}


@needs_interpreter
@pytest.mark.req("SBX-010.2", "WIT-012.2")
def test_messages_come_senders_in_id_order_each_oldest_first() -> None:
    forwarder = """\
import json
to = open("to").read()
sends = [{"to": to, "headers": {"mt": "fwd", "n": str(i)}} for i in range(2)]
json.dump(sends, open("/out/sends.json", "w"))
"""
    store = g.Store.memory()
    ex = _executor(store)
    spy_core = _core(store, SPY)
    spy = g.object_id(spy_core)
    fwd = ex.genesis(_core(store, forwarder, to=spy.hex().encode()))
    assert not ex.run_until_quiescent().failures  # the forwarder sends first; spy waits
    _send(ex, store, spy, "late")
    assert ex.genesis(spy_core) == spy
    assert not ex.run_until_quiescent().failures
    messages = json.loads(_seen(store, spy)[0])["messages"]
    # the outside's messages first (its id is the smallest), though they came later
    assert [(m["from"], m["headers"].get("mt"), m["headers"].get("n")) for m in messages] == [
        ("00" * 32, "late", None),
        ("00" * 32, "genesis", None),
        (fwd.hex(), "fwd", "0"),
        (fwd.hex(), "fwd", "1"),
    ]


@needs_interpreter
@pytest.mark.req("SBX-011.2", "SBX-013.1")
def test_a_program_that_writes_its_own_code_fails_invalid_transition() -> None:
    store = g.Store.memory()
    ex = _executor(store)
    actor = ex.genesis(_core(store, "open('wit', 'w').write('print(1)')\n"))
    report = ex.run_until_quiescent()
    assert [f.error_class for f in report.failures] == ["invalid-transition"]
    assert "SBX-011.2" in str(report.failures[0].error)
    assert ex.head(actor) is None


@needs_interpreter
@pytest.mark.req("SBX-011.3", "WIT-016")
def test_a_frozen_core_stays_frozen() -> None:
    store = g.Store.memory()
    ex = _executor(store)
    thaw = "import os\nos.remove('frozen')\nopen('n', 'w').write('1')\n"
    actor = ex.genesis(_core(store, thaw, frozen=b"yes"))
    report = ex.run_until_quiescent()
    assert [f.error_class for f in report.failures] == ["frozen-core"]
    assert ex.head(actor) is None
    keep = "open('n', 'w').write('1')\n"
    kept = ex.genesis(_core(store, keep, frozen=b"yes"))
    report = ex.run_until_quiescent()
    assert [f.actor for f in report.failures] == [actor]  # the first one fails again
    assert set(ex.core(kept).entries) == {"wit", "frozen", "n"}


@needs_interpreter
@pytest.mark.req("SBX-012.3")
@pytest.mark.parametrize("mt", ["genesis", "update"])
def test_a_program_cannot_send_genesis_or_update(mt: str) -> None:
    store = g.Store.memory()
    ex = _executor(store)
    send = {"to": "11" * 32, "headers": {"mt": mt}}
    source = f"import json\njson.dump([{send!r}], open('/out/sends.json', 'w'))\n"
    actor = ex.genesis(_core(store, source))
    report = ex.run_until_quiescent()
    assert [f.error_class for f in report.failures] == ["invalid-transition"]
    assert ex.head(actor) is None


@needs_interpreter
@pytest.mark.req("SBX-004.5", "SBX-013.1")
def test_a_send_with_headers_no_message_can_carry_is_invalid_transition() -> None:
    store = g.Store.memory()
    ex = _executor(store)
    send = {"to": "11" * 32, "headers": {"": "x"}}
    source = f"import json\njson.dump([{send!r}], open('/out/sends.json', 'w'))\n"
    actor = ex.genesis(_core(store, source))
    report = ex.run_until_quiescent()
    assert [f.error_class for f in report.failures] == ["invalid-transition"]
    assert ex.head(actor) is None


@needs_interpreter
@pytest.mark.req("SBX-012.4")
def test_what_the_program_prints_is_not_part_of_the_step() -> None:
    store = g.Store.memory()
    ex = _executor(store)
    marker = "printed-but-not-kept-7f3a"
    actor = ex.genesis(_core(store, f"print({marker!r})\nopen('n', 'w').write('1')\n"))
    assert not ex.run_until_quiescent().failures
    for oid in store.iter_ids():
        obj = store.get_object(oid)
        if isinstance(obj, g.Blob) and obj.headers.get("runtime") != "python-wasi":
            assert marker.encode() not in obj.data
    assert ex.head(actor) is not None


@needs_interpreter
@pytest.mark.req("SBX-014.1", "WIT-017.3")
def test_a_python_actor_answers_no_query() -> None:
    store = g.Store.memory()
    ex = _executor(store)
    actor = ex.genesis(_core(store, COUNTER))
    ex.run_until_quiescent()
    for name in ("wut", "count"):
        with pytest.raises(g.GritError) as caught:
            ex.query(actor, name)
        assert caught.value.error_class == "unknown-query"


@needs_interpreter
@pytest.mark.req("SBX-015.1", "WIT-013.4")
def test_an_update_replaces_the_program_without_running_it() -> None:
    store = g.Store.memory()
    ex = _executor(store)
    actor = ex.genesis(_core(store, COUNTER))
    _send(ex, store, actor, "inc")
    ex.run_until_quiescent()
    doubler = COUNTER.replace("n += 1", "n += 2")
    update = g.Tree(entries={"wit": store.put_object(wit_blob(doubler, held_interpreter()))})
    ex.inject(actor, store.put_object(update), {"mt": "update"})
    _send(ex, store, actor, "inc")
    assert not ex.run_until_quiescent().failures
    assert _count(store, actor) == b"3"  # 1 by the counter, then 2 by its replacement
    assert ex.core(actor).entries["wit"] == update.entries["wit"]


@needs_interpreter
@pytest.mark.req("SBX-015.2", "WIT-014.3")
def test_a_python_update_function_is_unknown_wit() -> None:
    store = g.Store.memory()
    ex = _executor(store)
    actor = ex.genesis(_core(store, COUNTER))
    ex.run_until_quiescent()
    function = store.put_object(wit_blob("open('n', 'w').write('1')\n", held_interpreter()))
    note = store.put_object(g.Blob(data=b"x"))
    update = g.Tree(entries={"wit_update": function, "note": note})
    ex.inject(actor, store.put_object(update), {"mt": "update"})
    report = ex.run_until_quiescent()
    assert [f.error_class for f in report.failures] == ["unknown-wit"]
    assert "SBX-015.2" in str(report.failures[0].error)


@pytest.mark.req("SBX-002.1", "WIT-001.3")
def test_without_the_interpreter_a_python_actor_fails_unknown_wit_with_the_install_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GRITWIT_SANDBOX_PYTHON", str(tmp_path / "missing.wasm"))
    store = g.Store.memory()
    ex = Executor(store)
    wit = g.Blob(
        data=b"print(1)\n",
        headers={"runtime": "python-wasi", "sandbox": "1", "interpreter": "ab" * 32},
    )
    actor = ex.genesis(g.Tree(entries={"wit": store.put_object(wit)}))
    report = ex.run_until_quiescent()
    assert [f.error_class for f in report.failures] == ["unknown-wit"]
    assert "pip install" in str(report.failures[0].error)
    assert ex.head(actor) is None


def _gritwit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gritwit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@needs_interpreter
@pytest.mark.req("SBX-010.1", "SBX-011.1", "RUN-007")
def test_the_cli_makes_a_program_an_actor_that_the_runtime_runs(tmp_path: Path) -> None:
    (tmp_path / "counter.py").write_text(COUNTER, encoding="utf-8")
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "count").write_text("40")
    made = _gritwit(
        "sandbox",
        "actor",
        "counter.py",
        "--store",
        "st",
        "--create",
        "--mount",
        "state",
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    actor = made.stdout.strip()
    assert len(actor) == 64
    for _ in range(2):
        sent = _gritwit("sandbox", "send", actor, "--mt", "inc", "--store", "st", cwd=tmp_path)
        assert sent.returncode == 0, sent.stderr
    ran = _gritwit("runtime", "run", "st", cwd=tmp_path)
    assert ran.returncode == 0 and "failed" not in ran.stdout, ran.stdout + ran.stderr
    count = _gritwit("sandbox", "cat", actor, "count", "--store", "st", cwd=tmp_path)
    assert count.stdout == "42"
    # the same actor in a store built in this process: the same steps
    with g.Store.open(tmp_path / "st") as store:
        steps = _steps(store, actor=g.ObjectId.from_hex(actor))
    assert len(steps) == 1
    again = g.Store.memory()
    ex = _executor(again)
    core = _core(again, COUNTER, count=b"40")
    assert ex.genesis(core).hex() == actor
    for _ in range(2):
        _send(ex, again, g.ObjectId.from_hex(actor), "inc")
    ex.run_until_quiescent()
    assert _steps(again, g.ObjectId.from_hex(actor)) == steps


@pytest.mark.req("SBX-010.1")
def test_the_cli_says_what_is_wrong_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "p.py").write_text("pass\n")
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "wit").write_text("x")
    cases = [
        (("sandbox", "send", "zz", "--mt", "inc", "--store", "st"), "not an actor id"),
        (
            ("sandbox", "send", "00" * 32, "--mt", "inc", "--store", "nowhere"),
            "not a gritwit store",
        ),
        (("sandbox", "cat", "00" * 32, "count", "--store", "nowhere"), "not a gritwit store"),
        (("sandbox", "actor", "missing.py", "--store", "st"), "cannot read"),
        (("sandbox", "actor", "p.py", "--store", "st"), "not a gritwit store"),  # no --create
        (
            ("sandbox", "actor", "p.py", "--store", "st", "--create", "--mount", "nothing"),
            "not a directory",
        ),
        (
            ("sandbox", "actor", "p.py", "--store", "st", "--create", "--mount", "code"),
            "kept for code",
        ),
    ]
    for args, said in cases:
        done = _gritwit(*args, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert said in done.stderr and "Traceback" not in done.stderr, done.stderr
