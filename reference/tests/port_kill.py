"""The kill family with port requests in flight: the runtimes, their clock and the judge.

A *family* is one store and one or more reference adapters (``gritwit adapter``, or a
wrong one, to see the family bite), each an ``rt-open`` of the same ``path`` with a port
(ADP-024.1) whose policy allows the suite's world server on loopback (PORT-003, the rule
lists ``127.0.0.1/32``, PORT-004.1) and a secret that every request's
``authorization`` header names (PORT-009.2), and with the timer service on the
harness's clock (ADP-023.1).  Alarms (TIM-008) hold timers pending and couriers
(PORT-010) ask the port for requests the world answers slowly, so both are pending or
in flight when a runtime is killed.  :func:`judge` then reads, from the store alone and
the world's log:

* every timer fired exactly once, none before its time, at a reading of the clock
  (TIM-003.1, TIM-003.2, TIM-006.2), and every alarm read every fire;
* every request a courier sent was answered by exactly one message (PORT-008,
  PORT-006.2), the courier read it, and none is left in flight (PORT-007.1);
* every sending the world got of a request carried its key: the request's id and its
  sender's (PORT-006.1), so a retry carried the first sending's key; and the secret's
  value went on the wire (PORT-009.2);
* no object of the store holds the secret's value, nor any file of its directory
  (PORT-009.3), though the world echoed it back (PORT-009.4);
* ``rt-verify`` of every party and ``gritwit runtime verify`` find the store clean.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chains import message_chain

import gritwit as g
from gritwit.runtime import HTTP, TIMER, Share, requests_in_flight
from gritwit.store import Store
from gritwit_conformance.harness._implementation import Subprocess
from gritwit_conformance.suite.port._world import World

START = 5_000_000
#: The reference adapter; a test that shows the family bite gives a wrong one instead.
ADAPTER = f"{sys.executable} -m gritwit adapter"
#: The secret every request names; no object or file of the store may hold its value.
SECRET = "gw-kill-family-9c41d7e2b8a05f36"
SECRET_NAME = "world-token"
#: Bounds above the family's load (ADP-024.1): the family is about kills, not refusals.
#: ``max_time`` is three minutes: the world answers some requests after two.
BOUNDS = {
    "max_in_flight": 1_000,
    "max_in_flight_total": 1_000,
    "max_per_minute": 10**9,
    "max_time": 180_000,
}


@dataclass
class Node:
    """One adapter process: its runtime's handle and its share (``None``: every actor)."""

    impl: Subprocess
    share: str | None
    handle: str = ""

    def call(self, cmd: str, **args: Any) -> dict[str, Any]:
        return dict(self.impl.call(cmd, runtime=self.handle, **args).expect_ok())


