"""What a fork's child inherits from its parent, and what it does not (RUN-008).

RUN-008.2 … RUN-008.7 fix the child completely: its core is the parent's core *at
``at_step``* with the ``state`` entries set and a ``fork`` entry added or replaced; its
id is that core's; its first step has ``previous`` = ``at_step``, ``at_step``'s inbox and
*no outbox*; forking changes nothing of the parent. The rationale spells out the
consequences checked here, with expected answers computed from those rules:

* **the outbox** is not inherited, whatever ``at_step``'s outbox holds — replies to the
  outside (``echo``, ``counter``, ``budget``, ``spawner``), messages to other actors
  (``fanout`` to counters, ``requester`` to ``echo``, ``echo`` back to the requester), a
  genesis (``spawner``): a run right after the fork adopts no step, because nothing
  becomes pending again from the child (a carried-over outbox delivers every message
  twice), and the child's own first reply starts a new chain (no ``previous``);
* **the inbox cursors** are those of ``at_step``, not of the parent's head nor none: when
  the outside sends the child the very queue it sent the parent (the same message ids,
  WIT-004), the child reads exactly the messages the parent had not read at
  ``at_step``, each once — checked on ``echo``'s replies, message by message;
* **pending messages** stay the parent's: messages sent to the parent and unread at the
  fork are read by the parent alone, once;
* **the failed mark** is the parent's: the child of a failed actor is not failed (it runs,
  and can be marked failed on its own), and the parent stays failed;
* **the core** is the one at ``at_step`` (every step of the history, not just the head),
  with ``state`` entries of every text class set or replaced and, for the child of a
  child, the ``fork`` entry replaced;
* **later steps** of either side never enter the other's history.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, fail
from ._forks import (
    OUTSIDE,
    Parent,
    Rt,
    _blob_of,
    _outbox_chain,
    check_child,
    genesis,
    replay_to_child,
    wit_blob,
)

pytestmark = pytest.mark.profile("runtime")


# --- scenarios: a parent whose steps have outboxes of every kind ------------------------------


def echo_to_outside(rt: Rt) -> Parent:
    echo = genesis(rt, "echo", {"tag": "01"}, echo=True)
    rt.run()
    echo.send("hi", {"blob": "41"})
    rt.run()
    echo.send("again", {"tree": {"x": {"blob": "42"}}})
    echo.send("third", {"blob": "", "headers": {"h": "v"}})
    rt.run()
    return echo


def fanout_to_counters(rt: Rt) -> Parent:
    counters = [genesis(rt, "counter", {"tag": tag}).actor for tag in ("01", "02")]
    fanout = genesis(rt, "fanout")
    rt.run()
    listing = {"a": _blob_of(counters[0]), "b": _blob_of(counters[1]), "c": _blob_of(counters[0])}
    fanout.send("fanout", {"tree": listing})
    rt.run()
    fanout.others = counters
    return fanout


def requester_and_echo(rt: Rt, fork_the_echo: bool) -> Parent:
    echo = genesis(rt, "echo", {"tag": "02"}, echo=True)
    requester = genesis(rt, "requester")
    rt.run()
    requester.send("ask", {"tree": {"to": _blob_of(echo.actor), "question": {"blob": "3f"}}})
    rt.run()
    if fork_the_echo:
        echo.others = [requester.actor]
        return echo
    requester.others = [echo.actor]
    return requester


def counter_replies(rt: Rt) -> Parent:
    counter = genesis(rt, "counter", {"count": "37"})  # "7"
    rt.run()
    counter.send("inc", {"blob": "3132"})
    counter.send("get", {"blob": ""})
    rt.run()
    counter.send("inc", {"blob": ""})
    counter.send("get", {"blob": ""})
    rt.run()
    return counter


def spawner_sends_a_genesis(rt: Rt) -> Parent:
    spawner = genesis(rt, "spawner")
    rt.run()
    core = {"tree": {"wit": {"blob": b"echo".hex(), "headers": {"runtime": "test-actor"}}}}
    core["tree"]["spawned-by-test"] = {"blob": "05"}
    spawner.send("spawn", core)
    rt.run()
    spawned = g.Tree(
        entries={
            "wit": g.object_id(wit_blob("echo")),
            "spawned-by-test": g.object_id(g.Blob(data=b"\x05")),
        }
    )
    spawner.others = [g.object_id(spawned).hex()]
    return spawner


def budget_replies(rt: Rt) -> Parent:
    budget = genesis(rt, "budget", {"budget": "3130"})  # "10"
    rt.run()
    budget.send("spend", {"blob": "33"})
    budget.send("spend", {"blob": "3939"})
    rt.run()
    return budget


SCENARIOS = {
    "echo-replies-to-the-outside": echo_to_outside,
    "fanout-queues-to-counters": fanout_to_counters,
    "echo-replies-to-a-requester": lambda rt: requester_and_echo(rt, True),
    "requester-queues-to-an-echo": lambda rt: requester_and_echo(rt, False),
    "counter-replies-counts": counter_replies,
    "spawner-queues-a-genesis": spawner_sends_a_genesis,
    "budget-replies-grants": budget_replies,
}


def fork_every_step(rt: Rt, parent: Parent, state_of: Any) -> list[tuple[str, str, str]]:
    """Fork the quiescent parent at every step of its history; each time nothing may
    become pending, no head may move. Returns ``(at, child, first step)`` per fork."""
    actors = [parent.actor, *parent.others]
    forks = []
    for index, at in enumerate(rt.history(parent.actor)):
        heads = {a: rt.head(a) for a in actors}
        marks = {a: rt.failed(a) for a in actors}
        state = state_of(index)
        child = str(rt("rt-fork", actor=parent.actor, step=at, state=state)["actor"])
        first = check_child(rt, parent.actor, at, child, state)
        answer = rt.run()
        check_equal(
            "RUN-008.5",
            [],
            answer["steps"],
            f"a run right after forking at {at} adopted {answer['steps']} "
            f"(failures {answer['failures']}): the child starts with no outbox, so nothing "
            "the parent sent is pending again from the child, and nobody addresses the child",
        )
        check_equal(
            "RUN-008.5",
            [],
            answer["failures"],
            f"a run right after forking at {at} adopted {answer['steps']} "
            f"(failures {answer['failures']}): the child starts with no outbox, so nothing "
            "the parent sent is pending again from the child, and nobody addresses the child",
        )
        check_equal("RUN-008.7", heads, {a: rt.head(a) for a in actors}, "forking moved a head")
        check_equal(
            "RUN-008.7", marks, {a: rt.failed(a) for a in actors}, "forking marked an actor"
        )
        check_equal("RUN-008.6", first, rt.head(child), "the child's head: its first step")
        value = rt.failed(child)
        check(
            "RUN-008.6",
            value is None,
            expected="nothing (null)",
            came=value,
            what="the child's failed mark",
        )
        forks.append((at, child, first))
    return forks


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.req("RUN-008.2", "RUN-008.4", "RUN-008.5", "RUN-008.6", "RUN-008.7", "WIT-005")
@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.req("ID-004", "WIT-004")
def test_a_child_inherits_the_inbox_and_core_at_its_step_and_no_outbox(
    impl: Implementation, tmp_path: Path, scenario: str
) -> None:
    """Fork at every step of a parent whose steps sent messages of one kind; then the
    outside sends each child the parent's queue again, and a grandchild is forked."""
    rt = Rt(impl, tmp_path / "rt", clause="RUN-008.2")
    try:
        parent = SCENARIOS[scenario](rt)
        rt.quiesce()
        forks = fork_every_step(rt, parent, lambda i: {"t": f"{i:02x}"} if i % 2 else {})
        value = any(rt.step(at).outbox is not None for at, _, _ in forks)
        check("RUN-008.2", value, expected="a value, not empty", came=value, what="a step sent")
        for at, child, first in forks:
            replay_to_child(rt, parent, at, child, first)
        # the child of a child: its fork entry is replaced, its outbox again none
        at, child, _ = forks[0]
        head = rt.head(child)
        if head is None:
            fail("RUN-008.2", expected="a value", came=head, what="the head")
        grandchild = str(rt("rt-fork", actor=child, step=head)["actor"])
        check_child(rt, child, head, grandchild, {})
        check_equal("RUN-008.5", [], rt.run()["steps"], "the grandchild carries no outbox either")
    finally:
        rt.close()


