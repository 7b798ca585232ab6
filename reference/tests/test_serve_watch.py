"""What an operator watches on the reference service: ``GET /metrics`` and the status
page's files and list (HTTP-014).

The numbers are checked against what the tests did and what the store shows, never
against the metrics code: steps counted from the histories, messages left pending by
an actor the test marked failed, attempts from the failed mark (RUN-004.4), resident
actors from the runtime's own door, fuel from a Wasm counter against a test one.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from serve_helpers import (
    WASM_COUNTER,
    Served,
    created,
    error_of,
    send,
    served,
    serving,
    settle,
)
from test_serve_actors import PYTHON_COUNTER

from gritwit._ids import ObjectId
from gritwit.serve import EngineSettings
from gritwit.serve._engine_ops import StateOps
from gritwit.serve._metrics import METRIC_NAMES, ServiceMetrics, failure_class
from gritwit.serve._port import BindName, EnginePort, Operation
from gritwit.serve._watch_api import UI_FILES
from gritwit.wasm import wat_to_wasm
from gritwit.wasm._abi import ABI_LIMITS
from gritwit_conformance.suite.http.test_metrics import Scrape, parse

__all__ = ["served"]

UI = Path(__file__).resolve().parents[1] / "gritwit" / "serve" / "ui"


def scrape(served: Served) -> Scrape:
    answer = served.client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return parse(answer.text)


def history_steps(served: Served, actor: str) -> int:
    answer = served.client.get(f"/v1/actors/{actor}/history", params={"limit": 10_000})
    assert answer.status_code == 200 and answer.json()["next"] is None, answer.text
    return len(answer.json()["steps"])


def make_failed(served: Served, pokes: int = 1) -> str:
    """An updater marked failed, with ``pokes`` messages pending (RUN-004.4)."""
    client = served.client
    actor = created(client, test="updater")
    settle(client)  # its genesis alone: one read before it may take the set-code too
    send(client, actor, mt="set-code", data=b"no-such-test-actor")
    settle(client)
    for _ in range(pokes):
        send(client, actor, mt="poke")
    settle(client)
    return actor


@pytest.mark.req("HTTP-014.1", "HTTP-014.2")
def test_the_metrics_agree_with_the_histories_and_the_failed_mark(served: Served) -> None:
    client = served.client
    empty = scrape(served)
    assert empty.value("gritwit_transitions_total") == 0
    assert empty.labelled("gritwit_failures_total", "class") == {}
    assert empty.value("gritwit_pending_messages") == 0
    assert empty.value("gritwit_resident_actors") == 0
    counters = [
        created(client, test="counter", state={"n": str(n).encode().hex()}) for n in range(3)
    ]
    # Each genesis runs alone first: a genesis read after the send reads the send with it
    # (WIT-012.6), one step where the count below expects two.
    settle(client)
    for actor in counters:
        send(client, actor, data=b"1")
    failed = make_failed(served, pokes=3)
    found = scrape(served)
    steps = sum(history_steps(served, actor) for actor in [*counters, failed])
    assert steps == 3 * 2 + 2  # each counter's genesis and inc; the updater's two
    assert found.value("gritwit_transitions_total") == steps
    mark = client.get(f"/v1/actors/{failed}").json()["failed"]
    assert "5" in mark["reason"]
    assert found.labelled("gritwit_failures_total", "class") == {mark["class"]: 5}
    assert found.value("gritwit_pending_messages") == 3  # the three pokes, never read
    assert found.value("gritwit_resident_actors") == 4  # no eviction: every actor run
    assert found.value("gritwit_fuel_consumed_total") == 0  # test actors burn no fuel
    sends = len(counters) * 2 + 1 + 1 + 3  # creations and sends: a commit each at most
    commits = found.value("gritwit_commit_seconds_count")
    assert commits is not None and 1 <= commits <= sends
    assert (found.value("gritwit_commit_seconds_sum") or 0) > 0
    for name, kind in METRIC_NAMES.items():
        assert found.types[name] == kind


@pytest.mark.req("HTTP-014.1")
def test_fuel_is_what_wasm_transitions_consumed(served: Served) -> None:
    client = served.client
    test_counter = created(client, test="counter")
    send(client, test_counter, data=b"1")
    settle(client)
    assert scrape(served).value("gritwit_fuel_consumed_total") == 0
    actor = created(client, wasm=WASM_COUNTER.read_bytes().hex())
    settle(client)
    genesis = scrape(served).value("gritwit_fuel_consumed_total") or 0
    assert genesis > 0
    send(client, actor, data=b"1")
    settle(client)
    one = (scrape(served).value("gritwit_fuel_consumed_total") or 0) - genesis
    assert one > 0
    send(client, actor, data=b"1")
    settle(client)
    two = (scrape(served).value("gritwit_fuel_consumed_total") or 0) - genesis - one
    assert two == one  # the same transition on the same count's width: the same fuel (WASM-019)
    assert scrape(served).value("gritwit_fuel_consumed_total") == genesis + 2 * one  # no drift


@pytest.mark.req("HTTP-014.1")
def test_fuel_counts_sandboxed_transitions_too(served: Served) -> None:
    client = served.client
    actor = created(client, python=PYTHON_COUNTER, state={"count": b"10".hex()})
    settle(client)
    genesis = scrape(served).value("gritwit_fuel_consumed_total") or 0
    assert genesis > 0  # the genesis ran the interpreter (SBX-006.1)
    send(client, actor)
    settle(client)
    assert (scrape(served).value("gritwit_fuel_consumed_total") or 0) > genesis
    assert served.service.engine.submit(_Fuel()).result(30) == scrape(served).value(
        "gritwit_fuel_consumed_total"
    )  # what the runtime's public door says, no more, no less


#: A step that calls ``msg_count`` until its fuel ends (10 000 units a call, WASM-019).
HOST_CALL_LOOP = (
    '(module (import "gritwit" "msg_count" (func $msg_count (result i32))) '
    '(memory (export "memory") 1) '
    '(func (export "step") (loop $l (drop (call $msg_count)) (br $l))))'
)


@pytest.mark.req("HTTP-014.1", "WASM-019", "WASM-020.1", "RUN-004.4")
def test_fuel_counts_attempts_out_of_fuel_too(served: Served) -> None:
    """HTTP-014.1 lets a service leave out an attempt's fuel that it does not know; the
    reference knows it (the budget's instructions and the host calls, WASM-019) and counts
    each of the five attempts (RUN-004.4): past the budget, short of twice it."""
    client = served.client
    created(client, wasm=wat_to_wasm(HOST_CALL_LOOP).hex())
    settle(client)
    found = scrape(served)
    assert found.labelled("gritwit_failures_total", "class") == {"fuel-exhausted": 5}
    budget = ABI_LIMITS.fuel
    assert 5 * budget < (found.value("gritwit_fuel_consumed_total") or 0) < 5 * 2 * budget


@dataclass(frozen=True, slots=True)
class _Fuel(Operation[int]):
    """The runtime's fuel spent, read in the engine's thread from its public face."""

    def run(self, port: EnginePort) -> int:
        assert isinstance(port, StateOps)
        return port.state.runtime.fuel_spent


@pytest.mark.req("HTTP-014.1", "HTTP-001.2")
def test_a_share_gauges_the_pending_messages_of_its_own_actors(tmp_path: Path) -> None:
    from gritwit._ids import ObjectId
    from gritwit.runtime import Share

    store = tmp_path / "store"
    with serving(store) as everyone:  # every actor gets a head
        actors = [
            created(everyone.client, test="counter", state={"n": f"{n:02x}"}) for n in range(6)
        ]
        settle(everyone.client)
    share = Share(k=0, n=2)
    mine = {a for a in actors if share.owns(ObjectId.from_hex(a))}
    assert 0 < len(mine) < len(actors)
    with serving(store, settings=EngineSettings(share=share)) as one:
        for actor in actors:
            send(one.client, actor, data=b"1")
        settle(one.client)
        assert scrape(one).value("gritwit_pending_messages") == 0  # its own all ran
        listed = one.client.get("/ui/actors.json").json()["actors"]
        assert {e["actor"]: e["pending"] for e in listed} == {
            a: 0 if a in mine else 1 for a in actors
        }  # the page lists every actor, the others' messages waiting for their share


@pytest.mark.req("HTTP-014.1")
def test_two_services_in_one_process_count_their_own(tmp_path: Path) -> None:
    with serving(tmp_path / "a") as one, serving(tmp_path / "b") as other:
        actor = created(one.client, test="counter")
        # settled before the send: a genesis read after the send reads it too, one step
        # where two are counted below (WIT-012.6; under load it came 1 of 2)
        settle(one.client)
        send(one.client, actor, data=b"1")
        settle(one.client)
        settle(other.client)
        deadline = time.monotonic() + 30  # what a run counted is scraped after the run
        while scrape(one).value("gritwit_transitions_total") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert scrape(one).value("gritwit_transitions_total") == 2
        assert scrape(other).value("gritwit_transitions_total") == 0
        assert one.service.metrics.registry is not other.service.metrics.registry


@pytest.mark.req("HTTP-014.1")
def test_residents_fall_when_actors_are_evicted(tmp_path: Path) -> None:
    settings = EngineSettings(max_resident=1)
    with serving(tmp_path / "store", settings=settings) as one:
        for n in range(3):
            created(one.client, test="counter", state={"n": str(n).encode().hex()})
        settle(one.client)
        resident = scrape(one).value("gritwit_resident_actors")
        assert resident is not None and resident <= 1  # RUN-012.3: beyond the bound evicted
        assert scrape(one).value("gritwit_transitions_total") == 3


@pytest.mark.req("HTTP-014.1")
def test_metrics_take_no_parameter_and_a_service_without_them_answers_404(
    served: Served,
) -> None:
    error_of(served.client.get("/metrics?x=1"), 400, "bad-request")
    served.service.state.metrics = None
    error_of(served.client.get("/metrics"), 404, "bad-request")


@pytest.mark.req("HTTP-014.1", "RUN-011.3")
def test_a_failure_without_a_class_is_labelled_failed() -> None:
    from gritwit._errors import Erased, FuelExhausted

    assert failure_class(RuntimeError("x")) == "failed"
    assert failure_class(FuelExhausted("WASM-020.1", "out")) == "fuel-exhausted"
    # the read's class, not the transition's: labelled as the failed mark records it
    assert failure_class(Erased("RUN-011", "gone")) == "failed"
    metrics = ServiceMetrics()
    assert metrics.registry is not ServiceMetrics().registry


@pytest.mark.req("HTTP-014.1", "WASM-019")
def test_the_fuel_counter_adds_what_each_scrape_finds_new_even_one_unit() -> None:
    """HTTP-014.1: each scrape adds the fuel spent since the last, a single unit too, and
    a scrape with nothing spent meanwhile adds nothing."""
    from gritwit.serve._watch import Gauges

    metrics = ServiceMetrics()

    def fuel(spent: int) -> float:
        scraped = parse(metrics.render(Gauges(pending=0, resident=0, fuel=spent)).decode())
        return scraped.value("gritwit_fuel_consumed_total") or 0.0

    assert [fuel(n) for n in (0, 1, 1, 5, 6, 6)] == [0.0, 1.0, 1.0, 5.0, 6.0, 6.0]


# --- the status page's files and its list (HTTP-014.3) ----------------------------------


@pytest.mark.req("HTTP-014.3")
def test_the_page_and_its_files_are_served_from_the_package(served: Served) -> None:
    client = served.client
    for path in ("/ui", "/ui/"):
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in page.headers["content-security-policy"]
    for name, media in UI_FILES.items():
        answer = client.get(f"/ui/{name}")
        assert answer.status_code == 200 and answer.headers["content-type"] == media
        assert answer.content == (UI / name).read_bytes()
    assert sorted(UI_FILES) == sorted(p.name for p in UI.iterdir())
    for wrong in ("/ui/nothing.js", "/ui/..%2Fapp.py", "/ui/index.html", "/ui/app.js/x", "/uix"):
        assert client.get(wrong).status_code == 404, wrong
    error_of(client.post("/ui/"), 405, "bad-request")


@pytest.mark.req("HTTP-014.3")
def test_the_page_loads_nothing_from_another_origin(served: Served) -> None:
    """No URL with a scheme or a host in the page's files but the links to this spec;
    every page the service renders loads its files from its own paths alone."""
    for name in UI_FILES:
        text = (UI / name).read_text(encoding="utf-8")
        for found in re.finditer(r"(?:[a-z][a-z0-9+.-]*:)?//[^\s\"'`)]+", text, re.I):
            assert found.group(0).startswith("//"), (name, found.group(0))  # a comment
        assert "@import" not in text and "<iframe" not in text, name
    actor = created(served.client, test="counter")
    for path in ("/ui/", f"/ui/actor/{actor}", "/ui/actor/" + "0" * 64):
        html = served.client.get(path).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources and all(s.startswith("/") for s in sources), (path, sources)
        assert "<style" not in html and " style=" not in html, path  # CSP: no inline style


@pytest.mark.req("HTTP-014.3")
def test_the_pages_list_has_each_actors_pending_count_and_name(served: Served) -> None:
    client = served.client
    fine = created(client, test="counter")
    failed = make_failed(served, pokes=2)
    # No request moves a ref (HTTP-009.3): a name is set in the store, here by the engine.
    served.service.engine.submit(BindName("shop-cart", ObjectId.from_hex(fine))).result(30)
    listed = client.get("/ui/actors.json").json()
    assert listed["total"] == 2 and listed["failed"] == 1
    by_actor = {entry["actor"]: entry for entry in listed["actors"]}
    mark = client.get(f"/v1/actors/{failed}").json()["failed"]
    assert by_actor[failed]["failed"] == {"class": mark["class"], "attempts": 5, "genesis": False}
    assert by_actor[failed]["pending"] == 2 and by_actor[fine]["pending"] == 0
    assert by_actor[fine]["failed"] is None and by_actor[fine]["name"] == "shop-cart"
    assert by_actor[failed]["status"] == "failed" and by_actor[fine]["status"] == "ok"
    assert by_actor[failed]["name"] is None
    assert [e["actor"] for e in listed["actors"]] == sorted(by_actor)
    assert len(client.get("/ui/actors.json?limit=1").json()["actors"]) == 1
    assert client.get("/ui/actors.json?limit=10000").status_code == 200
    for bad in (
        "limit=0",
        "limit=10001",
        "limit=x",
        "limit=%C2%B2",
        "limit=1" + "0" * 4999,
        "other=1",
    ):
        error_of(client.get(f"/ui/actors.json?{bad}"), 400, "bad-request")
