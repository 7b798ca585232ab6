"""The runtime profile, differentially: random operations with kills, against the reference.

A hypothesis ``RuleBasedStateMachine`` drives the implementation and a fresh
in-process reference with the same random operations — geneses, messages from
the outside, runs of random length, evictions, kills between commands and
(for an implementation that is a process) kills in the middle of ``rt-run`` —
and checks after every step (ADP-015, RUN-003, RUN-007, WIT-005):

* every head is a step of its actor;
* no message is consumed twice: the recipient's inbox cursor for the outside
  only moves forward along the messages the harness sent, and a counter's
  count is exactly the sum of the amounts up to that cursor;
* no message is lost: after a run to quiescence every cursor is at the last
  message sent, and every actor has a step unless a signal superseded its
  genesis (WIT-005);
* no adopted step is lost: once an actor has a head it keeps one, kills
  included (RUN-007);
* the implementation's step ids, run results and evictions equal the
  reference's — until a kill in the middle of a run, after which the
  schedules differ (RUN-006) and only the invariants and final counts are
  compared; actor and message ids of the outside do not depend on the
  schedule (WIT-002, WIT-004) and are compared throughout.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

import gritwit as g
from gritwit_conformance.harness import current_plan
from gritwit_conformance.harness._implementation import Implementation, InProcess

from .._check import check, check_equal, check_in, check_type, fail, ok_answer
from .._scenario import explain, impl_objects

pytestmark = pytest.mark.profile("runtime")

Json = dict[str, Any]
OUTSIDE = g.ObjectId(bytes(32))
#: Answers that depend on the operations alone, not on the schedule (WIT-002, WIT-004).
SCHEDULE_FREE = frozenset({"rt-genesis", "rt-send"})


class Side:
    """One runtime under test — the implementation or the reference — and its directory."""

    def __init__(self, impl: Implementation, directory: Path) -> None:
        self.impl, self.directory = impl, directory
        self.handle = ""
        self.open()

    def open(self) -> None:
        opened = self.impl.call("rt-open", path=str(self.directory))
        self.handle = ok_answer(opened, "ADP-015", "open")["runtime"]

    def call(self, cmd: str, **args: Any) -> Json:
        reply = self.impl.call(cmd, runtime=self.handle, **args)
        return dict(reply.result) if reply.ok else {"error": reply.error_class}

    def restart(self) -> None:
        self.impl.kill()
        self.open()

    def step(self, oid: str) -> g.Step:
        reply = self.impl.call("rt-object", runtime=self.handle, id=oid)
        obj = g.decode_object(bytes.fromhex(ok_answer(reply, "RUN-001", "step")["bytes"]))
        return check_type("RUN-001", obj, g.Step, expected="a step", what=f"the object {oid}")

    def cursor(self, step: g.Step) -> g.ObjectId | None:
        """The step's inbox entry for the outside: the last outside message read (WIT-008)."""
        if step.inbox is None:
            return None
        reply = self.impl.call("rt-object", runtime=self.handle, id=step.inbox.hex())
        box = g.decode_object(bytes.fromhex(ok_answer(reply, "WIT-008", "inbox")["bytes"]))
        if not isinstance(box, g.Mailbox):
            fail("WIT-008", expected="a mailbox", came=box, what=f"the inbox {step.inbox}")
        return box.entries.get(OUTSIDE)