@pytest.mark.req("RUN-008.5", "RUN-008.7", "WIT-005")
@pytest.mark.req("ID-004", "RUN-008.2", "RUN-008.4", "RUN-008.6", "WIT-002", "WIT-004")
def test_messages_pending_for_the_parent_stay_the_parents(
    impl: Implementation, tmp_path: Path
) -> None:
    """Two messages sent to the parent and not yet run at the fork: the next run gives
    them to the parent alone, once; the child's head does not move."""
    rt = Rt(impl, tmp_path / "rt", clause="RUN-008.5")
    try:
        echo = genesis(rt, "echo", {"tag": "03"}, echo=True)
        rt.run()
        echo.send("hi", {"blob": "01"})
        rt.run()
        at = rt.head(echo.actor)
        if at is None:
            fail("RUN-008.5", expected="a value", came=at)
        pending = [echo.send("p", {"blob": "02"}), echo.send("q", {"blob": "03"})]
        child = str(rt("rt-fork", actor=echo.actor, step=at)["actor"])
        first = check_child(rt, echo.actor, at, child, {})
        answer = rt.run()
        check_equal(
            ("RUN-008.5", "WIT-005"),
            [echo.actor],
            [a for a, _ in answer["steps"]],
            f"the messages pending at the fork are the parent's alone, "
            f"read in one step: the run adopted {answer['steps']}",
        )
        head = rt.head(echo.actor)
        if head is None:
            fail("RUN-008.5", expected="a value", came=head, what="the head")
        check_equal(
            "RUN-008.5",
            g.ObjectId.from_hex(pending[-1]),
            rt.mailbox(rt.step(head).inbox).get(OUTSIDE),
        )
        echoed = [m.content for m in _outbox_chain(rt, head, OUTSIDE)]
        contents = [g.object_id(g.Blob(data=bytes([n]))) for n in (1, 2, 3)]
        check_equal("RUN-008.5", contents, echoed, "the parent echoes each of its messages once")
        check_equal("RUN-008.7", first, rt.head(child), "the parent's run moved the child")
        replay_to_child(rt, echo, at, child, first)  # the child reads p, q when sent them
    finally:
        rt.close()


