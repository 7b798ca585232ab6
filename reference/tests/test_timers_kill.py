"""The timers' kill family: SIGKILL the reference adapter again and again, mid-run, with
hundreds of timers pending, and every timer fires exactly once and none before its time
(TIM-003.1, TIM-003.2, TIM-006.2, TIM-003.5).

Alarms (TIM-008) set timers spread over a span of the harness's clock (ADP-023.1); the
clock then moves on in steps and after each step ``rt-run`` is killed with SIGKILL after
a random delay (or, one time in four, the adapter is killed between commands), and the
same directory is opened again at the clock's reading (a restart, ADP-015).  At the end
the clock passes every timer and the runs finish; then, from the store alone:

* every request an alarm sent (its outbox chain to the timer party, WIT-004) fired,
  exactly once: the timer party's chain to the alarm holds each timer id once;
* no fire came before its time: ``timer-fired-at`` ≥ ``timer-set-for``, ``timer-fired-at``
  is a reading the clock was given, and ``timer-set-for`` the time the request asked for;
* the alarm read every fire (its inbox entry for the party is the chain's last);
* ``rt-verify`` finds every alarm's history and the timer party's clean.

The heavy test is the figure (≥ 200 timers pending at the first kills, ≥ 20 kills); the
quick one keeps the rule in the default run.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from chains import message_chain

import gritwit as g
from gritwit.runtime import TIMER
from gritwit_conformance.harness._implementation import Subprocess

START = 5_000_000
#: The adapter killed: the reference's (a wrong one is given here to see the family bite).
ADAPTER = f"{sys.executable} -m gritwit adapter"


@dataclass
class Family:
    impl: Subprocess
    path: Path
    clock: int = START
    handle: str = ""
    kills: int = 0
    #: every reading the clock was given: a fire's time is one of them (TIM-003.1)
    readings: set[int] = field(default_factory=lambda: {START})
    #: request id -> the time it asked for
    asked: dict[str, int] = field(default_factory=dict)

    def open(self) -> None:
        reply = self.impl.call("rt-open", path=str(self.path), clock=self.clock)
        self.handle = str(reply.expect_ok()["runtime"])

    def call(self, cmd: str, **args: Any) -> dict[str, Any]:
        return dict(self.impl.call(cmd, runtime=self.handle, **args).expect_ok())

    def obj(self, oid: str) -> g.GritObject:
        return g.decode_object(bytes.fromhex(self.call("rt-object", id=oid)["bytes"]))

    def box(self, actor: str, which: str) -> dict[g.ObjectId, g.ObjectId]:
        head = self.call("rt-head", actor=actor)["step"]
        if head is None:
            return {}
        step = self.obj(head)
        assert isinstance(step, g.Step)
        entries: dict[g.ObjectId, g.ObjectId] = {}
        box = getattr(step, which)
        while box is not None:
            mailbox = self.obj(box.hex())
            assert isinstance(mailbox, g.Mailbox)
            for key, value in mailbox.entries.items():
                entries.setdefault(key, value)
            box = mailbox.base
        return entries

    def chain(self, last: g.ObjectId | None) -> list[tuple[str, g.Message]]:
        read = lambda oid: self.obj(oid.hex())  # noqa: E731
        return [(oid.hex(), message) for oid, message in message_chain(read, last)]


def _set_timers(family: Family, alarms: list[str], per_alarm: int, rng: random.Random) -> None:
    """Each alarm sets ``per_alarm`` timers at times spread over the next 60 s of the clock."""
    for alarm in alarms:
        for i in range(per_alarm):
            at = family.clock + 10_000 + rng.randrange(60_000)
            headers = {"mt": "timer-set", "timer-mt": "ring", "timer-at": str(at)}
            content = {"tree": {"request": {"blob": "", "headers": headers},
                                "content": {"blob": f"{i:04x}"}}}  # fmt: skip
            family.call("rt-send", to=alarm, mt="timer", content=content)
    family.call("rt-run", max_steps=100_000)
    for alarm in alarms:  # what each asked, read back from its outbox chain (TIM-002.2)
        entry = family.box(alarm, "outbox").get(TIMER)
        for oid, message in family.chain(entry):
            family.asked.setdefault(oid, int(message.headers["timer-at"]))


def _kill_family(tmp_path: Path, *, alarms: int, per_alarm: int, kills: int, seed: int) -> Family:
    rng = random.Random(seed)
    impl = Subprocess(ADAPTER, timeout=60.0)
    family = Family(impl, tmp_path / "store")
    family.path.mkdir()
    family.open()
    actors = []
    for n in range(alarms):
        state = {"n": f"{n:04x}"}
        actors.append(str(family.call("rt-genesis", actor="alarm", state=state)["actor"]))
    family.call("rt-run", max_steps=100_000)
    _set_timers(family, actors, per_alarm, rng)
    pending = sum(len(family.call("rt-timers", actor=a)["timers"]) for a in actors)
    assert pending >= alarms * per_alarm, f"{pending} timers pending before the kills"
    step = 70_000 // kills + 1  # the kills span every timer's time
    for _ in range(kills):
        family.clock += rng.randrange(step // 2, step * 3 // 2)
        family.call("rt-clock", set=family.clock)
        family.readings.add(family.clock)
        if rng.random() < 0.25:
            family.call("rt-run", max_steps=100_000)
            impl.kill()  # between commands
        else:
            impl.kill_during("rt-run", rng.uniform(0.0, 0.3), runtime=family.handle,
                             max_steps=100_000)  # fmt: skip
        family.kills += 1
        family.open()
    family.clock += 200_000
    family.call("rt-clock", set=family.clock)
    family.readings.add(family.clock)
    family.call("rt-run", max_steps=100_000)
    family.call("rt-run", max_steps=100_000)
    _judge(family, actors)
    impl.close()
    return family


def _judge(family: Family, actors: list[str]) -> None:
    fired: dict[str, list[dict[str, str]]] = {}
    for alarm in actors:
        entry = family.box(TIMER.hex(), "outbox").get(g.ObjectId.from_hex(alarm))
        chain = family.chain(entry)
        for _, message in chain:
            fired.setdefault(message.headers["timer-id"], []).append(dict(message.headers))
        read = family.box(alarm, "inbox").get(TIMER)
        assert read == entry, f"the alarm {alarm} read every fire (its inbox entry)"
        verified = family.call("rt-verify", actor=alarm)
        assert verified["verified"], f"rt-verify {alarm}: {verified}"
    verified = family.call("rt-verify", actor=TIMER.hex())
    assert verified["verified"], f"rt-verify of the timer party: {verified}"
    twice = {tid: len(f) for tid, f in fired.items() if len(f) != 1}
    assert not twice, f"timers fired more than once (TIM-003.2): {twice}"
    lost = set(family.asked) - set(fired)
    assert not lost, f"{len(lost)} timers never fired (TIM-006.2): {sorted(lost)[:5]}"
    assert set(fired) == set(family.asked), "fires of timers no alarm asked for"
    for tid, (headers,) in fired.items():
        set_for, at = int(headers["timer-set-for"]), int(headers["timer-fired-at"])
        assert set_for == family.asked[tid], f"{tid}: set for {set_for}, asked {family.asked[tid]}"
        assert at >= set_for, f"{tid} fired at {at}, before its time {set_for} (TIM-003.1)"
        assert at in family.readings, f"{tid} fired at {at}, no reading of the clock (TIM-003.1)"


@pytest.mark.slow
def test_a_few_kills_with_timers_pending_fire_each_once(tmp_path: Path) -> None:
    family = _kill_family(tmp_path, alarms=4, per_alarm=10, kills=4, seed=66)
    assert family.kills == 4 and len(family.asked) == 40


@pytest.mark.heavy
@pytest.mark.slow
def test_twenty_kills_with_two_hundred_and_forty_timers_pending(tmp_path: Path) -> None:
    family = _kill_family(tmp_path, alarms=12, per_alarm=20, kills=24, seed=20261129)
    assert family.kills >= 20 and len(family.asked) >= 200
