"""Another writer of a runtime's store through the store profile alone (ADP-010.6), and
the runtime ``a`` it writes beside, for the suite's tests of catching up (RUN-020).

:class:`StoreWriter` opens the runtime's path with ``store-open`` and writes it as a
runtime would: it queues ``inc`` from the outside (WIT-003, WIT-004, RUN-003.4) and adopts
a counter's next step itself, swapping ``heads/<actor>`` (WIT-005, WIT-020).
:func:`held_actors` makes a ``sleepy`` actor whose nap holds ``a``'s run between two
counters; :func:`open_stepwise` opens ``a`` with each step swapped as adopted (RUN-017.1).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from ._check import Clause, call_ok, check, check_equal, fail, ok_answer
from ._writers import inc

__all__ = [
    "AMOUNT",
    "BOUND",
    "LIMIT",
    "OUTSIDE",
    "OUTSIDE_REF",
    "TEST_ACTOR",
    "RefSwaps",
    "StoreWriter",
    "check_whole_run",
    "held_actors",
    "ordered_salts",
    "salted_core",
    "genesis",
    "held_run",
    "open_stepwise",
    "run_a",
]

#: The pseudo-actor sending from outside the runtime (WIT-003).
OUTSIDE = g.ObjectId(bytes(32))
#: The outside's old single outbox ref: read as a fallback only (RUN-003.5).
OUTSIDE_REF = "names/outside-outbox"
TEST_ACTOR = {"runtime": "test-actor"}
LIMIT = 10.0
#: What the store writer sends the counter in each phase; ``a`` sends 1.
AMOUNT = 10
#: How long a phase waits for ``a``'s run to adopt its first step, in seconds.
BOUND = 60.0


def salted_core(name: str, salt: int) -> g.Tree:
    """The core ``rt-genesis`` builds for test actor ``name`` with state ``salt`` (ADP-014)."""
    wit = g.object_id(g.Blob(data=name.encode(), headers=TEST_ACTOR))
    return g.Tree(entries={"wit": wit, "salt": g.object_id(g.Blob(data=bytes([salt])))})


def genesis(
    impl: Implementation, runtime: str, name: str, salt: int, *, clause: Clause = "RUN-003"
) -> str:
    """A genesis of the test actor ``name``, salted; checked under ``clause``, the calling
    test's (a test of another rule is marked by its own clause when the genesis fails)."""
    actor = str(
        call_ok(
            impl,
            clause,
            "rt-genesis",
            runtime=runtime,
            actor=name,
            state={"salt": f"{salt:02x}"},
        )["actor"]
    )
    check_equal(
        clause, g.object_id(salted_core(name, salt)).hex(), actor, f"rt-genesis of {name}: id"
    )
    return actor


def ordered_salts() -> tuple[int, int, int]:
    """Salts of a counter, a sleepy actor and another counter, in ascending id order."""
    ids = {
        (name, salt): g.object_id(salted_core(name, salt)).hex()
        for name in ("counter", "sleepy")
        for salt in range(16)
    }
    for s in range(16):
        sleepy = ids["sleepy", s]
        before = [c for c in range(16) if ids["counter", c] < sleepy]
        after = [c for c in range(16) if ids["counter", c] > sleepy]
        if before and after:
            return before[0], s, after[0]
    raise AssertionError("no sleepy actor among 16 with counters on both sides")


