"""Step times (RUN-027): when a step first became an actor's head, kept beside the refs,
in no object, id or bundle, and shown as none where a store has none."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest
from aio import run

import gritwit as g
from gritwit.runtime import Runtime, export_bundle, history, import_bundle
from gritwit.store import Store, _memory, _sqlite, format_step_time, head_ref, step_times
from gritwit.wit import test_actor_core

STORES = ["memory", "sqlite"]


def _open(kind: str, tmp_path: Path) -> Store:
    return Store.memory() if kind == "memory" else Store.open(tmp_path / "store")


async def _counter(rt: Runtime, incs: int) -> g.ObjectId:
    core, objects = test_actor_core("counter", {})
    actor = await rt.genesis(core, objects)
    await rt.run_until_quiescent()
    for _ in range(incs):
        blob = g.Blob(data=b"1")
        await rt.send(actor, g.object_id(blob), {"mt": "inc"}, objects=(blob,))
        report = await rt.run_until_quiescent()
        assert report.quiescent and not report.failures
    return actor


def _steps(store: Store, actor: g.ObjectId) -> list[g.ObjectId]:
    return [oid for oid, _ in history(store, actor)]


def _clock(monkeypatch: pytest.MonkeyPatch, start: float) -> list[float]:
    """The stores' clock made a counter from ``start``, one second a reading: every
    reading is a time no other reading has."""
    readings: list[float] = []

    def now() -> float:
        readings.append(start + len(readings))
        return readings[-1]

    fake = types.SimpleNamespace(time=now)
    monkeypatch.setattr(_memory, "time", fake)
    monkeypatch.setattr(_sqlite, "time", fake)
    return readings


@pytest.mark.req("RUN-027.1")
@pytest.mark.parametrize("kind", STORES)
def test_every_adopted_step_has_the_time_its_swap_made_it_a_head(kind: str, tmp_path: Path) -> None:
    before = time.time()
    store = _open(kind, tmp_path)
    actor = run(_counter(Runtime(store), 3))
    after = time.time()
    steps = _steps(store, actor)
    times = step_times(store, steps)
    assert set(times) == set(steps), "RUN-027.1: a step the runtime adopted has no time"
    assert all(before <= times[s] <= after for s in steps), (
        f"RUN-027.1: step times {times} are outside the run ({before}..{after})"
    )


@pytest.mark.req("RUN-027.1")
@pytest.mark.parametrize("kind", STORES)
def test_a_head_set_again_keeps_its_first_time(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clock(monkeypatch, 1_000_000_000.0)
    store = _open(kind, tmp_path)
    actor = run(_counter(Runtime(store), 1))
    first, second = _steps(store, actor)
    times = step_times(store, [first, second])
    store.cas_ref(head_ref(actor), second, first)
    store.cas_ref(head_ref(actor), first, second)
    assert store.get_ref(head_ref(actor)) == second
    assert step_times(store, [first, second]) == times, (
        "RUN-027.1: a step made a head again got a new time"
    )
    assert times[first] != times[second]


@pytest.mark.req("RUN-027.1")
def test_a_swap_not_committed_leaves_no_time(tmp_path: Path) -> None:
    """The time is written in the swap's own write: a batch that raises keeps neither."""
    store = Store.open(tmp_path / "store")
    actor = run(_counter(Runtime(store), 1))
    first, second = _steps(store, actor)
    step = store.get_object(second)
    assert isinstance(step, g.Step)
    other = store.put_object(dataclasses.replace(step, previous=second))  # never a head
    with pytest.raises(RuntimeError), store.batch() as batch:
        batch.cas_ref(head_ref(actor), second, other)
        raise RuntimeError("the block fails after its swap")
    assert store.get_ref(head_ref(actor)) == second
    assert step_times(store, [other]) == {}, "RUN-027.1: a rolled-back swap left a time"
    store.cas_ref(head_ref(actor), second, other)
    assert set(step_times(store, [first, second, other])) == {first, second, other}


@pytest.mark.req("RUN-027.1", "RUN-010.4")
@pytest.mark.parametrize("kind", STORES)
def test_two_stores_adopting_at_other_times_hold_the_same_objects_and_refs(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same run under two clocks a century apart: the same steps, ids and refs (a
    time inside a step would make them differ), and different times beside them."""
    held: list[tuple[list[g.ObjectId], dict[str, g.ObjectId], dict[g.ObjectId, float]]] = []
    for n, start in enumerate((1_000_000_000.0, 4_000_000_000.0)):
        _clock(monkeypatch, start)
        store = _open(kind, tmp_path / str(n))
        actor = run(_counter(Runtime(store), 2))
        steps = _steps(store, actor)
        refs = dict(store.list_ref_targets(""))
        held.append((sorted(store.iter_ids()), refs, step_times(store, steps)))
    (ids_a, refs_a, times_a), (ids_b, refs_b, times_b) = held
    assert (ids_a, refs_a) == (ids_b, refs_b), "RUN-027.1: the clock changed an object or a ref"
    assert set(times_a) == set(times_b) and all(times_a[s] != times_b[s] for s in times_a)


@pytest.mark.req("RUN-027.2", "RUN-009.1")
def test_a_moved_history_has_a_time_only_for_the_head_it_set(tmp_path: Path) -> None:
    source = Store.memory()
    actor = run(_counter(Runtime(source), 2))
    bundle = export_bundle(source, actor)
    assert b"step_times" not in bundle
    target = Store.open(tmp_path / "target")
    import_bundle(target, bundle)
    steps = _steps(target, actor)
    assert set(step_times(target, steps)) == {steps[-1]}, (
        "RUN-027.2: steps a bundle moved in, never a head here, have a time"
    )


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gritwit", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.req("RUN-027.2")
def test_the_command_line_shows_times_and_none_where_a_file_kept_none(tmp_path: Path) -> None:
    """``actor list`` and ``history`` show each step's time in UTC; a file written before
    step times (its table dropped here) shows ``-`` and ``null``, never a guess."""
    directory = tmp_path / "store"
    store = Store.open(directory)
    actor = run(_counter(Runtime(store), 1))
    steps = _steps(store, actor)
    shown = [format_step_time(step_times(store, [s])[s]) for s in steps]
    store.close()
    listed = _cli("actor", "list", "--store", str(directory), "--json")
    assert listed.returncode == 0, listed.stderr
    assert [row["time"] for row in json.loads(listed.stdout)] == [shown[-1]]
    text = _cli("actor", "history", actor.hex(), "--store", str(directory))
    assert text.returncode == 0, text.stderr
    assert [
        line.split()[3] for line in text.stdout.splitlines() if line.startswith("step ")
    ] == shown

    with sqlite3.connect(directory / "gritwit.sqlite3") as conn:
        conn.execute("DROP TABLE step_times")
    history_json = _cli("actor", "history", actor.hex(), "--store", str(directory), "--json")
    assert history_json.returncode == 0, history_json.stderr
    assert [row["time"] for row in json.loads(history_json.stdout)] == [None, None], (
        "RUN-027.2: steps without a recorded time were shown with one"
    )
    listed = _cli("actor", "list", "--store", str(directory))
    assert listed.stdout.splitlines()[1].split()[4] == "-", listed.stdout
