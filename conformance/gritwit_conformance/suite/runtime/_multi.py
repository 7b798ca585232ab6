"""Several adapter processes on one store, killed and restarted: the workload and its model.

``N`` *workers*, each an adapter process of the implementation under test with its own
runtime on one store (ADP-015: two writers, RUN-002), run their part of one workload at
the same time: sends from the outside (``inc`` to counters, ``ask`` to the requester of
a ping-pong pair, ``nap`` to a ``sleepy`` actor: WIT-020, WIT-026, WIT-019, WIT-030) and
short runs (``rt-run`` with a small ``max_steps``), so that what one process sends
another's run often reads. The sleepy actor's id sorts last, so a nap holds a run's
open commit group at the end of a round while the other processes adopt steps of the
same actors: compare-and-swaps lose (RUN-002.2, RUN-017.4), most surely in the *race
slots*, whose naps are longest. At seeded *kill slots* a worker SIGKILLs its own
process, then restarts it (a new process, a new ``rt-open`` of the same path) and goes
on:

- *during*: the operation is sent and the process killed a few milliseconds later,
  answered or not. A send whose answer was lost may have happened: a *maybe*. The
  client settles it by RUN-019.6 before anything else — it walks the outside's outbox
  entry for the recipient along ``previous`` for the send's content (each content is
  unique: its tag) — and sends it again only when it is not there; a send answered
  ``outcome-unknown`` (DUR-006.2) is settled so too, by the ids the answer names.
  ``GRITWIT_MULTI_RUNTIME_BLIND=1`` makes the client a wrong one that sends again
  blindly: a send that had happened is then in the queue twice.
- *after*: every other worker is paused, the operation is answered, the process is
  killed, and a checker (its own process, never killed) looks at once: the head of
  each actor the run reported a step of reaches that step, the outside's outbox entry
  for the send's recipient is the message acknowledged (RUN-017.6, RUN-019.1), and no
  counter counts less than a worker saw before.

:class:`Model` keeps what was acknowledged (message ids and steps) and what may have
happened, for the final checks of ``test_multi_runtime.py``. Every send carries a
unique *tag* in its content (a header of the ``inc`` blob, the ``question`` of the
``ask``), so a message read twice, or lost, can be told from the others. An
implementation that is not a process (the in-process reference) cannot be killed: its
kill slots abandon the adapter without a shutdown and open a new one, a restart.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, fail, ok_answer

Json = dict[str, Any]

#: The outside's old single outbox ref, read as a fallback only (RUN-003.5); its 16
#: mailboxes are ``<OUTSIDE_REF>/<h>`` (RUN-003.4, :func:`outside_ref`).
OUTSIDE_REF = "names/outside-outbox"


def outside_ref(recipient: str) -> str:
    """The outside's mailbox for ``recipient`` (text form): ``names/outside-outbox/<h>``,
    ``<h>`` its 16th hex digit (RUN-003.4)."""
    return f"{OUTSIDE_REF}/{recipient[15]}"


def outside_box(call: Any, recipient: str) -> str | None:
    """The mailbox holding the outside's entry for ``recipient``: its digit's mailbox when
    that has an entry for it, else the old ref's (RUN-003.4, RUN-003.5); ``call(cmd,
    **args)`` answers a command's results on a runtime of the store."""
    target = call("rt-ref", name=outside_ref(recipient))["target"]
    if target is not None:
        box = g.decode_object(bytes.fromhex(call("rt-object", id=target)["bytes"]))
        if not isinstance(box, g.Mailbox):
            fail("ADP-015", expected="a mailbox", came=box, what=f"the object {target}")
        if g.ObjectId.from_hex(recipient) in box.entries:
            return str(target)
    old = call("rt-ref", name=OUTSIDE_REF)["target"]
    return None if old is None else str(old)


#: Set to ``1``: the wrong client, which sends an unsettled send again blindly (RUN-019.6).
BLIND_VARIABLE = "GRITWIT_MULTI_RUNTIME_BLIND"
#: The kinds of kill slot, ``(operation, when)``; every worker's first is a run's.
KILL_KINDS = (("run", "after"), ("send", "after"), ("send", "during"), ("run", "during"))
#: What a worker does between its slots, equally likely.
OPERATIONS = ("inc", "inc", "ask", "nap", "nap", "run", "run", "run", "query")
#: A nap's bounds in milliseconds: long enough for another process to move a head; a race
#: slot's nap is longer.
NAP_MS = (20, 50)
RACE_MS = (100, 150)
#: A transition of these actors never fails; a bound this long never fails it on a loaded
#: machine either (RUN-005.5), so any failed attempt is an anomaly.
TIME_LIMIT = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """One form of the family: sizes, kills and the seed everything random comes from."""

    seed: int
    workers: int
    ops: int  # operations per worker
    kills: int  # kill slots per worker
    races: int  # race slots per worker: a long nap that holds a run's group (see Worker.race)
    counters: int
    pairs: int
    seconds: float  # the workload's deadline, from its start


