"""What a fork's child inherits from its parent, and what it does not (RUN-008, issue 24).

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

import contextlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._properties import properties

from ._drive import SideBySide

pytestmark = pytest.mark.profile("runtime")

OUTSIDE = g.ObjectId(bytes(32))
Json = dict[str, Any]

run = properties(8)


def fork_blob(parent: str, step: str) -> g.Blob:
    """RUN-008.2's ``fork`` entry, byte for byte from the clause's text."""
    data = '{"actor": "' + parent + '", "step": "' + step + '"}'
    return g.Blob(data=data.encode(), headers={"content-type": "application/json"})


def wit_blob(name: str) -> g.Blob:
    return g.Blob(data=name.encode(), headers={"runtime": "test-actor"})


def genesis_core(name: str, state: dict[str, str]) -> g.Tree:
    """The core ``rt-genesis`` builds (ADP-014)."""
    entries = {"wit": g.object_id(wit_blob(name))}
    entries.update({k: g.object_id(g.Blob(data=bytes.fromhex(v))) for k, v in state.items()})
    return g.Tree(entries=entries)


def described(core: g.Tree, objects: dict[g.ObjectId, g.GritObject]) -> Json:
    """A content description (ADP-014) of a tree of blobs."""
    tree: Json = {}
    for name, oid in core.entries.items():
        blob = objects[oid]
        assert isinstance(blob, g.Blob)
        item: Json = {"blob": blob.data.hex()}
        if blob.headers:
            item["headers"] = dict(blob.headers)
        tree[name] = item
    return {"tree": tree}


class Rt:
    """One runtime of the implementation (or of both sides, given a SideBySide)."""

    def __init__(self, impl: Implementation | SideBySide, path: Path) -> None:
        self.impl = impl
        if isinstance(impl, SideBySide):
            impl.open_with("rt", str(path.name))
            self.handle = "rt"
        else:
            path.mkdir(exist_ok=True)
            self.handle = str(self._ok("rt-open", path=str(path))["runtime"])

    def _ok(self, cmd: str, **args: Any) -> Json:
        if isinstance(self.impl, SideBySide):
            answer = self.impl("rt", cmd, **args)
            assert "error" not in answer, f"{cmd} {str(args)[:200]} failed: {answer}"
            return answer
        reply = self.impl.call(cmd, **args)
        assert reply.ok, f"{cmd} {str(args)[:200]} failed: {reply}"
        return dict(reply.result)

    def __call__(self, cmd: str, **args: Any) -> Json:
        if isinstance(self.impl, SideBySide):
            return self._ok(cmd, **args)
        return self._ok(cmd, runtime=self.handle, **args)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if isinstance(self.impl, SideBySide):
                self.impl("rt", "rt-close")
            else:
                self.impl.call("rt-close", runtime=self.handle)

    def obj(self, oid: str | g.ObjectId) -> g.GritObject:
        text = oid if isinstance(oid, str) else oid.hex()
        return g.decode_object(bytes.fromhex(self("rt-object", id=text)["bytes"]))

    def step(self, oid: str | g.ObjectId) -> g.Step:
        step = self.obj(oid)
        assert isinstance(step, g.Step), f"{oid} is not a step: {step}"
        return step

    def tree(self, oid: str | g.ObjectId) -> g.Tree:
        tree = self.obj(oid)
        assert isinstance(tree, g.Tree), f"{oid} is not a tree: {tree}"
        return tree

    def mailbox(self, oid: g.ObjectId | None) -> dict[g.ObjectId, g.ObjectId]:
        if oid is None:
            return {}
        box = self.obj(oid)
        assert isinstance(box, g.Mailbox), f"{oid} is not a mailbox: {box}"
        return dict(box.entries)

    def head(self, actor: str) -> str | None:
        step = self("rt-head", actor=actor)["step"]
        return None if step is None else str(step)

    def failed(self, actor: str) -> str | None:
        target = self("rt-ref", name=f"names/failed/{actor}")["target"]
        return None if target is None else str(target)

    def history(self, actor: str) -> list[str]:
        """The actor's steps from its head back, through ``previous`` (parents included)."""
        out: list[str] = []
        current = self.head(actor)
        while current is not None and len(out) < 200:
            out.append(current)
            previous = self.step(current).previous
            current = None if previous is None else previous.hex()
        return out

    def run(self, max_steps: int = 200) -> Json:
        answer = self("rt-run", max_steps=max_steps)
        assert answer["quiescent"] is True, f"rt-run did not reach quiescence: {answer}"
        return answer

    def quiesce(self) -> None:
        """Run to quiescence, then check a second run adopts nothing (a precondition)."""
        self.run()
        again = self.run()
        assert again["steps"] == [] and again["failures"] == [], (
            f"a second run after quiescence adopted steps: {again} (ADP-015, WIT-005)"
        )