class RuntimeMachine(RuleBasedStateMachine):
    """Implementation and reference, side by side; see the module docstring."""

    impl: Implementation
    top: Path

    def __init__(self) -> None:
        super().__init__()
        base = Path(tempfile.mkdtemp(dir=self.top))
        (base / "impl").mkdir()
        (base / "ref").mkdir()
        self.impl.kill()  # a fresh process for each example
        self.mine = Side(self.impl, base / "impl")
        self.ref = Side(InProcess(), base / "ref")
        self.actors: list[tuple[str, str]] = []
        #: Outside messages per actor, in order: (message id, amount added by a counter).
        self.sent: dict[str, list[tuple[g.ObjectId, int]]] = {}
        self.read_upto: dict[str, int] = {}
        #: Actors sent a signal: only these may end without a step (WIT-005).
        self.signalled: set[str] = set()
        self.diverged = False

    def both(self, cmd: str, **args: Any) -> Json:
        got = self.mine.call(cmd, **args)
        want = self.ref.call(cmd, **args)
        if not self.diverged or cmd in SCHEDULE_FREE:
            check_equal("ADP-015", want, got, f"{cmd} {args}, as the reference answers")
        return want

    def _outside(self, actor: str, message: g.Message, amount: int) -> None:
        self.sent.setdefault(actor, []).append((g.object_id(message), amount))

    # --- rules ---------------------------------------------------------------------------

    @rule(role=st.sampled_from(["counter", "echo"]), tag=st.integers(0, 3))
    def genesis(self, role: str, tag: int) -> None:
        actor = self.both("rt-genesis", actor=role, state={"tag": f"{tag:02x}"})["actor"]
        self.actors.append((role, actor))
        last = self.sent.get(actor, [])
        oid = g.ObjectId.from_hex(actor)
        previous = last[-1][0] if last else None
        self._outside(
            actor, g.Message(content=oid, previous=previous, headers={"mt": "genesis"}), 0
        )

    @precondition(lambda self: bool(self.actors))
    @rule(which=st.integers(0, 7), amount=st.integers(1, 9), signal=st.booleans())
    def send(self, which: int, amount: int, signal: bool) -> None:
        role, actor = self.actors[which % len(self.actors)]
        signal = signal and role == "echo"  # counters get queues: their count is checkable
        mt = "inc" if role == "counter" else "hi"
        content = {"blob": str(amount).encode().hex()}
        message = self.both("rt-send", to=actor, mt=mt, content=content, signal=signal)["message"]
        if signal:
            self.signalled.add(actor)
        self.sent[actor].append((g.ObjectId.from_hex(message), amount if role == "counter" else 0))

    @rule(max_steps=st.sampled_from([1, 2, 5, 1000]))
    def run(self, max_steps: int) -> None:
        self.both("rt-run", max_steps=max_steps)

    @rule()
    def evict(self) -> None:
        self.both("rt-evict")

    @rule()
    def kill_between_commands(self) -> None:
        self.mine.restart()
        self.ref.restart()

    @precondition(lambda self: self.mine.impl.can_kill)
    @rule(delay=st.sampled_from([0.0, 0.0005, 0.001, 0.002, 0.005, 0.02, 0.05]))
    def kill_during_run(self, delay: float) -> None:
        # A run of these actors takes milliseconds: the short delays land in the middle of it.
        self.mine.impl.kill_during("rt-run", delay, runtime=self.mine.handle, max_steps=1000)
        self.mine.open()
        self.ref.call("rt-run", max_steps=1000)
        self.ref.restart()  # both sides start afresh from what their stores hold
        # Where the heads are the reference's (the kill came after the run was adopted, or
        # nothing was pending), so is all that follows from them (RUN-003): keep comparing.
        heads = [
            (self.mine.call("rt-head", actor=a), self.ref.call("rt-head", actor=a))
            for _, a in self.actors
        ]
        if any(mine != ref for mine, ref in heads):
            self.diverged = True

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def heads_and_cursors(self) -> None:
        for role, actor in self.actors:
            head = self.mine.call("rt-head", actor=actor)
            check(
                "ADP-015",
                "error" not in head,
                expected="a head",
                came=head,
                what=f"rt-head {actor}",
            )
            if not self.diverged:
                want = self.ref.call("rt-head", actor=actor)
                if head != want:
                    fail(
                        "RUN-003.1",
                        expected=f"the reference's {want}",
                        what=f"head of {actor}",
                        came=f"{head}" + explain(
                            "step", want.get("step"), head.get("step"),
                            impl_objects(self.ref.impl, "rt-object", self.ref.handle),
                            impl_objects(self.mine.impl, "rt-object", self.mine.handle),
                            "RUN-003",
                        )
                    )  # fmt: skip
            if head["step"] is None:
                check(
                    "RUN-007.1",
                    actor not in self.read_upto,
                    expected=f"a step of {actor}, which had one: an adopted step is never lost",
                    came=head,
                    what="the actor",
                )
                continue
            step = self.mine.step(head["step"])
            check_equal("RUN-001.1", actor, step.actor.hex(), f"the actor of the head of {actor}")
            cursor = self.mine.cursor(step)
            ids = [oid for oid, _ in self.sent[actor]]
            if cursor is None:
                fail(
                    "WIT-008",
                    expected="a cursor for the outside",
                    came=cursor,
                    what=f"{actor} has a step: its inbox's entry for the outside",
                )
            check_in("WIT-008", cursor, ids, f"{actor}'s cursor: a message the outside sent")
            # Equal signals are one message (ID-004): a signal equal to the one last read is
            # not pending (WIT-005), so a cursor at it has read up to its latest copy.
            upto = len(ids) - 1 - ids[::-1].index(cursor)
            check(
                "WIT-005",
                upto >= self.read_upto.get(actor, 0),
                expected=f"at least message {self.read_upto.get(actor, 0)}",
                came=f"message {upto}",
                what=f"{actor}'s cursor moved back (a message would be read twice)",
            )
            self.read_upto[actor] = upto
            if role == "counter":
                # Queried on both sides: a query uses the actor (RUN-012), as a run does.
                count = self.mine.call("rt-query", actor=actor, name="count")
                self.ref.call("rt-query", actor=actor, name="count")
                total = sum(amount for _, amount in self.sent[actor][: upto + 1])
                check_equal(
                    "WIT-005",
                    {"data": str(total).encode().hex()},
                    count,
                    f"counter {actor}: the count after reading messages worth {total}",
                )

    def teardown(self) -> None:
        try:
            self.both("rt-run", max_steps=1000)
            self.heads_and_cursors()
            for _, actor in self.actors:
                if actor not in self.read_upto:
                    check(
                        "RUN-003.1",
                        actor in self.signalled,
                        expected=f"a step of {actor} after a run to quiescence",
                        came="none: its genesis was lost",
                        what="the actor",
                    )
                    continue  # never created: a signal superseded its genesis (WIT-005)
                last = len(self.sent[actor]) - 1
                check_equal(
                    "RUN-003.1",
                    last,
                    self.read_upto[actor],
                    f"{actor}'s last message read after a run to quiescence (of those sent to it)",
                )
        finally:
            self.mine.impl.kill()
            self.ref.impl.kill()


@pytest.mark.req(
    "ADP-015",
    "RUN-001.1",
    "RUN-003.1",
    "RUN-007.1",
    "RUN-007.2",
    "RUN-012.5",
    "RUN-015.1",
    "RUN-015.2",
    "WIT-002",
    "WIT-004",
    "WIT-005",
    "WIT-008",
)
def test_random_operations_with_kills(impl: Implementation, tmp_path: Path) -> None:
    RuntimeMachine.impl = impl
    RuntimeMachine.top = tmp_path
    run_state_machine_as_test(
        RuntimeMachine,
        settings=hsettings(
            max_examples=max(1, min(current_plan().examples, 12)),
            stateful_step_count=12,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
