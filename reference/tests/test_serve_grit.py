"""Grit over HTTP, bundles, probes, settle and the OpenAPI documents.

HTTP-001.5, HTTP-001.6, HTTP-009 … HTTP-012 against a real uvicorn on 127.0.0.1: objects
as JSON and raw, objects put, refs listed and read, an actor moved as a bundle from one
service to another on another store, and the service's OpenAPI document checked both
ways against spec/10-http.md and against the app's own routes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from serve_helpers import ROOT, Served, count, created, error_of, send, served, serving, settle

from gritwit import SPEC_VERSION, Blob, ObjectId, encode_object, object_id
from gritwit.serve._app import (
    HANDLER_MODULES,
    HANDLERS,
    PAGES,
    _handler_named,
    page_routes,
    starlette_routes,
)
from gritwit.serve._routes import ENDPOINTS, endpoint_for

__all__ = ["served"]

CBOR = {"content-type": "application/cbor"}
BUNDLE = {"content-type": "application/vnd.gritwit.bundle"}


@pytest.mark.req("HTTP-001.5", "HTTP-001.6")
def test_the_probes_and_the_version(served: Served) -> None:
    assert served.client.get("/healthz").status_code == 200
    ready = served.client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"ready": True}
    assert served.client.get("/v1").json() == {
        "protocol": 1,
        "spec": SPEC_VERSION,
        "share": None,
    }
    served.service.state.stopping = True  # as it is while it stops (HTTP-001.4)
    try:
        assert served.client.get("/readyz").status_code == 503
        assert served.client.get("/readyz").json() == {"ready": False}
        error_of(served.client.get("/v1"), 503, "service-stopping")
        assert served.client.get("/healthz").status_code == 200
    finally:
        served.service.state.stopping = False


@pytest.mark.req("HTTP-001.6", "HTTP-001.2", "HTTP-007.1")
def test_a_service_on_a_share_says_so_and_runs_only_its_actors(tmp_path: Path) -> None:
    from gritwit.runtime import Share
    from gritwit.serve import EngineSettings

    share = Share(k=0, n=2)
    with serving(tmp_path / "s", settings=EngineSettings(share=share)) as one:
        assert one.client.get("/v1").json()["share"] == [0, 2]
        actors = [created(one.client, test="counter", state={"n": f"{n:02x}"}) for n in range(6)]
        for actor in actors:
            send(one.client, actor)
        settle(one.client)
        listed = {a["actor"]: a for a in one.client.get("/v1/actors").json()["actors"]}
        mine = [a for a in actors if share.owns(ObjectId.from_hex(a))]
        assert 0 < len(mine) < len(actors)
        for actor in actors:
            if actor in mine:
                assert listed[actor]["share"] == 0 and count(one.client, actor) == 1
            else:  # not run here: no genesis ran, no head, so not listed (HTTP-007.1)
                assert actor not in listed


@pytest.mark.req("HTTP-009.1", "HTTP-009.2", "HTTP-002.3", "HTTP-013.5")
def test_objects_are_read_and_put(served: Served) -> None:
    client = served.client
    blob = Blob(data=b"hello", headers={"content-type": "text/plain"})
    stored = client.post("/v1/objects", content=encode_object(blob), headers=CBOR)
    assert stored.status_code == 201 and stored.json() == {"id": object_id(blob).hex()}
    oid = object_id(blob).hex()
    assert client.get(f"/v1/objects/{oid}").json() == {
        "type": "blob",
        "headers": {"content-type": "text/plain"},
        "data": b"hello".hex(),
    }
    raw = client.get(f"/v1/objects/{oid}", params={"form": "raw"})
    assert raw.headers["content-type"] == "application/cbor"
    assert raw.content == encode_object(blob)
    error_of(client.get(f"/v1/objects/{'00' * 32}"), 404, "not-found")
    error_of(client.get("/v1/objects/00"), 400, "invalid-id")
    error_of(client.get(f"/v1/objects/{oid}?form=json"), 400, "bad-request")
    cut = encode_object(blob)[:-1]
    error_of(client.post("/v1/objects", content=cut, headers=CBOR), 400, "truncated")
    error_of(client.post("/v1/objects", content=b"\xa0", headers=CBOR), 400, "invalid-object")
    wrong = client.post(
        "/v1/objects", content=encode_object(blob), headers={"content-type": "application/json"}
    )
    error_of(wrong, 415, "bad-request")
    error_of(client.post("/v1/objects", content=encode_object(blob)), 415, "bad-request")


@pytest.mark.req("HTTP-009.3")
def test_refs_are_listed_and_read_with_their_slashes(served: Served) -> None:
    client = served.client
    actor = created(client, test="counter")
    settle(client)
    refs = client.get("/v1/refs").json()["refs"]
    names = [r["name"] for r in refs]
    assert names == sorted(names) and f"heads/{actor}" in names
    heads = client.get("/v1/refs", params={"prefix": "heads/"}).json()["refs"]
    assert [r["name"] for r in heads] == [f"heads/{actor}"]
    one = client.get(f"/v1/refs/heads/{actor}").json()
    assert one == {"name": f"heads/{actor}", "target": heads[0]["target"]}
    error_of(client.get(f"/v1/refs/heads/{'ab' * 32}"), 404, "not-found")
    error_of(client.get("/v1/refs/heads/nobody"), 400, "invalid-ref-name")  # REF-001
    error_of(client.get("/v1/refs/names/nothing/here"), 404, "not-found")
    assert client.delete(f"/v1/refs/heads/{actor}").status_code == 405  # no request moves a ref


@pytest.mark.req("HTTP-010.1", "HTTP-010.2")
def test_an_actor_moves_between_two_services_as_a_bundle(tmp_path: Path) -> None:
    with serving(tmp_path / "a") as one, serving(tmp_path / "b") as two:
        actor = created(one.client, test="counter")
        for _ in range(3):
            send(one.client, actor)
        settle(one.client)
        bundle = one.client.get(f"/v1/actors/{actor}/bundle")
        assert bundle.status_code == 200
        assert bundle.headers["content-type"] == "application/vnd.gritwit.bundle"
        head = one.client.get(f"/v1/refs/heads/{actor}").json()["target"]
        imported = two.client.post("/v1/bundles", content=bundle.content, headers=BUNDLE)
        assert imported.status_code == 200 and imported.json() == {"actor": actor, "head": head}
        assert count(two.client, actor) == 3
        send(two.client, actor)
        settle(two.client)
        assert count(two.client, actor) == 4
        again = two.client.post("/v1/bundles", content=bundle.content, headers=BUNDLE)
        error_of(again, 409, "ref-conflict")  # the head moved on since
        error_of(
            two.client.post("/v1/bundles", content=b"\x80", headers=BUNDLE), 400, "invalid-object"
        )
        error_of(one.client.get(f"/v1/actors/{'12' * 32}/bundle"), 404, "not-found")
        error_of(
            two.client.post("/v1/bundles", content=bundle.content, headers=CBOR), 415, "bad-request"
        )


@pytest.mark.req("HTTP-011.1", "HTTP-011.2")
def test_settle_waits_for_a_run_and_gives_up_at_its_timeout(served: Served) -> None:
    client = served.client
    actor = created(client, test="counter")
    runs = served.service.engine.runs
    settle(client)
    assert served.service.engine.runs > runs  # a run started after the request
    slow = created(client, test="sleepy")
    send(client, slow, mt="nap", data=b"1500")
    quick = client.post("/v1/settle", json={"timeout": 0.2})
    assert quick.status_code == 200 and quick.json() == {"quiescent": False}
    settle(client)
    assert count(client, actor) == 0
    for bad in ({"timeout": -1}, {"timeout": 601}, {"timeout": "1"}, {}, {"timeout": 1, "x": 2}):
        error_of(client.post("/v1/settle", json=bad), 400, "bad-request")
    assert client.post("/v1/settle", json={"timeout": 600}).json() == {"quiescent": True}
    assert client.post("/v1/settle", json={"timeout": 0}).json() == {"quiescent": False}


# --- the OpenAPI document (HTTP-012.1) ---------------------------------------------------

_METHODS = ("get", "post", "put", "delete", "patch")


def _chapter_endpoints() -> set[tuple[str, str]]:
    """Every ``METHOD /path`` spec/10-http.md names."""
    text = (ROOT / "spec" / "10-http.md").read_text(encoding="utf-8")
    return {
        (method, path)
        for method, path in re.findall(r"`(GET|POST|PUT|DELETE|PATCH) (/[^`?\s]*)", text)
    }


def _document_endpoints(doc: dict[str, object]) -> set[tuple[str, str]]:
    paths = doc["paths"]
    assert isinstance(paths, dict)
    return {
        (method.upper(), path)
        for path, item in paths.items()
        for method in item
        if method in _METHODS
    }


@pytest.mark.req("HTTP-012.1")
def test_the_document_describes_exactly_the_chapters_endpoints(served: Served) -> None:
    spec_copy = (ROOT / "spec" / "schemas" / "http-openapi.json").read_bytes()
    served_copy = served.client.get("/v1/openapi.json")
    assert served_copy.status_code == 200 and served_copy.content == spec_copy
    doc = json.loads(spec_copy)
    assert doc["openapi"] == "3.1.0"
    chapter = _chapter_endpoints()
    # HTTP-015.2, HTTP-016, HTTP-017 added three; HTTP-007.10 and HTTP-020.3 one each
    assert len(chapter) == 27
    assert _document_endpoints(doc) == chapter
    assert {(e.method, e.path) for e in ENDPOINTS} == chapter


@pytest.mark.req("HTTP-012.1")
def test_the_apps_routes_are_the_documents() -> None:
    doc = json.loads((ROOT / "spec" / "schemas" / "http-openapi.json").read_bytes())
    routes = set()
    pages = {path for path, _ in PAGES}
    for route in starlette_routes() + page_routes():
        if route.path in pages:  # the status page is no endpoint (HTTP-014.3)
            assert route.path.startswith("/ui") and route.methods == {"GET", "HEAD"}
            continue
        for method in route.methods or ():
            if method != "HEAD":
                routes.add((method, route.path.replace("{name:path}", "{name}")))
    assert routes == _document_endpoints(doc)
    by_path = {(e.method, e.path): e for e in ENDPOINTS}
    assert endpoint_for("GET", "/v1/refs/heads/a/b") == by_path[("GET", "/v1/refs/{name}")]
    assert endpoint_for("HEAD", "/v1") == by_path[("GET", "/v1")]
    assert endpoint_for("PUT", "/v1/actors") is None
    # only a ref's name holds slashes (HTTP-009.3): a query's name is one segment
    assert endpoint_for("GET", "/v1/actors/a/queries/b/c") is None
    assert endpoint_for("GET", "/v1/actors/a/queries/b") is not None


@pytest.mark.req("HTTP-012.1")
def test_each_operation_of_the_document_has_exactly_one_row_and_its_handler() -> None:
    doc = json.loads((ROOT / "spec" / "schemas" / "http-openapi.json").read_bytes())
    operations = _document_endpoints(doc)
    rows = [endpoint.key for endpoint in ENDPOINTS]
    # a list, not a set: an operation with two rows (or none) fails, as a row of none does
    assert sorted(rows) == sorted(operations), (
        f"rows without an operation: {sorted(set(rows) - operations)}; operations without "
        f"a row: {sorted(operations - set(rows))}; rows twice: "
        f"{sorted({row for row in rows if rows.count(row) > 1})}"
    )
    assert set(HANDLERS) == operations
    answered = {}
    for endpoint in ENDPOINTS:
        module, _, name = endpoint.handler.partition(".")
        handler = HANDLERS[endpoint.key]
        assert handler is getattr(HANDLER_MODULES[module], name), endpoint
        # one handler answers one endpoint: a row that names another's handler fails
        assert answered.setdefault(handler, endpoint.key) == endpoint.key, endpoint


@pytest.mark.req("HTTP-012.1")
@pytest.mark.parametrize("name", ["grit.no_such_handler", "grit.ServiceStopping", "nowhere.x"])
def test_a_row_naming_no_handler_fails_the_apps_import(name: str) -> None:
    with pytest.raises(LookupError):
        _handler_named(name)


@pytest.mark.req("HTTP-012.1")
def test_every_operation_answers_errors_with_the_error_body() -> None:
    doc = json.loads((ROOT / "spec" / "schemas" / "http-openapi.json").read_bytes())
    responses = doc["components"]["responses"]
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            answers = operation["responses"]
            assert any(code.startswith("2") for code in answers), (method, path)
            for code, answer in answers.items():
                if code.startswith(("4", "5")) and "$ref" in answer:
                    name = answer["$ref"].rsplit("/", 1)[1]
                    schema = responses[name]["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (path, code)


def _answer_schemas(doc: dict[str, Any]) -> list[object]:
    """Every schema an answer of the document follows (its operations' and responses')."""
    found: list[object] = []
    sections = [
        item[method]["responses"]
        for item in doc["paths"].values()
        for method in item
        if method in _METHODS
    ]
    sections.append(doc["components"]["responses"])
    for answers in sections:
        for answer in answers.values():
            for media in answer.get("content", {}).values():
                if "schema" in media:
                    found.append(media["schema"])
    return found


@pytest.mark.req("HTTP-012.3")
def test_every_object_an_answer_holds_is_closed_in_the_document() -> None:
    """HTTP-012.3: the document describes every field an answer holds, so every object
    schema an answer reaches names its fields and refuses others (``additionalProperties``
    false, or a schema every further field follows): a field served and undescribed
    fails the suite's check of every answer, whatever the object."""
    doc = json.loads((ROOT / "spec" / "schemas" / "http-openapi.json").read_bytes())
    schemas = doc["components"]["schemas"]
    open_ones: list[str] = []
    seen: set[int] = set()
    todo: list[tuple[str, object]] = [("answer", s) for s in _answer_schemas(doc)]
    while todo:
        where, node = todo.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[1]
            todo.append((name, schemas[name]))
        if "properties" in node and "additionalProperties" not in node:
            open_ones.append(where)
        for key in ("oneOf", "anyOf", "allOf", "prefixItems"):
            todo += [(f"{where}/{key}/{i}", n) for i, n in enumerate(node.get(key, []))]
        for name, sub in node.get("properties", {}).items():
            todo.append((f"{where}.{name}", sub))
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                todo.append((f"{where}/{key}", node[key]))
    assert open_ones == [], f"object schemas of answers that allow undescribed fields: {open_ones}"
    assert "time" in schemas["ActorEntry"]["required"]  # HTTP-007.7
    assert "time" in schemas["HistoryStep"]["required"]