@dataclass(frozen=True, slots=True)
class Actors:
    counters: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]  # (requester, echo)
    #: A ``sleepy`` actor whose id sorts after the others': its ``nap`` (WIT-030) holds a
    #: run's open group while other processes move the heads it holds, so swaps lose.
    sleepy: str

    def all(self) -> tuple[str, ...]:
        return (*self.counters, *(a for pair in self.pairs for a in pair), self.sleepy)


class Refused(AssertionError):
    """A command the workload relies on was not answered ``ok``."""


def ok(impl: Implementation, cmd: str, **args: Any) -> Json:
    try:
        return call_ok(impl, "ADP-015", cmd, **args)
    except AssertionError as exc:
        raise Refused(str(exc)) from None


class Reader:
    """Reads a store through one runtime of an implementation; objects are cached by id."""

    def __init__(self, impl: Implementation, path: Path) -> None:
        self.impl = impl
        self.handle = str(ok(impl, "rt-open", path=str(path), time_limit=TIME_LIMIT)["runtime"])
        self._objects: dict[str, g.GritObject] = {}

    def __call__(self, cmd: str, **args: Any) -> Json:
        return ok(self.impl, cmd, runtime=self.handle, **args)

    def object(self, oid: str) -> g.GritObject:
        if oid not in self._objects:
            self._objects[oid] = g.decode_object(bytes.fromhex(self("rt-object", id=oid)["bytes"]))
        return self._objects[oid]

    def head(self, actor: str) -> str | None:
        step = self("rt-head", actor=actor)["step"]
        return None if step is None else str(step)

    def entry(self, mailbox: g.ObjectId | str | None, key: str) -> str | None:
        """The entry for ``key`` of a mailbox (``None`` for no mailbox or no entry)."""
        if mailbox is None:
            return None
        box = self.object(mailbox if isinstance(mailbox, str) else mailbox.hex())
        if not isinstance(box, g.Mailbox):
            fail("ADP-015", expected="a mailbox", came=box, what=f"the object {mailbox}")
        found = box.entries.get(g.ObjectId.from_hex(key))
        return None if found is None else found.hex()

    def outside_entry(self, recipient: str) -> str | None:
        """The outside's entry for ``recipient`` (RUN-003.4, RUN-003.5)."""
        return self.entry(outside_box(self, recipient), recipient)

    def chain(self, last: str | None) -> list[tuple[str, g.Message]]:
        """The queue ending at message ``last``, oldest first (WIT-004)."""
        found: list[tuple[str, g.Message]] = []
        while last is not None:
            message = self.object(last)
            if not isinstance(message, g.Message):
                fail(
                    "ADP-015",
                    expected="a message",
                    came=message,
                    what=f"{last} in a queue",
                )
            found.append((last, message))
            last = None if message.previous is None else message.previous.hex()
        return found[::-1]

    def history(self, actor: str) -> list[tuple[str, g.Step]]:
        """``actor``'s steps from its head back along ``previous``, newest first."""
        found: list[tuple[str, g.Step]] = []
        at = self.head(actor)
        while at is not None:
            step = self.object(at)
            if not isinstance(step, g.Step):
                fail(
                    "ADP-015",
                    expected="a step",
                    came=step,
                    what=f"{at} on {actor}'s chain",
                )
            found.append((at, step))
            at = None if step.previous is None else step.previous.hex()
        return found

    def count(self, counter: str) -> int:
        data = bytes.fromhex(self("rt-query", actor=counter, name="count")["data"])
        return int(data) if data.isdigit() else -1


