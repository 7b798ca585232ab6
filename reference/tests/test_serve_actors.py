"""Actors over HTTP: create, send, query, list, inspect, clear a failed mark.

HTTP-004 … HTTP-007 and HTTP-012.2 against a real uvicorn on 127.0.0.1, driven by
httpx: a test counter, a Wasm counter (``conformance/wasm/actors/counter.wasm``) and a
sandboxed Python actor are created, sent messages, settled and queried.
"""

from __future__ import annotations

import json

import pytest
from serve_helpers import (
    WASM_COUNTER,
    Served,
    count,
    created,
    error_of,
    send,
    served,
    settle,
)

from gritwit import Blob, Tree, encode_object, object_id
from gritwit.wit import test_actor_core

__all__ = ["served"]

PAGE = "\ufeff \n<!DOCTYPE html><html><body><h1>hello</h1></body></html>"
#: A sandboxed program that counts the messages of mt "inc" in its file ``count``.
PYTHON_COUNTER = (
    "import json, os\n"
    "messages = json.load(open('/input/transition.json'))['messages']\n"
    "n = int(open('count').read()) if os.path.exists('count') else 0\n"
    "n += sum(m['headers'].get('mt') == 'inc' for m in messages)\n"
    "open('count', 'w').write(str(n))\n"
)


@pytest.mark.req("HTTP-004.1", "HTTP-004.2", "HTTP-005.1", "HTTP-005.2", "HTTP-006.1")
def test_a_test_counter_and_a_wasm_counter_count_what_they_are_sent(served: Served) -> None:
    client = served.client
    answer = client.post("/v1/actors", json={"test": "counter"})
    assert answer.status_code == 201
    body = answer.json()
    core, _ = test_actor_core("counter")
    assert body["actor"] == object_id(core).hex() and body["existed"] is False
    assert client.get(f"/v1/objects/{body['message']}").json()["headers"] == {"mt": "genesis"}
    wasm = created(client, wasm=WASM_COUNTER.read_bytes().hex())
    for actor in (body["actor"], wasm):
        for amount in (b"", b"2", b"3"):
            sent = send(client, actor, data=amount)
            assert sent.status_code == 202 and sent.json()["replayed"] is False
    settle(client)
    assert count(client, body["actor"]) == 6 and count(client, wasm) == 6
    answer = client.get(f"/v1/actors/{wasm}/queries/count")
    assert answer.headers["grit-answer-form"] == "json"
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["grit-answer"] == object_id(Blob(data=b"6")).hex()


@pytest.mark.req("HTTP-004.2")
def test_creating_an_existing_actor_sends_nothing(served: Served) -> None:
    actor = created(served.client, test="echo")
    settle(served.client)
    again = served.client.post("/v1/actors", json={"test": "echo"})
    assert again.status_code == 201
    assert again.json() == {"actor": actor, "message": None, "existed": True}


@pytest.mark.req("HTTP-004.1", "HTTP-004.3")
def test_a_core_of_the_store_is_created_by_its_id(served: Served) -> None:
    core, objects = test_actor_core("counter", {"count": Blob(data=b"41")})
    for obj in objects:
        stored = served.client.post(
            "/v1/objects",
            content=encode_object(obj),
            headers={"content-type": "application/cbor"},
        )
        assert stored.status_code == 201, stored.text
    actor = created(served.client, core=object_id(core).hex())
    send(served.client, actor)
    settle(served.client)
    assert count(served.client, actor) == 42
    absent = Tree(entries={"y": object_id(objects[1])})
    error_of(
        served.client.post("/v1/actors", json={"core": object_id(absent).hex()}), 404, "not-found"
    )
    blob = served.client.post("/v1/actors", json={"core": object_id(objects[1]).hex()})
    error_of(blob, 404, "not-found")  # a blob, not a tree
    no_wit = Tree(entries={"x": object_id(objects[1])})
    served.client.post(
        "/v1/objects", content=encode_object(no_wit), headers={"content-type": "application/cbor"}
    )
    refused = served.client.post("/v1/actors", json={"core": object_id(no_wit).hex()})
    error_of(refused, 422, "invalid-genesis")