@dataclass
class Parent:
    """An actor to fork, and what the outside sent it (genesis first): ``(mt, content
    description, message id)``."""

    rt: Rt
    actor: str
    queue: list[tuple[str, Json, str]] = field(default_factory=list)
    echo: bool = False
    others: list[str] = field(default_factory=list)

    def send(self, mt: str, content: Json) -> str:
        message = str(self.rt("rt-send", to=self.actor, mt=mt, content=content)["message"])
        self.queue.append((mt, content, message))
        return message


def genesis(rt: Rt, name: str, state: dict[str, str] | None = None, echo: bool = False) -> Parent:
    state = state or {}
    actor = str(rt("rt-genesis", actor=name, state=state)["actor"])
    core = genesis_core(name, state)
    assert actor == g.object_id(core).hex(), "rt-genesis: the actor's id is its core's (WIT-002)"
    objects: dict[g.ObjectId, g.GritObject] = {g.object_id(wit_blob(name)): wit_blob(name)}
    for data in state.values():
        blob = g.Blob(data=bytes.fromhex(data))
        objects[g.object_id(blob)] = blob
    message = g.object_id(g.Message(content=g.object_id(core), headers={"mt": "genesis"})).hex()
    return Parent(rt, actor, [("genesis", described(core, objects), message)], echo=echo)


def _blob_of(text: str) -> Json:
    return {"blob": text.encode().hex()}


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


# --- the checks ----------------------------------------------------------------------------


def check_child(rt: Rt, parent: str, at: str, child: str, state: dict[str, str]) -> str:
    """RUN-008.2, .4, .5, .6: the child's core, id and first step; returns that step."""
    at_step = rt.step(at)
    entries = dict(rt.tree(at_step.core).entries)
    for name, data in state.items():
        entries[name] = g.object_id(g.Blob(data=bytes.fromhex(data)))
    entries["fork"] = g.object_id(fork_blob(parent, at))
    core = g.Tree(entries=entries)
    got_core = rt.tree(child) if child != g.object_id(core).hex() else core
    assert child == g.object_id(core).hex(), (
        f"RUN-008.2, RUN-008.4: the child {child} is not the id of the parent's core at "
        f"{at} with the state and the fork entry set ({g.object_id(core).hex()}); its "
        f"core's entries are {sorted(got_core.entries)}, expected {sorted(entries)}"
    )
    first = rt.head(child)
    assert first is not None, "RUN-008.6: the child's head is set"
    step = rt.step(first)
    assert step.outbox is None, (
        f"RUN-008.5: the child's first step has an outbox ({step.outbox}); the step it "
        f"continues had {at_step.outbox}: it must start with none"
    )
    assert step.inbox == at_step.inbox, (
        f"RUN-008.5: the child's first step has inbox {step.inbox}, at_step's is "
        f"{at_step.inbox}: the child reads on from where the parent stood at that step"
    )
    assert (step.actor.hex(), step.core.hex()) == (child, child), "RUN-008.5: actor, core"
    assert step.previous is not None and step.previous.hex() == at, "RUN-008.5: previous"
    want = g.Step(actor=step.actor, core=step.core, previous=step.previous, inbox=at_step.inbox)
    assert first == g.object_id(want).hex(), "RUN-008.5: the first step has no other field"
    return first


def _outbox_chain(rt: Rt, step: str, to: g.ObjectId) -> list[g.Message]:
    """The messages of ``step``'s outbox entry for ``to``, oldest first (WIT-004)."""
    entry = rt.mailbox(rt.step(step).outbox).get(to)
    chain: list[g.Message] = []
    while entry is not None and len(chain) < 100:
        message = rt.obj(entry)
        assert isinstance(message, g.Message)
        chain.append(message)
        entry = message.previous
    return chain[::-1]


