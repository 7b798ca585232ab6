"""The command line's edges: ``--create`` only where a verb writes, the exit table's
statuses on every verb, no store made without ``--create``, revert steps labelled and the
outside named one way in the console's output.

Expected values come from the store (the steps a revert made, the message the outside
sent) or from the documented exit table (docs/guide/actor-cli.md: 2 is bad input, an
unknown actor), never from strings of the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gritwit._commands import main


def gritwit(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``python -m gritwit ARGV`` in this process: the exit status, stdout and stderr; a
    usage error (argparse's ``SystemExit``) as its status."""
    try:
        status = main(list(argv))
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 2
    out = capsys.readouterr()
    return status, out.out, out.err


READ_ONLY_RUNTIME = ("heads", "history", "verify")


@pytest.mark.req("DUR-005")
@pytest.mark.parametrize("action", READ_ONLY_RUNTIME)
def test_a_read_only_runtime_verb_offers_no_create(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, action: str
) -> None:
    """A read makes no store: ``--create`` is no option of it, and its refusal of a missing
    store does not point at one."""
    missing = tmp_path / "nowhere"
    extra = ("ab" * 32,) if action == "history" else ()
    status, out, err = gritwit(capsys, "runtime", action, str(missing), *extra, "--create")
    assert status == 2 and out == "" and "--create" in err, (status, err)
    assert not missing.exists(), "a read-only verb made a store"
    status, out, err = gritwit(capsys, "runtime", action, str(missing), *extra)
    assert status == 2 and len(err.splitlines()) == 1 and "--create" not in err, err
    with pytest.raises(SystemExit):
        main(["runtime", action, "--help"])
    assert "--create" not in capsys.readouterr().out


