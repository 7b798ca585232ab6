"""Driving the ``services`` profile (ADP-023): a runtime on the harness's clock, the test
actor ``alarm`` (TIM-008) and what the timer party sent, read from the store.

Every expected value of the tests is computed here from the clauses: the timer party's id
from TIM-001.1's core, a request's id as the id of the message ``alarm`` queued
(TIM-002.2, WIT-004), and the messages the party sent an actor by walking its outbox
entry for that actor back through ``previous`` (WIT-005), so that a message sent twice is
seen twice.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._messages import Response
from gritwit_conformance.suite._check import SuiteBug, fail

from .._check import Clause, check, ok_answer

Json = dict[str, Any]


def party_id(name: str) -> g.ObjectId:
    """TIM-001.1: the id of the tree whose one entry ``wit`` is a ``service`` blob ``name``."""
    wit = g.Blob(data=name.encode(), headers={"runtime": "service"})
    return g.object_id(g.Tree(entries={"wit": g.object_id(wit)}))


#: The timer party (TIM-001.1), computed from the clause, not asked of anyone.
TIMER = party_id("timer")

#: The service parties a watched run checks (:class:`RunWatch`), each with the clause a
#: step of it that changes nothing breaks: a timer pass with nothing to read and nothing
#: due adopts no step (ADP-023.3), nor a port pass that reads no message and answers no
#: request (PORT-007.6).
WATCHED = ((TIMER, "timer", "ADP-023.3"), (party_id("http"), "port", "PORT-007.6"))
#: Steps of one party a watch walks back at one look: a runtime adopting steps that
#: change nothing is caught at its first; more is only a longer walk.
_WALK = 64


@dataclass(frozen=True, slots=True)
class Sent:
    """A message the timer party sent, with its id."""

    id: str
    headers: dict[str, str]
    content: str


class Clocked:
    """One runtime of the implementation on the harness's clock (ADP-023.1)."""

    def __init__(self, impl: Implementation, path: Path, clock: int, **options: Any) -> None:
        self.impl = impl
        self.path = path
        path.mkdir(exist_ok=True)
        self.handle = ""
        self.open(clock, **options)

    def open(self, clock: int, **options: Any) -> None:
        """``rt-open`` of the directory (again, after a kill: a restart) at ``clock``."""
        reply = self.impl.call("rt-open", path=str(self.path), clock=clock, **options)
        self.handle = str(ok_answer(reply, "ADP-023.1")["runtime"])

    def call(self, cmd: str, **args: Any) -> Response:
        return self.impl.call(cmd, runtime=self.handle, **args)

    def ok(self, clause: Clause, cmd: str, **args: Any) -> Json:
        return ok_answer(self.call(cmd, **args), clause)

    def run(self, clause: Clause = "ADP-023.3", max_steps: int = 10_000) -> Json:
        """``rt-run``, watched (:class:`RunWatch`) while it answers past the answer limit."""
        watch = self.watch()
        try:
            reply = self.impl.call_watched(
                watch, "rt-run", runtime=self.handle, max_steps=max_steps
            )
        finally:
            watch.close()
        return ok_answer(reply, clause)

    def watch(self) -> RunWatch:
        """The watch of one ``rt-run`` of this runtime (:class:`RunWatch`)."""
        return RunWatch(self.impl, self.path)

    def clock(self, **move: int) -> int:
        return int(self.ok("ADP-023.2", "rt-clock", **move)["now"])

    def alarm(self, seed: str = "") -> str:
        """A new ``alarm`` (TIM-008), its genesis run; ``seed`` makes its id differ."""
        state = {"seed": seed.encode().hex()} if seed else {}
        actor = str(self.ok("ADP-015", "rt-genesis", actor="alarm", state=state)["actor"])
        self.run()
        return actor

    def ask(
        self, alarm: str, headers: dict[str, str], content: bytes = b"wake", max_steps: int = 10_000
    ) -> str:
        """Have ``alarm`` send the timer party a request with ``headers`` (TIM-008.1) and
        run (``max_steps=1``: a run that ADP-015 may end before any timer pass reads it);
        the request's id, read from the alarm's outbox (TIM-002.2)."""
        description = {
            "tree": {
                "request": {"blob": "", "headers": headers},
                "content": {"blob": content.hex()},
            }
        }
        self.ok("ADP-015", "rt-send", to=alarm, mt="timer", content=description)
        self.run(max_steps=max_steps)
        return self.outbox_entry(alarm, TIMER) or ""

    def set(
        self,
        alarm: str,
        *,
        mt: str = "ring",
        content: bytes = b"wake",
        max_steps: int = 10_000,
        **when: str,
    ) -> str:
        """A ``timer-set`` request (TIM-002.1): ``when`` holds ``after``/``at``/``to``."""
        headers = {"mt": "timer-set", "timer-mt": mt}
        headers.update({f"timer-{k}": v for k, v in when.items()})
        return self.ask(alarm, headers, content, max_steps)

    def obj(self, oid: str) -> g.GritObject:
        answer = self.ok("ADP-015", "rt-object", id=oid)
        return g.decode_object(bytes.fromhex(answer["bytes"]))

    def head(self, actor: str | g.ObjectId) -> str | None:
        text = actor if isinstance(actor, str) else actor.hex()
        step = self.ok("ADP-015", "rt-head", actor=text)["step"]
        return None if step is None else str(step)

    def _box(self, actor: str | g.ObjectId, which: str) -> dict[g.ObjectId, g.ObjectId]:
        head = self.head(actor)
        if head is None:
            return {}
        step = self.obj(head)
        if not isinstance(step, g.Step):
            fail("OBJ-020.1", expected="a step", came=step, what=f"the head {head} of {actor}")
        box = getattr(step, which)
        entries: dict[g.ObjectId, g.ObjectId] = {}
        while box is not None:  # a chain of mailboxes (OBJ-019.1): the top's entries win
            mailbox = self.obj(box.hex())
            if not isinstance(mailbox, g.Mailbox):
                fail("OBJ-020.1", expected="a mailbox", came=mailbox, what=f"the {which} {box}")
            for key, value in mailbox.entries.items():
                entries.setdefault(key, value)
            box = mailbox.base
        return entries

    def outbox_entry(self, sender: str | g.ObjectId, to: str | g.ObjectId) -> str | None:
        found = self._box(sender, "outbox").get(_oid(to))
        return None if found is None else found.hex()

    def inbox_entry(self, reader: str | g.ObjectId, sender: str | g.ObjectId) -> str | None:
        found = self._box(reader, "inbox").get(_oid(sender))
        return None if found is None else found.hex()

    def sent_to(self, actor: str) -> list[Sent]:
        """Every message the timer party sent ``actor``, oldest first (WIT-004)."""
        out: list[Sent] = []
        last = self.outbox_entry(TIMER, actor)
        while last is not None:
            message = self.obj(last)
            if not isinstance(message, g.Message):
                fail("OBJ-020.1", expected="a message", came=message, what=f"the entry {last}")
            out.append(Sent(last, dict(message.headers), message.content.hex()))
            last = None if message.previous is None else message.previous.hex()
        return out[::-1]

    def fired(self, actor: str) -> list[Sent]:
        """The fires among :meth:`sent_to` (TIM-003.1: they carry ``timer-fired-at``)."""
        return [m for m in self.sent_to(actor) if "timer-fired-at" in m.headers]

    def refused(self, actor: str) -> list[Sent]:
        return [m for m in self.sent_to(actor) if m.headers.get("mt") == "timer-refused"]

    def timers(self, actor: str) -> list[Json]:
        return list(self.ok("ADP-023.4", "rt-timers", actor=actor)["timers"])

    def close(self) -> None:
        self.impl.call("rt-close", runtime=self.handle)


