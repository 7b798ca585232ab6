"""Creating actors: ``POST /v1/actors`` (HTTP-004).

A test actor's id is its core's (WIT-002), built as ``wit-genesis`` builds it (ADP-014):
the suite computes it, and the genesis message's id (WIT-012.1: the first message the
outside sends that actor has no ``previous``, WIT-004). A second creation of an existing
actor answers ``existed`` and sends nothing: the next send's ``previous`` is still the
first genesis. Wasm modules (``conformance/wasm/actors``) and sandboxed Python programs
are created as the ``wasm`` and ``sandbox`` profiles create them, and only where the
adapter claims those profiles too.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import gritwit as g
from gritwit_conformance.data._paths import wasm_dir
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal
from ._api import (
    PYTHON_COUNTER,
    blob_id,
    body_of,
    core_of,
    count_of,
    create,
    expect_error,
    genesis_id,
    head_of,
    inc,
    next_previous,
    object_of,
    settle,
)
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

TEST_ACTORS = ("echo", "counter", "fanout", "spawner", "updater", "failing", "budget", "requester")


def put(client: httpx.Client, obj: g.GritObject) -> str:
    """``POST /v1/objects`` of ``obj``'s canonical encoding: its id (HTTP-009.2)."""
    response = client.post(
        "/v1/objects",
        content=g.encode_object(obj),
        headers={"Content-Type": "application/cbor"},
    )
    answer = body_of(response, 201, "HTTP-009.2")
    expected = g.object_id(obj).hex()
    check_equal("HTTP-009.2", {"id": expected}, answer, "POST /v1/objects: the object's id")
    return expected


@pytest.mark.smoke
@pytest.mark.parametrize("name", TEST_ACTORS)
@pytest.mark.req("HTTP-004.1", "HTTP-004.2")
@pytest.mark.req("HTTP-002.1")
def test_a_test_actor_is_created_with_its_core_id(http: httpx.Client, name: str) -> None:
    answer = create(http, test=name)
    actor = g.object_id(core_of(name)).hex()
    check_equal(
        "HTTP-004.2",
        {"actor": actor, "message": genesis_id(actor), "existed": False},
        answer,
        f"creating test actor {name}: its core's id and its genesis message",
    )
    core = object_of(http, actor, "HTTP-004.2: the core is stored")
    check_equal("HTTP-004.2", g.object_to_json(core_of(name)), core, f"the stored core of {name}")