@pytest.mark.req("RUN-008.5", "RUN-008.7", "RUN-004.7", "RUN-004.4")
@pytest.mark.req("RUN-008.2", "RUN-008.4", "RUN-008.6", "WIT-002")
def test_the_failed_mark_is_the_parents_alone(impl: Implementation, tmp_path: Path) -> None:
    """An ``updater`` turned ``failing`` is marked failed with a message pending. Its
    children — forked where it was still an updater and where it was already failing — are
    not failed: each runs when sent the parent's queue (the pending message is new to
    it), the first adopting a step, the second failing and being marked on its own. The
    parent stays failed, its message pending."""
    rt = Rt(impl, tmp_path / "rt", clause="RUN-008.5")
    try:
        updater = genesis(rt, "updater")
        rt.run()
        updater.send("set-code", _blob_of("failing"))
        rt.run()
        updater.send("x", {"blob": "00"})
        answer = rt.run()
        check_equal(
            "RUN-008.5", [[updater.actor, "failed"]], answer["failures"], "answer's failures"
        )
        mark = rt.failed(updater.actor)
        if mark is None:
            fail("RUN-008.5", expected="a value", came=mark, what="the mark")
        history = rt.history(updater.actor)
        check_equal("RUN-008.5", 2, len(history), "the number of history")
        children = []
        for at in history:  # the head (wit "failing"), then the genesis step (wit "updater")
            child = str(rt("rt-fork", actor=updater.actor, step=at)["actor"])
            first = check_child(rt, updater.actor, at, child, {})
            value = rt.failed(child)
            check(
                ("RUN-008.5", "RUN-004.4"),
                value is None,
                expected="nothing (null)",
                came=value,
                what="the child is a new actor; the parent's failed mark "
                "(names/failed/<parent>) is not the child's",
            )
            answer = rt.run()
            check_equal("RUN-008.5", [], answer["steps"], "answer's steps")
            check_equal("RUN-008.5", [], answer["failures"], "answer's failures")
            children.append((at, child, first))
        for at, child, _ in children:
            for mt, content, message in updater.queue:
                check_equal(
                    "RUN-008.5", message, rt("rt-send", to=child, mt=mt, content=content)["message"]
                )
            answer = rt.run()
            failing = at == history[0]
            if failing:  # its core's wit is "failing": it fails, and is marked on its own
                check_equal(
                    ("RUN-004.7", "RUN-008.5"),
                    [[child, "failed"]],
                    answer["failures"],
                    f"the child of a failed actor is not failed, so it "
                    f"runs (and fails on its own): {answer}",
                )
                check_equal(
                    ("RUN-004.7", "RUN-008.5"),
                    [],
                    answer["steps"],
                    f"the child of a failed actor is not failed, so it "
                    f"runs (and fails on its own): {answer}",
                )
                value = rt.failed(child)
                if value is None:
                    fail("RUN-008.5", expected="a value", came=value)
            else:
                check_equal(
                    ("RUN-004.7", "RUN-008.5"),
                    [child],
                    [a for a, _ in answer["steps"]],
                    f"the child of a failed actor is not failed, and "
                    f"reads the messages its step had not read: {answer}",
                )
                check(
                    ("RUN-004.7", "RUN-008.5"),
                    not answer["failures"],
                    expected="nothing (empty)",
                    came=answer["failures"],
                    what=f"the child of a failed actor is not failed, and "
                    f"reads the messages its step had not read: {answer}",
                )
        check_equal("RUN-008.7", mark, rt.failed(updater.actor), "the parent stays failed")
        check_equal("RUN-008.7", history, rt.history(updater.actor), "the parent did not run")
    finally:
        rt.close()


