"""The kill family of ``port_kill.py`` against ``gritwit serve`` over HTTP.

One store (SQLite, or a schema of a PostgreSQL database) and one or more services on it
(``gritwit serve --share K/N``, started and SIGKILLed as ``test_service_kill.py`` does,
:mod:`service_proc`), each given by its operator the port's policy (PORT-003.1), the
world's secret (PORT-009.1) and in-flight bounds above the family's load (PORT-005.8:
the defaults of PORT-005.2 allow 64 in flight in all, never 200).  Over HTTP the test
creates alarms (TIM-008) and couriers (PORT-010), sets timers on the time of day and asks
for requests the suite's loopback world answers slowly, then SIGKILLs a service again and
again and starts it again on the same store.  Once every timer is due and every request
answered, the services stop (SIGTERM, exit 0) and :func:`port_kill.judge` reads the
store through a reference adapter that only reads: every timer fired exactly once and
none early, every request answered by exactly one message, every sending with its
request's first key, no secret byte in any object or file of the store, ``runtime
verify`` clean.

The services run the timers on the time of day, not on the harness's clock, so a fire's
time is judged against the time it was set for (TIM-003.1), not against the readings of a
clock the test gave.
"""

from __future__ import annotations

import json
import random
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from port_kill import SECRET, SECRET_NAME, Family, Node, _count_in_flight, _store_location, judge
from service_proc import Service, start, stopping

from gritwit.runtime import TIMER, pending_timers
from gritwit.store import Store
from gritwit.wit import test_actor_core

#: In-flight bounds above the family's load (PORT-005.8), per sender and in all.
IN_FLIGHT = ("--port-max-in-flight", "1000", "--port-max-in-flight-total", "1000")
#: Seconds one HTTP request of the test may take before it is given up and sent again.
REQUEST_LIMIT = 30.0


@dataclass
class Served:
    """The services over the family's store and what the test sent them."""

    family: Family
    #: What ``--store`` names: the directory, or the URL of the adapter's schema.
    location: str
    shares: list[str | None]
    #: The operator's files and bounds, and any argument of a wrong start.
    args: tuple[str, ...] = ()
    #: How a service is started (``service_proc.start``, or a wrong service's).
    starter: Callable[..., Service] = start
    services: list[Service] = field(default_factory=list)
    #: Per alarm: the ``timer-at`` of each timer the test asked it to set.
    sent_timers: dict[str, Counter[int]] = field(default_factory=dict)
    #: The latest time (ms of the time of day) a timer was set for.
    last_timer: int = 0
    restarts: int = 0
    seconds: float = 0.0
    #: per service at the end: whether its settle found it quiescent (HTTP-011)
    settled: list[bool] = field(default_factory=list)
    #: per kill: the timers pending in the store right after it (TIM-006.2)
    timers_at_kills: list[int] = field(default_factory=list)

    def start(self, n: int) -> Service:
        share = self.shares[n]
        extra = () if share is None else ("--share", share)
        return self.starter(self.location, *self.args, *extra)

    def url(self, n: int = 0) -> str:
        return self.services[n].url


def _post(served: Served, path: str, body: dict[str, Any], key: str | None = None) -> Any:
    """POST ``body`` to any running service, again (with the same key, HTTP-005.4) until a
    2xx answers it."""
    headers = {} if key is None else {"Idempotency-Key": key}
    deadline = time.monotonic() + 300
    while True:
        for service in served.services:
            try:
                answer = httpx.post(
                    service.url + path, json=body, headers=headers, timeout=REQUEST_LIMIT
                )
            except httpx.HTTPError:
                continue
            if answer.status_code in (200, 201, 202):
                return answer.json()
            assert answer.status_code >= 500, f"{path}: {answer.status_code} {answer.text[:300]}"
        assert time.monotonic() < deadline, f"{path}: no service answered in 300 s"
        time.sleep(0.1)


def _create(served: Served, alarms: int, couriers: int) -> None:
    family = served.family
    for n in range(alarms):
        made = _post(served, "/v1/actors", {"test": "alarm", "state": {"n": f"{n:04x}"}})
        family.alarms.append(made["actor"])
    for n in range(couriers):
        state = {"seed": f"courier-{n}".encode().hex()}
        family.couriers.append(
            _post(served, "/v1/actors", {"test": "courier", "state": state})["actor"]
        )


#: A group of timers: each alarm sets ``per_alarm`` due ``lead_ms`` to ``lead_ms +
#: span_ms`` after the test asked.
Timers = tuple[tuple[int, int, int], ...]


