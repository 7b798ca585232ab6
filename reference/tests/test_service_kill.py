"""The kill family over HTTP: ``gritwit serve`` killed again and again while clients send.

Clients send ``inc`` to counters, each send with an ``Idempotency-Key`` of its own
(HTTP-005.3), and send the same request again, with the same key, whenever a request
gets no answer or a 5xx (the connection dropped, the service was killed or is
stopping): the rule HTTP-005.4 gives them.  Meanwhile the service is killed with
SIGKILL after every few acknowledged sends and started again on the same store, on
another port.  At the end every counter's count must equal the number of keys sent to
it: one fewer is a lost send, one more a send delivered twice (HTTP-001.4, RUN-007).
Then the service stops by SIGTERM (exit 0) and ``gritwit runtime verify`` finds the
store clean.

Each runs twice: with no token, and with tokens on (HTTP-018).  With tokens the store
holds four, issued by ``gritwit token add`` before the first start: the sends carry
one of scope ``send``, the counts and the settle one of ``read``, the creations one of
``create``; every request carries ``Authorization: Bearer``.  After each start (the
first and every restart) the door is tried: a send without a token must be refused 401
with ``WWW-Authenticate: Bearer`` (HTTP-018.1, the store's tokens read again by the new
process, HTTP-018.5), a send with the ``read`` token 403 (HTTP-018.2), and an ``admin``
token reads the audit log (HTTP-020.2).  Neither refused send may reach a counter: one
that did would show as a send delivered twice.  At the end ``gritwit audit STORE``
prints the log, and every audit read a service answered is in it (HTTP-020.1: durable
before its answer, so no kill took it back).

The heavy test is the issue's figure (1,000 sends, at least 20 kills); the quick one
keeps the rule in the default run (60 sends, 3 kills).
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

httpx = pytest.importorskip("httpx", reason="needs the serve extra: pip install -e '.[test]'")
pytest.importorskip("uvicorn", reason="needs the serve extra: pip install -e '.[test]'")

from service_proc import Service, start, stopping  # noqa: E402

COUNTERS = 10
#: Seconds one request may take before the client gives it up and sends it again.
REQUEST_LIMIT = 30.0
#: Seconds a client waits at most on a 429's Retry-After (HTTP-021.1) before sending again.
RETRY_AFTER_LIMIT = 2.0
#: The tokens of a family with tokens on: name, scopes (HTTP-018.2), requests a second.
#: The sender's rate is above what four clients reach here, so that the family is about
#: kills; a 429 would still be waited out and sent again (it does nothing, HTTP-021.1).
TOKENS = (
    ("sender", "send", 2_000),
    ("reader", "read", 2_000),
    ("maker", "create", 200),
    ("auditor", "admin", 200),
)


@dataclass(frozen=True)
class Door:
    """The ``Authorization`` header of each kind of request; all empty with tokens off."""

    send: dict[str, str] = field(default_factory=dict)
    read: dict[str, str] = field(default_factory=dict)
    create: dict[str, str] = field(default_factory=dict)
    admin: dict[str, str] = field(default_factory=dict)

    @property
    def locked(self) -> bool:
        return bool(self.send)


@dataclass
class Family:
    """What the clients and the killer share."""

    url: str
    door: Door
    acknowledged: int = 0
    replayed: int = 0
    retries: int = 0
    rate_limited: int = 0
    serving_cpu: float = 0.0
    kills: int = 0
    door_checks: int = 0
    audit_reads: int = 0
    done: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    errors: list[str] = field(default_factory=list)


def _issue_tokens(store: Path) -> Door:
    """Four tokens in a new store, each printed once by ``gritwit token add`` (HTTP-018.4)."""
    from gritwit.store import Store

    Store.open(store).close()
    headers: dict[str, dict[str, str]] = {}
    for name, scope, rate in TOKENS:
        command = (sys.executable, "-m", "gritwit", "token", "add", str(store), name)
        added = subprocess.run(
            (*command, "--scope", scope, "--rate", str(rate)),
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert added.returncode == 0, added.stdout + added.stderr
        headers[scope] = {"Authorization": f"Bearer {added.stdout.strip()}"}
    return Door(headers["send"], headers["read"], headers["create"], headers["admin"])


def _try_the_door(family: Family, url: str, actor: str) -> None:
    """After a start: a send without a token is refused 401 (HTTP-018.1), one with the
    ``read`` token 403 (HTTP-018.2), and the ``admin`` token reads the audit log
    (HTTP-020.2).  What differs is kept in ``family.errors``."""
    send = f"{url}/v1/actors/{actor}/messages"
    wrong: list[str] = []
    try:
        audit = _knock(send, url, family.door, wrong)
    except httpx.HTTPError as exc:
        wrong.append(f"HTTP-018.1: the door's requests after a start got no answer: {exc!r}")
        audit = 0
    with family.lock:
        family.door_checks += 1
        family.audit_reads += audit == 200
        family.errors.extend(wrong)


def _knock(send: str, url: str, door: Door, wrong: list[str]) -> int:
    """The three requests of :func:`_try_the_door`; the audit read's status."""
    inc = {"mt": "inc", "content": {"blob": ""}}
    with httpx.Client(timeout=REQUEST_LIMIT, trust_env=False) as client:
        bare = client.post(send, json=inc)
        if (
            bare.status_code != 401
            or "bearer" not in bare.headers.get("www-authenticate", "").lower()
        ):
            wrong.append(
                f"HTTP-018.1: a send without a token after a start: expected 401 with "
                f"WWW-Authenticate: Bearer, came {bare.status_code} "
                f"{bare.headers.get('www-authenticate')!r} {bare.text[:120]}"
            )
        scoped = client.post(send, json=inc, headers=door.read)
        if scoped.status_code != 403:
            wrong.append(
                f"HTTP-018.2: a send with a read-only token: expected 403, came "
                f"{scoped.status_code} {scoped.text[:120]}"
            )
        audit = client.get(f"{url}/v1/audit", params={"limit": 1}, headers=door.admin)
        if audit.status_code != 200 or not isinstance(audit.json().get("entries"), list):
            wrong.append(
                f"HTTP-020.2: GET /v1/audit with the admin token: expected 200 with entries, "
                f"came {audit.status_code} {audit.text[:120]}"
            )
    return int(audit.status_code)