def settle(call: Any, to: str, *, ids: tuple[str, ...] = (), content: str | None = None
           ) -> str | None:  # fmt: skip
    """RUN-019.6: the id of the unsettled send's message to ``to`` if it was sent, else None.

    Sent exactly when the outside's outbox entry for ``to`` (its digit's mailbox, else the
    old ref's: RUN-003.4, RUN-003.5; ``rt-ref``, ``rt-object``) is
    the message or reaches it along ``previous``; the message is known by an id the
    ``outcome-unknown`` answer named, or (no answer came) by its ``content`` id.  Being in
    the store settles nothing: a discarded message is stored too.  ``call(cmd, **args)``
    answers a command's results on a runtime of the store.
    """
    target = outside_box(call, to)
    if target is None:
        return None
    box = g.decode_object(bytes.fromhex(call("rt-object", id=target)["bytes"]))
    if not isinstance(box, g.Mailbox):
        fail("ADP-015", expected="a mailbox", came=box, what=f"the object {target}")
    at = box.entries.get(g.ObjectId.from_hex(to))
    while at is not None:
        message = g.decode_object(bytes.fromhex(call("rt-object", id=at.hex())["bytes"]))
        if not isinstance(message, g.Message):
            fail(
                "ADP-015",
                expected="a message",
                came=message,
                what=f"{at} in a queue",
            )
        if at.hex() in ids or message.content.hex() == content:
            return at.hex()
        at = message.previous
    return None


def send_settled(
    impl: Implementation, handle: str, args: Json, content: str, *, blind: bool
) -> tuple[str, int]:
    """``rt-send`` until answered ``ok``, settling each ``outcome-unknown`` answer first
    (RUN-019.6) unless ``blind``; the message id and how many times it was sent again."""
    again = 0
    while True:
        reply = impl.call("rt-send", runtime=handle, **args)
        if reply.ok:
            return str(ok_answer(reply, "ADP-015")["message"]), again
        if reply.error.get("class") != "outcome-unknown":
            raise Refused(f"rt-send {str(args)[:100]}: {reply.error}")
        if not blind:
            found = settle(
                lambda cmd, **a: ok(impl, cmd, runtime=handle, **a),
                str(args["to"]),
                ids=tuple(reply.error.get("messages") or ()),
                content=content,
            )
            if found is not None:
                return found, again
        again += 1


class Model:
    """What the workload was acknowledged, what may have happened, and what it counted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        #: Content id → tag (``w<worker>-<seq>``), for every send made or attempted.
        self.tags: dict[str, str] = {}
        #: Recipient → (message id, tag) of every acknowledged send, in order.
        self.acked: dict[str, list[tuple[str, str]]] = {}
        #: Recipient → tags of sends whose answer a kill took (RUN-019.1: whole or absent).
        self.maybe: dict[str, list[str]] = {}
        #: Actor → every step a run reported adopted (RUN-017.6).
        self.reported: dict[str, set[str]] = {}
        #: Counter → the highest count anyone saw: a head never moves back.
        self.counts: dict[str, int] = {}
        self.stats: Counter[str] = Counter()
        self.anomalies: list[str] = []
        self.broken: BaseException | None = None

    def anomaly(self, text: str) -> None:
        with self.lock:
            self.stats["anomalies"] += 1
            self.anomalies.append(text)

    def tally(self, *names: str, n: int = 1) -> None:
        with self.lock:
            for name in names:
                self.stats[name] += n

    def floor(self, counter: str) -> int:
        """The highest count of ``counter`` seen by answers already in: taken when a read
        starts, it is what that read must not go below (a read answered meanwhile may)."""
        with self.lock:
            return self.counts.get(counter, 0)

    def saw_count(self, counter: str, count: int, where: str, floor: int) -> None:
        """``count`` was read by a read that started once ``floor`` had been seen: a head
        never moves back, so a count below it is an anomaly.  Two reads that overlap may
        answer in either order, so the check is against the floor, not the latest count."""
        with self.lock:
            self.counts[counter] = max(self.counts.get(counter, 0), count)
        if count < floor:
            self.anomaly(f"{where}: counter {counter[:12]} counts {count} after {floor} was seen")

    def adopted(self, steps: list[list[str]]) -> None:
        with self.lock:
            self.stats["steps"] += len(steps)
            for actor, step in steps:
                self.reported.setdefault(actor, set()).add(step)


class Pause:
    """Workers hold it shared for each operation; a kill checked at once holds it alone."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0
        self._alone = False

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            while self._alone:
                self._cond.wait()
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def alone(self) -> Iterator[None]:
        with self._cond:
            while self._alone:
                self._cond.wait()
            self._alone = True
            while self._active:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._alone = False
                self._cond.notify_all()