def _set_timers(served: Served, groups: Timers) -> None:
    """Each alarm sets the timers of each group."""
    now = round(time.time() * 1000)
    jobs = []
    for alarm in served.family.alarms:
        plan = [(lead, span) for per_alarm, lead, span in groups for _ in range(per_alarm)]
        for i, (lead_ms, span_ms) in enumerate(plan):
            at = now + lead_ms + served.family.rng.randrange(span_ms)
            served.sent_timers.setdefault(alarm, Counter())[at] += 1
            served.last_timer = max(served.last_timer, at)
            headers = {"mt": "timer-set", "timer-mt": "ring", "timer-at": str(at)}
            content = {"tree": {"request": {"blob": "", "headers": headers},
                                "content": {"blob": f"{i:04x}"}}}  # fmt: skip
            jobs.append((alarm, {"mt": "timer", "content": content}, f"timer-{alarm[:16]}-{i}"))
    _send_batches(served, jobs)


def _now(ahead_s: float = 0.0) -> int:
    """The time of day ``ahead_s`` seconds from now, in ms (the services' clock)."""
    return round((time.time() + ahead_s) * 1000)


def _count_pending(family: Family) -> int:
    """The timers pending as the timer party's head holds them (TIM-006.2)."""
    with Store.open(_store_location(family)) as store:
        return len(pending_timers(store))


def _pending_timers(served: Served) -> int:
    total = 0
    for alarm in served.family.alarms:
        for service in served.services:
            try:
                got = httpx.get(f"{service.url}/v1/actors/{alarm}/timers", timeout=REQUEST_LIMIT)
            except httpx.HTTPError:
                continue
            if got.status_code == 200:
                total += len(got.json()["timers"])
                break
    return total


def _send_batches(served: Served, jobs: list[tuple[str, dict[str, Any], str]]) -> None:
    """Each ``(to, message, key)`` sent, 200 a batch (HTTP-005.7), each batch again with
    its keys until a service takes it (HTTP-005.4)."""
    entries = [{"to": to, **message, "key": key} for to, message, key in jobs]
    for start_at in range(0, len(entries), 200):
        _post(served, "/v1/messages", {"messages": entries[start_at : start_at + 200]})


def _ask(served: Served, count: int, wait_ms: tuple[int, int]) -> None:
    """``count`` requests spread over the couriers, each sending answered by the world
    after a random while of ``wait_ms`` (the same for every sending of a request): a
    request sent again after a kill waits that while again, so while the kills come
    sooner than that, it stays in flight through them."""
    family = served.family
    jobs = []
    for _ in range(count):
        courier = family.couriers[family.tags % len(family.couriers)]
        ms = family.rng.randrange(*wait_ms)
        url = f"{family.world.base}/echo?ms={ms}&tag={family.tags}"
        request = {"mt": "port-request", "port-method": "GET", "port-url": url}
        heads = {"authorization": f"Bearer ${{secret:{SECRET_NAME}}}"}
        asked = {"tree": {"headers": {"blob": "", "headers": heads}}}
        content = {"tree": {"request": {"blob": "", "headers": request}, "content": asked}}
        jobs.append((courier, {"mt": "port", "content": content}, f"ask-{family.tags}"))
        family.tags += 1
    _send_batches(served, jobs)


def _operator_files(family: Family, where: Path) -> tuple[str, ...]:
    """The policy (the couriers' code, the world on loopback) and the secret, in files
    outside the store's directory: the operator's (PORT-003.1, PORT-009.1)."""
    where.mkdir(exist_ok=True)
    code = test_actor_core("courier", {})[0].entries["wit"].hex()  # PORT-003.2: its code
    rule = {
        "scheme": "http",
        "host": "127.0.0.1",
        "port": family.world.port,
        "path": "/echo",
        "actors": [code],
        "addresses": ["127.0.0.1/32"],  # loopback is refused unless a rule lists it
    }
    (where / "policy.json").write_text(json.dumps([rule]), encoding="utf-8")
    (where / "secrets.json").write_text(json.dumps({SECRET_NAME: SECRET}), encoding="utf-8")
    return ("--port-policy", str(where / "policy.json"), "--secrets", str(where / "secrets.json"))


@contextmanager
def served_family(
    family: Family,
    shares: list[str | None],
    operator: Path,
    extra: tuple[str, ...] = IN_FLIGHT,
    starter: Callable[..., Service] = start,
) -> Iterator[Served]:
    """The store made by the family's reader adapter (``rt-open``, no port), then closed;
    a service per share over it, each killed when the block ends, however it ends."""
    reader = family.reader
    family.open(reader, port=False)
    reader.call("rt-close")
    location = _store_location(family)
    served = Served(family, location, shares, (*_operator_files(family, operator), *extra), starter)
    with stopping(served.services):
        for n in range(len(shares)):
            served.services.append(served.start(n))
        yield served


