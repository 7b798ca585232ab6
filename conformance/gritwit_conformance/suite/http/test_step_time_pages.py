"""Every head of a listing past 500 actors shows the time its store records (HTTP-007.7).

A store reads many step times at once, and a SQL store in batches (the reference's
SQLite store asks 500 ids a statement, under SQLite's bound on parameters): a batch cut
one id short, one long, or started in the wrong place leaves some step of a long listing
without its time, or gives it to the single entry and not to the page. The suite makes
501 counters on a directory with the runtime profile (ADP-015: ``rt-open`` of a
directory a service then serves, ADP-021.1), runs their geneses, and starts a service
there. Each actor's head is then read three ways: in one listing of all 501 (a batch
and one more), in a first page of exactly 500 and the page after it (HTTP-007.2), and
alone (HTTP-007.3). A store MAY record no step times (RUN-027.1), so a head may show
``null`` everywhere; but a time the store records for a step is the step's, shown
wherever the step is (HTTP-007.7), so every reading of one head must agree, and every
time shown must be ISO 8601 UTC to the second.

The reference's PostgreSQL store asks 4,096 ids a statement (``store/_pg_pages.py``), so
a batch cut or started in the wrong place there shows only past 4,096: a listing of
4,097 heads (HTTP-007.2's ``limit`` goes to 10,000) is read once too, and some of its
heads alone (HTTP-007.3), the first and the last of the listing among them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import httpx
import pytest

from .._check import call_ok, check, check_equal
from ._api import body_of, listing
from ._service import Services
from ._service import services as services

pytestmark = [pytest.mark.profile("http"), pytest.mark.profile("runtime")]

#: Heads listed at once: one more than a batch of the reference's SQLite store.
COUNT = 501
#: The first page: exactly one batch.
PAGE = 500
#: Heads listed at once past a statement of the reference's PostgreSQL store.
MANY = 4097
#: Heads of those read alone at each end of the listing.
SAMPLE = 8
#: HTTP-007.7's form of a time.
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _times(entries: list[Any], what: str) -> dict[str, Any]:
    """Each entry's actor and time; every entry must hold ``time`` (HTTP-007.7)."""
    found: dict[str, Any] = {}
    for entry in entries:
        check(
            "HTTP-007.7",
            isinstance(entry, dict) and "actor" in entry and "time" in entry,
            expected="an entry holding actor and time",
            came=entry,
            what=what,
        )
        found[str(entry["actor"])] = entry["time"]
    return found


def _served(services: Services, count: int) -> tuple[httpx.Client, list[str], dict[str, Any]]:
    """A service on a directory where ``count`` counters were made and run (ADP-015,
    ADP-021.1): its client, the actors sorted, and their times in one listing of all."""
    impl = services.impl
    path = services.top / "svc"
    path.mkdir(parents=True)
    runtime = str(call_ok(impl, "ADP-015", "rt-open", path=str(path))["runtime"])
    try:
        actors = sorted(
            str(
                call_ok(
                    impl,
                    "ADP-015",
                    "rt-genesis",
                    runtime=runtime,
                    actor="counter",
                    state={"salt": f"{i:04x}"},
                )["actor"]
            )
            for i in range(count)
        )
        call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=2 * count)
    finally:
        impl.call("rt-close", runtime=runtime)
    client = services.start("svc").client
    whole = listing(client, limit=10_000)
    at_once = _times(whole["actors"], f"the listing of all {count} actors")
    check_equal(
        "HTTP-007.1",
        actors,
        sorted(at_once),
        f"the actors listed: the {count} counters made and run on the service's directory",
    )
    return client, actors, at_once


def _alone(client: httpx.Client, actors: Iterable[str]) -> dict[str, Any]:
    """Each of ``actors``' time read alone (HTTP-007.3)."""
    return {
        actor: _times(
            [body_of(client.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")],
            f"GET /v1/actors/{actor}",
        )[actor]
        for actor in actors
    }


def _one_time_each(readings: dict[str, dict[str, Any]], what: str) -> None:
    """Every time shown well formed, and each head's readings (by way: actor → time) one
    time (HTTP-007.7, RUN-027.1); a skip where the store records none (it MAY not)."""
    shown = [t for times in readings.values() for t in times.values() if t is not None]
    if not shown:
        pytest.skip("RUN-027.1: the service's store records no step times (it MAY not)")
    malformed = sorted({t for t in shown if not (isinstance(t, str) and STAMP.fullmatch(t))})
    check(
        "HTTP-007.7",
        not malformed,
        expected="every time ISO 8601 UTC to the second (2026-11-27T16:21:02Z)",
        came=malformed[:5],
        what="the times shown for the heads",
    )
    heads = sorted({actor for times in readings.values() for actor in times})
    differ = [
        f"{actor}: " + ", ".join(f"{times.get(actor)!r} {way}" for way, times in readings.items())
        for actor in heads
        if len({repr(times.get(actor)) for times in readings.values()}) > 1
    ]
    check(
        ("HTTP-007.7", "RUN-027.1"),
        not differ,
        expected="one time for each head however it is read (the time its store records, "
        "or null everywhere)",
        came=f"{len(differ)} heads read differently, first {differ[:3]}",
        what=what,
    )


@pytest.mark.slow
@pytest.mark.req("HTTP-007.7", "RUN-027.1", "HTTP-007.1", "HTTP-007.2", "HTTP-007.3")
@pytest.mark.req("ADP-015", "ADP-021.1", "HTTP-002.1")
def test_every_reading_of_a_head_past_a_batch_of_500_shows_one_time(services: Services) -> None:
    client, actors, at_once = _served(services, COUNT)
    first = listing(client, limit=PAGE)
    paged = _times(first["actors"], f"the first page of {PAGE}")
    check(
        "HTTP-007.2",
        len(paged) == PAGE and first.get("next") is not None,
        expected=f"{PAGE} entries and a next cursor",
        came=f"{len(paged)} entries, next {first.get('next')!r}",
        what=f"GET /v1/actors?limit={PAGE} of {COUNT} actors",
    )
    rest = listing(client, limit=10_000, after=first["next"])
    paged.update(_times(rest["actors"], f"the page after the first {PAGE}"))
    _one_time_each(
        {f"listed with {COUNT}": at_once, "paged": paged, "alone": _alone(client, actors)},
        f"the times of {COUNT} heads in one listing, in pages of {PAGE} and alone",
    )


@pytest.mark.slow
@pytest.mark.req("HTTP-007.7", "RUN-027.1", "HTTP-007.1", "HTTP-007.2", "HTTP-007.3")
@pytest.mark.req("ADP-015", "ADP-021.1", "HTTP-002.1")
def test_every_reading_of_a_head_past_4096_shows_one_time(services: Services) -> None:
    client, actors, at_once = _served(services, MANY)
    alone = _alone(client, (*actors[:SAMPLE], *actors[-SAMPLE:]))
    _one_time_each(
        {f"listed with {MANY}": {a: at_once.get(a) for a in alone}, "alone": alone},
        f"the times of heads in one listing of {MANY} and alone",
    )
