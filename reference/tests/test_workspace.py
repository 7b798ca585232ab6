"""Workspaces: ``gritwit push`` and ``gritwit pull`` (spec/07-runtime.md, RUN-026.5, RUN-026.6).

A push creates each new name's actor (its genesis core holding the name) and binds the
name; pushed again it writes nothing; changed code goes out as an update that the actor
runs after ``gritwit runtime run``; two names with one program are two actors; pull
writes a core back to a directory; a bad workspace file is one line and exit 2.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gritwit as g
from gritwit.runtime import actor_names, bind_name, resolve_actor
from gritwit.wit import Executor, test_actor_core
from gritwit.workspace import (
    DataValue,
    Workspace,
    WorkspaceActor,
    current_core,
    genesis_core,
    push,
)
from gritwit_conformance.cli import main

ROOT = Path(__file__).resolve().parents[2]
WAT = ROOT / "conformance" / "wasm" / "actors"

TWO_COUNTERS = """\
[actors.left]
test = "counter"
[actors.left.data]
count = 3

[actors.right]
test = "counter"
[actors.right.data]
count = 3
"""


def _workspace(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ws" / "gritwit.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out.splitlines(), err.splitlines()


def _snapshot(store_dir: Path) -> tuple[set[g.ObjectId], list[tuple[str, g.ObjectId]]]:
    """Every object id and every ref of the store: what a push may or may not write."""
    with g.Store.open(store_dir) as store:
        return set(store.iter_ids()), store.list_ref_targets()


def _run(capsys: pytest.CaptureFixture[str], store_dir: Path) -> None:
    status, out, _ = _cli(capsys, "runtime", "run", str(store_dir))
    assert status == 0 and "quiescent: True" in out[-1]


def _count(store: g.Store, actor: g.ObjectId) -> bytes:
    core = current_core(store, actor)
    blob = store.get_object(core.entries["count"])
    assert isinstance(blob, g.Blob)
    return blob.data


@pytest.mark.req("RUN-026.5", "RUN-026.6", "RUN-026.2")
def test_push_creates_each_name_and_two_names_of_one_program_are_two_actors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, store_dir = _workspace(tmp_path, TWO_COUNTERS), tmp_path / "store"
    status, out, err = _cli(capsys, "push", str(ws), "--store", str(store_dir), "--create")
    assert status == 0, err
    assert [line.split()[:2] for line in out[:2]] == [["created", "left"], ["created", "right"]]
    with g.Store.open(store_dir) as store:
        names = actor_names(store)
        assert set(names) == {"left", "right"} and names["left"] != names["right"]
        for name, actor in names.items():  # the ids the lines print, and the name in the core
            assert f"created {name} {actor}" in out
            genesis = store.get_object(actor)
            assert isinstance(genesis, g.Tree)
            assert store.get_object(genesis.entries["name"]) == g.Blob(data=name.encode())
            assert store.get_object(genesis.entries["count"]) == g.Blob(data=b"3")
    _run(capsys, store_dir)
    with g.Store.open(store_dir) as store:
        left = resolve_actor(store, "left")
        Executor(store).inject(left, store.put_object(g.Blob(data=b"")), {"mt": "inc"})
    _run(capsys, store_dir)
    with g.Store.open(store_dir) as store:  # each its own state: one count moved
        assert _count(store, resolve_actor(store, "left")) == b"4"
        assert _count(store, resolve_actor(store, "right")) == b"3"


@pytest.mark.req("RUN-026.5")
def test_without_names_the_same_program_would_be_one_actor(tmp_path: Path) -> None:
    """WIT-002's trap that the name entry undoes: the cores differ only by the name."""
    workspace = Workspace.load(_workspace(tmp_path, TWO_COUNTERS))
    left, right = (genesis_core(workspace, actor)[0] for actor in workspace.actors)
    assert g.object_id(left) != g.object_id(right)
    unnamed = [{k: v for k, v in core.entries.items() if k != "name"} for core in (left, right)]
    assert unnamed[0] == unnamed[1]


@pytest.mark.req("RUN-026.6")
def test_pushing_twice_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws, store_dir = _workspace(tmp_path, TWO_COUNTERS), tmp_path / "store"
    assert _cli(capsys, "push", str(ws), "--store", str(store_dir), "--create")[0] == 0
    before = _snapshot(store_dir)
    status, out, _ = _cli(capsys, "push", str(ws), "--store", str(store_dir))
    assert status == 0
    assert [line.split()[0] for line in out[:2]] == ["unchanged", "unchanged"]
    assert _snapshot(store_dir) == before
    _run(capsys, store_dir)  # and after the actors ran: their heads are not the genesis
    before = _snapshot(store_dir)
    assert _cli(capsys, "push", str(ws), "--store", str(store_dir))[0] == 0
    assert _snapshot(store_dir) == before


