"""``gritwit actor``: each verb run in process, its output checked against the store.

Every expected value comes from the store (what a genesis stored, what a step read) or
from the spec's own rules (a counter at 5 given ``inc 3`` answers 8, WIT-020), never from
strings of the code under test.  The verbs' refusals are in ``test_cli_refusals.py``,
the moves between SQLite and PostgreSQL in ``test_actor_cli_postgres.py``.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest

from gritwit import Blob, Message, ObjectId, Step, Store, Tree
from gritwit._commands import main
from gritwit.runtime import FAILED_PREFIX, Runtime, history
from gritwit.sandbox import INSTALL_HINT, interpreter_path
from gritwit.store import head_ref
from gritwit.wit import OUTSIDE

needs_interpreter = pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)
WASM = Path(__file__).resolve().parents[2] / "conformance" / "wasm" / "actors"


def gritwit(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``python -m gritwit ARGV`` in this process: the exit status, stdout and stderr."""
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def run_all(store_dir: Path) -> None:
    with Store.open(store_dir) as store:
        report = asyncio.run(Runtime(store).run_until_quiescent())
    assert report.quiescent


@pytest.fixture
def store(tmp_path: Path) -> str:
    return str(tmp_path / "store")


def _create(capsys: pytest.CaptureFixture[str], store: str, *more: str) -> str:
    status, out, err = gritwit(capsys, "actor", "create", "--store", store, "--create", *more)
    assert status == 0, err
    return out.strip()


