"""A step made a head a second time keeps the time of its first swap (RUN-027.1).

A step time is "the writer's wall clock at the swap that *first* set S as the target of
a ref ``heads/<actor>``", and "a later swap to S again keeps the first time". No request
of the service moves a head to a step it was already (HTTP-009.3: no request moves a
ref directly), but any writer of the store may: the suite opens the service's directory
with the store profile (ADP-010.6: one path, one store) while the service is stopped,
swaps the counter's head back to its first step and forward to its head again, at
least a second after those steps' times, and starts the service again. Both steps must
show the times they showed before (HTTP-007.7), to the second.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest

from .._check import call_ok, check, check_equal, fail, ok_answer
from ._api import body_of, counter, inc, settle
from ._service import Services
from ._service import services as services

pytestmark = [pytest.mark.profile("http"), pytest.mark.profile("store")]


def _times(client: httpx.Client, actor: str) -> list[tuple[str, str | None]]:
    """(step, time) of the actor's history, newest first (HTTP-007.4, HTTP-007.7)."""
    answer = body_of(client.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.7")
    steps = answer.get("steps") if isinstance(answer, dict) else None
    if not (isinstance(steps, list) and all("time" in s for s in steps)):
        fail(
            "HTTP-007.7",
            expected="every step of a history to hold time",
            came=answer,
        )
    return [(str(s["step"]), s["time"]) for s in steps]


def _epoch(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


@pytest.mark.req("RUN-027.1", "HTTP-007.7", "HTTP-007.4", "ADP-010.6", "ADP-021.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_a_step_made_a_head_again_keeps_its_first_time(services: Services) -> None:
    service = services.start("svc")
    actor = counter(service.client)
    settle(service.client)
    inc(service.client, actor, 2)
    settle(service.client)
    before = _times(service.client, actor)
    check(
        "HTTP-007.4", len(before) == 2, expected="a counter that read one inc: 2 steps", came=before
    )
    (head, head_time), (first, first_time) = before
    if head_time is None and first_time is None:
        pytest.skip("RUN-027.1: the service's store records no step times (it MAY not)")
    services.stop(service)
    stamps = [_epoch(t) for t in (head_time, first_time) if t is not None]
    while time.time() < max(stamps) + 1.2:  # the swaps below fall in a later second
        time.sleep(0.1)
    impl = services.impl
    store = call_ok(impl, "ADP-010.6", "store-open", kind="durable", path=str(service.path))[
        "store"
    ]
    try:
        name = f"heads/{actor}"
        for old, new in ((head, first), (first, head)):
            reply = impl.call("ref-cas", store=store, name=name, expected=old, new=new)
            ok_answer(reply, "ADP-010.6", f"ref-cas {name} {old} -> {new} on the service's path")
    finally:
        impl.call("store-close", store=store)
    service = services.start("svc")
    after = _times(service.client, actor)
    check_equal(
        "RUN-027.1",
        before,
        after,
        "the history's times after swaps back and forth: a later swap to a step keeps the "
        "time of the first swap that made it a head",
    )
    entry = body_of(service.client.get(f"/v1/actors/{actor}"), 200, "HTTP-007.7")
    check_equal(
        ("HTTP-007.7", "RUN-027.1"),
        head_time,
        entry.get("time"),
        "the entry's time: its head's first time",
    )