@pytest.mark.req("RUN-026.6", "RUN-026.4")
def test_changed_code_is_an_update_the_actor_runs_after_a_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, store_dir = _workspace(tmp_path, TWO_COUNTERS), tmp_path / "store"
    assert _cli(capsys, "push", str(ws), "--store", str(store_dir), "--create")[0] == 0
    _run(capsys, store_dir)
    ws.write_text(TWO_COUNTERS.replace('test = "counter"', 'test = "echo"', 1), encoding="utf-8")
    status, out, _ = _cli(capsys, "push", str(ws), "--store", str(store_dir))
    assert status == 0
    assert out[0].startswith("updated left ") and out[1].startswith("unchanged right ")
    before = _snapshot(store_dir)  # pushed again before a run: the update is pending
    status, out, _ = _cli(capsys, "push", str(ws), "--store", str(store_dir))
    assert out[0].startswith("pending left ") and _snapshot(store_dir) == before
    _run(capsys, store_dir)
    with g.Store.open(store_dir) as store:
        left = resolve_actor(store, "left")
        assert current_core(store, left).entries["count"] is not None  # state kept
        assert _count(store, left) == b"3"
        executor = Executor(store)
        content = store.put_object(g.Blob(data=b"hello"))
        executor.inject(left, content, {"mt": "inc"})
    _run(capsys, store_dir)
    with g.Store.open(store_dir) as store:  # echo now: a reply, and the count unmoved
        replies = Executor(store).replies(resolve_actor(store, "left"))
        assert [(r.mt, r.message.content) for r in replies] == [("echo", content)]
        assert _count(store, resolve_actor(store, "left")) == b"3"
    status, out, _ = _cli(capsys, "push", str(ws), "--store", str(store_dir))
    assert out[0].startswith("unchanged left ")


@pytest.mark.req("RUN-026.6")
def test_changed_data_of_an_existing_actor_is_said_and_not_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, store_dir = _workspace(tmp_path, TWO_COUNTERS), tmp_path / "store"
    assert _cli(capsys, "push", str(ws), "--store", str(store_dir), "--create")[0] == 0
    ws.write_text(TWO_COUNTERS.replace("count = 3", "count = 9", 1), encoding="utf-8")
    before = _snapshot(store_dir)
    status, out, _ = _cli(capsys, "push", str(ws), "--store", str(store_dir))
    assert status == 0 and out[0].startswith("unchanged left ") and "data is initial" in out[0]
    assert _snapshot(store_dir) == before


@pytest.mark.req("RUN-026.6", "RUN-026.2")
def test_a_name_taken_between_the_genesis_and_the_binding_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another push binds the name after this one sent its genesis: the name stays the
    winner's (RUN-026.2) and this push says so; its actor exists, unnamed."""
    import gritwit.workspace._push as pushing

    workspace = Workspace.load(_workspace(tmp_path, TWO_COUNTERS))
    store = g.Store.memory()
    core, objects = test_actor_core("echo")
    store.put_objects(objects)
    rival = g.object_id(core)
    real = pushing.send_from_outside

    def send_then_rival_binds(*args: object, **kwargs: object) -> object:
        sent = real(*args, **kwargs)  # type: ignore[arg-type]
        bind_name(store, "left", rival)
        return sent

    monkeypatch.setattr(pushing, "send_from_outside", send_then_rival_binds)
    lines = {line.name: line for line in push(store, workspace)}
    assert lines["left"].action == "taken" and lines["right"].action == "created"
    assert resolve_actor(store, "left") == rival
    assert lines["left"].actor != rival and store.has(lines["left"].actor)


