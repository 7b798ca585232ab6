"""Sends from the outside and group commit (RUN-019): own commits by default, or grouped.

With ``send_commit="group"`` a send joins the open group: a send and the run after it
are one commit, the send is durable once the run (or :meth:`Runtime.flush`) returns,
a crash before that loses it whole, and a lost swap of the outside's outbox makes it
again from the winner's.  The kill tests are deterministic: ``grouped_send_child.py``
kills itself right after the acknowledgement, after a flush, or at a chosen point of
a group commit, and the store is then checked.
"""

from __future__ import annotations

import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from aio import run
from childproc import prepare_store, run_child
from test_group_commit import _counters, _Logged, _scenario

import gritwit as g
from gritwit.runtime import Runtime, Share, check_runtime
from gritwit.store import Store
from gritwit.wit import mailbox_entries, outside_entries, outside_ref, read_outside, test_actor_core

CHILD = Path(__file__).with_name("grouped_send_child.py")


def _counter(rt: Runtime) -> g.ObjectId:
    core, objects = test_actor_core("counter")
    actor = run(rt.genesis(core, objects))
    run(rt.run_until_quiescent())
    return actor


def _commits(logged: _Logged) -> int:
    return [kind for kind, _ in logged.log].count("commit")


@pytest.mark.req("RUN-019.1", "RUN-019.2")
def test_the_send_commit_mode_is_checked() -> None:
    with pytest.raises(ValueError, match=r"RUN-019\.1"):
        Runtime(Store.memory(), send_commit="later")
    with pytest.raises(ValueError, match=r"RUN-019\.2"):
        Runtime(Store.memory(), commit="step", send_commit="group")
    # the reference's default (RUN-019.1): grouped where it groups, else each on its own
    assert Runtime(Store.memory()).send_commit == "group"
    assert Runtime(Store.memory(), commit="step").send_commit == "own"
    # with a share, others send through the outside's one outbox too: each on its own
    assert Runtime(Store.memory(), share=Share(k=0, n=2)).send_commit == "own"
    assert Runtime(Store.memory(), share=Share(k=0, n=2), send_commit="group").send_commit == (
        "group"
    )


@pytest.mark.req("RUN-019.1", "RUN-019.2", "RUN-019.3")
@pytest.mark.parametrize(
    ("mode", "commits"), [("own", 2), ("group", 1), (None, 1)], ids=["own", "group", "default"]
)
def test_a_send_and_the_run_after_it(mode: str | None, commits: int) -> None:
    """Own: the send is one commit, durable when acknowledged, and the run another.
    Grouped (the default): nothing is stored at the send; the run commits it with its
    step, the outbox swapped before the head: one commit per transition."""
    logged = _Logged()
    store = Store(logged)
    rt = Runtime(store) if mode is None else Runtime(store, send_commit=mode)
    mode = rt.send_commit
    actor = _counter(rt)
    one = store.put_object(g.Blob(data=b"1"))
    before = read_outside(store)
    logged.log.clear()
    sent = run(rt.send(actor, one, {"mt": "inc"}))
    durable_at_once = store.has(sent) and read_outside(store) != before
    assert durable_at_once == (mode == "own")
    assert _commits(logged) == (1 if mode == "own" else 0)
    report = run(rt.run_until_quiescent())
    assert len(report.steps) == 1 and rt.query(actor, "count").data == b"1"
    assert _commits(logged) == commits, logged.log
    box = store.get_ref(outside_ref(actor))
    assert box is not None and mailbox_entries(store, box)[actor] == sent
    if mode == "group":
        swaps = [name for kind, name in logged.log if kind == "cas"]
        assert swaps[0] == outside_ref(actor) and len(swaps) == 2, swaps


@pytest.mark.req("RUN-019.2")
def test_a_grouped_send_is_durable_after_a_flush_or_a_run_that_adopts_nothing() -> None:
    store = Store.memory()
    rt = Runtime(store, send_commit="group")
    actor = _counter(rt)
    one = store.put_object(g.Blob(data=b"1"))
    sent = run(rt.send(actor, one, {"mt": "inc"}))
    assert not store.has(sent)
    rt.flush()
    assert store.has(sent) and outside_entries(store, read_outside(store))[actor] == sent
    # a send to an actor that has no step yet: the run adopts nothing, and commits it
    stranger = g.object_id(g.Tree(entries={"x": one}))
    waiting = run(rt.send(stranger, one, {"mt": "inc"}))
    assert not store.has(waiting)
    report = run(rt.run_until_quiescent())
    assert [a for a, _ in report.steps] == [actor]
    assert store.has(waiting)
    assert outside_entries(store, read_outside(store))[stranger] == waiting


