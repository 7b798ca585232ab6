"""What an operator watches: ``GET /metrics`` (HTTP-014.1, HTTP-014.2).

The endpoint is optional: a service that answers it 404 skips these tests. One that
serves it answers the Prometheus text format 0.0.4 with six metrics under fixed names,
and once a settle has answered quiescent its counts agree with what the service did, as
the store shows it: ``gritwit_transitions_total`` with the steps in the actors'
histories (a transition may read several messages, so the messages sent are not the
count), ``gritwit_pending_messages`` with the messages left unread (those of an actor
marked failed), ``gritwit_failures_total`` with the failed attempts a failed mark took
(RUN-004.4: five), ``gritwit_fuel_consumed_total`` zero until a Wasm transition runs.
A scrape writes nothing: the refs are the same after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import wasmtime

from gritwit_conformance.data._paths import wasm_dir

from .._check import check, check_equal, check_type, describe, fail
from ._api import PYTHON_COUNTER, body_of, counter, create, inc, send, settle, shown
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: A module whose step does nothing: a step costs one fuel unit, its function entered.
EMPTY_STEP = '(module (memory (export "memory") 1) (func (export "step")))'

#: The names HTTP-014.1 fixes, and their types.
NAMES = {
    "gritwit_transitions_total": "counter",
    "gritwit_failures_total": "counter",
    "gritwit_fuel_consumed_total": "counter",
    "gritwit_commit_seconds": "histogram",
    "gritwit_step_commit_seconds": "histogram",
    "gritwit_pending_messages": "gauge",
    "gritwit_resident_actors": "gauge",
}
_SAMPLE = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


@dataclass
class Scrape:
    """One answer of ``GET /metrics``: each metric's type and its samples."""

    types: dict[str, str] = field(default_factory=dict)
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = field(default_factory=dict)

    def value(self, name: str, **labels: str) -> float | None:
        return self.samples.get((name, frozenset(labels.items())))

    def total(self, name: str) -> float:
        """The sum of ``name``'s samples over every label set."""
        return sum(v for (n, _), v in self.samples.items() if n == name)

    def labelled(self, name: str, label: str) -> dict[str, float]:
        return {
            dict(labels)[label]: v
            for (n, labels), v in self.samples.items()
            if n == name and label in dict(labels)
        }


def parse(text: str) -> Scrape:
    """The text exposition format 0.0.4: ``# TYPE`` lines and samples."""
    scrape = Scrape()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(None, 3)
            scrape.types[name] = kind.strip()
        elif line and not line.startswith("#"):
            found = _SAMPLE.fullmatch(line.strip())
            if found is None:
                fail(
                    "HTTP-014.1",
                    expected="a sample of the text format 0.0.4 (name, labels, value)",
                    came=line,
                    what="a line of GET /metrics",
                )
            name, labels, value = found.groups()
            pairs = frozenset(_LABEL.findall(labels or ""))
            scrape.samples[(name, pairs)] = float(value)
    return scrape


def scrape(client: httpx.Client) -> Scrape:
    """``GET /metrics``, parsed; skips the test where the service serves none."""
    response = client.get("/metrics")
    if response.status_code == 404:
        pytest.skip("HTTP-014.1: this service serves no metrics (an optional endpoint)")
    check(
        "HTTP-014.1",
        response.status_code == 200,
        expected="status 200 (or 404: no metrics)",
        came=lambda: shown(response),
        what="GET /metrics",
    )
    kind = response.headers.get("content-type", "")
    check(
        "HTTP-014.1",
        kind.startswith("text/plain") and "version=0.0.4" in kind.replace(" ", ""),
        expected="the media type text/plain; version=0.0.4",
        came=kind,
        what="GET /metrics",
    )
    return parse(response.text)


def _history_length(client: httpx.Client, actor: str) -> int:
    """How many steps ``actor``'s history has (HTTP-007.4, paged)."""
    steps, before = 0, None
    while True:
        params: dict[str, Any] = {"limit": 10_000}
        if before is not None:
            params["before"] = before
        page = body_of(client.get(f"/v1/actors/{actor}/history", params=params), 200, "HTTP-007.4")
        steps += len(page["steps"])
        before = page["next"]
        if before is None:
            return steps