def replay_to_child(rt: Rt, parent: Parent, at: str, child: str, first: str) -> None:
    """The outside sends the child the queue it sent the parent: the same message ids
    (WIT-004), of which the child reads exactly those the parent had not read at ``at``
    (RUN-008.5: ``at``'s inbox), each once."""
    cursor = rt.mailbox(rt.step(at).inbox).get(OUTSIDE)
    ids = [message for _, _, message in parent.queue]
    assert cursor is not None and cursor.hex() in ids, "at_step read the parent's genesis"
    unread = parent.queue[ids.index(cursor.hex()) + 1 :]
    parent_head = rt.head(parent.actor)
    for mt, content, message in parent.queue:
        sent = rt("rt-send", to=child, mt=mt, content=content)["message"]
        assert sent == message, (
            f"the outside's queue to the child repeats its queue to the parent, so the ids "
            f"are the same (WIT-004, ID-004): {sent} != {message}"
        )
    rt.run()
    head = rt.head(child)
    if not unread:
        assert head == first, (
            "RUN-008.5: the child inherits the parent's inbox cursor at at_step, which had "
            "read every message the outside sent again: nothing is pending for the child, "
            f"yet it adopted step {head}"
        )
    else:
        assert head is not None and head != first, (
            f"the child did not read the {len(unread)} message(s) the parent had not read "
            "at at_step (RUN-008.5, WIT-005)"
        )
        assert rt.mailbox(rt.step(head).inbox).get(OUTSIDE) == g.ObjectId.from_hex(ids[-1])
    if parent.echo:
        replies = _outbox_chain(rt, str(head), OUTSIDE)
        want = [
            g.object_id(_content_object(content)).hex()
            for mt, content, _ in unread
            if mt not in ("genesis", "update")
        ]
        got = [m.content.hex() for m in replies]
        assert got == want, (
            "RUN-008.5: the child echoes exactly the messages at_step had not read, each "
            f"once, in a chain of its own: it echoed {len(got)} message(s), expected "
            f"{len(want)}: {got} != {want}"
        )
        assert not replies or replies[0].previous is None, "RUN-008.5: no outbox inherited"
    assert rt.head(parent.actor) == parent_head, "RUN-008.7: the child's run moved the parent"
    history = rt.history(child)
    parent_history = rt.history(parent.actor)
    tail = parent_history[parent_history.index(at) :]
    assert history[-len(tail) :] == tail and first in history, (
        "RUN-008.5, RUN-008.7: the child's history is its own steps, then the parent's up to "
        "at_step and nothing of the parent after it"
    )
    assert not set(history[: -len(tail)]) & set(parent_history), "RUN-008.7"


def _content_object(content: Json) -> g.GritObject:
    if "blob" in content:
        return g.Blob(data=bytes.fromhex(content["blob"]), headers=content.get("headers", {}))
    entries = {n: g.object_id(_content_object(c)) for n, c in content["tree"].items()}
    return g.Tree(entries=entries)


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
        assert answer["steps"] == [] and answer["failures"] == [], (
            f"RUN-008.5: a run right after forking at {at} adopted {answer['steps']} "
            f"(failures {answer['failures']}): the child starts with no outbox, so nothing "
            "the parent sent is pending again from the child, and nobody addresses the child"
        )
        assert {a: rt.head(a) for a in actors} == heads, "RUN-008.7: forking moved a head"
        assert {a: rt.failed(a) for a in actors} == marks, "RUN-008.7: forking marked an actor"
        assert rt.head(child) == first and rt.failed(child) is None, "RUN-008.6"
        forks.append((at, child, first))
    return forks


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.req("RUN-008.2", "RUN-008.4", "RUN-008.5", "RUN-008.6", "RUN-008.7", "WIT-005")
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_child_inherits_the_inbox_and_core_at_its_step_and_no_outbox(
    impl: Implementation, tmp_path: Path, scenario: str
) -> None:
    """Fork at every step of a parent whose steps sent messages of one kind; then the
    outside sends each child the parent's queue again, and a grandchild is forked."""
    rt = Rt(impl, tmp_path / "rt")
    try:
        parent = SCENARIOS[scenario](rt)
        rt.quiesce()
        forks = fork_every_step(rt, parent, lambda i: {"t": f"{i:02x}"} if i % 2 else {})
        assert any(rt.step(at).outbox is not None for at, _, _ in forks), "a step sent"
        for at, child, first in forks:
            replay_to_child(rt, parent, at, child, first)
        # the child of a child: its fork entry is replaced, its outbox again none
        at, child, _ = forks[0]
        head = rt.head(child)
        assert head is not None
        grandchild = str(rt("rt-fork", actor=child, step=head)["actor"])
        check_child(rt, child, head, grandchild, {})
        assert rt.run()["steps"] == [], "RUN-008.5: the grandchild carries no outbox either"
    finally:
        rt.close()


