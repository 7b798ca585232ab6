"""Helpers of the tests of what a fork's child inherits (``test_fork_inheritance``,
``test_forks_as_the_reference``; RUN-008, split by size).

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._properties import properties

from .._check import check, check_equal, check_in, fail, ok_answer
from ._drive import SideBySide

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
        if not isinstance(blob, g.Blob):
            fail("WIT-002", expected="a blob", came=blob)
        item: Json = {"blob": blob.data.hex()}
        if blob.headers:
            item["headers"] = dict(blob.headers)
        tree[name] = item
    return {"tree": tree}


class Rt:
    """One runtime of the implementation (or of both sides, given a SideBySide); its
    commands are checked under ``clause``, the rule the test using it judges."""

    def __init__(self, impl: Implementation | SideBySide, path: Path, *, clause: str) -> None:
        self.impl = impl
        self.clause = clause
        if isinstance(impl, SideBySide):
            impl.open_with("rt", str(path.name))
            self.handle = "rt"
        else:
            path.mkdir(exist_ok=True)
            self.handle = str(self._ok("rt-open", path=str(path))["runtime"])

    def _ok(self, cmd: str, **args: Any) -> Json:
        if isinstance(self.impl, SideBySide):
            answer = self.impl("rt", cmd, **args)
            what = f"{cmd} {str(args)[:200]}"
            check(self.clause, "error" not in answer, expected="a value", came=answer, what=what)
            return answer
        reply = self.impl.call(cmd, **args)
        return ok_answer(reply, self.clause, f"{cmd} {str(args)[:200]}")

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
        if not isinstance(step, g.Step):
            fail("RUN-008.2", expected="a step", came=step, what=f"{oid} is not a step")
        return step

    def tree(self, oid: str | g.ObjectId) -> g.Tree:
        tree = self.obj(oid)
        if not isinstance(tree, g.Tree):
            fail("RUN-008.2", expected="a tree", came=tree, what=f"{oid} is not a tree")
        return tree

    def mailbox(self, oid: g.ObjectId | None) -> dict[g.ObjectId, g.ObjectId]:
        """The mailbox's map (OBJ-019.1): its entries over its ``base``'s map."""
        levels: list[g.Mailbox] = []
        while oid is not None and len(levels) < 1000:
            box = self.obj(oid)
            if not isinstance(box, g.Mailbox):
                fail("ID-004", expected="a mailbox", came=box, what=f"{oid} is not a mailbox")
            levels.append(box)
            oid = box.base
        found: dict[g.ObjectId, g.ObjectId] = {}
        for box in reversed(levels):  # the base first: each level above replaces
            found.update(box.entries)
        return found

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
        check(
            self.clause,
            answer["quiescent"] is True,
            expected="quiescent true",
            came=answer,
            what=f"rt-run, max_steps {max_steps}",
        )
        return answer

    def quiesce(self) -> None:
        """Run to quiescence, then check a second run adopts nothing (a precondition)."""
        self.run()
        again = self.run()
        what = "a second run after quiescence"
        check_equal(self.clause, [], again["steps"], f"{what}: its steps")
        check_equal(self.clause, [], again["failures"], f"{what}: its failures")


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
    check_equal(
        "WIT-002", g.object_id(core).hex(), actor, "rt-genesis: the actor's id is its core's"
    )
    objects: dict[g.ObjectId, g.GritObject] = {g.object_id(wit_blob(name)): wit_blob(name)}
    for data in state.values():
        blob = g.Blob(data=bytes.fromhex(data))
        objects[g.object_id(blob)] = blob
    message = g.object_id(g.Message(content=g.object_id(core), headers={"mt": "genesis"})).hex()
    return Parent(rt, actor, [("genesis", described(core, objects), message)], echo=echo)


def _blob_of(text: str) -> Json:
    return {"blob": text.encode().hex()}


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
    check_equal(
        ("RUN-008.2", "RUN-008.4"),
        g.object_id(core).hex(),
        child,
        f"the child {child} is not the id of the parent's core at "
        f"{at} with the state and the fork entry set ({g.object_id(core).hex()}); its "
        f"core's entries are {sorted(got_core.entries)}, expected {sorted(entries)}",
    )
    first = rt.head(child)
    if first is None:
        fail("RUN-008.6", expected="a value", came=first, what="the child's head is set")
    step = rt.step(first)
    check(
        "RUN-008.5",
        step.outbox is None,
        expected="nothing (null)",
        came=step.outbox,
        what=f"the child's first step has an outbox ({step.outbox}); the step it "
        f"continues had {at_step.outbox}: it must start with none",
    )
    check_equal(
        "RUN-008.5",
        at_step.inbox,
        step.inbox,
        f"the child's first step has inbox {step.inbox}, at_step's is "
        f"{at_step.inbox}: the child reads on from where the parent stood at that step",
    )
    check_equal("RUN-008.5", (child, child), (step.actor.hex(), step.core.hex()), "actor, core")
    if step.previous is None:
        fail("RUN-008.5", expected="a value", came=step.previous, what="previous")
    check_equal("RUN-008.5", at, step.previous.hex(), "previous")
    want = g.Step(actor=step.actor, core=step.core, previous=step.previous, inbox=at_step.inbox)
    check_equal("RUN-008.5", g.object_id(want).hex(), first, "the first step has no other field")
    return first


def _outbox_chain(rt: Rt, step: str, to: g.ObjectId) -> list[g.Message]:
    """The messages of ``step``'s outbox entry for ``to``, oldest first (WIT-004)."""
    entry = rt.mailbox(rt.step(step).outbox).get(to)
    chain: list[g.Message] = []
    while entry is not None and len(chain) < 100:
        message = rt.obj(entry)
        if not isinstance(message, g.Message):
            fail("ID-004", expected="a message", came=message)
        chain.append(message)
        entry = message.previous
    return chain[::-1]