#: State entry names of every valid text class (not ``wit``: ADP-015).
STATE_NAMES = [n for n in tc.samples("ascii", "mixed-case", "bmp", "astral") if tc.is_valid_name(n)]


@pytest.mark.req("RUN-008.2", "RUN-008.4", "RUN-008.5")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral")
@pytest.mark.req("RUN-008.6", "RUN-008.7", "WIT-002")
def test_state_entries_of_every_class_are_set_on_the_core_at_the_step(
    impl: Implementation, tmp_path: Path
) -> None:
    """A counter forked at each of its steps, with state entries named in every text
    class, one replacing ``count``: the child's core is that step's core with them."""
    rt = Rt(impl, tmp_path / "rt", clause="RUN-008.2")
    try:
        counter = counter_replies(rt)
        rt.quiesce()
        state = {name: f"{i:02x}" for i, name in enumerate(STATE_NAMES)}
        forks = fork_every_step(
            rt, counter, lambda i: {**state, "count": "3939"} if i % 2 else dict(state)
        )
        for index, (at, child, _) in enumerate(forks):
            want = "99" if index % 2 else rt.tree(rt.step(at).core).entries.get("count")
            got = rt("rt-query", actor=child, name="count")["data"]
            if index % 2:
                check_equal("RUN-008.2", b"99", bytes.fromhex(got), "state replaces count")
            else:
                if not isinstance(want, g.ObjectId):
                    fail("RUN-008.2", expected="an object id", came=want)
                blob = rt.obj(want)
                if not isinstance(blob, g.Blob):
                    fail(
                        "RUN-008.2",
                        expected="a blob",
                        came=blob,
                        what="the child's count is the parent's at that step",
                    )
                check_equal(
                    "RUN-008.2",
                    blob.data,
                    bytes.fromhex(got),
                    "the child's count is the parent's at that step",
                )
    finally:
        rt.close()
