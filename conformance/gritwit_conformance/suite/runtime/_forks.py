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
        """The mailbox's map (OBJ-019.1): its entries over its ``base``'s map."""
        levels: list[g.Mailbox] = []
        while oid is not None and len(levels) < 1000:
            box = self.obj(oid)
            assert isinstance(box, g.Mailbox), f"{oid} is not a mailbox: {box}"
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