@pytest.mark.req("HTTP-004.1", "HTTP-004.2")
@pytest.mark.req("HTTP-002.1", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_state_entries_are_blobs_of_the_core(http: httpx.Client) -> None:
    state = {"count": b"41".hex(), "note": b"\x00\xff".hex(), "empty": ""}
    answer = create(http, test="counter", state=state)
    check_equal(
        "HTTP-004.1",
        g.object_id(core_of("counter", state)).hex(),
        answer["actor"],
        "the id of a counter created with state (its core holds the state's blobs)",
    )
    for data in state.values():
        blob = object_of(http, blob_id(bytes.fromhex(data)), "HTTP-004.2: state blobs are stored")
        check_equal(
            "HTTP-004.2",
            {"data": data, "headers": {}},
            {"data": blob.get("data"), "headers": blob.get("headers")},
            "a stored state blob: its data and no headers",
        )
    inc(http, answer["actor"])
    settle(http)
    check_equal(
        "HTTP-004.2",
        42,
        count_of(http, answer["actor"]),
        "the count of a counter created with count 41 and sent 1",
    )


@pytest.mark.req("HTTP-004.2", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-005.2", "HTTP-011.1")
def test_creating_twice_answers_existed_and_sends_nothing(http: httpx.Client) -> None:
    first = create(http, test="counter")
    settle(http)
    again = create(http, test="counter")
    check_equal(
        "HTTP-004.2",
        {"actor": first["actor"], "message": None, "existed": True},
        again,
        "creating an existing actor again: existed, message null",
    )
    check_equal(
        ("HTTP-004.2", "HTTP-003.3"),
        first["message"],
        next_previous(http, first["actor"]),
        "the previous of the next send after a second creation: the first genesis (the "
        "second creation sent nothing)",
    )


@pytest.mark.req("HTTP-004.2")
@pytest.mark.req("HTTP-002.1", "HTTP-011.1", "WIT-004")
def test_existed_only_once_a_head_is_set(http: httpx.Client) -> None:
    """E is whether ``heads/<A>`` named a step: a failing actor never gets one (WIT-024), so
    a second creation sends a second genesis, chained onto the first (WIT-004)."""
    first = create(http, test="failing")
    settle(http)
    again = create(http, test="failing")
    actor = first["actor"]
    check(
        "HTTP-004.2",
        again["existed"] is False and again["message"] is not None,
        expected="existed false and a new genesis message (a failing actor has no head)",
        came=again,
        what=f"creating the failing actor {actor} a second time",
    )
    message = object_of(http, again["message"])
    check_equal(
        ("HTTP-004.2", "WIT-004"),
        first["message"],
        message.get("previous"),
        f"the previous of the second genesis to {actor}: the first genesis",
    )


@pytest.mark.req("HTTP-004.1", "HTTP-004.2", "HTTP-009.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_a_core_of_the_store_is_created(http: httpx.Client) -> None:
    wit = g.Blob(data=b"echo", headers={"runtime": "test-actor"})
    core = g.Tree(entries={"wit": g.object_id(wit), "tag": g.object_id(g.Blob(data=b"c"))})
    put(http, wit)
    put(http, g.Blob(data=b"c"))
    actor = put(http, core)
    answer = create(http, core=actor)
    check_equal(
        "HTTP-004.2",
        {"actor": actor, "message": genesis_id(actor), "existed": False},
        answer,
        f"creating the stored core {actor}",
    )
    settle(http)
    check(
        "HTTP-004.2",
        head_of(http, actor) is not None,
        expected="a head once the stored core's genesis ran",
        came="no head (404)",
        what=f"heads/{actor} after settle",
    )


@pytest.mark.req("HTTP-004.3", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1")
@pytest.mark.req("CONV-004")
def test_a_core_not_in_the_store_is_404(http: httpx.Client) -> None:
    absent = g.object_id(core_of("echo", {"never": "00"})).hex()
    expect_error(http.post("/v1/actors", json={"core": absent}), 404, "not-found", "HTTP-004.3")


@pytest.mark.req("HTTP-004.3", "HTTP-003.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-009.2")
@pytest.mark.req("CONV-004")
def test_a_core_that_is_a_blob_is_404(http: httpx.Client) -> None:
    blob = put(http, g.Blob(data=b"not a tree"))
    expect_error(http.post("/v1/actors", json={"core": blob}), 404, "not-found", "HTTP-004.3")


#: Cores breaking WIT-001's structure (WIT-012.4, WIT-029.1): class invalid-genesis or
#: invalid-transition, which the two clauses name for a core without a good ``wit``.
BAD_CORES: dict[str, dict[str, g.GritObject]] = {
    "no-wit": {"state": g.Blob(data=b"x")},
    "wit-a-tree": {"wit": g.Tree(entries={"x": g.object_id(g.Blob(data=b"x"))})},
    "no-runtime": {"wit": g.Blob(data=b"echo", headers={"kind": "test-actor"})},
}


@pytest.mark.parametrize("bad", list(BAD_CORES))
@pytest.mark.req("HTTP-004.3", "HTTP-003.2", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-005.2", "HTTP-009.2")
@pytest.mark.req("CONV-004")
def test_a_core_breaking_the_new_core_rules_is_422(http: httpx.Client, bad: str) -> None:
    put(http, g.Blob(data=b"x"))
    for part in BAD_CORES[bad].values():
        put(http, part)
    entries = {name: g.object_id(part) for name, part in BAD_CORES[bad].items()}
    actor = put(http, g.Tree(entries=entries))
    response = http.post("/v1/actors", json={"core": actor})
    expect_error(response, 422, ("invalid-genesis", "invalid-transition"), f"HTTP-004.3 ({bad})")
    check_equal(
        "HTTP-003.3",
        None,
        next_previous(http, actor),
        f"the previous of the first send after the refused creation of {actor} ({bad}): "
        "none (the refusal sent no genesis)",
    )


@pytest.mark.req("HTTP-004.2")
@pytest.mark.req("HTTP-002.1", "HTTP-009.2")
def test_a_core_of_an_unknown_runtime_is_created(http: httpx.Client) -> None:
    """A ``wit`` of an unknown runtime is a well-formed core (WIT-012.4): created, 201."""
    wit = g.Blob(data=b"?", headers={"runtime": "no-such-runtime"})
    put(http, wit)
    actor = put(http, g.Tree(entries={"wit": g.object_id(wit)}))
    check_equal(
        "HTTP-004.2",
        False,
        create(http, core=actor)["existed"],
        "existed of creating a core of an unknown runtime",
    )


@pytest.mark.req("HTTP-004.3", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1")
@pytest.mark.req("CONV-004")
def test_an_unknown_test_actor_is_422_unknown_wit(http: httpx.Client) -> None:
    expect_error(
        http.post("/v1/actors", json={"test": "no-such-actor"}), 422, "unknown-wit", "HTTP-004.3"
    )


#: Bodies breaking HTTP-004.1's "exactly one of", or its state: refused before anything.
BAD_CREATIONS: dict[str, dict[str, Any]] = {
    "none": {},
    "only-state": {"state": {}},
    "test-and-core": {"test": "echo", "core": "00" * 32},
    "test-and-wasm": {"test": "echo", "wasm": "0061736d01000000"},
    "core-with-state": {"core": "00" * 32, "state": {}},
    "state-with-wit": {"test": "counter", "state": {"wit": "00"}},
    "state-not-hex": {"test": "counter", "state": {"count": "1"}},
    "state-upper-hex": {"test": "counter", "state": {"count": "3A"}},
    "state-a-list": {"test": "counter", "state": ["count"]},
    "test-a-number": {"test": 7},
    "core-a-number": {"core": 7},
    "core-null": {"core": None},
    "core-a-list": {"core": ["00" * 32]},
}


@pytest.mark.parametrize("name", list(BAD_CREATIONS))
@pytest.mark.req("HTTP-004.1", "HTTP-002.3", "HTTP-003.1")
@pytest.mark.req("HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_a_malformed_creation_is_400(http: httpx.Client, name: str) -> None:
    """The spec names no class for these shapes but the body's own (HTTP-002.3): a 400."""
    response = http.post("/v1/actors", json=BAD_CREATIONS[name])
    expect_error(response, 400, ("bad-request", "invalid-object"), f"HTTP-004.1 ({name})")


@pytest.mark.parametrize("name", ["counter", "echo"])
@pytest.mark.profile("http", "wasm")
@pytest.mark.req("HTTP-004.1", "HTTP-004.2")
@pytest.mark.req(
    "HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-005.2", "HTTP-006.1", "HTTP-009.3", "HTTP-011.1"
)
@pytest.mark.req("CONV-004")
def test_a_wasm_actor_is_created_and_runs(http: httpx.Client, name: str) -> None:
    module = (wasm_dir() / "actors" / f"{name}.wasm").read_bytes()
    answer = create(http, wasm=module.hex())
    wit = g.Blob(data=module, headers={"runtime": "wasm", "abi": "1"})
    actor = g.object_id(g.Tree(entries={"wit": g.object_id(wit)})).hex()
    check_equal(
        "HTTP-004.2",
        {"actor": actor, "message": genesis_id(actor), "existed": False},
        answer,
        f"creating the Wasm {name}: its core's id and its genesis",
    )
    if name == "counter":
        inc(http, actor, 3)
        inc(http, actor)
        settle(http)
        check_equal("HTTP-004.1", 4, count_of(http, actor), "the Wasm counter's count of 3 + 1")
    else:
        settle(http)
        check(
            "HTTP-004.1",
            head_of(http, actor) is not None,
            expected="a head once the Wasm echo ran its genesis",
            came="no head (404)",
            what=f"heads/{actor} after settle",
        )


@pytest.mark.profile("http", "sandbox")
@pytest.mark.req("HTTP-004.1", "HTTP-004.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-005.2", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_a_python_actor_is_created_and_runs(http: httpx.Client, impl: Implementation) -> None:
    interpreter = str(call_ok(impl, "HTTP-004.1", "sandbox-info").get("interpreter"))
    answer = create(http, python=PYTHON_COUNTER, state={"count": b"5".hex()})
    wit = g.Blob(
        data=PYTHON_COUNTER.encode(),
        headers={"interpreter": interpreter, "runtime": "python-wasi", "sandbox": "1"},
    )
    core = g.Tree(entries={"wit": g.object_id(wit), "count": g.object_id(g.Blob(data=b"5"))})
    actor = g.object_id(core).hex()
    check_equal(
        "HTTP-004.2",
        {"actor": actor, "message": genesis_id(actor), "existed": False},
        answer,
        "creating the Python counter: its core's id and its genesis",
    )
    inc(http, actor, 2)
    settle(http)
    head = head_of(http, actor)
    check(
        "HTTP-004.1",
        head is not None,
        expected="a head once the Python actor ran",
        came="no head (404)",
        what=f"heads/{actor} after settle",
    )
    entries = object_of(http, object_of(http, str(head))["core"])["entries"]
    count = object_of(http, entries["count"])["data"]
    check_equal("HTTP-004.1", b"7".hex(), count, "the Python counter's count entry (5 + 2, hex)")