@pytest.mark.req("RUN-026.6", "RUN-026.5")
def test_a_wasm_actor_from_wat_is_created_and_updated_with_a_new_module(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = _workspace(tmp_path, '[actors.w]\nwasm = "code.wat"\n')
    shutil.copy(WAT / "counter.wat", ws.parent / "code.wat")
    store_dir = tmp_path / "store"
    status, out, err = _cli(capsys, "push", str(ws), "--store", str(store_dir), "--create")
    assert status == 0, err
    _run(capsys, store_dir)
    shutil.copy(WAT / "echo.wasm", ws.parent / "code.wasm")
    ws.write_text('[actors.w]\nwasm = "code.wasm"\n', encoding="utf-8")
    status, out, _ = _cli(capsys, "push", str(ws), "--store", str(store_dir))
    assert out[0].startswith("updated w ")
    _run(capsys, store_dir)
    with g.Store.open(store_dir) as store:
        actor = resolve_actor(store, "w")
        wit = store.get_object(current_core(store, actor).entries["wit"])
        assert isinstance(wit, g.Blob) and wit.data == (WAT / "echo.wasm").read_bytes()
        content = store.put_object(g.Blob(data=b"hi"))
        Executor(store).inject(actor, content, {"mt": "anything"})
    _run(capsys, store_dir)
    with g.Store.open(store_dir) as store:
        replies = Executor(store).replies(resolve_actor(store, "w"))
        assert [(r.mt, r.message.content) for r in replies] == [("echo", content)]


@pytest.mark.req("RUN-026.4", "RUN-026.6")
def test_pull_writes_the_current_core_and_refuses_a_non_empty_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = '[actors.left.data.pages]\nhome = "<h1>hi</h1>"\n[actors.left.data.pages.deep]\nx = 7\n'
    text = TWO_COUNTERS + pages
    ws, store_dir = _workspace(tmp_path, text), tmp_path / "store"
    assert _cli(capsys, "push", str(ws), "--store", str(store_dir), "--create")[0] == 0
    out_dir = tmp_path / "out"
    status, out, err = _cli(capsys, "pull", "left", str(out_dir), "--store", str(store_dir))
    assert status == 0 and out[0].startswith("pulled left "), err
    files = {
        p.relative_to(out_dir).as_posix(): p.read_bytes() for p in out_dir.rglob("*") if p.is_file()
    }
    assert files == {
        "count": b"3",
        "name": b"left",
        "wit": b"counter",
        "pages/home": b"<h1>hi</h1>",
        "pages/deep/x": b"7",
    }
    status, _, err = _cli(capsys, "pull", "left", str(out_dir), "--store", str(store_dir))
    assert status == 2 and len(err) == 1 and "--force" in err[0]
    _run(capsys, store_dir)  # by id, after a step: the head's core, the same files
    with g.Store.open(store_dir) as store:
        left = resolve_actor(store, "left").hex()
    status, _, err = _cli(capsys, "pull", left, str(out_dir), "--store", str(store_dir), "--force")
    assert status == 0, err
    assert (out_dir / "count").read_bytes() == b"3"
    status, _, err = _cli(capsys, "pull", "nobody", str(tmp_path / "n"), "--store", str(store_dir))
    assert status == 2 and len(err) == 1 and "not-found" in err[0] and "RUN-026.4" in err[0]
    assert not (tmp_path / "n").exists()


BAD = [
    ("[actors.x\n", "", "not TOML"),
    ("other = 1\n[actors.a]\ntest = 'echo'\n", "other", "unknown key"),
    ("title = 'x'\n", "title", "unknown key"),
    ("actors = 3\n", "actors", "names no actor"),
    ("[actors.Counter]\ntest = 'echo'\n", "actors.Counter", "RUN-026.1"),
    ("[actors.a]\n", "actors.a", "exactly one"),
    ("[actors.a]\ntest = 'echo'\npython = 'p.py'\n", "actors.a", "exactly one"),
    ("[actors.a]\ntest = 'nope'\n", "actors.a.test", "no test actor"),
    ("[actors.a]\ntest = 3\n", "actors.a.test", "must be"),
    ("[actors.a]\nwasm = 'missing.wasm'\n", "actors.a.wasm", "cannot read"),
    ("[actors.a]\nwasm = 'bad.wat'\n", "actors.a.wasm", "bad.wat"),
    ("[actors.a]\ntest = 'echo'\ncolor = 'red'\n", "actors.a.color", "unknown key"),
    ("[actors.a]\ntest = 'echo'\ndata = 3\n", "actors.a.data", "table"),
    ("[actors.a]\ntest = 'echo'\n[actors.a.data]\nname = 'x'\n", "actors.a.data.name", "kept"),
    ("[actors.a]\ntest = 'echo'\n[actors.a.data]\nwit = 'x'\n", "actors.a.data.wit", "kept"),
    ("[actors.a]\ntest = 'echo'\n[actors.a.data]\nf = 1.5\n", "actors.a.data.f", "float"),
    ("[actors.a]\ntest = 'echo'\n[actors.a.data]\nb = true\n", "actors.a.data.b", "bool"),
    ("[actors.a]\ntest = 'echo'\n[actors.a.data]\nl = [1]\n", "actors.a.data.l", "list"),
    ("[actors.a]\ntest = 'echo'\n[actors.a.data.t]\n", "actors.a.data.t", "empty table"),
    ("[actors.a]\ntest = 'echo'\n[actors.a.data]\n\"..\" = 'x'\n", "actors.a.data", "invalid-name"),
    ("[actors.a]\ntest = 'echo'\n[actors.a.data]\n\"\" = 'x'\n", "actors.a.data", "invalid-name"),
]


@pytest.mark.req("RUN-026.5", "RUN-026.1")
@pytest.mark.parametrize(("text", "key", "why"), BAD)
def test_a_bad_workspace_is_one_line_naming_the_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, key: str, why: str
) -> None:
    ws = _workspace(tmp_path, text)
    (ws.parent / "bad.wat").write_text("(module (func $f (result i32)", encoding="utf-8")
    store_dir = tmp_path / "store"
    status, out, err = _cli(capsys, "push", str(ws), "--store", str(store_dir), "--create")
    assert status == 2 and out == [] and len(err) == 1, err
    assert err[0].startswith(f"gritwit push: {ws}: {key}") and why in err[0]
    assert not store_dir.exists()  # checked whole before the store is opened


