"""What ``GET /metrics`` counts is bounded by what the service did (HTTP-014.1).

``test_metrics.py`` checks the names and types and that the counts agree with the
histories; here the values themselves are held to what a client can bound. A commit of
sends, or of steps, happened while the service ran, so each took no longer than the
service has run: the sum of a histogram's observations is at most its count times the
seconds since the test asked for the service (whether commits overlap or not). And the
first Wasm transition a fresh service runs is counted whole: a step that only enters its
function costs one unit (WASM-019), so ``gritwit_fuel_consumed_total`` is more than 0
once such a genesis ran, even as the service's first.
"""

from __future__ import annotations

import time

import httpx
import pytest
import wasmtime

from .._check import check, check_equal
from ._api import counter, create, inc, settle
from ._service import Services
from ._service import http as http
from ._service import services as services
from .test_metrics import EMPTY_STEP, scrape

pytestmark = pytest.mark.profile("http")


@pytest.mark.req("HTTP-014.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_each_commit_took_no_longer_than_the_service_has_run(services: Services) -> None:
    began = time.monotonic()
    client = services.start().client
    actor = counter(client)
    for amount in range(1, 4):
        inc(client, actor, amount)
    settle(client)
    found = scrape(client)
    elapsed = time.monotonic() - began
    for name in ("gritwit_commit_seconds", "gritwit_step_commit_seconds"):
        count = found.value(f"{name}_count") or 0
        seconds = found.value(f"{name}_sum")
        check(
            "HTTP-014.1",
            count >= 1 and seconds is not None,
            expected="a count of at least one commit, and a sum",
            came=f"the count {count} and the sum {seconds}",
            what=f"the histogram {name} once sends were acknowledged and settled",
        )
        check(
            "HTTP-014.1",
            seconds is not None and 0 <= seconds <= count * elapsed,
            expected=f"a sum of at most {count:g} commits × {elapsed:.2f} s, the seconds "
            "since the service was asked to start (each commit took no longer)",
            came=seconds,
            what=f"the sum of {name}",
        )


@pytest.mark.profile("http", "wasm")
@pytest.mark.req("HTTP-014.1", "WASM-019")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-011.1")
def test_the_first_transition_of_one_fuel_unit_is_counted(http: httpx.Client) -> None:
    before = scrape(http).value("gritwit_fuel_consumed_total")
    check_equal("HTTP-014.1", 0.0, before, "gritwit_fuel_consumed_total of a fresh service")
    create(http, wasm=bytes(wasmtime.wat2wasm(EMPTY_STEP)).hex())
    settle(http)
    after = scrape(http).value("gritwit_fuel_consumed_total") or 0
    check(
        ("HTTP-014.1", "WASM-019"),
        after >= 1,
        expected="at least 1 once the genesis of a Wasm actor whose step does nothing ran "
        "as the service's first transition (one unit: its function entered)",
        came=after,
        what="gritwit_fuel_consumed_total",
    )