@pytest.mark.req("HTTP-004.1", "HTTP-004.3", "HTTP-002.3", "HTTP-002.4", "HTTP-003.3")
@pytest.mark.parametrize(
    ("body", "status", "error_class"),
    [
        ({"test": "no-such-actor"}, 422, "unknown-wit"),
        ({}, 400, "bad-request"),
        ({"test": "counter", "wasm": "00"}, 400, "bad-request"),
        ({"core": "ab" * 32, "state": {}}, 400, "bad-request"),
        ({"test": "counter", "state": {"wit": "00"}}, 400, "bad-request"),
        ({"test": "counter", "state": {"n": "0g"}}, 400, "bad-request"),
        ({"test": "counter", "state": []}, 400, "bad-request"),
        ({"wasm": "ABCD"}, 400, "bad-request"),
        ({"core": "xyz"}, 400, "invalid-id"),
        ({"test": "counter", "extra": 1}, 400, "bad-request"),
        ({"test": "counter", "state": {"": "00"}}, 400, "invalid-name"),
    ],
)
def test_bodies_that_make_no_core_are_refused(
    served: Served, body: dict[str, object], status: int, error_class: str
) -> None:
    error_of(served.client.post("/v1/actors", json=body), status, error_class)
    assert served.client.get("/v1/refs", params={"prefix": "heads/"}).json() == {"refs": []}
    assert served.client.get("/v1/refs", params={"prefix": "names/outside"}).json() == {"refs": []}


@pytest.mark.req("HTTP-004.1", "HTTP-006.3", "HTTP-009.1")
def test_a_sandboxed_python_counter_runs_and_answers_no_query(served: Served) -> None:
    client = served.client
    actor = created(client, python=PYTHON_COUNTER, state={"count": b"10".hex()})
    for _ in range(3):
        assert send(client, actor).status_code == 202
    settle(client)
    error_of(client.get(f"/v1/actors/{actor}/queries/count"), 404, "unknown-query")
    error_of(client.get(f"/v1/actors/{actor}/openapi.json"), 404, "unknown-query")
    head = client.get(f"/v1/actors/{actor}").json()["head"]
    core = client.get(f"/v1/objects/{head}").json()["core"]
    entry = client.get(f"/v1/objects/{core}").json()["entries"]["count"]
    assert bytes.fromhex(client.get(f"/v1/objects/{entry}").json()["data"]) == b"13"


@pytest.mark.req("HTTP-006.1", "HTTP-006.2")
def test_an_answer_holding_html_is_served_as_a_page(served: Served) -> None:
    client = served.client
    for kind in ({"test": "counter"}, {"wasm": WASM_COUNTER.read_bytes().hex()}):
        actor = created(client, **kind, state={"count": PAGE.encode().hex()})
        settle(client)
        page = client.get(f"/v1/actors/{actor}/queries/count")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["grit-answer-form"] == "html"
        assert page.content == PAGE.encode()
        raw = client.get(f"/v1/actors/{actor}/queries/count", params={"form": "raw"})
        assert raw.headers["content-type"] == "application/cbor"
        assert raw.content == encode_object(Blob(data=PAGE.encode()))
        assert raw.headers["grit-answer"] == page.headers["grit-answer"]


