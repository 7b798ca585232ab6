"""The command lines' refusals: each one line on stderr, a documented exit status, no
traceback, nothing written; progress lines; a reader that goes away.

PostgreSQL's refusals (a missing schema, a server that is down) are in
``test_actor_cli_postgres.py``.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from gritwit import Blob, ObjectId, Store, object_id
from gritwit._commands import main
from gritwit._pipes import EXIT_BROKEN_PIPE
from gritwit.runtime import Runtime
from gritwit.wit import Executor, send_from_outside, test_actor_core

ABSENT = "ab" * 32


def gritwit(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def refused(capsys: pytest.CaptureFixture[str], status: int, *argv: str) -> str:
    """Run ``argv``; assert it exits ``status`` with one line on stderr; that line."""
    got, out, err = gritwit(capsys, *argv)
    assert got == status, (argv, err)
    assert out == "" and len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def _snapshot(store_dir: Path) -> list[tuple[str, ObjectId]]:
    with Store.open(store_dir) as store:
        return store.list_ref_targets("")


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, ObjectId]:
    """A store holding one counter's genesis, not yet run."""
    store_dir = tmp_path / "store"
    with Store.open(store_dir) as store:
        core, objects = test_actor_core("counter")
        actor = Executor(store).genesis(core, objects[:-1])
    return store_dir, actor


@pytest.mark.req("RUN-001")
def test_runtime_history_of_an_actor_without_steps_is_refused(
    capsys: pytest.CaptureFixture[str], made: tuple[Path, ObjectId]
) -> None:
    store_dir, actor = made
    line = refused(capsys, 2, "runtime", "history", str(store_dir), ABSENT)
    assert ABSENT in line
    refused(capsys, 2, "runtime", "history", str(store_dir), actor.hex())  # no step yet
    refused(capsys, 2, "actor", "history", "--store", str(store_dir), ABSENT)


@pytest.mark.req("WIT-002", "WIT-004")
def test_a_send_to_an_actor_that_exists_nowhere_is_refused_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], made: tuple[Path, ObjectId]
) -> None:
    store_dir, actor = made
    before = _snapshot(store_dir)
    for argv in (
        ("sandbox", "send", ABSENT, "--mt", "inc", "--store", str(store_dir)),
        ("actor", "send", "--store", str(store_dir), ABSENT, "1", "--mt", "inc"),
    ):
        assert ABSENT in refused(capsys, 2, *argv)
    assert _snapshot(store_dir) == before
    # the other side: an actor whose genesis waits is one a message may be sent to
    status, _out, _ = gritwit(
        capsys, "sandbox", "send", actor.hex(), "--mt", "inc", "--store", str(store_dir)
    )
    assert status == 0 and _snapshot(store_dir) != before


@pytest.mark.req("RUN-001", "RUN-008.9")
def test_bad_arguments_of_the_actor_verbs_are_one_line(
    capsys: pytest.CaptureFixture[str], made: tuple[Path, ObjectId], tmp_path: Path
) -> None:
    store_dir, actor = made
    store = str(store_dir)
    missing = str(tmp_path / "nowhere")
    (tmp_path / "bad.wat").write_text("(module (oops")
    for status, argv in (
        (2, ("actor", "list", "--store", missing)),  # no store: not made without --create
        (2, ("actor", "send", "--store", store, "zz", "x")),
        (2, ("actor", "create", "--store", store, "--test", "counter", "--data", "novalue")),
        (2, ("actor", "create", "--store", store, "--test", "counter", "--data", "wit=x")),
        (2, ("actor", "create", "--store", store, "--test", "counter", "--data-json", "[1]")),
        (2, ("actor", "create", "--store", store, "--wasm", str(tmp_path / "bad.wat"))),
        (2, ("actor", "create", "--store", store, "--python", str(tmp_path / "none.py"))),
        (1, ("actor", "create", "--store", store, "--test", "no-such-actor")),  # unknown-wit
        (2, ("actor", "query", "--store", store, actor.hex(), "count")),  # no head yet
        (2, ("actor", "diff", "--store", store, actor.hex(), "0", "1")),
        (2, ("actor", "fork", "--store", store, ABSENT, "0")),
        (1, ("actor", "fork", "--store", store, actor.hex(), ABSENT)),  # not-found, RUN-008.9
        (1, ("actor", "export", "--store", store, actor.hex(), str(tmp_path / "b"))),  # no head
        (2, ("actor", "import", "--store", store, str(tmp_path / "no-bundle"))),
        (2, ("actor", "events", "--store", store)),  # RUN-014.4: a store records none
    ):
        refused(capsys, status, *argv)
    assert not Path(missing).exists() and not (tmp_path / "b").exists()
    (tmp_path / "junk").write_bytes(b"\x00")
    assert "junk" in refused(capsys, 1, "actor", "import", "--store", store, str(tmp_path / "junk"))