def kill_served(
    served: Served,
    *,
    alarms: int,
    timers: Timers,
    couriers: int,
    requests: int,
    top_up: int,
    kills: int,
    answer_in_ms: tuple[int, int],
    top_up_ms: tuple[int, int],
    kill_after: tuple[float, float],
    first_on_the_wire: int,
) -> None:
    """The family against the services: actors, ``timers`` pending, ``requests`` in flight,
    the first kill once the world answers ``first_on_the_wire`` of them at once, then
    ``kills - 1`` more, each ``kill_after`` seconds after the last restart, each service
    in turn, ``top_up`` requests asked after each; then everything due and answered, the
    services stopped, and :func:`port_kill.judge`."""
    family, rng = served.family, served.family.rng
    began = time.monotonic()
    _create(served, alarms, couriers)
    _set_timers(served, timers)
    deadline = time.monotonic() + 120
    while True:  # every timer taken: pending, but those whose time came meanwhile
        later = sum(n for c in served.sent_timers.values() for at, n in c.items() if at > _now(5))
        pending = _count_pending(family)
        if pending >= later or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert pending >= later, f"TIM-002: {pending} timers pending, {later} set for later"
    since = time.monotonic()
    _ask(served, requests, answer_in_ms)
    deadline = time.monotonic() + 120
    while family.world.answering_since(since) < first_on_the_wire and time.monotonic() < deadline:
        time.sleep(0.02)
    for n in range(kills):
        if n:
            time.sleep(rng.uniform(*kill_after))
        victim = n % len(served.services)
        served.services[victim].kill()
        family.kill_moments.append(time.monotonic() - 0.02)
        family.in_flight.append(_count_in_flight(family))
        served.timers_at_kills.append(_count_pending(family))
        family.kills += 1
        served.services[victim] = served.start(victim)
        served.restarts += 1
        _ask(served, top_up, top_up_ms)
    _wait_until_done(served)
    for service in served.services:
        try:
            status: int | None = service.stop()
        except subprocess.TimeoutExpired:
            status = None
        tail = "\n".join(service.output[-30:])
        assert status == 0, f"HTTP-001.4: a SIGTERM'd service exits 0, came {status}:\n{tail}"
    served.seconds = time.monotonic() - began
    _judge(served)


def _wait_until_done(served: Served, limit: float = 180.0, stall: float = 60.0) -> None:
    """Until every timer is due, then until every timer fired and no request is in flight
    (``limit`` seconds at most, and ``stall`` seconds without a change in either count: a
    wrong service may keep one in flight for ever, and the judge then says which; the
    world answers within 28 s), and a settle answers."""
    while time.time() * 1000 < served.last_timer + 1_000:
        time.sleep(0.5)
    now = time.monotonic()
    deadline, last, changed = now + limit, (-1, -1), now
    while (now := time.monotonic()) < deadline and now - changed < stall:
        counts = (_count_in_flight(served.family), _pending_timers(served))
        if counts == (0, 0):
            break
        if counts != last:
            last, changed = counts, now
        time.sleep(0.5)
    for service in served.services:
        settled = httpx.post(f"{service.url}/v1/settle", json={"timeout": 120}, timeout=180)
        assert settled.status_code == 200, settled.text
        served.settled.append(bool(settled.json().get("quiescent")))


def _judge(served: Served) -> None:
    """What each alarm set is what the test asked it (read back from its outbox,
    TIM-002.2), then :func:`port_kill.judge` with the services' clock the time of day."""
    family = served.family
    family.open(family.reader, port=False)
    for alarm in family.alarms:
        set_here: Counter[int] = Counter()
        for oid, message in family.chain(family.entry(alarm, "outbox", TIMER)):
            family.asked.setdefault(oid, int(message.headers["timer-at"]))
            set_here[int(message.headers["timer-at"])] += 1
        assert set_here == served.sent_timers[alarm], (
            f"TIM-002.2: the alarm {alarm[:12]} set {sorted(set_here.elements())[:5]}…, "
            f"asked {sorted(served.sent_timers[alarm].elements())[:5]}…"
        )
    judge(family)


def new_family(path: Path, world: Any, adapter: str, seed: int, store_url: str | None) -> Family:
    """A family whose one node is the adapter that makes the store and reads it after."""
    from gritwit_conformance.harness._implementation import Subprocess

    path.mkdir()
    reader = Node(Subprocess(adapter, timeout=300.0), None)
    family = Family(path, world, [reader], random.Random(seed), store_url=store_url)
    family.wall_clock = True
    return family


__all__ = ["IN_FLIGHT", "Served", "kill_served", "new_family", "served_family"]