@dataclass
class Family:
    """A store, its adapters and what the test asked of them."""

    path: Path
    world: World
    nodes: list[Node]
    rng: random.Random
    clock: int = START
    port: dict[str, Any] = field(default_factory=dict)
    #: The PostgreSQL database the adapters' stores are schemas of (``None``: SQLite).
    store_url: str | None = None
    kills: int = 0
    #: every reading the clock was given: a fire's time is one of them (TIM-003.1)
    readings: set[int] = field(default_factory=lambda: {START})
    #: timer request id -> the time it asked for
    asked: dict[str, int] = field(default_factory=dict)
    alarms: list[str] = field(default_factory=list)
    couriers: list[str] = field(default_factory=list)
    #: requests the couriers were asked for (each a tag of its URL)
    tags: int = 0
    #: per kill: the requests in flight in the store (PORT-007.1) right after it (the
    #: other nodes still running)
    in_flight: list[int] = field(default_factory=list)
    #: when each kill came (``time.monotonic``)
    kill_moments: list[float] = field(default_factory=list)
    #: sendings the world got beyond each request's first (retries), once judged
    retries: int = 0
    #: the runtimes ran on the time of day (``gritwit serve``), not on the readings the
    #: test gave: a fire is then judged against the time it was set for alone
    wall_clock: bool = False

    @property
    def on_the_wire(self) -> list[int]:
        """Per kill: the sendings the world was answering at it (sent, not yet answered).
        A killed runtime's sendings count until the world has answered them, so after
        the first kill one request may count more than once."""
        return [self.world.in_flight_at(moment) for moment in self.kill_moments]

    def open(self, node: Node, *, port: bool = True) -> None:
        args: dict[str, Any] = {"path": str(self.path), "clock": self.clock}
        if port:
            args["port"] = self.port
        if node.share is not None and port:
            args["share"] = [int(x) for x in node.share.split("/")]  # [k, n] (ADP-015)
        node.handle = str(node.impl.call("rt-open", **args).expect_ok()["runtime"])

    @property
    def reader(self) -> Node:
        return self.nodes[0]

    def owner(self, actor: str) -> Node:
        for node in self.nodes:
            if node.share is None or Share.parse(node.share).owns(g.ObjectId.from_hex(actor)):
                return node
        raise AssertionError(f"no node runs {actor}")

    def obj(self, oid: str) -> g.GritObject:
        return g.decode_object(bytes.fromhex(self.reader.call("rt-object", id=oid)["bytes"]))

    def entry(self, actor: str, which: str, other: g.ObjectId) -> g.ObjectId | None:
        head = self.reader.call("rt-head", actor=actor)["step"]
        if head is None:
            return None
        step = self.obj(head)
        assert isinstance(step, g.Step)
        box = getattr(step, which)
        while box is not None:
            mailbox = self.obj(box.hex())
            assert isinstance(mailbox, g.Mailbox)
            if other in mailbox.entries:
                return mailbox.entries[other]
            box = mailbox.base
        return None

    def chain(self, last: g.ObjectId | None) -> list[tuple[str, g.Message]]:
        read = lambda oid: self.obj(oid.hex())  # noqa: E731
        return [(oid.hex(), message) for oid, message in message_chain(read, last)]

    def set_clock(self) -> None:
        for node in self.nodes:
            node.call("rt-clock", set=self.clock)
        self.readings.add(self.clock)

    def run_all(self) -> None:
        """``rt-run`` on every node at once (each waits for its own answers, ADP-024.2)."""
        threads = [
            threading.Thread(target=n.call, args=("rt-run",), kwargs={"max_steps": 100_000})
            for n in self.nodes
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _setup(family: Family, alarms: int, couriers: int) -> None:
    """Alarms and couriers, made in a runtime with no port and no share; then each node
    opens the store with the port, its policy naming the couriers (PORT-003.2)."""
    first = family.nodes[0]
    family.open(first, port=False)
    for n in range(alarms):
        state = {"n": f"{n:04x}"}
        family.alarms.append(str(first.call("rt-genesis", actor="alarm", state=state)["actor"]))
    for n in range(couriers):
        state = {"seed": f"courier-{n}".encode().hex()}
        family.couriers.append(str(first.call("rt-genesis", actor="courier", state=state)["actor"]))
    first.call("rt-run", max_steps=100_000)
    first.call("rt-close")
    rule = {
        "scheme": "http",
        "host": "127.0.0.1",
        "port": family.world.port,
        "path": "/echo",
        "actors": family.couriers,
        "addresses": ["127.0.0.1/32"],  # loopback is refused unless a rule lists it
    }
    family.port = {"policy": [rule], "secrets": {SECRET_NAME: SECRET}, **BOUNDS}
    for node in family.nodes:
        family.open(node)


def _set_timers(family: Family, per_alarm: int) -> None:
    """Each alarm sets ``per_alarm`` timers spread over the next 60 s of the clock."""
    for alarm in family.alarms:
        node = family.owner(alarm)
        for i in range(per_alarm):
            at = family.clock + 10_000 + family.rng.randrange(60_000)
            headers = {"mt": "timer-set", "timer-mt": "ring", "timer-at": str(at)}
            content = {"tree": {"request": {"blob": "", "headers": headers},
                                "content": {"blob": f"{i:04x}"}}}  # fmt: skip
            node.call("rt-send", to=alarm, mt="timer", content=content)
    family.run_all()
    for alarm in family.alarms:  # what each asked, read back from its outbox (TIM-002.2)
        for oid, message in family.chain(family.entry(alarm, "outbox", TIMER)):
            family.asked.setdefault(oid, int(message.headers["timer-at"]))


def _ask(family: Family, count: int, slow_ms: tuple[int, int], *, until: bool = False) -> None:
    """``count`` requests, spread over the couriers, each answered after a random while
    of ``slow_ms`` (with ``until``: at that while from now, however often it is sent);
    not run: the next ``rt-run`` (or the one killed) sends them."""
    for _ in range(count):
        courier = family.couriers[family.tags % len(family.couriers)]
        ms = family.rng.randrange(*slow_ms)
        wait = f"until={round(time.time() * 1000) + ms}" if until else f"ms={ms}"
        url = f"{family.world.base}/echo?{wait}&tag={family.tags}"
        request = {"mt": "port-request", "port-method": "GET", "port-url": url}
        heads = {"authorization": f"Bearer ${{secret:{SECRET_NAME}}}"}
        asked = {"tree": {"headers": {"blob": "", "headers": heads}}}
        content = {"tree": {"request": {"blob": "", "headers": request}, "content": asked}}
        family.owner(courier).call("rt-send", to=courier, mt="port", content=content)
        family.tags += 1


def _count_in_flight(family: Family) -> int:
    with Store.open(_store_location(family)) as store:
        return len(requests_in_flight(store))


def _store_location(family: Family) -> str:
    """The store's path, or (an adapter on PostgreSQL) the URL of the schema its marker names."""
    if family.store_url is None:
        return str(family.path)
    from gritwit.store import create_schema

    schema = (family.path / "gritwit.postgres").read_text().strip()
    return str(create_schema(family.store_url, schema))


def kill_family(
    family: Family,
    *,
    alarms: int,
    per_alarm: int,
    couriers: int,
    requests: int,
    top_up: int,
    kills: int,
    slow_ms: tuple[int, int],
    kill_after: tuple[float, float],
    top_up_ms: tuple[int, int] | None = None,
    first_on_the_wire: int = 0,
) -> Family:
    """Timers and ``requests`` requests the world answers after ``slow_ms``, then ``kills``
    SIGKILLs of ``rt-run`` at random moments (one in five between commands instead), each
    node in turn, and after each ``top_up`` more requests (answered after ``top_up_ms``);
    then every timer due, every answer waited for, and :func:`judge`.  With
    ``first_on_the_wire`` the first kill comes once the world is answering that many
    requests of the run (or two minutes after it began), and the first requests are
    answered at an instant ``slow_ms`` from their asking, so that the ones sent again
    after it are answered at once."""
    rng = family.rng
    _setup(family, alarms, couriers)
    _set_timers(family, per_alarm)
    pending = sum(len(family.owner(a).call("rt-timers", actor=a)["timers"]) for a in family.alarms)
    assert pending >= alarms * per_alarm, f"{pending} timers pending before the kills"
    _ask(family, requests, slow_ms, until=first_on_the_wire > 0)
    step = 70_000 // kills + 1  # the kills span every timer's time
    for n in range(kills):
        family.clock += rng.randrange(step // 2, step * 3 // 2)
        family.set_clock()
        victim = family.nodes[n % len(family.nodes)]
        others = [
            threading.Thread(target=o.call, args=("rt-run",), kwargs={"max_steps": 100_000})
            for o in family.nodes
            if o is not victim
        ]
        for thread in others:
            thread.start()
        if n == 0 and first_on_the_wire:
            since, world = time.monotonic(), family.world
            victim.impl.kill_when(
                "rt-run",
                lambda: world.answering_since(since) >= first_on_the_wire,  # noqa: B023
                120.0,
                runtime=victim.handle,
                max_steps=100_000,
            )
        elif rng.random() < 0.2:
            victim.impl.kill()  # between commands: what it accepted stays in flight
        else:
            delay = rng.uniform(*kill_after)
            victim.impl.kill_during("rt-run", delay, runtime=victim.handle, max_steps=100_000)
        family.kill_moments.append(time.monotonic() - 0.05)  # the SIGKILL came just before
        family.in_flight.append(_count_in_flight(family))  # before the others answer theirs
        for thread in others:
            thread.join()
        family.kills += 1
        family.open(victim)
        _ask(family, top_up, top_up_ms or slow_ms)
    family.clock += 200_000
    family.set_clock()
    family.run_all()
    family.run_all()
    judge(family)
    return family


def judge(family: Family) -> None:
    """The family's checks (the module's list); the retries counted in ``family``."""
    _judge_timers(family)
    family.retries = _judge_requests(family)
    for actor in [*family.alarms, *family.couriers, TIMER.hex(), HTTP.hex()]:
        verified = family.reader.call("rt-verify", actor=actor)
        assert verified["verified"], f"RUN-010: rt-verify {actor}: {verified}"
    for node in family.nodes:
        node.impl.close()
    _judge_secret(family)
    verify = subprocess.run(
        [sys.executable, "-m", "gritwit", "runtime", "verify", "--store", _store_location(family)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert verify.returncode == 0, f"RUN-010: runtime verify: {verify.stdout[-2000:]}"
    assert "runtime verify: OK" in verify.stdout, verify.stdout[-2000:]


def _judge_timers(family: Family) -> None:
    fired: dict[str, list[dict[str, str]]] = {}
    for alarm in family.alarms:
        entry = family.entry(TIMER.hex(), "outbox", g.ObjectId.from_hex(alarm))
        for _, message in family.chain(entry):
            fired.setdefault(message.headers["timer-id"], []).append(dict(message.headers))
        read = family.entry(alarm, "inbox", TIMER)
        assert read == entry, f"TIM-003.2: the alarm {alarm} read every fire (its inbox entry)"
    twice = {tid: len(f) for tid, f in fired.items() if len(f) != 1}
    assert not twice, f"TIM-003.2: timers fired more than once: {twice}"
    lost = set(family.asked) - set(fired)
    assert not lost, f"TIM-006.2: {len(lost)} timers never fired: {sorted(lost)[:5]}"
    assert set(fired) == set(family.asked), "TIM-003.2: fires of timers no alarm asked for"
    for tid, (headers,) in fired.items():
        set_for, at = int(headers["timer-set-for"]), int(headers["timer-fired-at"])
        assert set_for == family.asked[tid], f"{tid}: set for {set_for}, asked {family.asked[tid]}"
        assert at >= set_for, f"TIM-003.1: {tid} fired at {at}, before its time {set_for}"
        assert family.wall_clock or at in family.readings, (
            f"TIM-003.1: {tid} fired at {at}, no reading of the clock"
        )


def _tag(message: g.Message) -> str:
    return message.headers["port-url"].rsplit("tag=", 1)[1]


def _judge_requests(family: Family) -> int:
    """Answers per request, keys per sending; the number of sendings beyond the first."""
    hits: dict[str, list[dict[str, str]]] = {}
    for hit in family.world.hits("/echo"):
        hits.setdefault(hit.path.rsplit("tag=", 1)[1], []).append(hit.headers)
    seen = 0
    redacted = 0
    for courier in family.couriers:
        asked = family.chain(family.entry(courier, "outbox", HTTP))
        last = family.entry(HTTP.hex(), "outbox", g.ObjectId.from_hex(courier))
        answers = family.chain(last)
        by_id = Counter(m.headers.get("port-id") for _, m in answers)
        for rid, message in asked:
            assert by_id[rid] == 1, (
                f"PORT-008, PORT-006.2: the request {rid[:12]} of {courier[:12]} was answered "
                f"by {by_id[rid]} messages, expected exactly one"
            )
            key = rid + courier  # PORT-006.1: its id, then its sender's
            sent = hits.get(_tag(message), [])
            assert sent, f"PORT-006.2: the request {rid[:12]} never reached the world"
            keys = Counter(h.get("idempotency-key") for h in sent)
            assert keys == Counter({key: len(sent)}), (
                f"PORT-006.1: the {len(sent)} sendings of {rid[:12]} carried the keys "
                f"{dict(keys)}, expected each {key[:16]}…"
            )
            auth = {h.get("authorization") for h in sent}
            assert auth == {f"Bearer {SECRET}"}, f"PORT-009.2: the secret went on the wire: {auth}"
            seen += len(sent)
        unasked = {str(rid) for rid in by_id} - {rid for rid, _ in asked}
        assert not unasked, f"PORT-008: answers of requests never asked: {sorted(unasked)[:3]}"
        for _, answer in answers:
            assert answer.headers.get("mt") == "port-response", (
                f"PORT-008.1: the slow world answered 200, came {dict(answer.headers)}"
            )
            body = family.obj(answer.content.hex())
            assert isinstance(body, g.Tree)
            data = family.obj(body.entries["body"].hex())
            assert isinstance(data, g.Blob)
            redacted += f"${{secret:{SECRET_NAME}}}".encode() in data.data
        read = family.entry(courier, "inbox", HTTP)
        assert read == last, f"PORT-008: the courier {courier[:12]} read every answer"
    asked_all = sum(len(family.chain(family.entry(c, "outbox", HTTP))) for c in family.couriers)
    assert redacted == asked_all, "PORT-009.4: every echo's body holds the secret's reference"
    head = family.reader.call("rt-head", actor=HTTP.hex())["step"]
    step = family.obj(head)
    assert isinstance(step, g.Step)
    core = family.obj(step.core.hex())
    assert isinstance(core, g.Tree) and "requests" not in core.entries, (
        "PORT-007.1: requests still in flight after every answer"
    )
    return seen - family.tags


def _judge_secret(family: Family) -> None:
    """Not one object, nor one file of the store's directory, holds the value (PORT-009.3)."""
    value = SECRET.encode()
    with Store.open(_store_location(family)) as store:
        ids = list(store.iter_ids())
        holding = [oid.hex() for oid, data in store.get_many(ids).items() if value in data]
    assert ids and not holding, f"PORT-009.3: objects holding the secret's value: {holding[:3]}"
    for file in family.path.rglob("*"):
        if file.is_file():
            assert value not in file.read_bytes(), f"PORT-009.3: {file.name} holds the secret"