@pytest.mark.req("RUN-019.2", "RUN-017.1")
@pytest.mark.parametrize("rounds", [True, False], ids=["rounds", "free-running"])
def test_grouped_sends_adopt_the_same_steps_as_own_sends(rounds: bool) -> None:
    own = run(_scenario(Runtime(Store.memory()), rounds))
    grouped = run(_scenario(Runtime(Store.memory(), send_commit="group"), rounds))
    assert grouped == own


@pytest.mark.req("RUN-019.4", "RUN-002.4", "RUN-007.2")
def test_a_lost_outbox_swap_sends_again_from_the_winners_outbox() -> None:
    store = Store.memory()
    mine = Runtime(store, send_commit="group")
    other = Runtime(store, send_commit="own")
    actor = _counter(mine)
    one = store.put_object(g.Blob(data=b"1"))
    provisional = run(mine.send(actor, one, {"mt": "inc", "by": "mine"}))
    won = run(other.send(actor, one, {"mt": "inc"}))  # moves the outbox first
    conflicts = mine.conflicts
    run(mine.run_until_quiescent())
    run(other.run_until_quiescent())
    assert mine.conflicts > conflicts
    assert mine.query(actor, "count").data == b"2"  # both incs read, each once
    assert check_runtime(store).ok
    last = outside_entries(store, read_outside(store))[actor]
    resent = store.get_object(last)
    assert isinstance(resent, g.Message) and resent.previous == won  # chained from the winner
    chain = []
    while last is not None:  # the outside's queue to the actor, newest first
        chain.append(last)
        message = store.get_object(last)
        assert isinstance(message, g.Message)
        last = message.previous
    assert len(chain) == 3 and provisional not in chain  # discarded (RUN-015), never sent


class _Failing(_Logged):
    """A memory backend whose batches fail while ``failing`` is set."""

    failing = False

    def batch(self) -> Any:
        if self.failing:
            raise OSError("the disk is gone")
        return super().batch()


@pytest.mark.req("RUN-019.5")
def test_an_error_escaping_a_run_keeps_the_grouped_sends() -> None:
    backend = _Failing()
    store = Store(backend)
    rt = Runtime(store, send_commit="group")
    actor = _counter(rt)
    one = store.put_object(g.Blob(data=b"1"))
    sent = run(rt.send(actor, one, {"mt": "inc"}))
    backend.failing = True
    with pytest.raises(OSError):
        run(rt.run_until_quiescent())
    backend.failing = False
    assert not store.has(sent)
    report = run(rt.run_until_quiescent())
    assert len(report.steps) == 1 and rt.query(actor, "count").data == b"1"
    assert store.has(sent)


# --- SIGKILL (RUN-019.2, RUN-019.3) --------------------------------------------------------


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_store(tmp_path_factory, CHILD, "grouped-send-setup")


#: (point, group, swap, whether the sends are durable, steps durable after the kill).
POINTS = [
    ("sent", 0, 0, False, 0),
    ("objects", 1, 0, False, 0),
    ("swap", 1, 1, False, 0),  # the outbox swapped inside the transaction, not committed
    ("committed", 1, 0, True, 8),
    ("swap", 2, 3, True, 8),
    ("flushed", 0, 0, True, 0),
]


@pytest.mark.req("RUN-019.2", "RUN-019.3", "RUN-007.1", "RUN-007.2", "RUN-017.5")
@pytest.mark.parametrize(("point", "group", "swap", "sent", "durable"), POINTS)
def test_a_kill_leaves_the_grouped_sends_whole_or_not_at_all(
    prepared: Path, tmp_path: Path, point: str, group: int, swap: int, sent: bool, durable: int
) -> None:
    directory = tmp_path / "store"
    shutil.copytree(prepared, directory)
    with Store.open(directory) as store:
        before = read_outside(store)
    killed = run_child(CHILD, directory, point, str(group), str(swap))
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr)
    assert "sent" in killed.stdout and "finished" not in killed.stdout
    with Store.open(directory) as store:
        assert store.verify().ok and check_runtime(store).ok
        assert (read_outside(store) != before) == sent, (point, "outbox")
        rt = Runtime(store)
        actors = sorted(_counters(40)[0])
        counts = [rt.query(a, "count").data for a in actors]
        assert counts == [b"1"] * durable + [b"0"] * (len(actors) - durable), counts
        report = run(rt.run_until_quiescent())  # restart: what was sent is read once
        assert len(report.steps) == (len(actors) - durable if sent else 0)
        final = b"1" if sent else b"0"
        assert all(rt.query(a, "count").data == final for a in actors)
        assert check_runtime(store).ok