def _create_counters(url: str, door: Door) -> list[str]:
    actors = []
    with httpx.Client(base_url=url, timeout=REQUEST_LIMIT, headers=door.create) as client:
        for n in range(COUNTERS):
            answer = client.post("/v1/actors", json={"test": "counter", "state": {"n": f"{n:02x}"}})
            assert answer.status_code == 201, answer.text
            actors.append(answer.json()["actor"])
    return actors


def _send_all(family: Family, sends: list[tuple[str, str]]) -> None:
    """Send each ``(actor, key)`` until a 2xx answers it, retrying with the same key."""
    client = httpx.Client(timeout=REQUEST_LIMIT, headers=family.door.send)
    try:
        for actor, key in sends:
            while True:
                url = family.url
                try:
                    answer = client.post(
                        f"{url}/v1/actors/{actor}/messages",
                        json={"mt": "inc", "content": {"blob": ""}},
                        headers={"Idempotency-Key": key},
                    )
                except httpx.HTTPError:
                    answer = None
                if answer is not None and answer.status_code in (200, 202):
                    with family.lock:
                        family.acknowledged += 1
                        family.replayed += bool(answer.json().get("replayed"))
                    break
                if answer is not None and answer.status_code == 429:  # did nothing: again
                    with family.lock:
                        family.rate_limited += 1
                    wait = float(answer.headers.get("retry-after", "1"))
                    time.sleep(min(wait, RETRY_AFTER_LIMIT))
                    continue
                if answer is not None and answer.status_code < 500:
                    with family.lock:  # a definite refusal: the test's own bug, or the service's
                        family.errors.append(f"{key}: {answer.status_code} {answer.text[:200]}")
                    return
                with family.lock:
                    family.retries += 1
                time.sleep(0.05)
    finally:
        client.close()


