"""The kill family against ``gritwit serve`` over HTTP (``serve_port_kill.py``).

A service run with in-flight bounds above the family's load (PORT-005.8) is SIGKILLed
again and again while its timers are pending and the world answers its requests slowly,
and started again on the same store.  Afterwards every timer fired once and not early,
every request was answered by exactly one message, every sending carried the request's
one key, no object or file of the store holds the secret, and the store verifies clean.
The same on PostgreSQL with two services on shares 0/2 and 1/2 of one store, killed in
turn (PORT-007.2, TIM-006.3).

A wrong service, the reference with a declared wrong port patched in
(``wrong_serve.py``), run in the family's place shows it bite.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("httpx", reason="needs the serve extra: pip install -e '.[test]'")
pytest.importorskip("uvicorn", reason="needs the serve extra: pip install -e '.[test]'")

from port_kill import ADAPTER, Family
from serve_port_kill import Served, kill_served, new_family, served_family
from service_proc import Service, start

from gritwit_conformance.suite.port._world import World

REQS: tuple[str, ...] = ("PORT-005.8", "PORT-006.1", "PORT-006.2", "PORT-006.3", "PORT-007.1")
REQS += ("PORT-008", "PORT-009.3", "TIM-003.1", "TIM-003.2", "TIM-006.2", "RUN-010")

#: The default run's family: 3 kills, 24 timers due 15-30 s after their setting, 24
#: requests each sending of which the world answers after 6-9 s, the first kill once it
#: answers 20 of them at once.
SHORT: dict[str, Any] = {
    "alarms": 3, "timers": ((8, 15_000, 15_000),), "couriers": 4, "requests": 24,
    "top_up": 4, "kills": 3, "answer_in_ms": (6_000, 9_000), "top_up_ms": (200, 1_500),
    "kill_after": (0.5, 3.0), "first_on_the_wire": 20,
}  # fmt: skip
#: The issue's family: 22 kills, each with at least 200 timers pending and 200 requests
#: in flight.  Of 360 timers, 120 fall due during the kills (20-170 s after their setting)
#: and 240 after them (240-270 s); each sending of the 240 requests is answered 22-28 s
#: after it (within the default max_time of 30 s, PORT-005.5), longer than a restart and
#: the 1-6 s to the next kill, so each is sent again after every kill and stays in flight;
#: 10 more, answered at once, after each restart.  The first kill comes once the world
#: answers 200 at once.  24 couriers keep each under 60 requests a minute (PORT-005.4).
TWENTY: dict[str, Any] = {
    "alarms": 12, "timers": ((10, 20_000, 150_000), (20, 240_000, 30_000)),
    "couriers": 24, "requests": 240, "top_up": 10, "kills": 22,
    "answer_in_ms": (22_000, 28_000), "top_up_ms": (300, 3_000), "kill_after": (1.0, 6.0),
    "first_on_the_wire": 200,
}  # fmt: skip
DEEP = pytest.mark.skipif(
    os.environ.get("GRITWIT_PROFILE") != "deep",
    reason="GRITWIT_PROFILE=deep runs it: minutes on 2 cores (22 restarts of the service)",
)


def _run(
    tmp_path: Path,
    shares: list[str | None],
    params: dict[str, Any],
    *,
    seed: int,
    store_url: str | None = None,
    starter: Callable[..., Service] = start,
) -> Served:
    with World() as world:
        family = new_family(tmp_path / "store", world, ADAPTER, seed, store_url)
        try:
            with served_family(family, shares, tmp_path / "operator", starter=starter) as served:
                kill_served(served, **params)
        finally:
            for node in family.nodes:
                node.impl.kill()
    return served


def _record(served: Served, record_property: Callable[[str, object], None]) -> Family:
    family = served.family
    record_property("kills", family.kills)
    record_property("timers", len(family.asked))
    record_property("requests", family.tags)
    record_property("in_flight_at_kills", family.in_flight)
    record_property("on_the_wire_at_kills", family.on_the_wire)
    record_property("retries", family.retries)
    record_property("timers_at_kills", served.timers_at_kills)
    record_property("seconds", round(served.seconds, 1))
    record_property("settled", served.settled)
    record_property("load_1min", round(os.getloadavg()[0], 2))
    return family


@pytest.mark.slow
@pytest.mark.req(*REQS)
def test_a_few_kills_of_serve_with_timers_pending_and_requests_in_flight(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    served = _run(tmp_path, [None], SHORT, seed=66)
    family = _record(served, record_property)
    assert served.timers_at_kills[0] > 0, f"timers pending at the kills: {served.timers_at_kills}"
    assert family.kills == 3 and len(family.asked) == 24 and family.tags == 36
    assert family.in_flight[0] >= 20, f"requests in flight at the kills: {family.in_flight}"
    assert family.retries > 0, "no request was sent again after a kill"


def _twenty(served: Served, record_property: Callable[[str, object], None]) -> None:
    family = _record(served, record_property)
    assert family.kills >= 20 and len(family.asked) >= 200
    assert min(served.timers_at_kills) >= 200, f"timers pending: {served.timers_at_kills}"
    assert min(family.in_flight) >= 200, f"requests in flight at the kills: {family.in_flight}"
    assert family.on_the_wire[0] >= 200, f"requests the world answered: {family.on_the_wire}"
    assert family.retries > 0, "no request was sent again after a kill"


@pytest.mark.heavy
@pytest.mark.slow
@DEEP
@pytest.mark.req(*REQS)
def test_twenty_kills_of_serve_with_two_hundred_timers_and_requests_in_flight(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    _twenty(_run(tmp_path, [None], TWENTY, seed=20261129), record_property)


@pytest.fixture
def pg_adapters(pg_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The reader adapter's store is a schema of this test's database (``GRITWIT_STORE_URL``)."""
    monkeypatch.setenv("GRITWIT_STORE_URL", pg_database)
    yield pg_database