@pytest.mark.req("RUN-026.5")
def test_a_missing_workspace_and_a_missing_store_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = _cli(capsys, "push", str(tmp_path / "none.toml"), "--store", str(tmp_path))
    assert status == 2 and len(err) == 1 and "cannot read" in err[0]
    ws = _workspace(tmp_path, TWO_COUNTERS)
    status, _, err = _cli(capsys, "push", str(ws.parent), "--store", str(tmp_path / "nostore"))
    assert status == 2 and len(err) == 1 and "--create" in err[0]


GREETER = """\
open("greeting", "w").write(open("salutation").read() + ", " + open("name").read())
"""


@pytest.mark.slow
@pytest.mark.req("RUN-026.5", "RUN-026.6")
def test_sandboxed_python_actors_see_their_own_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gritwit.sandbox import INSTALL_HINT, interpreter_path

    if interpreter_path() is None:
        pytest.skip(INSTALL_HINT)
    text = "".join(
        f'[actors.{n}]\npython = "greeter.py"\n[actors.{n}.data]\nsalutation = "hello"\n'
        for n in ("ada", "bob")
    )
    ws, store_dir = _workspace(tmp_path, text), tmp_path / "store"
    (ws.parent / "greeter.py").write_text(GREETER, encoding="utf-8")
    status, _, err = _cli(capsys, "push", str(ws), "--store", str(store_dir), "--create")
    assert status == 0, err
    _run(capsys, store_dir)
    with g.Store.open(store_dir) as store:
        for name in ("ada", "bob"):
            core = current_core(store, resolve_actor(store, name))
            greeting = store.get_object(core.entries["greeting"])
            assert greeting == g.Blob(data=f"hello, {name}".encode())


@pytest.mark.req("RUN-026.5")
def test_a_python_actor_without_an_interpreter_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRITWIT_SANDBOX_PYTHON", str(tmp_path / "no-interpreter.wasm"))
    ws = _workspace(tmp_path, '[actors.p]\npython = "p.py"\n')
    (ws.parent / "p.py").write_text("pass\n", encoding="utf-8")
    status, out, err = _cli(capsys, "push", str(ws), "--store", str(tmp_path / "s"), "--create")
    assert status == 2 and out == [] and len(err) == 1
    assert err[0].startswith(f"gritwit push: {ws}: actors.p.python: unknown-wit")
    assert not (tmp_path / "s").exists()


@pytest.mark.req("RUN-026.6")
def test_a_frozen_actor_gets_no_update_and_the_push_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = _workspace(tmp_path, '[actors.f]\ntest = "counter"\n[actors.f.data]\nfrozen = "yes"\n')
    store_dir = tmp_path / "store"
    assert _cli(capsys, "push", str(ws), "--store", str(store_dir), "--create")[0] == 0
    ws.write_text(ws.read_text(encoding="utf-8").replace("counter", "echo"), encoding="utf-8")
    before = _snapshot(store_dir)
    status, out, _ = _cli(capsys, "push", str(ws), "--store", str(store_dir))
    assert status == 1 and out[0].startswith("frozen f ") and "WIT-016" in out[0]
    assert _snapshot(store_dir) == before