class StoreWriter:
    """Another writer of the store, through the store profile only (ADP-010, ADP-010.6)."""

    def __init__(self, side: Implementation, path: Path) -> None:
        self.side = side
        self.store = str(
            call_ok(side, "ADP-010.6", "store-open", kind="durable", path=str(path))["store"]
        )

    def get(self, oid: g.ObjectId) -> g.GritObject:
        data = call_ok(self.side, "ADP-010.6", "get", store=self.store, id=oid.hex())["bytes"]
        return g.decode_object(bytes.fromhex(data))

    def put(self, obj: g.GritObject) -> g.ObjectId:
        oid = call_ok(
            self.side, "ADP-010.6", "put", store=self.store, bytes=g.encode_object(obj).hex()
        )["id"]
        return g.ObjectId.from_hex(oid)

    def ref(self, name: str) -> g.ObjectId | None:
        target = call_ok(self.side, "ADP-010.6", "ref-get", store=self.store, name=name)["id"]
        return None if target is None else g.ObjectId.from_hex(target)

    def cas(self, name: str, expected: g.ObjectId | None, new: g.ObjectId) -> bool:
        """Swap ``name``; ``False`` when another writer moved it first (REF-004)."""
        before = None if expected is None else expected.hex()
        reply = self.side.call(
            "ref-cas", store=self.store, name=name, expected=before, new=new.hex()
        )
        if not reply.ok and reply.error_class == "ref-conflict":
            return False
        ok_answer(reply, "ADP-010.6", f"ref-cas {name} {before} -> {new}")
        return True

    def entries(self, mailbox: g.ObjectId | None) -> dict[g.ObjectId, g.ObjectId]:
        if mailbox is None:
            return {}
        box = self.get(mailbox)
        if not isinstance(box, g.Mailbox):
            fail("ADP-010.6", expected="a mailbox", came=box, what=f"{mailbox} is not a mailbox")
        return dict(box.entries)

    def send_inc(self, to: str, amount: int) -> g.ObjectId:
        """Queue ``inc amount`` from the outside to ``to`` (WIT-003, WIT-004, RUN-002.4)."""
        recipient = g.ObjectId.from_hex(to)
        content = self.put(g.Blob(data=str(amount).encode()))
        mine = f"{OUTSIDE_REF}/{to[15]}"  # the recipient's mailbox (RUN-003.4)
        while True:
            old = self.ref(mine)
            entries = self.entries(old)
            message = g.Message(
                content=content, previous=self.outside_entry(recipient), headers={"mt": "inc"}
            )
            sent = self.put(message)
            box = self.put(g.Mailbox(entries={**entries, recipient: sent}))
            if self.cas(mine, old, box):
                return sent

    def outside_entry(self, recipient: g.ObjectId) -> g.ObjectId | None:
        """The outside's entry for ``recipient``: in its digit's mailbox, else in the old
        ref's (RUN-003.4, RUN-003.5)."""
        found = self.entries(self.ref(f"{OUTSIDE_REF}/{recipient.hex()[15]}")).get(recipient)
        return found if found is not None else self.entries(self.ref(OUTSIDE_REF)).get(recipient)

    def run_counter(self, actor: str) -> list[g.ObjectId]:
        """Adopt the counter's next step, reading everything pending (WIT-005, WIT-020);
        the messages it read, oldest first."""
        who = g.ObjectId.from_hex(actor)
        while True:
            head = self.ref(f"heads/{actor}")
            if head is None:
                fail(
                    "ADP-010.6",
                    expected="a value",
                    came=head,
                    what=f"the counter {actor} has no head",
                )
            step = self.get(head)
            if not isinstance(step, g.Step):
                fail("ADP-010.6", expected="a step", came=step, what="the step")
            inbox = self.entries(step.inbox)
            read, at = inbox.get(OUTSIDE), self.outside_entry(who)
            pending: list[tuple[g.ObjectId, g.Message]] = []
            while at is not None and at != read:
                message = self.get(at)
                if not isinstance(message, g.Message):
                    fail("ADP-010.6", expected="a message", came=message, what="the message")
                pending.append((at, message))
                at = message.previous
            if not pending:
                return []
            core = self.get(step.core)
            if not isinstance(core, g.Tree):
                fail("ADP-010.6", expected="a tree", came=core, what="the core")
            count = self.get(core.entries["count"])
            if not isinstance(count, g.Blob):
                fail("ADP-010.6", expected="a blob", came=count, what="the count")
            total = int(count.data)
            for _, message in pending:
                content = self.get(message.content)
                check_equal("ADP-010.6", "inc", message.headers.get("mt"), "message's headers's mt")
                if not isinstance(content, g.Blob):
                    fail("ADP-010.6", expected="a blob", came=content, what="the content")
                total += int(content.data)
            new_core = self.put(
                g.Tree(
                    entries={**core.entries, "count": self.put(g.Blob(data=str(total).encode()))}
                )
            )
            new_inbox = self.put(g.Mailbox(entries={**inbox, OUTSIDE: pending[0][0]}))
            new = self.put(
                g.Step(actor=who, core=new_core, previous=head, inbox=new_inbox, outbox=step.outbox)
            )
            if self.cas(f"heads/{actor}", head, new):
                return [oid for oid, _ in reversed(pending)]


def open_stepwise(impl: Implementation, path: Path) -> str:
    """``a``: each step swapped as it is adopted where the implementation can (RUN-017.1)."""
    reply = impl.call("rt-open", path=str(path), time_limit=LIMIT, commit="step")
    if not reply.ok and reply.error_class == "bad-request":  # no commit modes: ADP-015
        reply = impl.call("rt-open", path=str(path), time_limit=LIMIT)
    return str(ok_answer(reply, "ADP-010.6", "rt-open")["runtime"])