class RunWatch:
    """What an ``rt-run`` of the services may not do while the harness waits past its
    answer limit (``Implementation.call_watched``): adopt a step of a service party that
    changes nothing (ADP-023.3, PORT-007.6).

    A pass that adopts a step at every pass runs again at once and never settles: the
    adapter makes progress (ADP-012.3) until the hard cap, ten answer limits. A second
    process of the implementation opens the runtime's store at the first look (a run
    that answers within the limit costs nothing) and reads each party's head; at each
    later look it walks the steps adopted since, and a step whose core, inbox and outbox
    are its previous step's (it read nothing, answered or fired nothing, sent nothing)
    fails the run's test under the party's clause.
    """

    def __init__(self, impl: Implementation, path: Path) -> None:
        self.impl = impl
        self.path = path
        self.reader: Implementation | None = None
        self.handle = ""
        #: each watched party's head at the last look
        self.seen: dict[g.ObjectId, str | None] = {}

    def _ok(self, cmd: str, **args: Any) -> Json:
        reader = self.reader
        if reader is None:
            raise SuiteBug("the watch reads the store only once a look opened its reader")
        return ok_answer(reader.call(cmd, runtime=self.handle, **args), "ADP-015")

    def _step(self, oid: str) -> g.Step:
        answer = self._ok("rt-object", id=oid)
        step = g.decode_object(bytes.fromhex(answer["bytes"]))
        if not isinstance(step, g.Step):
            fail("OBJ-020.1", expected="a step", came=step, what=f"the service party's {oid}")
        return step

    def _head(self, party: g.ObjectId) -> str | None:
        step = self._ok("rt-head", actor=party.hex())["step"]
        return None if step is None else str(step)

    def __call__(self) -> None:
        if self.reader is None:
            self.reader = self.impl._fresh()
            opened = self.reader.call("rt-open", path=str(self.path))
            self.handle = str(ok_answer(opened, "ADP-015")["runtime"])
            self.seen = {party: self._head(party) for party, _, _ in WATCHED}
            return
        for party, name, clause in WATCHED:
            head = self._head(party)
            at, walked = head, 0
            while at is not None and at != self.seen[party] and walked < _WALK:
                step = self._step(at)
                if step.previous is None:
                    break
                before = self._step(step.previous.hex())
                same = (step.core, step.inbox, step.outbox) == (
                    before.core,
                    before.inbox,
                    before.outbox,
                )
                check(
                    clause,
                    not same,
                    expected=f"no step of the {name} party that reads no message and "
                    "changes nothing, so that rt-run settles",
                    came=f"the step {at}, adopted during an rt-run that has not answered, "
                    f"has the core, inbox and outbox of the step {step.previous.hex()} "
                    "before it",
                    what=f"the {name} party's steps",
                )
                at, walked = step.previous.hex(), walked + 1
            self.seen[party] = head

    def close(self) -> None:
        """Close the reader, if a look opened one."""
        if self.reader is None:
            return
        with contextlib.suppress(Exception):  # the store's runtime may be gone with it
            self.reader.call("rt-close", runtime=self.handle)
        self.reader.close()
        self.reader = None


def blob_id(data: bytes) -> str:
    """The id of a blob of ``data`` without headers: a fire's content (TIM-003.1)."""
    return g.object_id(g.Blob(data=data)).hex()


def _oid(value: str | g.ObjectId) -> g.ObjectId:
    return value if isinstance(value, g.ObjectId) else g.ObjectId.from_hex(value)