class Worker:
    """One adapter process running its part of the workload, killed at its kill slots."""

    def __init__(
        self, index: int, impl: Implementation, path: Path, plan: Plan, actors: Actors,
        model: Model, pause: Pause, checker: Reader, deadline: float,
    ) -> None:  # fmt: skip
        self.index, self.impl, self.path, self.plan = index, impl, path, plan
        self.actors, self.model, self.pause, self.checker = actors, model, pause, checker
        self.deadline = deadline
        self.rng = random.Random(plan.seed * 1_000_003 + index)
        kinds = [KILL_KINDS[0]] + [KILL_KINDS[1 + (index + j) % 3] for j in range(plan.kills - 1)]
        self.rng.shuffle(kinds)
        spots = self.rng.sample(range(1, plan.ops), plan.kills + plan.races)
        self.slots = dict(zip(sorted(spots[: plan.kills]), kinds, strict=True))
        self.races = frozenset(spots[plan.kills :])
        self.sent = 0
        self.handle = ""
        #: Tag → the content id of its send, by which an unsettled send is found (RUN-019.6).
        self.contents: dict[str, str] = {}
        #: The send a kill took the answer of, to settle after the restart (RUN-019.6).
        self.unsettled: tuple[str, Json, str] | None = None
        #: The wrong client: it sends an unsettled send again without settling it.
        self.blind = os.environ.get(BLIND_VARIABLE) == "1"

    def __call__(self) -> None:
        try:
            self.work()
        except Refused as exc:
            self.model.anomaly(f"worker {self.index}: {exc}")
        except BaseException as exc:  # an adapter that broke (ADP-012): the main thread raises
            with self.model.lock:
                self.model.broken = self.model.broken or exc

    def work(self) -> None:
        self.open()
        for at in range(self.plan.ops):
            if time.monotonic() > self.deadline:
                self.model.anomaly(f"worker {self.index}: deadline passed after {at} operations")
                return
            slot = self.slots.get(at)
            if slot is not None and slot[1] == "after":
                with self.pause.alone():
                    self.kill_after(slot[0])
                with self.pause.shared():
                    self.restart()
                continue
            with self.pause.shared():
                if at in self.races:
                    self.race()
                elif slot is None:
                    self.operate(self.rng.choice(OPERATIONS))
                elif self.impl.can_kill:
                    self.kill_during(slot[0])
                else:  # not a process: abandoned after the operation instead (a restart)
                    self.operate(slot[0])
                    self.impl.kill()
                if slot is not None:
                    # A restart may send again what a kill took the answer of: it holds the
                    # pause like any send, or a kill checked alone sees another's send land.
                    self.restart()
        ok(self.impl, "rt-close", runtime=self.handle)

    def open(self) -> None:
        answer = ok(self.impl, "rt-open", path=str(self.path), time_limit=TIME_LIMIT)
        self.handle = str(answer["runtime"])

    def restart(self) -> None:
        self.model.tally("restarts")
        self.open()
        self.settle_unsettled()

    # --- operations -----------------------------------------------------------------

    def _send_args(self, kind: str, nap: tuple[int, int] = NAP_MS) -> tuple[str, Json, str]:
        """A new send (``inc``, ``ask``, ``nap``; ``send``: ``inc`` or ``ask``): recipient,
        ``rt-send`` arguments, tag; a nap of ``nap`` milliseconds at most."""
        self.sent += 1
        tag = f"w{self.index}-{self.sent:04d}"
        if kind == "send":
            kind = self.rng.choice(("inc", "ask"))
        if kind in ("inc", "nap"):
            to = self.rng.choice(self.actors.counters) if kind == "inc" else self.actors.sleepy
            data = b"1" if kind == "inc" else str(self.rng.randint(*nap)).encode()
            content: Json = {"blob": data.hex(), "headers": {"tag": tag}}
            oid = g.object_id(g.Blob(data=data, headers={"tag": tag}))
        else:
            to, echo = self.rng.choice(self.actors.pairs)
            entries = {"to": g.Blob(data=echo.encode()), "question": g.Blob(data=tag.encode())}
            content = {"tree": {name: {"blob": b.data.hex()} for name, b in entries.items()}}
            oid = g.object_id(g.Tree(entries={n: g.object_id(b) for n, b in entries.items()}))
        with self.model.lock:
            self.model.tags[oid.hex()] = tag
        self.contents[tag] = oid.hex()
        return to, {"to": to, "mt": kind, "content": content}, tag

    def operate(self, kind: str, *, nap: tuple[int, int] = NAP_MS, max_steps: int = 0) -> Any:
        """One operation, answered: what it acknowledged (a send's message, a run's steps).

        A run's ``max_steps`` is small unless given, so that it leaves work for the others."""
        self.model.tally("operations")
        if kind == "query":
            counter = self.rng.choice(self.actors.counters)
            floor = self.model.floor(counter)
            data = ok(self.impl, "rt-query", runtime=self.handle, actor=counter, name="count")
            count = bytes.fromhex(data["data"])
            self.model.saw_count(counter, int(count) if count.isdigit() else -1, "rt-query", floor)
            self.model.tally("queries")
            return None
        if kind == "run":
            steps = max_steps or self.rng.randint(1, 6)
            ran = ok(self.impl, "rt-run", runtime=self.handle, max_steps=steps)
            self.model.tally("runs")
            self.model.adopted(ran["steps"])
            if ran["failures"] or ran["attempts"]:
                self.model.anomaly(f"worker {self.index}: rt-run had failed attempts: {ran}")
            return ran["steps"]
        to, args, tag = self._send_args(kind, nap)
        message, again = send_settled(
            self.impl, self.handle, args, self.contents[tag], blind=self.blind
        )
        self.model.tally("sends sent again", n=again)
        with self.model.lock:
            self.model.acked.setdefault(to, []).append((message, tag))
        self.model.tally("sends")
        return to, message

    def race(self) -> None:
        """A run whose group stays open through a long nap: the sleepy actor's turn comes last
        in a round (ADP-014), after the steps of the actors with work, which the other
        processes meanwhile adopt too; one of the two swaps loses (RUN-002.2, RUN-017.4)."""
        self.model.tally("races")
        self.operate("inc")
        self.operate("nap", nap=RACE_MS)
        self.operate("run", max_steps=16)

    def kill_during(self, kind: str) -> None:
        """Send one command and SIGKILL the process a few milliseconds later."""
        if kind == "run":
            self.operate("inc")  # so that the run has work when it is killed
            self.model.tally("operations", "kills", "kills during a command", "runs cut")
            delay = self.rng.uniform(0.0, 0.04)
            self.impl.kill_during("rt-run", delay, runtime=self.handle, max_steps=64)
            return
        to, args, tag = self._send_args("send")
        self.model.tally("operations", "kills", "kills during a command", "sends maybe")
        with self.model.lock:
            self.model.maybe.setdefault(to, []).append(tag)
        self.impl.kill_during("rt-send", self.rng.uniform(0.0, 0.015), runtime=self.handle, **args)
        self.unsettled = (to, args, tag)

    def settle_unsettled(self) -> None:
        """After a restart: settle the send a kill took the answer of (RUN-019.6) and send
        it again only if it was not sent; the wrong client sends it again blindly."""
        if self.unsettled is None:
            return
        to, args, tag = self.unsettled
        self.unsettled = None
        found = None
        if not self.blind:
            found = settle(self._call, to, content=self.contents[tag])
        if found is None:
            found, _ = send_settled(self.impl, self.handle, args, self.contents[tag],
                                    blind=self.blind)  # fmt: skip
            self.model.tally("sends sent again")
        self.model.tally("sends settled")
        with self.model.lock:
            self.model.acked.setdefault(to, []).append((found, tag))

    def _call(self, cmd: str, **args: Any) -> Json:
        return ok(self.impl, cmd, runtime=self.handle, **args)

    def kill_after(self, kind: str) -> None:
        """Alone: one answered operation, a kill, and the checker's look at what it acked."""
        if kind == "run":
            self.operate("inc")  # so that the run surely adopts a step
        acked = self.operate(kind)
        self.impl.kill()
        if self.impl.can_kill:
            self.model.tally("kills", "kills after an answer")
        where = f"worker {self.index}, kill after an acknowledged {kind}"
        if kind == "run":
            for actor, step in {actor: step for actor, step in acked}.items():
                if step not in {oid for oid, _ in self.checker.history(actor)}:
                    self.model.anomaly(
                        f"{where}: step {step[:12]} of {actor[:12]}, reported adopted, is not "
                        "in its history after the kill (RUN-017.6, RUN-007.1)"
                    )
        else:
            to, message = acked
            entry = self.checker.outside_entry(to)
            if entry != message:
                later = message in {oid for oid, _ in self.checker.chain(entry)}
                self.model.anomaly(
                    f"{where}: the outside's outbox entry for {to[:12]} is {entry}, not the "
                    f"message {message[:12]} rt-send acknowledged (RUN-019.1); "
                    + (
                        "a later send, with the acknowledged one before it in its queue"
                        if later
                        else "the acknowledged message is not in its queue: lost"
                    )
                )
        for counter in self.actors.counters:
            floor = self.model.floor(counter)
            self.model.saw_count(counter, self.checker.count(counter), where, floor)
        self.model.tally("checked at a kill")
