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
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from gritwit_conformance.data._paths import wasm_dir

from ._api import body_of, counter, create, inc, send, settle, shown
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

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
            assert found, f"HTTP-014.1: {line!r} is no sample of the text format"
            name, labels, value = found.groups()
            pairs = frozenset(_LABEL.findall(labels or ""))
            scrape.samples[(name, pairs)] = float(value)
    return scrape


def scrape(client: httpx.Client) -> Scrape:
    """``GET /metrics``, parsed; skips the test where the service serves none."""
    response = client.get("/metrics")
    if response.status_code == 404:
        pytest.skip("HTTP-014.1: this service serves no metrics (an optional endpoint)")
    assert response.status_code == 200, f"HTTP-014.1: GET /metrics answers {shown(response)}"
    kind = response.headers.get("content-type", "")
    assert kind.startswith("text/plain") and "version=0.0.4" in kind.replace(" ", ""), (
        f"HTTP-014.1: GET /metrics answers the media type {kind!r}, not text/plain; version=0.0.4"
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
        assert shown_as == kind, (
            f"HTTP-014.1: the metric {name} is typed {shown_as!r}, not {kind!r} "
            f"(types served: {sorted(found.types)})"
        )
    for name in ("gritwit_transitions_total", "gritwit_fuel_consumed_total"):
        assert found.value(name) is not None, f"HTTP-014.1: no sample named {name}"
    for name in ("gritwit_pending_messages", "gritwit_resident_actors"):
        assert found.value(name) is not None, f"HTTP-014.1: no sample named {name}"
    for name in ("gritwit_commit_seconds", "gritwit_step_commit_seconds"):
        infinite = found.value(f"{name}_bucket", le="+Inf")
        count = found.value(f"{name}_count")
        assert infinite is not None and count is not None and infinite == count, (
            f"HTTP-014.1: {name} is no histogram: its +Inf bucket "
            f"({infinite}) and its count ({count}) must be served and equal"
        )
        assert found.value(f"{name}_sum") is not None


@pytest.mark.req("HTTP-014.1", "HTTP-014.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1", "RUN-004.4")
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
    assert _refs(http) == refs, "HTTP-014.2: reading the metrics wrote to the store"
    actors = _actors(http)
    steps = sum(_history_length(http, entry["actor"]) for entry in actors)
    transitions = found.value("gritwit_transitions_total")
    assert transitions == steps, (
        f"HTTP-014.2: gritwit_transitions_total is {transitions} once settled; the "
        f"histories of the {len(actors)} actors hold {steps} steps"
    )
    assert again.value("gritwit_transitions_total") == transitions
    assert (first.value("gritwit_transitions_total") or 0) <= transitions
    pending = found.value("gritwit_pending_messages")
    assert pending == 2, (
        f"HTTP-014.2: gritwit_pending_messages is {pending}; the two pokes to the actor "
        "marked failed are the only messages left unread"
    )
    mark = next(entry["failed"] for entry in actors if entry["actor"] == broken)
    by_class = found.labelled("gritwit_failures_total", "class")
    assert by_class == {mark["class"]: 5}, (
        f"HTTP-014.1: gritwit_failures_total is {by_class}; the one actor that failed was "
        f"marked failed after five attempts failing {mark['class']!r} (RUN-004.4)"
    )
    commits = found.value("gritwit_commit_seconds_count") or 0
    requests = len(counters) * 2 + 1 + 2 + 2  # creations, sends, the batch, the pokes
    assert 1 <= commits <= requests, (
        f"HTTP-014.1: gritwit_commit_seconds counts {commits} commits of the {requests} "
        "requests that sent"
    )
    step_commits = found.value("gritwit_step_commit_seconds_count") or 0
    assert 1 <= step_commits <= transitions, (
        f"HTTP-014.1: gritwit_step_commit_seconds counts {step_commits} commits of the "
        f"{transitions} steps adopted: each commit holds one step at least"
    )
    assert found.value("gritwit_fuel_consumed_total") == 0, (
        "HTTP-014.1: gritwit_fuel_consumed_total is not 0, yet only test actors ran"
    )


@pytest.mark.profile("http", "wasm")
@pytest.mark.req("HTTP-014.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1", "WASM-019")
def test_fuel_is_counted_once_a_wasm_transition_ran(http: httpx.Client) -> None:
    before = scrape(http).value("gritwit_fuel_consumed_total")
    assert before == 0, f"HTTP-014.1: fuel {before} before any Wasm transition ran"
    module = (wasm_dir() / "actors" / "counter.wasm").read_bytes()
    actor = str(create(http, wasm=module.hex())["actor"])
    settle(http)
    genesis = scrape(http).value("gritwit_fuel_consumed_total") or 0
    assert genesis > 0, "HTTP-014.1: a Wasm genesis ran, and no fuel was counted (WASM-019)"
    inc(http, actor)
    settle(http)
    after = scrape(http).value("gritwit_fuel_consumed_total") or 0
    assert after > genesis, (
        f"HTTP-014.1: a Wasm inc ran, and the fuel counted stayed {after} (WASM-019)"
    )