def check_transitions_counted(found: Scrape, steps: int, what: str) -> float | None:
    """``gritwit_transitions_total`` of ``found``, scraped once settled, counts ``steps``
    (HTTP-014.1: the counter is served; HTTP-014.2: each adopted step once); ``what``
    says in words where the steps come from; the counter's value is returned."""
    transitions = found.value("gritwit_transitions_total")
    check(
        "HTTP-014.1",
        transitions is not None,
        expected="a counter named gritwit_transitions_total",
        came="no metric of that name",
        what="GET /metrics once settled",
    )
    check_equal(
        "HTTP-014.2", float(steps), transitions, f"gritwit_transitions_total once settled: {what}"
    )
    return transitions


def _actors(client: httpx.Client) -> list[dict[str, Any]]:
    answer = body_of(client.get("/v1/actors", params={"limit": 10_000}), 200, "HTTP-007.1")
    return list(answer["actors"])


def _refs(client: httpx.Client) -> list[dict[str, str]]:
    return list(body_of(client.get("/v1/refs"), 200, "HTTP-009.3")["refs"])


@pytest.mark.smoke
@pytest.mark.req("HTTP-014.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_the_metrics_have_the_fixed_names_and_types(http: httpx.Client) -> None:
    actor = counter(http)
    inc(http, actor)
    settle(http)
    found = scrape(http)
    for name, kind in NAMES.items():
        shown_as = found.types.get(name) or found.types.get(name.removesuffix("_total"))
        check(
            "HTTP-014.1",
            shown_as == kind,
            expected=f"the type {kind}",
            came=lambda: f"{describe(shown_as)} (types served: {describe(sorted(found.types))})",  # noqa: B023 - called at once
            what=f"the metric {name}",
        )
    for name in (
        "gritwit_transitions_total",
        "gritwit_fuel_consumed_total",
        "gritwit_pending_messages",
        "gritwit_resident_actors",
    ):
        check(
            "HTTP-014.1",
            found.value(name) is not None,
            expected=f"a sample named {name} without labels",
            came=lambda: f"none (samples of {sorted({n for n, _ in found.samples})})",
            what="GET /metrics",
        )
    for name in ("gritwit_commit_seconds", "gritwit_step_commit_seconds"):
        infinite = found.value(f"{name}_bucket", le="+Inf")
        count = found.value(f"{name}_count")
        check(
            "HTTP-014.1",
            infinite is not None and count is not None and infinite == count,
            expected="a histogram: its +Inf bucket and its count served and equal",
            came=f"the +Inf bucket {describe(infinite)} and the count {describe(count)}",
            what=f"the metric {name}",
        )
        check(
            "HTTP-014.1",
            found.value(f"{name}_sum") is not None,
            expected=f"a sample {name}_sum",
            came="none",
            what=f"the histogram {name}",
        )


@pytest.mark.req("HTTP-014.1", "HTTP-014.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1", "RUN-004.4")
@pytest.mark.req("HTTP-005.7", "HTTP-007.1", "HTTP-007.4", "HTTP-009.3")  # its checks name them too
def test_the_counts_agree_with_the_histories_once_settled(http: httpx.Client) -> None:
    counters = [counter(http, str(n)) for n in range(3)]
    first = scrape(http)  # nothing run yet but what has run: counted from the start
    for actor in counters:
        inc(http, actor)
    batch = [{"to": counters[0], "mt": "inc", "content": {"blob": b"2".hex()}} for _ in range(5)]
    body_of(http.post("/v1/messages", json={"messages": batch}), 202, "HTTP-005.7")
    broken = str(create(http, test="updater")["actor"])
    send(http, broken, {"blob": b"no-such-test-actor".hex()}, mt="set-code")
    settle(http)
    for _ in range(2):  # the first fails five times and marks it failed; both stay pending
        send(http, broken, {"blob": ""}, mt="poke")
    settle(http)
    refs = _refs(http)
    found = scrape(http)
    again = scrape(http)
    check_equal(
        "HTTP-014.2", refs, _refs(http), "the refs after two scrapes (a scrape writes none)"
    )
    actors = _actors(http)
    steps = sum(_history_length(http, entry["actor"]) for entry in actors)
    transitions = check_transitions_counted(
        found, steps, f"the steps the histories of the {len(actors)} actors hold"
    )
    check_equal(
        "HTTP-014.2",
        transitions,
        again.value("gritwit_transitions_total"),
        "gritwit_transitions_total of a second scrape, nothing run between",
    )
    check(
        "HTTP-014.2",
        (first.value("gritwit_transitions_total") or 0) <= steps,
        expected=f"at most {steps}, the steps once settled",
        came=first.value("gritwit_transitions_total"),
        what="gritwit_transitions_total of a scrape before the sends",
    )
    check_equal(
        "HTTP-014.2",
        2.0,
        found.value("gritwit_pending_messages"),
        "gritwit_pending_messages once settled: the two pokes to the actor marked failed, "
        "the only messages left unread",
    )
    mark = next(entry["failed"] for entry in actors if entry["actor"] == broken)
    check_type(
        "RUN-004.4",
        mark,
        dict,
        expected="a failed mark on the updater set to a missing code",
        what=f"the entry of {broken}",
    )
    check_equal(
        ("HTTP-014.1", "RUN-004.4"),
        {mark.get("class"): 5.0},
        found.labelled("gritwit_failures_total", "class"),
        "gritwit_failures_total by class: the one actor marked failed after five attempts",
    )
    commits = found.value("gritwit_commit_seconds_count") or 0
    requests = len(counters) * 2 + 1 + 2 + 2  # creations, sends, the batch, the pokes
    check(
        "HTTP-014.1",
        1 <= commits <= requests,
        expected=f"between 1 and {requests}, the requests that sent",
        came=commits,
        what="the commits gritwit_commit_seconds counts",
    )
    step_commits = found.value("gritwit_step_commit_seconds_count") or 0
    check(
        "HTTP-014.1",
        1 <= step_commits <= steps,
        expected=f"between 1 and {steps}, the steps adopted (a commit holds one at least)",
        came=step_commits,
        what="the commits gritwit_step_commit_seconds counts",
    )
    check_equal(
        "HTTP-014.1",
        0.0,
        found.value("gritwit_fuel_consumed_total"),
        "gritwit_fuel_consumed_total when only test actors ran",
    )


@pytest.mark.profile("http", "wasm")
@pytest.mark.req("HTTP-014.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1", "WASM-019")
def test_fuel_is_counted_once_a_wasm_transition_ran(http: httpx.Client) -> None:
    module = (wasm_dir() / "actors" / "counter.wasm").read_bytes()
    after = _fuel_grows(http, "WASM-019", "Wasm", lambda: create(http, wasm=module.hex()))
    # a counter counts what was consumed: a scrape with nothing run since adds nothing
    again = scrape(http).value("gritwit_fuel_consumed_total") or 0
    check_equal(
        "HTTP-014.1",
        after,
        again,
        "gritwit_fuel_consumed_total scraped again with nothing run since the last scrape",
    )
    # a step that only enters its function costs one unit (WASM-019): counted too
    create(http, wasm=bytes(wasmtime.wat2wasm(EMPTY_STEP)).hex())
    settle(http)
    last = scrape(http).value("gritwit_fuel_consumed_total") or 0
    check(
        ("HTTP-014.1", "WASM-019"),
        last > again,
        expected=f"more than {again} once the genesis of a Wasm actor whose step does nothing "
        "ran (one unit: its function entered)",
        came=last,
        what="gritwit_fuel_consumed_total",
    )


@pytest.mark.profile("http", "sandbox")
@pytest.mark.req("HTTP-014.1", "SBX-006.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_fuel_is_counted_once_a_sandboxed_transition_ran(http: httpx.Client) -> None:
    """HTTP-014.1 counts the fuel of sandboxed transitions as of Wasm ones: none before any
    ran, some once a Python actor's genesis ran, more once its ``inc`` ran, and nothing
    taken back."""
    _fuel_grows(
        http,
        "SBX-006.1",
        "Python",
        lambda: create(http, python=PYTHON_COUNTER, state={"count": b"5".hex()}),
    )


def _fuel_grows(
    http: httpx.Client, clause: str, kind: str, make: Callable[[], dict[str, Any]]
) -> float:
    """HTTP-014.1 over one actor of ``kind`` (``make`` creates it): no fuel counted before
    any transition, some once its genesis ran, more once its ``inc`` ran; the count then."""
    before = scrape(http).value("gritwit_fuel_consumed_total")
    check_equal(
        "HTTP-014.1", 0.0, before, f"gritwit_fuel_consumed_total before any {kind} transition"
    )
    actor = str(make()["actor"])
    settle(http)
    genesis = scrape(http).value("gritwit_fuel_consumed_total") or 0
    check(
        ("HTTP-014.1", clause),
        genesis > 0,
        expected=f"some fuel counted once a {kind} actor's genesis ran",
        came=genesis,
        what="gritwit_fuel_consumed_total",
    )
    inc(http, actor)
    settle(http)
    after = scrape(http).value("gritwit_fuel_consumed_total") or 0
    check(
        ("HTTP-014.1", clause),
        after > genesis,
        expected=f"more than {genesis}, the fuel after the genesis, once the {kind} inc ran",
        came=after,
        what="gritwit_fuel_consumed_total",
    )
    return float(after)