def _kill_often(
    family: Family,
    restart: Callable[[], Service],
    services: list[Service],
    every: int,
    rng: random.Random,
    actor: str,
) -> None:
    """SIGKILL the service after every ``every`` acknowledgements, then start it again."""
    seen = 0
    while not family.done:
        with family.lock:
            progress = family.acknowledged - seen
        if progress < every:
            time.sleep(0.001)
            continue
        # somewhere inside the next requests: a send takes a few milliseconds
        time.sleep(rng.uniform(0.0, 0.005))
        seen = family.acknowledged
        _count_serving(family, services[-1])
        services[-1].kill()
        family.kills += 1
        services.append(restart())
        family.url = services[-1].url
        if family.door.locked:
            _try_the_door(family, family.url, actor)


def _count(client: httpx.Client, actor: str) -> int:
    answer = client.get(f"/v1/actors/{actor}/queries/count")
    assert answer.status_code == 200, answer.text
    return int(answer.content)


def _audit_log(store: Path) -> list[dict[str, Any]]:
    """``gritwit audit STORE``: the log, newest first, one JSON object a line (HTTP-020)."""
    printed = subprocess.run(
        [sys.executable, "-m", "gritwit", "audit", str(store), "--limit", "100000"],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert printed.returncode == 0, printed.stdout + printed.stderr
    return [json.loads(line) for line in printed.stdout.splitlines()]


def _cpu_of(pid: int) -> float:
    """CPU seconds a running process used so far (Linux's ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


#: Each service's CPU seconds when it said it listens, by process id.
_AT_START: dict[int, float] = {}


def _count_serving(family: Family, service: Service) -> None:
    """Add the CPU ``service`` used since it listened (its start left out) to the family's."""
    pid = service.process.pid
    family.serving_cpu += _cpu_of(pid) - _AT_START.pop(pid, _cpu_of(pid))


def _children_cpu() -> float:
    """CPU seconds of the waited-for children (the services, once killed or stopped)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_family(
    tmp_path: Path,
    sends: int,
    every: int,
    min_kills: int,
    record: Callable[[str, object], None],
    *,
    tokens: bool = False,
    serve_args: tuple[str, ...] = (),
) -> None:
    """The family; with ``tokens`` the store holds tokens and every request carries one.
    ``serve_args`` go to every ``gritwit serve`` (a wrong start, to see the test bite)."""
    store = tmp_path / "store"
    rng = random.Random(52)
    door = _issue_tokens(store) if tokens else Door()
    cpu_before = _children_cpu()

    def restart() -> Service:
        service = start(store, *serve_args)
        _AT_START[service.process.pid] = _cpu_of(service.process.pid)
        return service

    with stopping([restart()]) as services:
        family = Family(services[0].url, door)
        actors = _create_counters(family.url, door)
        if door.locked:
            _try_the_door(family, family.url, actors[0])
        keys = [(actors[i % COUNTERS], f"send-{i}") for i in range(sends)]
        clients = [
            threading.Thread(target=_send_all, args=(family, keys[part::4])) for part in range(4)
        ]
        killer = threading.Thread(
            target=_kill_often,
            args=(family, restart, services, every, rng, actors[0]),
            daemon=True,
        )
        started = time.monotonic()
        for thread in (*clients, killer):
            thread.start()
        for thread in clients:
            thread.join()
        family.done = True
        killer.join(timeout=120)
        assert not family.errors, family.errors[:5]
        assert family.acknowledged == sends
        assert family.kills >= min_kills, f"only {family.kills} kills during the sends"
        with httpx.Client(base_url=family.url, timeout=300, headers=door.read) as client:
            settled = client.post("/v1/settle", json={"timeout": 240})
            assert settled.json() == {"quiescent": True}, settled.text
            counts = {actor: _count(client, actor) for actor in actors}
        expected = Counter(actor for actor, _ in keys)
        lost = sum(max(0, expected[a] - counts[a]) for a in actors)
        twice = sum(max(0, counts[a] - expected[a]) for a in actors)
        record("sends", sends)
        record("kills", family.kills)
        record("retries", family.retries)
        record("replayed", family.replayed)
        record("lost", lost)
        record("delivered_twice", twice)
        record("rate_limited", family.rate_limited)
        record("door_checks", family.door_checks)
        record("seconds", round(time.monotonic() - started, 1))
        assert (lost, twice) == (0, 0), (
            f"HTTP-005.4, HTTP-001.4: {lost} send(s) lost and {twice} delivered twice over "
            f"{family.kills} kills: counts {counts}, expected {dict(expected)}"
        )
        _count_serving(family, services[-1])
        assert services[-1].stop() == 0, "HTTP-001.4: a SIGTERM'd service exits 0"
    # figures, never asserted: the services' CPU over the sends, with their starts and
    # without them (from each one's listening line to its kill or stop)
    record("service_cpu_ms_per_send", round(1000 * (_children_cpu() - cpu_before) / sends, 2))
    record("serving_cpu_ms_per_send", round(1000 * family.serving_cpu / sends, 2))
    if door.locked:
        assert family.door_checks == family.kills + 1, "the door is tried after every start"
        log = _audit_log(store)
        for entry in log:
            assert set(entry) == {"who", "what", "actor", "status", "class", "at"}, entry
        read = [e for e in log if e["who"] == "auditor" and e["what"] == "GET /v1/audit"]
        answered = [e for e in read if e["status"] == 200]
        record("audit_entries", len(log))
        assert len(answered) == family.audit_reads, (
            f"HTTP-020.1: {family.audit_reads} audit reads answered 200 across "
            f"{family.kills} kills, but the log holds {len(answered)} of them: {read[:3]}"
        )
        issued = {e["what"] for e in log if e["who"] == "cli"}
        assert issued == {f"token add {name}" for name, _, _ in TOKENS}, issued
    verify = subprocess.run(
        [sys.executable, "-m", "gritwit", "runtime", "verify", str(store)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "runtime verify: OK" in verify.stdout


#: With no token, and with tokens on: the tokens' clauses cited by the second alone.
DOORS = [
    pytest.param(False, id="tokens-off"),
    pytest.param(
        True,
        id="tokens-on",
        marks=pytest.mark.req("HTTP-018.1", "HTTP-018.2", "HTTP-018.5", "HTTP-020.1", "HTTP-020.2"),
    ),
]


#: The family's sizes: sends, a kill every so many, kills at least. A few kills in the
#: default run; a thousand sends through twenty kills in the heavy step.
SIZES = [
    pytest.param(60, 15, 3, marks=pytest.mark.slow, id="3-kills"),
    pytest.param(1_000, 40, 20, marks=[pytest.mark.slow, pytest.mark.heavy], id="20-kills"),
]


@pytest.mark.req("HTTP-005.3", "HTTP-005.4", "HTTP-001.4", "RUN-007.1")
@pytest.mark.parametrize(("sends", "every", "kills"), SIZES)
@pytest.mark.parametrize("tokens", DOORS)
def test_a_killed_service_loses_no_keyed_send_and_delivers_none_twice(
    tmp_path: Path,
    record_property: Callable[[str, object], None],
    tokens: bool,
    sends: int,
    every: int,
    kills: int,
) -> None:
    run_family(
        tmp_path, sends=sends, every=every, min_kills=kills, record=record_property, tokens=tokens
    )


@pytest.mark.slow
@pytest.mark.req("HTTP-018.1")
def test_the_family_fails_on_a_service_that_checks_no_token(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    """The door's check bites: a store that holds tokens, served ``--insecure-no-auth``
    (HTTP-019.1's words for a service that checks none), fails the family on the 401."""
    with pytest.raises(AssertionError, match=re.escape("HTTP-018.1: a send without a token")):
        run_family(
            tmp_path,
            sends=20,
            every=10,
            min_kills=1,
            record=record_property,
            tokens=True,
            serve_args=("--insecure-no-auth",),
        )
