"""The fuel a service counts for its Wasm transitions (WASM-019, WASM-020.1, HTTP-014.1).

The only place the protocol shows the fuel a Wasm step consumed is a service's
``gritwit_fuel_consumed_total`` (HTTP-014.1), so these tests need the ``http`` profile
beside ``wasm``; they sit with the Wasm tests because what they check is the Wasm host's
count of a call's cost.

* A genesis whose module does not load (no ``step`` export, WASM-004) runs no Wasm code:
  its attempts fail ``invalid-module`` and the counter stays 0, as it is where none ran.
* A step that spends its fuel on host calls (10 000 units each, WASM-019) is aborted
  before its cost passes twice the limit (WASM-020.1); each attempt's count, if the
  service counts a failed attempt at all (HTTP-014.1 lets it leave one out), is at most
  twice the limit, and nothing it counted is taken back: a Wasm step run afterwards
  still makes the counter grow.
"""

from __future__ import annotations

import httpx
import pytest
import wasmtime

from gritwit_conformance.data._paths import wasm_dir

from .._check import check, check_equal
from ..http._api import create, settle
from ..http._service import http as http
from ..http._service import services as services
from ..http.test_metrics import scrape

pytestmark = pytest.mark.profile("wasm", "http")

#: The fuel limit of every call (WASM-016).
LIMIT = 100_000_000
FUEL = "gritwit_fuel_consumed_total"
FAILURES = "gritwit_failures_total"

#: A module without the ``step`` export: refused when loaded (WASM-004), before any code.
NO_STEP = '(module (memory (export "memory") 1))'
#: A step that calls ``msg_count`` until its fuel ends: its cost is almost all host
#: calls' (10 000 units each, against 2 units of instructions per iteration, WASM-019).
HOST_CALL_LOOP = (
    '(module (import "gritwit" "msg_count" (func $msg_count (result i32))) '
    '(memory (export "memory") 1) '
    '(func (export "step") (loop $l (drop (call $msg_count)) (br $l))))'
)


def _fuel(http: httpx.Client) -> float:
    return scrape(http).value(FUEL) or 0.0


@pytest.mark.req("HTTP-014.1", "WASM-004", "WASM-019", "RUN-004.4")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-011.1")
def test_no_fuel_is_counted_for_a_module_that_does_not_load(http: httpx.Client) -> None:
    create(http, wasm=bytes(wasmtime.wat2wasm(NO_STEP)).hex())
    settle(http)
    found = scrape(http)
    failures = found.labelled(FAILURES, "class")
    check(
        ("RUN-004.4", "WASM-004"),
        failures.get("invalid-module", 0) >= 1,
        expected="failed attempts of class invalid-module: the genesis of a module without "
        "a step export",
        came=failures,
        what=f"{FAILURES} by class",
    )
    check_equal(
        ("HTTP-014.1", "WASM-019"),
        0.0,
        found.value(FUEL),
        f"{FUEL} when the only Wasm module failed to load (no Wasm code ran)",
    )


@pytest.mark.req("HTTP-014.1", "WASM-019", "WASM-020.1", "RUN-004.4")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-011.1")
def test_a_step_out_of_fuel_in_host_calls_counts_at_most_twice_the_limit(
    http: httpx.Client,
) -> None:
    before = _fuel(http)
    create(http, wasm=bytes(wasmtime.wat2wasm(HOST_CALL_LOOP)).hex())
    settle(http)
    found = scrape(http)
    attempts = found.labelled(FAILURES, "class").get("fuel-exhausted", 0)
    check(
        ("WASM-020.1", "RUN-004.4"),
        attempts >= 1,
        expected="failed attempts of class fuel-exhausted: a genesis calling msg_count forever",
        came=found.labelled(FAILURES, "class"),
        what=f"{FAILURES} by class",
    )
    spent = (found.value(FUEL) or 0.0) - before
    bound = attempts * 2 * LIMIT
    check(
        ("HTTP-014.1", "WASM-020.1"),
        spent <= bound,
        expected=f"at most {bound:.0f}: {attempts:.0f} attempts, each aborted before its "
        f"cost passed twice the limit ({2 * LIMIT})",
        came=spent,
        what=f"the fuel {FUEL} counted for the attempts out of fuel",
    )
    # what the failed attempts counted is not taken back: the next step's fuel shows
    after = _fuel(http)
    create(http, wasm=(wasm_dir() / "actors" / "counter.wasm").read_bytes().hex())
    settle(http)
    last = _fuel(http)
    check(
        ("HTTP-014.1", "WASM-019"),
        last > after,
        expected=f"more than {after:.0f}, the count after the attempts out of fuel, once "
        "a Wasm genesis ran",
        came=last,
        what=FUEL,
    )