@pytest.mark.slow
@pytest.mark.req("DUR-006.1")
def test_a_broken_pipe_ends_a_listing_quietly(made: tuple[Path, ObjectId]) -> None:
    store_dir, _ = made
    with Store.open(store_dir) as store:  # enough rows to fill a pipe's buffer, in one send
        cores = [test_actor_core("echo", {"n": Blob(data=b"%d" % n)}) for n in range(800)]
        sends = [(object_id(core), object_id(core), {"mt": "genesis"}, False) for core, _ in cores]
        send_from_outside(store, sends, [obj for _, objects in cores for obj in objects])
        asyncio.run(Runtime(store).run_until_quiescent())
    for argv in (
        ["actor", "list", "--store", str(store_dir)],
        ["runtime", "heads", str(store_dir)],
    ):
        process = subprocess.Popen(
            [sys.executable, "-m", "gritwit", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()  # the reader goes away, as `| head -1` does
        err = process.stderr.read().decode()
        status = process.wait(timeout=120)
        assert "Traceback" not in err and "Exception ignored" not in err, err
        assert status == EXIT_BROKEN_PIPE, err  # 800 rows: more than the pipe holds


@pytest.mark.req("RUN-018")
def test_progress_lines_say_the_final_counts_and_only_when_asked(
    capsys: pytest.CaptureFixture[str], made: tuple[Path, ObjectId], tmp_path: Path
) -> None:
    store_dir, actor = made
    status, out, err = gritwit(capsys, "runtime", "run", str(store_dir), "--progress")
    assert status == 0
    with Store.open(store_dir) as store:
        steps = sum(1 for _ in store.list_refs("heads/"))
    assert f"done: {steps} step(s) adopted" in err.splitlines()[-1]
    status, out, quiet = gritwit(capsys, "runtime", "run", str(store_dir), "--quiet")
    assert status == 0 and quiet == ""
    status, out, err = gritwit(capsys, "runtime", "verify", str(store_dir), "--progress")
    objects = int(out.split()[0])  # the command's own count on stdout
    with Store.open(store_dir) as store:
        assert objects == sum(1 for _ in store.backend.ids())
    assert err.splitlines()[-1].startswith(f"gritwit runtime verify: done: {objects} object(s)")
    bundle = tmp_path / "b"
    gritwit(capsys, "actor", "export", "--store", str(store_dir), actor.hex(), str(bundle))
    target = str(tmp_path / "other")
    argv = (
        "actor",
        "import",
        "--store",
        target,
        "--create",
        "--progress",
        str(bundle),
        str(bundle),
    )
    status, out, err = gritwit(capsys, *argv)
    assert status == 0 and len(out.splitlines()) == 2
    assert "done: 2 bundle(s) imported" in err.splitlines()[-1]
    status, out, err = gritwit(capsys, "runtime", "verify", str(store_dir))
    assert status == 0 and err == ""  # stderr is no terminal here: no progress


@pytest.mark.req("DUR-005")
def test_sandbox_commands_open_stores_as_the_others_do(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.py").write_text("pass\n")
    url = f"postgresql://nobody@/x?host={tmp_path}/no-server"
    for argv in (
        ("sandbox", "actor", "p.py", "--store", url),
        ("sandbox", "send", ABSENT, "--mt", "x", "--store", url),
        ("sandbox", "cat", ABSENT, "count", "--store", url),
    ):
        got, _out, err = gritwit(capsys, *argv)
        assert got == 4 and "store-unavailable" in err and len(err.splitlines()) == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.py"]  # no folder named after it


def test_progress_says_at_most_a_line_an_interval_and_always_the_last() -> None:
    import io

    from gritwit._progress import INTERVAL, Progress

    now = [0.0]
    stream = io.StringIO()
    progress = Progress("cmd", shown=True, stream=stream, clock=lambda: now[0])
    for tick in range(100):  # an update every tenth of an interval
        now[0] = tick * INTERVAL / 10
        progress.update(f"at {tick}")
    progress.done("100 things")
    lines = stream.getvalue().splitlines()
    assert len(lines) - 1 == 9  # 9.9 intervals passed: a line after each whole one
    assert [line.split()[2] for line in lines[:-1]] == [str(10 * n) for n in range(1, 10)]
    assert lines[-1].startswith("cmd: done: 100 things")
    hidden = io.StringIO()
    quiet = Progress("cmd", shown=False, stream=hidden, clock=lambda: now[0])
    now[0] += 10 * INTERVAL
    quiet.update("x")
    quiet.done("y")
    assert hidden.getvalue() == ""