@pytest.mark.heavy
@pytest.mark.slow
@DEEP
@pytest.mark.req(*REQS, "PORT-007.2", "TIM-006.3")
def test_twenty_kills_of_two_share_services_on_postgres(
    tmp_path: Path, pg_adapters: str, record_property: Callable[[str, object], None]
) -> None:
    served = _run(tmp_path, ["0/2", "1/2"], TWENTY, seed=2026, store_url=pg_adapters)
    _twenty(served, record_property)


def _wrong(bug: str) -> Callable[..., Service]:
    """``start`` of the reference service with a declared wrong port (``wrong_serve.py``)."""
    script = str(Path(__file__).with_name("wrong_serve.py"))

    def starter(store: str, *extra: str) -> Service:
        return start(store, *extra, program=(sys.executable, script, bug))

    return starter


#: Each wrong service and the clause its family must fail on.
WRONG = [
    pytest.param("key-per-send", "PORT-006.1", id="fresh-key-per-sending"),
    # 93 s of one worker of CI's README step (a local run of 40f916dd): the serve family
    # meets this bug only late in its kills. The same bug behind the adapter's port is
    # caught in 9 s (test_port_kill.py's family), so only deep runs it through serve.
    pytest.param(
        "answered-twice",
        "PORT-008, PORT-006.2|PORT-007.1",
        id="answered-twice",
        marks=pytest.mark.skipif(
            os.environ.get("GRITWIT_PROFILE") != "deep",
            reason="GRITWIT_PROFILE=deep runs it (93 s); test_port_kill.py's family has the bug",
        ),
    ),
]


@pytest.mark.slow
@pytest.mark.req("PORT-006.1", "PORT-006.3")
@pytest.mark.parametrize(("bug", "clause"), WRONG)
def test_the_serve_family_fails_on_a_wrong_port(tmp_path: Path, bug: str, clause: str) -> None:
    with pytest.raises(AssertionError, match=clause):
        _run(tmp_path, [None], SHORT, seed=66, starter=_wrong(bug))