@pytest.mark.req("HTTP-006.1", "HTTP-006.3", "HTTP-015.1")
def test_other_answers_are_json_or_described(served: Served) -> None:
    client = served.client
    odd = bytes([0, 1, 2, 0xFF])
    actor = created(client, test="counter", state={"count": odd.hex()})
    settle(client)
    answer = client.get(f"/v1/actors/{actor}/queries/count")
    assert answer.headers["grit-answer-form"] == "blob"
    assert answer.json() == {"type": "blob", "headers": {}, "data": odd.hex()}
    wut = client.get(f"/v1/actors/{actor}/queries/wut")
    assert wut.headers["grit-answer-form"] == "json"
    assert json.loads(wut.content)["name"] == "counter"
    error_of(client.get(f"/v1/actors/{actor}/queries/nothing"), 404, "unknown-query")
    error_of(client.get(f"/v1/actors/{'ab' * 32}/queries/count"), 404, "not-found")
    error_of(client.get(f"/v1/actors/{actor}/queries/count?form=pretty"), 400, "bad-request")
    # not an id, and not a name either (HTTP-015.1, RUN-026.1)
    error_of(client.get("/v1/actors/ABC/queries/count"), 400, "invalid-ref-name")
    head = client.get(f"/v1/refs/heads/{actor}").json()["target"]
    assert client.get(f"/v1/refs/heads/{actor}").json()["target"] == head  # no step made


def _make_failed(served: Served) -> str:
    """An actor with a head whose next transitions all fail: it is marked failed."""
    client = served.client
    actor = created(client, test="updater")
    send(client, actor, mt="set-code", data=b"failing")
    settle(client)
    send(client, actor, mt="anything")
    settle(client)
    return actor


@pytest.mark.req("HTTP-007.1", "HTTP-007.2", "HTTP-007.3", "HTTP-007.5")
def test_a_failed_actor_is_listed_failed_and_runs_again_once_cleared(served: Served) -> None:
    client = served.client
    fine = created(client, test="counter")
    failed = _make_failed(served)
    entry = client.get(f"/v1/actors/{failed}").json()
    assert entry["failed"]["class"] == "failed" and "5" in entry["failed"]["reason"]
    assert entry["busy"] is True  # its message is pending still (RUN-004.2)
    assert client.get(f"/v1/actors/{fine}").json()["failed"] is None
    listed = client.get("/v1/actors", params={"failed": "true"}).json()
    assert [a["actor"] for a in listed["actors"]] == [failed]
    assert [a["actor"] for a in client.get("/v1/actors?busy=false").json()["actors"]] == [fine]
    mark = client.get(f"/v1/refs/names/failed/{failed}").json()["target"]
    assert client.delete(f"/v1/actors/{failed}/failed").json() == {"cleared": True}
    settle(client)  # its pending message runs again: fails again, marked again
    again = client.get(f"/v1/refs/names/failed/{failed}")
    assert again.status_code == 200
    assert client.delete(f"/v1/actors/{fine}/failed").json() == {"cleared": False}
    assert mark and again.json()["target"]


@pytest.mark.req("HTTP-007.1", "HTTP-007.2")
def test_listing_pages_in_id_order_and_filters(served: Served) -> None:
    client = served.client
    actors = sorted(created(client, test="counter", state={"n": f"{n:02x}"}) for n in range(5))
    echo = created(client, test="echo")
    settle(client)
    everyone = client.get("/v1/actors").json()
    assert [a["actor"] for a in everyone["actors"]] == sorted([*actors, echo])
    assert everyone["next"] is None
    first = client.get("/v1/actors", params={"limit": 2}).json()
    assert [a["actor"] for a in first["actors"]] == sorted([*actors, echo])[:2]
    rest = client.get("/v1/actors", params={"limit": 10, "after": first["next"]}).json()
    assert [a["actor"] for a in rest["actors"]] == sorted([*actors, echo])[2:]
    code = client.get(f"/v1/actors/{echo}").json()["code"]
    assert code == object_id(Blob(data=b"echo", headers={"runtime": "test-actor"})).hex()
    assert [a["actor"] for a in client.get(f"/v1/actors?code={code}").json()["actors"]] == [echo]
    halves = [client.get("/v1/actors", params={"share": f"{k}/2"}).json()["actors"] for k in (0, 1)]
    assert sorted(a["actor"] for half in halves for a in half) == sorted([*actors, echo])
    assert all(a["share"] is None for a in everyone["actors"])  # the service has no share
    for bad in ("limit=0", "limit=10001", "limit=x", "failed=yes", "share=2/2", "after=zz", "x=1"):
        error_of(client.get(f"/v1/actors?{bad}"), 400, "bad-request")
    error_of(client.get(f"/v1/actors/{'cd' * 32}"), 404, "not-found")


