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
        self.handle = self.impl.call("rt-open", path=str(self.directory)).expect_ok("open")[
            "runtime"
        ]

    def call(self, cmd: str, **args: Any) -> Json:
        reply = self.impl.call(cmd, runtime=self.handle, **args)
        return dict(reply.result) if reply.ok else {"error": reply.error_class}

    def restart(self) -> None:
        self.impl.kill()
        self.open()

    def step(self, oid: str) -> g.Step:
        obj = g.decode_object(
            bytes.fromhex(
                self.impl.call("rt-object", runtime=self.handle, id=oid).expect_ok("step")["bytes"]
            )
        )
        assert isinstance(obj, g.Step), f"{oid} is not a step (RUN-001)"
        return obj

    def cursor(self, step: g.Step) -> g.ObjectId | None:
        """The step's inbox entry for the outside: the last outside message read (WIT-008)."""
        if step.inbox is None:
            return None
        data = self.impl.call("rt-object", runtime=self.handle, id=step.inbox.hex()).expect_ok(
            "inbox"
        )["bytes"]
        box = g.decode_object(bytes.fromhex(data))
        assert isinstance(box, g.Mailbox), f"the inbox {step.inbox} is not a mailbox"
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
            assert got == want, (
                f"{cmd} {args}: the reference answers {want}, the implementation {got}"
            )
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
            assert "error" not in head, f"rt-head {actor}: {head}"
            if not self.diverged:
                want = self.ref.call("rt-head", actor=actor)
                if head != want:
                    raise AssertionError(
                        f"head of {actor}: reference {want}, implementation {head}"
                        + explain(
                            "step", want.get("step"), head.get("step"),
                            impl_objects(self.ref.impl, "rt-object", self.ref.handle),
                            impl_objects(self.mine.impl, "rt-object", self.mine.handle),
                            "RUN-003",
                        )
                    )  # fmt: skip
            if head["step"] is None:
                assert actor not in self.read_upto, (
                    f"{actor} had a step and has none now: an adopted step was lost (RUN-007)"
                )
                continue
            step = self.mine.step(head["step"])
            assert step.actor.hex() == actor, f"the head of {actor} is a step of {step.actor}"
            cursor = self.mine.cursor(step)
            ids = [oid for oid, _ in self.sent[actor]]
            assert cursor is not None, f"{actor} has a step but read nothing from the outside"
            assert cursor in ids, f"{actor}'s cursor {cursor} is no message the outside sent"
            # Equal signals are one message (ID-004): a signal equal to the one last read is
            # not pending (WIT-005), so a cursor at it has read up to its latest copy.
            upto = len(ids) - 1 - ids[::-1].index(cursor)
            assert upto >= self.read_upto.get(actor, 0), (
                f"{actor}'s cursor moved back (a message would be read twice): WIT-005"
            )
            self.read_upto[actor] = upto
            if role == "counter":
                # Queried on both sides: a query uses the actor (RUN-012), as a run does.
                count = self.mine.call("rt-query", actor=actor, name="count")
                self.ref.call("rt-query", actor=actor, name="count")
                total = sum(amount for _, amount in self.sent[actor][: upto + 1])
                assert count == {"data": str(total).encode().hex()}, (
                    f"counter {actor}: count {count} after reading messages worth {total}"
                )

    def teardown(self) -> None:
        try:
            self.both("rt-run", max_steps=1000)
            self.heads_and_cursors()
            for _, actor in self.actors:
                if actor not in self.read_upto:
                    assert actor in self.signalled, (
                        f"{actor} has no step after a run to quiescence: its genesis was lost"
                    )
                    continue  # never created: a signal superseded its genesis (WIT-005)
                last = len(self.sent[actor]) - 1
                assert self.read_upto[actor] == last, (
                    f"{actor} did not read every message sent to it after a run to quiescence"
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