@pytest.mark.req("RUN-008.5", "RUN-008.7", "WIT-005")
def test_messages_pending_for_the_parent_stay_the_parents(
    impl: Implementation, tmp_path: Path
) -> None:
    """Two messages sent to the parent and not yet run at the fork: the next run gives
    them to the parent alone, once; the child's head does not move."""
    rt = Rt(impl, tmp_path / "rt")
    try:
        echo = genesis(rt, "echo", {"tag": "03"}, echo=True)
        rt.run()
        echo.send("hi", {"blob": "01"})
        rt.run()
        at = rt.head(echo.actor)
        assert at is not None
        pending = [echo.send("p", {"blob": "02"}), echo.send("q", {"blob": "03"})]
        child = str(rt("rt-fork", actor=echo.actor, step=at)["actor"])
        first = check_child(rt, echo.actor, at, child, {})
        answer = rt.run()
        assert [a for a, _ in answer["steps"]] == [echo.actor], (
            f"RUN-008.5, WIT-005: the messages pending at the fork are the parent's alone, "
            f"read in one step: the run adopted {answer['steps']}"
        )
        head = rt.head(echo.actor)
        assert head is not None
        assert rt.mailbox(rt.step(head).inbox).get(OUTSIDE) == g.ObjectId.from_hex(pending[-1])
        echoed = [m.content for m in _outbox_chain(rt, head, OUTSIDE)]
        contents = [g.object_id(g.Blob(data=bytes([n]))) for n in (1, 2, 3)]
        assert echoed == contents, "the parent echoes each of its messages once"
        assert rt.head(child) == first, "RUN-008.7: the parent's run moved the child"
        replay_to_child(rt, echo, at, child, first)  # the child reads p, q when sent them
    finally:
        rt.close()


@pytest.mark.req("RUN-008.5", "RUN-008.7", "RUN-004.7", "RUN-004.4")
def test_the_failed_mark_is_the_parents_alone(impl: Implementation, tmp_path: Path) -> None:
    """An ``updater`` turned ``failing`` is marked failed with a message pending. Its
    children — forked where it was still an updater and where it was already failing — are
    not failed: each runs when sent the parent's queue (the pending message is new to
    it), the first adopting a step, the second failing and being marked on its own. The
    parent stays failed, its message pending."""
    rt = Rt(impl, tmp_path / "rt")
    try:
        updater = genesis(rt, "updater")
        rt.run()
        updater.send("set-code", _blob_of("failing"))
        rt.run()
        updater.send("x", {"blob": "00"})
        answer = rt.run()
        assert answer["failures"] == [[updater.actor, "failed"]], answer
        mark = rt.failed(updater.actor)
        assert mark is not None
        history = rt.history(updater.actor)
        assert len(history) == 2, history
        children = []
        for at in history:  # the head (wit "failing"), then the genesis step (wit "updater")
            child = str(rt("rt-fork", actor=updater.actor, step=at)["actor"])
            first = check_child(rt, updater.actor, at, child, {})
            assert rt.failed(child) is None, (
                "RUN-008.5, RUN-004.4: the child is a new actor; the parent's failed mark "
                "(names/failed/<parent>) is not the child's"
            )
            answer = rt.run()
            assert answer["steps"] == [] and answer["failures"] == [], answer
            children.append((at, child, first))
        for at, child, _ in children:
            for mt, content, message in updater.queue:
                assert rt("rt-send", to=child, mt=mt, content=content)["message"] == message
            answer = rt.run()
            failing = at == history[0]
            if failing:  # its core's wit is "failing": it fails, and is marked on its own
                assert answer["failures"] == [[child, "failed"]] and answer["steps"] == [], (
                    f"RUN-004.7, RUN-008.5: the child of a failed actor is not failed, so it "
                    f"runs (and fails on its own): {answer}"
                )
                assert rt.failed(child) is not None
            else:
                assert [a for a, _ in answer["steps"]] == [child] and not answer["failures"], (
                    f"RUN-004.7, RUN-008.5: the child of a failed actor is not failed, and "
                    f"reads the messages its step had not read: {answer}"
                )
        assert rt.failed(updater.actor) == mark, "RUN-008.7: the parent stays failed"
        assert rt.history(updater.actor) == history, "RUN-008.7: the parent did not run"
    finally:
        rt.close()


