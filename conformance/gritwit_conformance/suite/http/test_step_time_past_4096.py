"""Every head of a listing past 4,096 actors shows the time its store records (HTTP-007.7).

``test_step_time_pages.py`` judges a listing of 501 heads, past the reference's SQLite
store's batch of 500 step times a statement. Its PostgreSQL store asks 4,096 ids a
statement (``store/_pg_pages.py``), so a batch cut or started in the wrong place there
shows only past 4,096: a listing of 4,097 heads (HTTP-007.2's ``limit`` goes to 10,000)
is read once, and some of its heads alone (HTTP-007.3), the first and the last of the
listing among them. A store MAY record no step times (RUN-027.1), so a head may show
``null`` everywhere; but a time the store records for a step is the step's, shown
wherever the step is (HTTP-007.7): every reading of one head must agree.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .._check import call_ok, check, check_equal
from ._api import body_of, listing
from ._service import Services
from ._service import services as services

pytestmark = [pytest.mark.profile("http"), pytest.mark.profile("runtime")]

#: Heads listed at once: one more than a statement of the reference's PostgreSQL store.
COUNT = 4097
#: Heads read alone at each end of the listing.
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


@pytest.mark.slow
@pytest.mark.req("HTTP-007.7", "RUN-027.1", "HTTP-007.1", "HTTP-007.2", "HTTP-007.3")
@pytest.mark.req("ADP-015", "ADP-021.1", "HTTP-002.1")
def test_every_reading_of_a_head_past_4096_shows_one_time(services: Services) -> None:
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
            for i in range(COUNT)
        )
        call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=2 * COUNT)
    finally:
        impl.call("rt-close", runtime=runtime)
    client = services.start("svc").client

    whole = listing(client, limit=10_000)
    at_once = _times(whole["actors"], f"the listing of all {COUNT} actors")
    check_equal(
        "HTTP-007.1",
        actors,
        sorted(at_once),
        f"the actors listed: the {COUNT} counters made and run on the service's directory",
    )
    alone = {
        actor: _times(
            [body_of(client.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")],
            f"GET /v1/actors/{actor}",
        )[actor]
        for actor in (*actors[:SAMPLE], *actors[-SAMPLE:])
    }

    shown = [t for t in (*at_once.values(), *alone.values()) if t is not None]
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
    differ = [
        f"{actor}: {at_once.get(actor)!r} listed with {COUNT}, {alone[actor]!r} alone"
        for actor in alone
        if at_once.get(actor) != alone[actor]
    ]
    check(
        ("HTTP-007.7", "RUN-027.1"),
        not differ,
        expected="one time for each head however it is read (the time its store records, "
        "or null everywhere)",
        came=f"{len(differ)} heads read differently, first {differ[:3]}",
        what=f"the times of heads in one listing of {COUNT} and alone",
    )