@pytest.mark.req("RUN-026.6")
def test_an_update_of_a_wasm_module_resets_its_image(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """WASM-023.2: an image belongs to the module that made it, so the update that changes
    the module carries the empty image; an actor without an image gets none."""
    text = (
        '[actors.w]\nwasm = "code.wasm"\n[actors.w.data]\nimage = ""\n'
        '[actors.v]\nwasm = "code.wasm"\n'
    )
    ws = _workspace(tmp_path, text)
    shutil.copy(WAT / "counter.wasm", ws.parent / "code.wasm")
    store_dir = tmp_path / "store"
    assert _cli(capsys, "push", str(ws), "--store", str(store_dir), "--create")[0] == 0
    _run(capsys, store_dir)
    shutil.copy(WAT / "echo.wasm", ws.parent / "code.wasm")
    status, out, _ = _cli(capsys, "push", str(ws), "--store", str(store_dir))
    assert status == 0 and [line.split()[0] for line in out[:2]] == ["updated", "updated"]
    with g.Store.open(store_dir) as store:
        executor = Executor(store)
        trees = {}
        for name in ("w", "v"):
            (message,) = executor.pending_for(resolve_actor(store, name))[g.ObjectId(bytes(32))]
            assert message.mt == "update"
            tree = store.get_object(message.message.content)
            assert isinstance(tree, g.Tree)
            trees[name] = tree
        module = (WAT / "echo.wasm").read_bytes()  # WASM-001: runtime wasm, abi 1
        echo = g.object_id(g.Blob(data=module, headers={"runtime": "wasm", "abi": "1"}))
        assert dict(trees["w"].entries) == {"wit": echo, "image": g.object_id(g.Blob(data=b""))}
        assert dict(trees["v"].entries) == {"wit": echo}


NAMES = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,20}", fullmatch=True)
ENTRY = st.text(alphabet="abcdefghij_-.0123456789", min_size=1, max_size=8).filter(
    lambda n: n not in {".", "..", "name", "wit", "wit_update", "frozen", "image"}
)
VALUES = st.recursive(
    st.one_of(st.text(max_size=10), st.integers(min_value=-(10**20), max_value=10**20)),
    lambda inner: st.dictionaries(ENTRY, inner, min_size=1, max_size=3),
    max_leaves=6,
)


@pytest.mark.req("RUN-026.5", "RUN-026.6")
@settings(max_examples=30, deadline=None)
@given(
    actors=st.dictionaries(
        NAMES,
        st.tuples(
            st.sampled_from(["counter", "echo", "budget"]),
            st.dictionaries(ENTRY, VALUES, max_size=3),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_any_workspace_pushed_twice_writes_nothing_the_second_time(
    actors: dict[str, tuple[str, dict[str, DataValue]]],
) -> None:
    workspace = Workspace(
        path=Path("gritwit.toml"),
        actors=tuple(
            WorkspaceActor(name=name, kind="test", source=code, data=data)
            for name, (code, data) in actors.items()
        ),
    )
    store = g.Store.memory()
    first = push(store, workspace)
    assert sorted(line.name for line in first) == sorted(actors)
    assert {line.action for line in first} == {"created"}
    assert len({line.actor for line in first}) == len(actors)  # every name its own actor
    assert actor_names(store) == {line.name: line.actor for line in first}
    before = (set(store.iter_ids()), store.list_ref_targets())
    again = push(store, workspace)
    assert {line.action for line in again} == {"unchanged"}
    assert (set(store.iter_ids()), store.list_ref_targets()) == before


@pytest.mark.req("RUN-026.6")
@pytest.mark.parametrize("count", [99, 100])
def test_a_large_push_says_what_it_is_about_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], count: int
) -> None:
    text = "".join(f'[actors.e{i}]\ntest = "echo"\n' for i in range(count))
    ws, store_dir = _workspace(tmp_path, text), tmp_path / "store"
    status, out, err = _cli(capsys, "push", str(ws), "--store", str(store_dir), "--create")
    assert status == 0 and len(out) == count + 1
    assert out[-1] == f"{count} created of {count} actor(s)"
    if count < 100:
        assert err == []
    else:
        assert err == [
            "gritwit push: building the cores of 100 actors",
            "gritwit push: sending 100 genesis and 0 update message(s), one commit",
            "gritwit push: binding 100 name(s), one commit",
        ]