@pytest.mark.req("WIT-002", "HTTP-004.1", "WIT-020")
def test_create_sends_the_genesis_of_the_core_it_names(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    actor = _create(capsys, store, "--test", "counter", "--data", "count=5")
    with Store.open(store) as opened:
        core = opened.get_object(ObjectId.from_hex(actor))  # WIT-002: the id is the core's
        assert isinstance(core, Tree) and set(core.entries) == {"wit", "count"}
        wit = opened.get_object(core.entries["wit"])
        assert isinstance(wit, Blob) and wit.data == b"counter"
        assert wit.headers["runtime"] == "test-actor"
        assert opened.get_object(core.entries["count"]) == Blob(data=b"5")
        assert opened.get_ref(head_ref(ObjectId.from_hex(actor))) is None  # not run yet
    run_all(Path(store))
    with Store.open(store) as opened:
        ((_, first),) = history(opened, ObjectId.from_hex(actor))
        assert first.core == ObjectId.from_hex(actor)  # the genesis started it (WIT-012)


@pytest.mark.req("WIT-002")
def test_an_identical_genesis_is_the_same_actor_and_sends_nothing(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    first = _create(capsys, store, "--test", "echo")
    with Store.open(store) as opened:
        refs = opened.list_ref_targets("")
    status, out, err = gritwit(capsys, "actor", "create", "--store", store, "--test", "echo")
    assert status == 0 and out.strip() == first
    assert len(err.splitlines()) == 1 and "already exists" in err and "WIT-002" in err
    with Store.open(store) as opened:
        assert opened.list_ref_targets("") == refs  # no second genesis was sent
    other = _create(capsys, store, "--test", "echo", "--data", "n=1")
    assert other != first  # other state, another actor


@pytest.mark.req("WIT-002", "HTTP-004.1", "WASM-001")
def test_a_wat_file_and_its_module_make_one_actor(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    from_wasm = _create(capsys, store, "--wasm", str(WASM / "counter.wasm"), "--data", "count=2")
    from_wat = _create(capsys, store, "--wasm", str(WASM / "counter.wat"), "--data", "count=2")
    assert from_wat == from_wasm
    status, out, _ = gritwit(
        capsys, "actor", "send", "--store", store, from_wasm, "", "--mt", "inc"
    )
    assert status == 0
    run_all(Path(store))
    status, out, _ = gritwit(capsys, "actor", "query", "--store", store, from_wasm, "count")
    assert (status, out) == (0, "3\n")  # WIT-020.2: an empty inc adds 1


@pytest.mark.req("HTTP-004.1", "WIT-002")
def test_the_command_line_and_the_service_make_the_same_actor(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    pytest.importorskip("starlette")
    from serve_helpers import created, serving

    module = (WASM / "echo.wasm").read_bytes()
    with serving(tmp_path / "served") as one:
        by_http = [
            created(one.client, test="counter", state={"count": b"7".hex()}),
            created(one.client, wasm=module.hex(), state={"a": b"\x00\xff".hex()}),
        ]
    by_cli = [
        _create(capsys, store, "--test", "counter", "--data-json", '{"count": "7"}'),
        _create_with_bytes(capsys, store, module_path=WASM / "echo.wasm", data=b"\x00\xff"),
    ]
    assert by_cli == by_http


def _create_with_bytes(
    capsys: pytest.CaptureFixture[str], store: str, *, module_path: Path, data: bytes
) -> str:
    """``--data a=…`` with bytes that are no UTF-8: argv carries them (surrogateescape)."""
    value = data.decode("utf-8", "surrogateescape")
    return _create(capsys, store, "--wasm", str(module_path), "--data", f"a={value}")


@needs_interpreter
@pytest.mark.slow
@pytest.mark.req("SBX-010.1", "WIT-002")
def test_a_python_program_is_made_an_actor(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    program = tmp_path / "p.py"
    program.write_text("print('hi')\n")
    actor = _create(capsys, store, "--python", str(program), "--data", "n=1")
    with Store.open(store) as opened:
        core = opened.get_object(ObjectId.from_hex(actor))
        assert isinstance(core, Tree)
        wit = opened.get_object(core.entries["wit"])
        assert isinstance(wit, Blob) and wit.headers["runtime"] == "python-wasi"
        assert wit.data == program.read_bytes()


@pytest.mark.req("WIT-004", "WIT-020.2", "WIT-017")
def test_send_queues_a_message_and_query_reads_the_answer(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    actor = _create(capsys, store, "--test", "counter", "--data", "count=5")
    status, out, err = gritwit(capsys, "actor", "send", "--store", store, actor, "3", "--mt", "inc")
    assert status == 0, err
    with Store.open(store) as opened:
        message = opened.get_object(ObjectId.from_hex(out.strip()))
        assert isinstance(message, Message) and dict(message.headers) == {"mt": "inc"}
        assert opened.get_object(message.content) == Blob(data=b"3")
    run_all(Path(store))
    assert gritwit(capsys, "actor", "query", "--store", store, actor, "count") == (0, "8\n", "")
    status, out, _ = gritwit(capsys, "actor", "query", "--store", store, actor, "count", "--json")
    assert status == 0 and json.loads(out)["hex"] == b"8".hex()


def _rows(capsys: pytest.CaptureFixture[str], store: str, *flags: str) -> dict[str, Any]:
    status, out, err = gritwit(capsys, "actor", "list", "--store", store, "--json", *flags)
    assert status == 0, err
    return {row["actor"]: row for row in json.loads(out)}


@pytest.mark.req("RUN-001", "RUN-004.4", "WIT-005")
def test_list_shows_status_pending_and_the_failure_as_the_store_holds_them(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    ran = _create(capsys, store, "--test", "counter")
    marked = _create(capsys, store, "--test", "counter", "--data", "count=1")
    run_all(Path(store))
    waiting = _create(capsys, store, "--test", "echo")
    for _ in range(2):
        gritwit(capsys, "actor", "send", "--store", store, waiting, "x", "--mt", "hi")
    gritwit(capsys, "actor", "send", "--store", store, ran, "", "--mt", "inc")
    record = Blob(data=b'{"actor":"%s","attempts":5,"error":"failed"}' % marked.encode())
    with Store.open(store) as opened:
        opened.put_object(record)
        opened.cas_ref(FAILED_PREFIX + marked, None, opened.put_object(record))
        heads = {name[len("heads/") :] for name in opened.list_refs("heads/")}
    rows = _rows(capsys, store)
    assert set(rows) == heads | {waiting} and waiting not in heads
    assert (rows[ran]["status"], rows[ran]["pending"]) == ("ok", 1)
    assert (rows[waiting]["status"], rows[waiting]["pending"]) == ("no head", 3)  # + genesis
    assert rows[marked]["status"] == "failed" and "failed after 5" in rows[marked]["reason"]
    assert all(row["kind"] == "test-actor" for row in rows.values())
    # a step time (RUN-027) for each head, none for an actor without one
    assert rows[waiting]["time"] is None
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rows[a]["time"]) for a in heads)
    assert set(_rows(capsys, store, "--failed")) == {marked}
    assert set(_rows(capsys, store, "--pending")) == {ran, waiting}
    status, out, _ = gritwit(capsys, "actor", "list", "--store", store)
    assert status == 0 and sorted(line.split()[0] for line in out.splitlines()[1:]) == sorted(rows)


@pytest.mark.req("OBJ-015", "WIT-004", "WIT-005")
def test_history_lists_what_each_step_read_and_sent(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    echo = _create(capsys, store, "--test", "echo")
    run_all(Path(store))
    status, out, _ = gritwit(capsys, "actor", "send", "--store", store, echo, "hello", "--mt", "hi")
    sent = out.strip()
    run_all(Path(store))
    status, out, err = gritwit(capsys, "actor", "history", "--store", store, echo, "--json")
    assert status == 0, err
    rows = json.loads(out)
    with Store.open(store) as opened:
        steps = history(opened, ObjectId.from_hex(echo))
        assert [row["step"] for row in rows] == [step_id.hex() for step_id, _ in steps]
        assert [m["mt"] for m in rows[0]["read"]] == ["genesis"]
        assert rows[1]["read"] == [{"sender": "outside", "message": sent, "mt": "hi"}]
        # WIT-019.1: the echo replies to its sender, the outside, with the same content
        (reply,) = rows[1]["sent"]
        assert reply["recipient"] == OUTSIDE.hex() and reply["mt"] == "echo"
        replied = opened.get_object(ObjectId.from_hex(reply["message"]))
        original = opened.get_object(ObjectId.from_hex(sent))
        assert isinstance(replied, Message) and isinstance(original, Message)
        assert replied.content == original.content
    status, text, _ = gritwit(capsys, "actor", "history", "--store", store, echo)
    assert status == 0 and sent in text and text.count("\nstep ") + 1 == len(rows)


@pytest.mark.req("RUN-008", "RUN-008.2", "RUN-008.5", "OBJ-015")
def test_fork_and_diff_show_the_childs_new_entries(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    parent = _create(capsys, store, "--test", "counter", "--data", "count=5")
    run_all(Path(store))
    gritwit(capsys, "actor", "send", "--store", store, parent, "3", "--mt", "inc")
    run_all(Path(store))
    status, out, err = gritwit(
        capsys, "actor", "diff", "--store", store, parent, "0", "-1", "--json"
    )
    assert status == 0, err
    (change,) = json.loads(out)
    assert (change["path"], change["change"]) == ("count", "changed")
    assert (change["old"]["text"], change["new"]["text"]) == ("5", "8")
    status, out, err = gritwit(
        capsys, "actor", "fork", "--store", store, parent, "0", "--data", "note=hi"
    )
    assert status == 0, err
    child = ObjectId.from_hex(out.strip())
    with Store.open(store) as opened:
        first_parent_step = history(opened, ObjectId.from_hex(parent))[0][0]
        head = opened.get_object(opened.get_ref(head_ref(child)))  # type: ignore[arg-type]
        assert isinstance(head, Step) and head.previous == first_parent_step  # RUN-008.5
    status, out, _ = gritwit(
        capsys,
        "actor",
        "diff",
        "--store",
        store,
        child.hex(),
        first_parent_step.hex(),
        "-1",
        "--json",
    )
    changes = {c["path"]: c for c in json.loads(out)}
    assert set(changes) == {"fork", "note"}  # RUN-008.2: state set, a fork entry added
    assert all(c["change"] == "added" and c["old"] is None for c in changes.values())
    assert changes["note"]["new"]["text"] == "hi"
    assert json.loads(changes["fork"]["new"]["text"]) == {
        "actor": parent,
        "step": first_parent_step.hex(),
    }
    status, text, _ = gritwit(capsys, "actor", "diff", "--store", store, parent, "0", "1")
    assert status == 0 and text.startswith("~ count") and '"5"' in text and '"8"' in text


@pytest.mark.req("RUN-009.1", "RUN-009.4", "RUN-009.8")
def test_export_then_import_moves_the_history_unchanged(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    actor = _create(capsys, store, "--test", "counter", "--data", "count=5")
    run_all(Path(store))
    bundle = tmp_path / "counter.bundle"
    status, out, err = gritwit(capsys, "actor", "export", "--store", store, actor, str(bundle))
    assert status == 0 and out.split() == [actor, str(bundle.stat().st_size)], err
    other = str(tmp_path / "other")
    status, out, err = gritwit(capsys, "actor", "import", "--store", other, "--create", str(bundle))
    assert status == 0, err
    with Store.open(store) as a, Store.open(other) as b:
        head = a.get_ref(head_ref(ObjectId.from_hex(actor)))
        assert head is not None and out.split() == [actor, head.hex()]
        assert b.get_ref(head_ref(ObjectId.from_hex(actor))) == head
        assert history(a, ObjectId.from_hex(actor)) == history(b, ObjectId.from_hex(actor))
    again = gritwit(capsys, "actor", "import", "--store", other, str(bundle))
    assert again[0] == 0  # the same head: accepted, nothing changes (RUN-009.4)


@pytest.mark.req("RUN-024.1", "RUN-024.2", "RUN-024.3", "RUN-026.4")
def test_revert_by_name_two_steps_back_counts_on_from_there(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    """A counter named ``tally`` counts 1, 2, 3; reverted two steps it counts 2 on the
    next inc (WIT-020: inc 1 adds 1), not 4, and not again the incs it had read."""
    from gritwit.runtime import bind_name

    actor = _create(capsys, store, "--test", "counter")
    run_all(Path(store))
    with Store.open(store) as opened:
        bind_name(opened, "tally", ObjectId.from_hex(actor))
    for _ in range(3):
        assert (
            gritwit(capsys, "actor", "send", "--store", store, "tally", "1", "--mt", "inc")[0] == 0
        )
        run_all(Path(store))
    assert gritwit(capsys, "actor", "query", "--store", store, "tally", "count")[1] == "3\n"
    status, out, err = gritwit(capsys, "actor", "revert", "--store", store, "tally", "-3")
    assert status == 0, err
    with Store.open(store) as opened:
        steps = history(opened, ObjectId.from_hex(actor))
        assert steps[-1][0].hex() == out.strip()  # the new head it printed
        assert steps[-1][1].core == steps[-4][1].core  # the core two steps before the head's
        assert steps[-1][1].inbox == steps[-2][1].inbox  # what was read stays read
    assert gritwit(capsys, "actor", "query", "--store", store, "tally", "count")[1] == "1\n"
    gritwit(capsys, "actor", "send", "--store", store, "tally", "1", "--mt", "inc")
    run_all(Path(store))
    assert gritwit(capsys, "actor", "query", "--store", store, "tally", "count")[1] == "2\n"
    # The head itself is no step to go back to (RUN-024.6): refused, exit 1, nothing moved.
    status, _, err = gritwit(capsys, "actor", "revert", "--store", store, "tally", "-1")
    assert status == 1 and "invalid-ref-target" in err and "RUN-024.6" in err


@pytest.mark.req("RUN-024.10")
def test_revert_with_a_head_no_longer_the_head_is_refused_and_moves_nothing(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    """``--head`` names the head the user chose against: a step adopted since makes the
    revert ``ref-conflict`` (exit 1) before anything is stored."""
    actor = _create(capsys, store, "--test", "counter")
    run_all(Path(store))
    for _ in range(2):
        gritwit(capsys, "actor", "send", "--store", store, actor, "1", "--mt", "inc")
        run_all(Path(store))
    with Store.open(store) as opened:
        steps = [oid for oid, _ in history(opened, ObjectId.from_hex(actor))]
        held = set(opened.iter_ids())
    first, seen = steps[0].hex(), steps[-2].hex()  # the head before the last inc
    status, _, err = gritwit(
        capsys, "actor", "revert", "--store", store, actor, first, "--head", seen
    )
    assert status == 1 and "ref-conflict" in err and "RUN-024.10" in err, err
    with Store.open(store) as opened:
        assert set(opened.iter_ids()) == held, "RUN-024.10: a refused revert stored its step"
        assert opened.get_ref(f"heads/{actor}") == steps[-1]
    status, _, err = gritwit(
        capsys, "actor", "revert", "--store", store, actor, first, "--head", "-1"
    )
    assert status == 0, err
    assert gritwit(capsys, "actor", "query", "--store", store, actor, "count")[1] == "0\n"


@pytest.mark.req("RUN-025.1")
def test_clear_deletes_a_failed_mark_and_says_when_there_was_none(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    actor = _create(capsys, store, "--test", "failing")
    run_all(Path(store))
    gritwit(capsys, "actor", "send", "--store", store, actor, "boom")
    with Store.open(store) as opened:
        asyncio.run(Runtime(opened, attempts=1, first_backoff=0.0).run_until_quiescent())
        assert opened.get_ref(FAILED_PREFIX + actor) is not None
    status, out, err = gritwit(capsys, "actor", "clear", "--store", store, actor, "--json")
    assert status == 0 and json.loads(out) == {"actor": actor, "cleared": True}, err
    with Store.open(store) as opened:
        assert opened.get_ref(FAILED_PREFIX + actor) is None
    status, out, _ = gritwit(capsys, "actor", "clear", "--store", store, actor)
    assert (status, out) == (0, "not marked failed\n")


@pytest.mark.req("RUN-026.2", "RUN-026.4")
def test_name_binds_once_and_every_verb_then_takes_it(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    first = _create(capsys, store, "--test", "counter")
    other = _create(capsys, store, "--test", "counter", "--data", "count=7")
    run_all(Path(store))
    assert gritwit(capsys, "actor", "name", "--store", store, "cart", first)[:2] == (
        0,
        f"cart {first}\n",
    )
    assert gritwit(capsys, "actor", "name", "--store", store, "cart", first)[0] == 0  # again
    status, _, err = gritwit(capsys, "actor", "name", "--store", store, "cart", other)
    assert status == 1 and "ref-conflict" in err  # never silently rebound
    with Store.open(store) as opened:
        assert opened.get_ref("names/actors/cart") == ObjectId.from_hex(first)
    assert gritwit(capsys, "actor", "query", "--store", store, "cart", "count")[1] == "0\n"
    status, _, err = gritwit(capsys, "actor", "name", "--store", store, "Not A Name", first)
    assert status == 1 and "invalid-ref-name" in err