@pytest.mark.req("DUR-005")
def test_runtime_run_still_offers_create(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    made = tmp_path / "made"
    status, _out, err = gritwit(capsys, "runtime", "run", str(made), "--create")
    assert status == 0, err
    assert gritwit(capsys, "runtime", "heads", str(made))[0] == 0


@pytest.mark.req("RUN-026.4")
def test_pull_of_an_unknown_actor_is_bad_input_as_on_the_actor_verbs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The exit table (docs/guide/actor-cli.md): an unknown actor is 2, on every verb."""
    store = str(tmp_path / "store")
    status, _out, err = gritwit(
        capsys, "actor", "create", "--store", store, "--create", "--test", "counter"
    )
    assert status == 0, err
    target = tmp_path / "out"
    for actor in ("nobody", "Not A Name", "ab" * 32):  # unbound, invalid, an absent id
        shown = gritwit(capsys, "actor", "show", "--store", store, actor)[0]
        status, out, err = gritwit(capsys, "pull", actor, str(target), "--store", store)
        assert status == shown == 2, (actor, status, shown, err)
        assert out == "" and len(err.splitlines()) == 1 and "Traceback" not in err, err
        assert not target.exists()


@pytest.mark.req("DUR-005")
def test_the_sandbox_verbs_make_no_directory_store_without_create(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.py").write_text("pass\n")
    for verb in ("actor", "run"):
        status, out, err = gritwit(capsys, "sandbox", verb, "p.py", "--store", "st")
        assert status == 2 and out == "" and len(err.splitlines()) == 1, (verb, err)
        assert "--create" in err, err
        assert "Traceback" not in err
        assert sorted(p.name for p in tmp_path.iterdir()) == ["p.py"], verb  # nothing made


@pytest.mark.req("DUR-005", "SBX-010.1")
def test_sandbox_actor_makes_no_schema_without_create(
    capsys: pytest.CaptureFixture[str], pg_database: str, tmp_path: Path
) -> None:
    """A URL naming a schema that does not exist is refused with 2 and the statement that
    makes it, as by every other command; ``--create`` makes it."""
    import uuid

    from gritwit.store._schema_url import with_schema

    (tmp_path / "p.py").write_text("pass\n")
    program = str(tmp_path / "p.py")
    schema = "gw_absent_" + uuid.uuid4().hex[:12]
    url = with_schema(pg_database, schema)
    status, out, err = gritwit(capsys, "sandbox", "actor", program, "--store", url)
    assert status == 2 and out == "" and len(err.splitlines()) == 1, err
    assert f"CREATE SCHEMA {schema}" in err and "--create" in err
    status, _out, err = gritwit(capsys, "actor", "list", "--store", url)
    assert status == 2 and f"CREATE SCHEMA {schema}" in err, "the refusal made the schema"
    status, out, err = gritwit(capsys, "sandbox", "actor", program, "--store", url, "--create")
    if status != 0 and "interpreter" in err:
        pytest.skip(err)
    assert status == 0, err
    status, listed, err = gritwit(capsys, "actor", "list", "--store", url, "--json")
    assert status == 0 and out.strip() in listed, err


def _made(capsys: pytest.CaptureFixture[str], store: str, *argv: str) -> str:
    status, out, err = gritwit(capsys, "actor", *argv)
    assert status == 0, (argv, err)
    return out.strip()


def _run(store: str) -> None:
    import asyncio

    from gritwit import Store
    from gritwit.runtime import Runtime

    with Store.open(store) as opened:
        assert asyncio.run(Runtime(opened).run_until_quiescent()).quiescent


@pytest.mark.req("RUN-024.1", "RUN-024.5", "RUN-008.5")
def test_history_labels_a_revert_step_with_the_step_it_went_back_to(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A counter counts twice, then goes back to its second step: the step the revert
    printed is labelled with that step, and no other step is, nor a fork's first step
    (it too reads and sends nothing, but its previous is the parent's)."""
    from gritwit import ObjectId, Store
    from gritwit.runtime import history

    store = str(tmp_path / "store")
    actor = _made(capsys, store, "create", "--store", store, "--create", "--test", "counter")
    _run(store)
    for _ in range(2):
        _made(capsys, store, "send", "--store", store, actor, "1", "--mt", "inc")
        _run(store)
    with Store.open(store) as opened:
        steps = [step_id.hex() for step_id, _ in history(opened, ObjectId.from_hex(actor))]
    revert = _made(capsys, store, "revert", "--store", store, actor, steps[1])
    child = _made(capsys, store, "fork", "--store", store, actor, steps[0])
    rows = json.loads(_made(capsys, store, "history", "--store", store, actor, "--json"))
    assert [row["step"] for row in rows] == [*steps, revert]
    assert [row["revert_to"] for row in rows] == [None, None, None, steps[1]]
    text = _made(capsys, store, "history", "--store", store, actor)
    labelled = [line for line in text.splitlines() if "revert" in line]
    assert len(labelled) == 1 and labelled[0].startswith(f"step {revert}"), text
    assert steps[1] in labelled[0]
    rows = json.loads(_made(capsys, store, "history", "--store", store, child, "--json"))
    assert [row["revert_to"] for row in rows] == [None] * len(rows)
    assert "revert" not in _made(capsys, store, "history", "--store", store, child)


@pytest.mark.req("WIT-012", "WIT-019.1")
def test_the_text_history_names_the_outside_outside_as_sender_and_recipient(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An echo reads a message from the outside and replies to it: both lines name the
    outside the same way, and no line shows its id (WIT-003: 32 zero bytes)."""
    from gritwit.wit import OUTSIDE

    store = str(tmp_path / "store")
    echo = _made(capsys, store, "create", "--store", store, "--create", "--test", "echo")
    sent = _made(capsys, store, "send", "--store", store, echo, "hello", "--mt", "hi")
    _run(store)
    text = _made(capsys, store, "history", "--store", store, echo)
    (read,) = [line.split() for line in text.splitlines() if sent in line]
    (reply,) = [line.split() for line in text.splitlines() if line.lstrip().startswith("sent")]
    assert read[:2] == ["read", "outside"] and reply[:2] == ["sent", "outside"], text
    assert OUTSIDE.hex() not in text
    # a step that read something is no revert, though its core is one below it: the echo
    # keeps its core as it is (WIT-019.1)
    _made(capsys, store, "send", "--store", store, echo, "again", "--mt", "hi")
    _run(store)
    rows = json.loads(_made(capsys, store, "history", "--store", store, echo, "--json"))
    assert len(rows) == 2 and rows[0]["core"] == rows[1]["core"], "the echo changed its core"
    assert [row["revert_to"] for row in rows] == [None, None]


@pytest.mark.req("DUR-005", "RUN-001")
def test_the_runtime_verbs_take_the_store_as_every_verb_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--store STORE`` names the store on ``runtime run|heads|history|verify`` as on
    ``actor …``; the positional form of older scripts gives the same answers; neither, or
    two different stores, is bad input (2)."""
    store = str(tmp_path / "store")
    new = str(tmp_path / "new")
    status, _out, err = gritwit(capsys, "runtime", "run", "--store", new)
    assert status == 2 and "--create" in err and not Path(new).exists(), err
    assert gritwit(capsys, "runtime", "run", "--store", new, "--create")[0] == 0
    assert Path(new).is_dir()
    actor = _made(capsys, store, "create", "--store", store, "--create", "--test", "counter")
    assert gritwit(capsys, "runtime", "run", "--store", store)[0] == 0
    assert gritwit(capsys, "runtime", "run", store)[0] == 0  # nothing left: quiescent
    for argv in (("heads",), ("history", actor), ("verify",)):
        action, *rest = argv
        by_option = gritwit(capsys, "runtime", action, "--store", store, *rest)
        by_position = gritwit(capsys, "runtime", action, store, *rest)
        assert by_option[0] == 0 and by_option == by_position, (argv, by_option, by_position)
        assert by_option[1].strip() and (actor in by_option[1] or action != "heads")
        status, out, err = gritwit(capsys, "runtime", action, *rest)
        assert status == 2 and out == "" and len(err.splitlines()) == 1, (argv, err)
        assert "--store" in err
        status, out, err = gritwit(capsys, "runtime", action, "--store", store, new, *rest)
        assert status == 2 and out == "" and len(err.splitlines()) == 1, (argv, err)
        with pytest.raises(SystemExit):
            main(["runtime", action, "--help"])
        shown = " ".join(capsys.readouterr().out.split())
        assert "--store STORE" in shown and "deprecated" in shown, shown


@pytest.mark.req("HTTP-001.3", "DUR-005")
def test_serve_takes_the_store_as_every_verb_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``gritwit serve --store STORE``: the store it names is the one opened (a missing
    one is refused, naming it, with 2); neither, or two different stores, is bad input."""
    pytest.importorskip("uvicorn")
    missing = str(tmp_path / "nothing")
    named: tuple[tuple[str, ...], ...] = (("--store", missing), (missing,))
    for argv in named:
        status, out, err = gritwit(capsys, "serve", *argv, "--listen", "127.0.0.1:0")
        assert status == 2 and out == "" and len(err.splitlines()) == 1, (argv, err)
        assert missing in err and "--create" in err, err
    assert not Path(missing).exists()
    unnamed: tuple[tuple[str, ...], ...] = ((), ("--store", missing, str(tmp_path / "other")))
    for argv in unnamed:
        status, out, err = gritwit(capsys, "serve", *argv, "--listen", "127.0.0.1:0")
        assert status == 2 and out == "" and len(err.splitlines()) == 1, (argv, err)
        assert "--store" in err, err


@pytest.mark.req("HTTP-018.4", "HTTP-020")
def test_token_and_audit_take_the_store_as_every_verb_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``token add|list|remove`` and ``audit`` name the store with ``--store``; the
    positional store of older scripts reads the same store; neither is bad input (2)."""
    store = str(tmp_path / "store")
    assert gritwit(capsys, "runtime", "run", "--store", store, "--create")[0] == 0
    status, _out, err = gritwit(capsys, "token", "add", "--store", store, "ops", "--scope", "admin")
    assert status == 0, err
    status, _out, err = gritwit(capsys, "token", "add", store, "old", "--scope", "read")
    assert status == 0, err
    by_option = gritwit(capsys, "token", "list", "--store", store)
    assert by_option == gritwit(capsys, "token", "list", store)
    listed = [json.loads(line)["name"] for line in by_option[1].splitlines()]
    assert sorted(listed) == ["old", "ops"], by_option
    assert gritwit(capsys, "token", "remove", "old", "--store", store)[0] == 0
    status, out, _err = gritwit(capsys, "audit", "--store", store, "--limit", "1")
    assert status == 0 and json.loads(out)["what"] == "token remove old", out
    for argv in (("token", "list"), ("audit",)):
        status, out, err = gritwit(capsys, *argv)
        assert status == 2 and out == "" and "--store" in err, (argv, err)
