"""SIGKILL the runtime at random moments, restart it, check the store (RUN-001, RUN-003, RUN-007).

``runtime_workload.py`` runs a fixed multi-actor script on a durable store;
this test kills it (8 times, 300 under ``GRITWIT_PROFILE=deep``, or
``GRITWIT_RUNTIME_KILLS`` times when set; at moments drawn from a
``random.Random`` seeded with ``GRITWIT_RUNTIME_SEED``), restarts it
each time, and after every kill checks that every stored object re-hashes,
every head is a step of its actor, every history only grows, and no inbox
cursor moves backwards (no message consumed twice).  Whenever the script has
run to its end, and once more after the last kill (letting the child finish),
it compares the final state with values computed from the script alone: counter
totals, echo replies (exactly one per message) and the requester's answer.  The
script ends after a handful of kills; the kills after that go to a fresh store,
so that every kill, even under the ``deep`` profile, lands in real work.
"""

from __future__ import annotations

import importlib.util
import os
import queue
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
from childproc import assert_every_object_rehashes, start_child
from profiles import sized

import gritwit as g
from gritwit.runtime import check_runtime, history
from gritwit.store import Store
from gritwit.wit import mailbox_entries, pending

CHILD = Path(__file__).with_name("runtime_workload.py")
KILLS = sized("GRITWIT_RUNTIME_KILLS", ci=8, deep=300)
SEED = int(os.environ.get("GRITWIT_RUNTIME_SEED", "20260510"))


def _workload() -> ModuleType:
    spec = importlib.util.spec_from_file_location("runtime_workload", CHILD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _start(
    directory: Path, log: Path, option: str = ""
) -> tuple[subprocess.Popen[str], queue.Queue[str | None]]:
    """Start the child on ``directory`` and its store ``option`` (DUR-009: ``?gritwit_…``)."""
    proc, lines, _ = start_child([sys.executable, str(CHILD), f"{directory}{option}", "60"], log)
    return proc, lines


def _run_and_kill(rng: random.Random, directory: Path, log: Path, option: str = "") -> bool:
    """Start the child and SIGKILL it at a random moment; whether it had finished."""
    proc, lines = _start(directory, log, option)
    finished = False
    try:
        if rng.random() < 0.7:  # after some real work
            for _ in range(rng.randint(1, 40)):
                line = lines.get(timeout=30)
                if line is None or line == "done\n":
                    finished = line is not None
                    break
            time.sleep(rng.uniform(0, 0.005))
        else:  # anywhere, start-up and recovery included
            time.sleep(rng.uniform(0, 0.3))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    return finished or proc.returncode == 0


def _cursors_forward_and_chains_grow(
    store: Store, before: dict[g.ObjectId, list[g.ObjectId]]
) -> dict[g.ObjectId, list[g.ObjectId]]:
    report = store.verify()  # re-hashes every object; heads point at steps of their actor
    assert report.ok, report
    assert_every_object_rehashes(store)
    check = check_runtime(store)  # inbox cursors only move forward along chains
    assert check.ok, check.problems
    now = {}
    for name in store.list_refs("heads/"):
        actor = g.ObjectId.from_hex(name.removeprefix("heads/"))
        chain = [oid for oid, step in history(store, actor)]
        assert chain[: len(before.get(actor, []))] == before.get(actor, [])  # no step lost
        now[actor] = chain
    return now


def _replies(store: Store, sender: g.ObjectId, recipient: g.ObjectId) -> list[str | None]:
    step = store.get_object(store.get_ref("heads/" + sender.hex()))  # type: ignore[arg-type]
    assert isinstance(step, g.Step)
    entry = mailbox_entries(store, step.outbox).get(recipient)
    return [item.mt for item in pending(store, entry, None)]


def _assert_final_state(store: Store, chains: dict[g.ObjectId, list[g.ObjectId]]) -> None:
    """The finished workload's state, computed from the script alone."""
    _cursors_forward_and_chains_grow(store, chains)
    workload = _workload()
    ids = {role: g.object_id(core) for role, (core, _) in workload.actors().items()}
    steps = workload.OPS - len(ids)
    fanouts = len([i for i in range(steps) if i % 5 == 0])
    asks = [i for i in range(steps) if i % 7 == 0]
    assert workload.sent_seqs(store) == set(range(workload.OPS + fanouts + len(asks)))
    for k in range(4):  # counter totals
        head = store.get_object(store.get_ref("heads/" + ids[f"c{k}"].hex()))  # type: ignore[arg-type]
        assert isinstance(head, g.Step)
        core = store.get_object(head.core)
        assert isinstance(core, g.Tree)
        count = store.get_object(core.entries["count"])
        assert isinstance(count, g.Blob)
        assert int(count.data) == sum(i + 1 for i in range(steps) if i % 4 == k)
    for echo in ("e0", "e1"):  # exactly one echo per fanned message: none twice
        assert _replies(store, ids[echo], ids["fan"]) == ["echo"] * fanouts
    assert _replies(store, ids["e0"], ids["req"]) == ["echo"] * len(asks)
    assert _replies(store, ids["fan"], ids["e0"]) == ["fanned"] * fanouts
    req = store.get_object(store.get_ref("heads/" + ids["req"].hex()))  # type: ignore[arg-type]
    assert isinstance(req, g.Step)
    core = store.get_object(req.core)
    assert isinstance(core, g.Tree)
    answer = g.Blob(data=f"q{asks[-1]}".encode())
    assert core.entries["answer"] == g.object_id(answer)


@pytest.mark.req(
    "RUN-007.1",
    "RUN-007.2",
    "RUN-001.1",
    "RUN-001.4",
    "RUN-003.1",
    "DUR-001",
    "DUR-002",
    "DUR-009.1",
    "WIT-005",
)
@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
@pytest.mark.parametrize("option", ["", "?gritwit_durability=process"], ids=["power", "process"])
def test_sigkill_the_runtime_at_random_moments(tmp_path: Path, option: str) -> None:
    """Kills land in real work: once the script has run to its end (after a handful of
    kills), its final state is checked and the next kills go to a fresh store.  The same
    in the process-crash durability (DUR-009.1): a kill loses nothing that returned."""
    rng = random.Random(SEED)
    rounds = 0  # stores whose script ran to its end
    directory = tmp_path / f"store-{rounds}"
    chains: dict[g.ObjectId, list[g.ObjectId]] = {}
    for kill in range(KILLS):
        finished = _run_and_kill(rng, directory, tmp_path / f"child-{kill}.log", option)
        if not (directory / "gritwit.sqlite3").exists():
            continue  # killed before it created anything
        with Store.open(directory) as store:
            chains = _cursors_forward_and_chains_grow(store, chains)
            if finished:
                _assert_final_state(store, chains)
        if finished:
            rounds += 1
            directory, chains = tmp_path / f"store-{rounds}", {}
    proc, _ = _start(directory, tmp_path / "child-final.log", option)
    assert proc.wait(timeout=60) == 0, (tmp_path / "child-final.log").read_text()
    with Store.open(directory) as store:
        _assert_final_state(store, chains)