def run_a(impl: Implementation, runtime: str, answers: list[dict[str, Any]]) -> None:
    answers.append(call_ok(impl, "RUN-020.5", "rt-run", runtime=runtime, max_steps=50))


def held_run(
    impl: Implementation,
    a: str,
    writer: StoreWriter,
    actors: tuple[str, str, str],
    nap: int,
    after: Callable[[], None] = lambda: None,
) -> tuple[dict[str, Any], list[g.ObjectId], g.ObjectId]:
    """One ``rt-run`` of ``a`` held by the sleepy actor's ``nap`` (ms), in which the store
    writer, once ``a`` adopted the early counter's step, sends the last counter ``inc``
    ``AMOUNT`` and adopts its next step, then does ``after`` (RUN-020.5).  ``actors``: the
    early counter, the sleepy actor, the last counter.  ``a``'s answer, the messages the
    store writer's step read, and the id of ``a``'s own ``inc`` to the last counter."""
    early, sleepy, counter = actors
    inc(impl, a, early, "1", clause="RUN-020.5")
    content = {"blob": str(nap).encode().hex()}
    call_ok(impl, "RUN-020.5", "rt-send", runtime=a, to=sleepy, mt="nap", content=content)
    mine = g.ObjectId.from_hex(inc(impl, a, counter, "1", clause="RUN-020.5"))
    before = writer.ref(f"heads/{early}")
    answers: list[dict[str, Any]] = []
    run = threading.Thread(target=run_a, args=(impl, a, answers))
    run.start()
    try:
        deadline = time.monotonic() + BOUND
        while writer.ref(f"heads/{early}") == before and run.is_alive():
            value = time.monotonic()
            check(
                "RUN-020.5",
                value < deadline,
                expected=f"less than {deadline}",
                came=value,
                what=f"a's run adopted no step within {BOUND} s",
            )
            run.join(timeout=0.005)  # a pause between two reads, not a guess at a time
        writer.send_inc(counter, AMOUNT)
        read = writer.run_counter(counter)
        after()
    finally:
        run.join(timeout=BOUND)
    value = run.is_alive()
    check("RUN-020.5", not value, expected="a's rt-run to end", came=value, what=f"{BOUND} s")
    check("RUN-020.5", answers, expected="a's rt-run to answer", came=answers)
    return answers[0], read, mine


def held_actors(
    impl: Implementation, a: str, *, clause: Clause = "RUN-003"
) -> tuple[str, str, str]:
    """The actors of :func:`held_run`, their geneses run by ``a``: a counter, a ``sleepy``
    actor and another counter, in ascending id order (:func:`ordered_salts`), so that the
    nap holds ``a``'s run between the two counters.  The geneses are checked under
    ``clause``, the calling test's."""
    first, nap, last = ordered_salts()
    actors = (
        genesis(impl, a, "counter", first, clause=clause),
        genesis(impl, a, "sleepy", nap, clause=clause),
        genesis(impl, a, "counter", last, clause=clause),
    )
    call_ok(impl, "RUN-020.5", "rt-run", runtime=a, max_steps=200)  # the geneses
    return actors


def check_whole_run(ran: dict[str, Any], where: str) -> None:
    """``a``'s run ``ran`` failed no attempt: the store writer's steps are a counter's,
    whole, so a runtime catching up with them has nothing to fail on (RUN-020.3)."""
    for key in ("attempts", "failures"):
        check(
            "RUN-020.3",
            not ran[key],
            expected="nothing (empty)",
            came=ran[key],
            what=f"{where}: the {key} of a's rt-run ({ran}), where the store writer's steps "
            "are whole",
        )


class RefSwaps:
    """The store writer's swaps of the ref ``name``, each from where the last left it to
    the other of two targets (REF-004), every one checked as taken."""

    def __init__(self, writer: StoreWriter, name: str) -> None:
        self.writer, self.name, self.swaps = writer, name, 0
        self.at = writer.ref(name)

    def swap(self, times: int, targets: tuple[g.ObjectId, g.ObjectId]) -> None:
        for _ in range(times):
            new = targets[1] if self.at == targets[0] else targets[0]
            value = self.writer.cas(self.name, self.at, new)
            check(
                "RUN-020.5",
                value,
                expected="the store writer's swap to be taken",
                came=value,
                what=f"ref-cas {self.name}: swap {self.swaps + 1}",
            )
            self.at, self.swaps = new, self.swaps + 1