#: State entry names of every valid text class (not ``wit``: ADP-015).
STATE_NAMES = [n for n in tc.samples("ascii", "mixed-case", "bmp", "astral") if tc.is_valid_name(n)]


@pytest.mark.req("RUN-008.2", "RUN-008.4", "RUN-008.5")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral")
def test_state_entries_of_every_class_are_set_on_the_core_at_the_step(
    impl: Implementation, tmp_path: Path
) -> None:
    """A counter forked at each of its steps, with state entries named in every text
    class, one replacing ``count``: the child's core is that step's core with them."""
    rt = Rt(impl, tmp_path / "rt")
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
                assert bytes.fromhex(got) == b"99", "RUN-008.2: state replaces count"
            else:
                assert isinstance(want, g.ObjectId)
                blob = rt.obj(want)
                assert isinstance(blob, g.Blob) and bytes.fromhex(got) == blob.data, (
                    "RUN-008.2: the child's count is the parent's at that step"
                )
    finally:
        rt.close()


# --- any history, against the reference -----------------------------------------------------


@st.composite
def histories(draw: st.DrawFn) -> Json:
    kind = draw(st.sampled_from(["echo", "counter", "fanout"]))
    batches = draw(
        st.lists(
            st.lists(st.tuples(st.sampled_from(["inc", "get", "hi"]), st.binary(max_size=2))),
            min_size=1,
            max_size=4,
        )
    )
    names = draw(
        st.lists(
            tc.texts("ascii", "mixed-case", "bmp", "astral", max_size=4, where=tc.is_valid_name),
            max_size=3,
            unique=True,
        )
    )
    state = {n: "ab" for n in names if n not in ("wit", "fork")}
    return {
        "kind": kind,
        "batches": batches,
        "pending": draw(st.booleans()),
        "at": draw(st.integers(0, 10)),
        "state": state,
    }


def _any_fork(rt: Rt, case: Json) -> None:
    parent = genesis(rt, case["kind"], {"tag": "04"}, echo=case["kind"] == "echo")
    target = genesis(rt, "counter", {"tag": "05"}).actor
    if case["kind"] == "fanout":
        parent.others = [target]
    rt.run()
    batches = case["batches"]
    for index, batch in enumerate(batches):
        for mt, data in batch:
            if case["kind"] == "fanout":
                listing = {"t": _blob_of(target), "d": {"blob": data.hex()}}
                parent.send("fanout", {"tree": listing})
            else:
                parent.send(mt, {"blob": data.hex()})
        if index < len(batches) - 1 or not case["pending"]:
            rt.run()
    history = rt.history(parent.actor)
    at = history[case["at"] % len(history)]
    heads = {a: rt.head(a) for a in [parent.actor, *parent.others]}
    child = str(rt("rt-fork", actor=parent.actor, step=at, state=case["state"])["actor"])
    first = check_child(rt, parent.actor, at, child, case["state"])
    assert {a: rt.head(a) for a in heads} == heads, "RUN-008.7: forking moved a head"
    answer = rt.run()
    assert child not in {a for a, _ in answer["steps"]}, "RUN-008.5: nothing is the child's"
    if not case["pending"]:
        assert answer["steps"] == [], f"RUN-008.5: no message pending again: {answer}"
    assert rt.head(child) == first
    replay_to_child(rt, parent, at, child, first)


@pytest.mark.req("RUN-008.2", "RUN-008.5", "RUN-008.7", "WIT-005", "ADP-015")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral")
@run
@given(case=histories())
def test_any_fork_runs_as_the_reference_does(impl: Implementation, case: Json) -> None:
    """A random history (batches of messages, the last one maybe left pending), a fork
    at a random step with random state, the parent's queue sent to the child: every
    answer must be the reference's, and the child as RUN-008 fixes it."""
    with tempfile.TemporaryDirectory(prefix="fork-") as top:
        rt = Rt(SideBySide(impl, Path(top)), Path("rt"))
        try:
            _any_fork(rt, case)
        finally:
            rt.close()
