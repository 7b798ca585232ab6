"""A writer through the store profile: a runtime catching up must see its swaps (RUN-020.5).

A runtime ``a`` runs on a directory (ADP-015); a second adapter process opens the same
path with ``store-open`` (ADP-010.6: one path, one store) and writes it as a runtime
would, with the store profile's ``put`` and ``ref-cas`` alone: it sends ``inc`` to a
counter from the outside (a message queued per WIT-004, a new mailbox of the outside's,
a compare-and-swap of the counter's ``names/outside-outbox/<h>``, RUN-003.4) and runs
that counter, building the step that reads what is pending for it (WIT-005, WIT-020) and
swapping ``heads/<actor>`` to it. It does both while ``a``'s ``rt-run`` is under way,
between ``a`` reading the refs and the counter's turn coming: the counter sorts after a
``sleepy`` actor whose ``nap`` holds the run (ADP-014's rounds take actors in ascending
id order), and the store writer starts once the run has adopted the step of an actor
sorting before the sleepy one (``commit: "step"``, RUN-017.1, so that step is swapped
before the nap). When the counter's turn comes, its head has read messages newer than
any ``a`` knew of when its run started: ``a`` must catch up with the store's refs as
they are (RUN-020.1, RUN-003.1), the store writer's swaps included, or it walks the
outside's chain back from an entry older than the head's inbox entry and reads every
message again (WIT-005, RUN-003.3, RUN-007.2). This happens twice, so that ``a`` catches
up twice in its life: a runtime that learns what moved from a record of swaps since its
last catch-up, as the reference's journal of swaps is, must find the store writer's
swaps there too.

Under any interleaving the counter has read every ``inc`` once when the run is over,
so the count is the sum of them, and ``a`` reports no failed attempt; only whether
``a`` met the moved head in its run depends on the store writer finishing within the
nap, which leaves it two seconds for two dozen commands. Each phase waits for ``a``'s step
by polling the ref (bounded at a minute), never by sleeping a guessed time.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, call_ok, check, check_equal, fail, ok_answer
from ._writers import count_of, inc
from ._writers import second as second  # the store writer's process

pytestmark = pytest.mark.profile("runtime")

#: The pseudo-actor sending from outside the runtime (WIT-003).
OUTSIDE = g.ObjectId(bytes(32))
#: The outside's old single outbox ref: read as a fallback only (RUN-003.5).
OUTSIDE_REF = "names/outside-outbox"
TEST_ACTOR = {"runtime": "test-actor"}
#: The ``nap`` that holds ``a``'s run (ms), well inside ``a``'s bound of ``LIMIT`` s.
NAP = 2000
LIMIT = 10.0
#: What the store writer sends the counter in each phase; ``a`` sends 1.
AMOUNT = 10
#: Phases at most; the test stops early once the store writer's step was the counter's
#: head when its turn came in this many phases (``a`` met a moved head, and caught up).
PHASES, BITES = 4, 2
#: How long a phase waits for ``a``'s run to adopt its first step, in seconds.
BOUND = 60.0


def _core(name: str, salt: int) -> g.Tree:
    """The core ``rt-genesis`` builds for test actor ``name`` with state ``salt`` (ADP-014)."""
    wit = g.object_id(g.Blob(data=name.encode(), headers=TEST_ACTOR))
    return g.Tree(entries={"wit": wit, "salt": g.object_id(g.Blob(data=bytes([salt])))})


def _genesis(
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
    check_equal(clause, g.object_id(_core(name, salt)).hex(), actor, f"rt-genesis of {name}: id")
    return actor


def _actors() -> tuple[int, int, int]:
    """Salts of a counter, a sleepy actor and another counter, in ascending id order."""
    ids = {
        (name, salt): g.object_id(_core(name, salt)).hex()
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


def _open_stepwise(impl: Implementation, path: Path) -> str:
    """``a``: each step swapped as it is adopted where the implementation can (RUN-017.1)."""
    reply = impl.call("rt-open", path=str(path), time_limit=LIMIT, commit="step")
    if not reply.ok and reply.error_class == "bad-request":  # no commit modes: ADP-015
        reply = impl.call("rt-open", path=str(path), time_limit=LIMIT)
    return str(ok_answer(reply, "ADP-010.6", "rt-open")["runtime"])


def _run(impl: Implementation, runtime: str, answers: list[dict[str, Any]]) -> None:
    answers.append(call_ok(impl, "RUN-020.5", "rt-run", runtime=runtime, max_steps=50))


@pytest.mark.slow
@pytest.mark.profile("runtime", "store")
@pytest.mark.req(
    "RUN-020.5",
    "RUN-020.1",
    "RUN-003.1",
    "RUN-003.3",
    "RUN-003.4",
    "RUN-007.2",
    "WIT-005",
    "ADP-010.6",
)
@pytest.mark.req("RUN-020.3")
def test_a_runtime_catching_up_sees_what_the_store_profile_swapped(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    a = _open_stepwise(impl, tmp_path)
    first, nap, last = _actors()
    early = _genesis(impl, a, "counter", first)
    sleepy = _genesis(impl, a, "sleepy", nap)
    counter = _genesis(impl, a, "counter", last)
    call_ok(impl, "RUN-020.5", "rt-run", runtime=a, max_steps=200)  # the geneses
    writer = StoreWriter(second, tmp_path)

    expected, bites = 0, 0
    for phase in range(PHASES):
        inc(impl, a, early, "1", clause="RUN-020.5")
        call_ok(
            impl,
            "RUN-020.5",
            "rt-send",
            runtime=a,
            to=sleepy,
            mt="nap",
            content={"blob": str(NAP).encode().hex()},
        )
        mine = g.ObjectId.from_hex(inc(impl, a, counter, "1", clause="RUN-020.5"))
        before = writer.ref(f"heads/{early}")
        answers: list[dict[str, Any]] = []
        run = threading.Thread(target=_run, args=(impl, a, answers))
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
        finally:
            run.join(timeout=BOUND)
        value = run.is_alive()
        check(
            "RUN-020.5",
            not value,
            expected="nothing (empty)",
            came=value,
            what=f"a's rt-run did not end within {BOUND} s",
        )
        check(
            "RUN-020.5",
            answers,
            expected="a value, not empty",
            came=answers,
            what="a's rt-run failed",
        )
        expected += 1 + AMOUNT
        ran = answers[0]
        where = f"phase {phase}: a's rt-run answered {ran}"
        check(
            "RUN-020.3",
            not ran["attempts"],
            expected="nothing (empty)",
            came=ran["attempts"],
            what=f"{where}: a failed attempt, where the store writer's steps are a counter's",
        )
        check(
            "RUN-020.3",
            not ran["failures"],
            expected="nothing (empty)",
            came=ran["failures"],
            what=f"{where}: a failed attempt, where the store writer's steps are a counter's",
        )
        count = count_of(impl, a, counter, clause="RUN-020.5")
        check_equal(
            ("RUN-020.5", "RUN-020.1", "WIT-005", "RUN-003.3", "RUN-007.2"),
            str(expected).encode(),
            count,
            f"{where}; the counter counts {count!r}, not {expected}: each inc is read once. "
            f"The store writer swapped the outside's outbox, then the counter's head to a "
            f"step reading {len(read)} message(s), during a's run; a did not catch up with "
            "those swaps when it met the moved head, and read messages again (RUN-020.5, "
            "RUN-020.1, WIT-005, RUN-003.3, RUN-007.2)",
        )
        value = call_ok(impl, "RUN-020.5", "rt-ref", runtime=a, name=f"names/failed/{counter}")[
            "target"
        ]
        check("RUN-020.5", value is None, expected="nothing (null)", came=value)
        if mine in read and all(actor != counter for actor, _ in ran["steps"]):
            bites += 1  # the store writer's step was the head when the counter's turn came
            if bites == BITES:
                break