@pytest.mark.req("HTTP-007.4", "HTTP-007.6")
def test_history_pages_from_the_head(served: Served) -> None:
    client = served.client
    actor = created(client, test="counter")
    settle(client)
    for _ in range(4):
        send(client, actor)
        settle(client)
    page = client.get(f"/v1/actors/{actor}/history", params={"limit": 3}).json()
    head = client.get(f"/v1/refs/heads/{actor}").json()["target"]
    assert page["steps"][0]["step"] == head and len(page["steps"]) == 3
    for newer, older in zip(page["steps"], page["steps"][1:], strict=False):
        assert newer["previous"] == older["step"]
    rest = client.get(f"/v1/actors/{actor}/history", params={"before": page["next"]}).json()
    assert rest["next"] is None and rest["steps"][-1]["previous"] is None
    assert len(page["steps"]) + len(rest["steps"]) == 5
    step = client.get(f"/v1/objects/{head}").json()
    newest = page["steps"][0]
    assert len(newest.pop("read")) == 1 and newest.pop("sent") == []  # HTTP-007.6
    assert isinstance(newest.pop("time"), str)  # HTTP-007.7: a SQLite store records it
    assert newest == {
        "step": head,
        "core": step["core"],
        "previous": step["previous"],
        "inbox": step["inbox"],
        "outbox": step["outbox"],
    }
    error_of(client.get(f"/v1/actors/{'ef' * 32}/history"), 404, "not-found")


@pytest.mark.req("HTTP-012.2")
def test_an_actors_openapi_document_comes_from_its_wut(served: Served) -> None:
    client = served.client
    actor = created(client, test="counter")
    settle(client)
    doc = client.get(f"/v1/actors/{actor}/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"] == "counter"
    assert doc["info"]["description"] == "Keeps a decimal count in its core entry 'count'."
    base = f"/v1/actors/{actor}"
    assert set(doc["paths"]) == {f"{base}/queries/wut", f"{base}/queries/count", f"{base}/messages"}
    assert all(set(doc["paths"][f"{base}/queries/{q}"]) == {"get"} for q in ("wut", "count"))
    post = doc["paths"][f"{base}/messages"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["mt"]["enum"] == ["inc", "get"]
    echo = created(client, test="echo")
    settle(client)
    echo_doc = client.get(f"/v1/actors/{echo}/openapi.json").json()
    mt = echo_doc["paths"][f"/v1/actors/{echo}/messages"]["post"]["requestBody"]
    assert mt["content"]["application/json"]["schema"]["properties"]["mt"]["type"] == "string"


@pytest.mark.req("HTTP-001.1")
def test_a_message_another_runtime_sends_is_run_with_no_request(served: Served) -> None:
    import asyncio
    import time

    from gritwit import ObjectId
    from gritwit.runtime import Runtime
    from gritwit.store import Store

    actor = created(served.client, test="counter")
    settle(served.client)
    store = Store.open(served.store_dir)  # another writer of the same store
    try:
        other = Runtime(store, send_commit="own")
        blob = Blob(data=b"7")
        asyncio.run(other.send(ObjectId.from_hex(actor), object_id(blob), {"mt": "inc"}, [blob]))
    finally:
        store.close()
    deadline = time.monotonic() + 10
    while count(served.client, actor) != 7:  # no send, no settle: the service runs it
        assert time.monotonic() < deadline
        time.sleep(0.05)