def replay_to_child(rt: Rt, parent: Parent, at: str, child: str, first: str) -> None:
    """The outside sends the child the queue it sent the parent: the same message ids
    (WIT-004), of which the child reads exactly those the parent had not read at ``at``
    (RUN-008.5: ``at``'s inbox), each once."""
    cursor = rt.mailbox(rt.step(at).inbox).get(OUTSIDE)
    ids = [message for _, _, message in parent.queue]
    if cursor is None:
        fail("ID-004", expected="a value", came=cursor, what="at_step read the parent's genesis")
    check_in("ID-004", cursor.hex(), ids, "at_step's cursor: a message the outside sent")
    unread = parent.queue[ids.index(cursor.hex()) + 1 :]
    parent_head = rt.head(parent.actor)
    for mt, content, message in parent.queue:
        sent = rt("rt-send", to=child, mt=mt, content=content)["message"]
        check_equal(
            ("WIT-004", "ID-004"),
            message,
            sent,
            f"the outside's queue to the child repeats its queue to the parent, so the ids "
            f"are the same: {sent} != {message}",
        )
    rt.run()
    head = rt.head(child)
    if not unread:
        check_equal(
            "RUN-008.5",
            first,
            head,
            "the child inherits the parent's inbox cursor at at_step, which had "
            "read every message the outside sent again: nothing is pending for the child, "
            "yet it adopted a step",
        )
    else:
        if head is None:
            fail(
                ("RUN-008.5", "WIT-005"),
                expected="a value",
                came=head,
                what=f"the child did not read the {len(unread)} message(s) the parent had not read "
                "at at_step",
            )
        check(
            ("RUN-008.5", "WIT-005"),
            head != first,
            expected=f"other than {first}",
            came=head,
            what=f"the child did not read the {len(unread)} message(s) the parent had not read "
            "at at_step",
        )
        check_equal(
            "ID-004", g.ObjectId.from_hex(ids[-1]), rt.mailbox(rt.step(head).inbox).get(OUTSIDE)
        )
    if parent.echo:
        replies = _outbox_chain(rt, str(head), OUTSIDE)
        want = [
            g.object_id(_content_object(content)).hex()
            for mt, content, _ in unread
            if mt not in ("genesis", "update")
        ]
        got = [m.content.hex() for m in replies]
        check_equal(
            "RUN-008.5",
            want,
            got,
            "the child echoes exactly the messages at_step had not read, each "
            f"once, in a chain of its own: it echoed {len(got)} message(s), expected "
            f"{len(want)}: {got} != {want}",
        )
        check(
            "RUN-008.5",
            not replies or replies[0].previous is None,
            expected="no outbox inherited",
            came=not replies or replies[0].previous is None,
        )
    check_equal("RUN-008.7", parent_head, rt.head(parent.actor), "the child's run moved the parent")
    history = rt.history(child)
    parent_history = rt.history(parent.actor)
    tail = parent_history[parent_history.index(at) :]
    check_equal(
        ("RUN-008.5", "RUN-008.7"),
        tail,
        history[-len(tail) :],
        "the child's history is its own steps, then the parent's up to "
        "at_step and nothing of the parent after it",
    )
    check(
        ("RUN-008.5", "RUN-008.7"),
        first in history,
        expected="the child's history is its own steps, then the parent's up to "
        "at_step and nothing of the parent after it",
        came=first,
    )
    value = set(history[: -len(tail)]) & set(parent_history)
    check(
        "RUN-008.7",
        not value,
        expected="nothing (empty)",
        came=value,
        what="the child's own steps that are steps of the parent too",
    )


def _content_object(content: Json) -> g.GritObject:
    if "blob" in content:
        return g.Blob(data=bytes.fromhex(content["blob"]), headers=content.get("headers", {}))
    entries = {n: g.object_id(_content_object(c)) for n, c in content["tree"].items()}
    return g.Tree(entries=entries)
