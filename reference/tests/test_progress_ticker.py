"""``--progress``: a line for every second of a long command's work, however its work is cut.

The guide promises about a line a second on stderr (docs/guide/actor-cli.md).  A command
that said a line only between its own units of work was silent for as long as one unit
took: ``runtime run`` for a whole round, 39 s for 1,000 steps.  No test here reads the
wall clock: each puts a :class:`~gritwit._progress_clock.WorkClock` in
:data:`gritwit._progress.clock`, which advances one second per unit of the work, and
each unit ends only once a progress line has been said in its second (or a few real
seconds have passed).  A command that says nothing while one unit runs leaves those
seconds without a line, and the check fails.  The units are made long where a command
cannot cut them: inside one transition (``runtime run``), before the store's walk
(``runtime verify``), inside one bundle (``actor import``, ``actor export``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gritwit import Store, object_id
from gritwit._commands import main
from gritwit._progress import Progress
from gritwit._progress_clock import WorkClock
from gritwit.runtime import Runtime
from gritwit.wit import TEST_ACTORS, test_actor_core


@pytest.fixture
def work_clock(monkeypatch: pytest.MonkeyPatch) -> WorkClock:
    """The clock of every progress line, each line counted as it is written."""
    clock = WorkClock()
    clock.install(monkeypatch.setattr)
    return clock


def gritwit(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_the_ticker_says_a_line_each_second_of_one_long_unit() -> None:
    clock = WorkClock()
    stream = io.StringIO()
    progress = Progress("cmd", shown=True, stream=stream, clock=clock)
    original = progress._write

    def counted(text: str) -> None:
        original(text)
        clock.said()

    progress._write = counted  # type: ignore[method-assign]
    with progress.ticking():
        progress.note("one long unit")
        for _ in range(4):  # one unit of the work, four seconds long
            clock.unit()
    assert clock.missed == 0, stream.getvalue()
    lines = stream.getvalue().splitlines()
    assert lines == [f"cmd: one long unit ({n} s)" for n in range(1, 5)]


def test_the_ticker_says_nothing_when_not_shown() -> None:
    clock = WorkClock()
    stream = io.StringIO()
    progress = Progress("cmd", shown=False, stream=stream, clock=clock)
    with progress.ticking(lambda: "x"):
        clock.now += 10.0
        threading.Event().wait(0.3)  # three of the ticker's looks, were it running
    assert stream.getvalue() == ""


@contextlib.contextmanager
def _slow_counter(monkeypatch: pytest.MonkeyPatch, clock: WorkClock) -> Iterator[None]:
    """The ``counter`` test actor, its transitions one second of the work each."""
    counter = TEST_ACTORS["counter"]
    transition = counter.transition

    def slow(inp: Any) -> Any:
        clock.unit()
        return transition(inp)

    monkeypatch.setitem(TEST_ACTORS, "counter", dataclasses.replace(counter, transition=slow))
    yield


def _counters(store_dir: Path, count: int) -> None:
    """``count`` counters' geneses, pending in one store: one round of ``count`` steps."""
    cores = [test_actor_core("counter", {"tag": _blob(b"%d" % i)}) for i in range(count)]
    with Store.open(store_dir) as store:
        runtime = Runtime(store)
        ids = [object_id(core) for core, _ in cores]
        objects = [obj for _, held in cores for obj in held]
        asyncio.run(runtime.send_all([(a, a, {"mt": "genesis"}, False) for a in ids], objects))
        runtime.flush()


def _blob(data: bytes) -> Any:
    from gritwit import Blob

    return Blob(data=data)


def test_runtime_run_says_a_line_each_second_within_a_round(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    work_clock: WorkClock,
    tmp_path: Path,
) -> None:
    store_dir = tmp_path / "store"
    _counters(store_dir, 4)
    with _slow_counter(monkeypatch, work_clock):
        status, out, err = gritwit(
            capsys, "runtime", "run", "--progress", "--store", str(store_dir)
        )
    assert status == 0 and "4 step(s) adopted" in out, (out, err)
    work_clock.check(err, "gritwit runtime run")


def test_runtime_verify_says_a_line_each_second_of_one_walk(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    work_clock: WorkClock,
    tmp_path: Path,
) -> None:
    store_dir = tmp_path / "store"
    _counters(store_dir, 2)
    work_clock.slowed(monkeypatch.setattr, Store, "verify", 3)  # a walk of three seconds
    status, out, err = gritwit(capsys, "runtime", "verify", "--progress", "--store", str(store_dir))
    assert status == 0 and "runtime verify: OK" in out, (out, err)
    work_clock.check(err, "gritwit runtime verify")


def test_actor_import_says_a_line_each_second_of_one_bundle(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    work_clock: WorkClock,
    tmp_path: Path,
) -> None:
    store_dir = tmp_path / "store"
    _counters(store_dir, 1)
    gritwit(capsys, "runtime", "run", "--store", str(store_dir))
    with Store.open(store_dir) as store:
        actor = store.list_refs("heads/")[0].rsplit("/", 1)[1]
    bundle = str(tmp_path / "bundle")
    status, out, err = gritwit(capsys, "actor", "export", "--store", str(store_dir), actor, bundle)
    assert status == 0, err
    from gritwit.console import _life

    work_clock.slowed(monkeypatch.setattr, _life, "import_bundle", 3)  # a bundle of three seconds
    target = str(tmp_path / "other")
    argv = ("actor", "import", "--store", target, "--create", "--progress", bundle)
    status, out, err = gritwit(capsys, *argv)
    assert status == 0 and out.split()[0] == actor, (out, err)
    work_clock.check(err, "gritwit actor import")


def test_the_check_finds_a_command_silent_within_its_work(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    work_clock: WorkClock,
    tmp_path: Path,
) -> None:
    """The check above, against ``runtime run`` with no ticker (a line only when its
    work says one): the seconds of the round go without a line, and the check fails."""
    monkeypatch.setattr(Progress, "ticking", lambda self, text=None: contextlib.nullcontext())
    work_clock.patience = 0.2  # no line will come
    store_dir = tmp_path / "store"
    _counters(store_dir, 3)
    with _slow_counter(monkeypatch, work_clock):
        status, _out, err = gritwit(
            capsys, "runtime", "run", "--progress", "--store", str(store_dir)
        )
    assert status == 0, err
    with pytest.raises(AssertionError, match="expected a line in each second"):
        work_clock.check(err, "gritwit runtime run")


def test_actor_export_says_a_line_each_second_of_one_bundle(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    work_clock: WorkClock,
    tmp_path: Path,
) -> None:
    store_dir = tmp_path / "store"
    _counters(store_dir, 1)
    gritwit(capsys, "runtime", "run", "--store", str(store_dir))
    with Store.open(store_dir) as store:
        actor = store.list_refs("heads/")[0].rsplit("/", 1)[1]
    from gritwit.console import _life

    work_clock.slowed(monkeypatch.setattr, _life, "export_bundle", 3)  # a bundle of three seconds
    bundle = str(tmp_path / "bundle")
    argv = ("actor", "export", "--store", str(store_dir), "--progress", actor, bundle)
    status, out, err = gritwit(capsys, *argv)
    assert status == 0 and out.split()[0] == actor, (out, err)
    work_clock.check(err, "gritwit actor export")
    assert err.splitlines()[-1].startswith(f"gritwit actor export: done: {out.split()[1]} byte")
