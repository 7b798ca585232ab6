"""Grit over HTTP: objects and refs (HTTP-009).

``GET /v1/objects/{id}`` answers the JSON description, or with ``?form=raw`` the stored
canonical encoding, whose BLAKE3-256 digest is the id (ID-001); ``POST /v1/objects``
decodes and validates as a store's ``put`` does, so the golden object vectors
(``vectors/objects``) say what each input must give; ``GET /v1/refs`` lists the refs in
ascending order of name, ``GET /v1/refs/{name}`` reads one, and nothing moves a ref.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import blake3
import httpx
import pytest

import gritwit as g
from gritwit_conformance.data._vectors import Vector, find_vectors_dir, load_vectors
from gritwit_conformance.harness import current_plan
from gritwit_conformance.harness._implementation import Implementation

from ._api import body_of, counter, create, expect_error, head_of, inc, settle, shown
from ._service import Services
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

CBOR = {"Content-Type": "application/cbor"}
VECTORS_DIR = find_vectors_dir(current_plan().vectors)
#: A decode-phase class's status is 400 like a validate-phase class's (HTTP-003.2).
MAX_SIZE = 16 * 1024 * 1024


def _object_vectors(result: str) -> Iterator[Any]:
    """One vector of ``vectors/objects`` per (phase, class) for ``invalid``, the first
    few for ``valid``."""
    if VECTORS_DIR is None:
        return
    seen: set[tuple[str, str]] = set()
    valid = 0
    for vector in load_vectors(VECTORS_DIR):
        data = vector.data
        if vector.kind != "object" or data.get("result") != result or "objects" not in vector.file:
            continue
        if result == "invalid":
            key = (str(data.get("phase")), str(data.get("error")))
            if key in seen:
                continue
            seen.add(key)
        else:
            if valid >= 8 or len(data["input"]) > 4096:
                continue
            valid += 1
        yield pytest.param(vector, id=str(data["id"]))


@pytest.mark.smoke
@pytest.mark.req("HTTP-009.1", "HTTP-002.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2")
def test_an_object_is_its_json_description(http: httpx.Client) -> None:
    actor = counter(http)
    core = body_of(http.get(f"/v1/objects/{actor}"), 200, "HTTP-009.1")
    expected = g.Tree(
        entries={"wit": g.object_id(g.Blob(data=b"counter", headers={"runtime": "test-actor"}))}
    )
    assert core == g.object_to_json(expected), f"HTTP-009.1: the core is described as {core}"


@pytest.mark.parametrize("kind", ["core", "wit", "genesis", "step", "inbox"])
@pytest.mark.req("HTTP-009.1")
@pytest.mark.req(
    "HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-005.2", "HTTP-009.3", "HTTP-011.1"
)
def test_raw_is_the_stored_encoding_of_the_id(http: httpx.Client, kind: str) -> None:
    answer = create(http, test="counter")
    actor = str(answer["actor"])
    inc(http, actor)
    settle(http)
    step = head_of(http, actor)
    assert step is not None
    described = body_of(http.get(f"/v1/objects/{step}"), 200, "HTTP-009.1")
    core = body_of(http.get(f"/v1/objects/{actor}"), 200, "HTTP-009.1")
    oid = {
        "core": actor,
        "wit": core["entries"]["wit"],
        "genesis": answer["message"],
        "step": step,
        "inbox": described["inbox"],
    }[kind]
    raw = http.get(f"/v1/objects/{oid}", params={"form": "raw"})
    assert raw.status_code == 200, f"HTTP-009.1: ?form=raw answers {shown(raw)}"
    media = raw.headers.get("content-type", "").split(";")[0].strip().lower()
    assert media == "application/cbor", f"HTTP-009.1: ?form=raw is served as {media!r}"
    assert blake3.blake3(raw.content).hexdigest() == oid, (
        f"HTTP-009.1: the raw {kind} {oid} hashes to {blake3.blake3(raw.content).hexdigest()}"
    )
    description = body_of(http.get(f"/v1/objects/{oid}"), 200, "HTTP-009.1")
    assert g.object_to_json(g.decode_object(raw.content)) == description, (
        f"HTTP-009.1: the {kind}'s description is not its raw encoding's"
    )


@pytest.mark.req("HTTP-009.1", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1")
def test_an_absent_object_is_404(http: httpx.Client) -> None:
    absent = g.object_id(g.Blob(data=b"never stored")).hex()
    for params in ({}, {"form": "raw"}):
        expect_error(
            http.get(f"/v1/objects/{absent}", params=params), 404, "not-found", "HTTP-009.1"
        )


@pytest.mark.profile("http", "runtime")
@pytest.mark.req("HTTP-009.1", "HTTP-003.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_an_erased_blob_is_410(services: Services, impl: Implementation, tmp_path: Path) -> None:
    """The blob is erased by a runtime on the same directory between two services (the
    protocol erases nothing: ``rt-erase``, ADP-015)."""
    service = services.start()
    actor = counter(service.client)
    secret = inc(service.client, actor, 7)
    content = body_of(service.client.get(f"/v1/objects/{secret}"), 200, "HTTP-009.1")["content"]
    settle(service.client)
    services.stop(service)
    runtime = impl.call("rt-open", path=str(service.path)).expect_ok()["runtime"]
    impl.call("rt-erase", runtime=runtime, blob=content, reason="test").expect_ok()
    impl.call("rt-close", runtime=runtime).expect_ok()
    service = services.start(service.path.name)
    for params in ({}, {"form": "raw"}):
        response = service.client.get(f"/v1/objects/{content}", params=params)
        expect_error(response, 410, "erased", "HTTP-009.1")


@pytest.mark.parametrize("vector", list(_object_vectors("valid")))
@pytest.mark.req("HTTP-009.2")
@pytest.mark.req("HTTP-002.1")
def test_a_valid_object_is_stored(http: httpx.Client, vector: Vector) -> None:
    data = bytes.fromhex(vector.data["input"])
    answer = body_of(http.post("/v1/objects", content=data, headers=CBOR), 201, "HTTP-009.2")
    assert answer == {"id": vector.data["objectId"]}, f"HTTP-009.2: POST answers {answer}"
    raw = http.get(f"/v1/objects/{answer['id']}", params={"form": "raw"})
    assert raw.content == data, "HTTP-009.2: the stored encoding is not the one posted"


@pytest.mark.parametrize("vector", list(_object_vectors("invalid")))
@pytest.mark.req("HTTP-009.2", "HTTP-003.2", "HTTP-003.3")
@pytest.mark.req("HTTP-003.1")
def test_an_invalid_object_fails_with_its_class(http: httpx.Client, vector: Vector) -> None:
    data = bytes.fromhex(vector.data["input"])
    response = http.post("/v1/objects", content=data, headers=CBOR)
    expect_error(response, 400, str(vector.data["error"]), f"HTTP-009.2 ({vector.data['id']})")
    absent = http.get(f"/v1/objects/{blake3.blake3(data).hexdigest()}")
    expect_error(absent, 404, "not-found", "HTTP-009.2: the refused input was stored")


@pytest.mark.slow
@pytest.mark.req("HTTP-009.2", "HTTP-013.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
def test_an_object_of_16_mib_is_taken_and_one_byte_more_is_too_large(http: httpx.Client) -> None:
    """The CBOR limit is at least the object limit plus 1 KiB (HTTP-013.1): an encoding of
    exactly 16 MiB is stored, one of 16 MiB + 1 byte is read and refused ``too-large``."""
    overhead = len(g.encode_object(g.Blob(data=b"x" * (MAX_SIZE - 64)))) - (MAX_SIZE - 64)
    largest = g.Blob(data=b"x" * (MAX_SIZE - overhead))
    encoding = g.encode_object(largest)
    assert len(encoding) == MAX_SIZE
    answer = body_of(http.post("/v1/objects", content=encoding, headers=CBOR), 201, "HTTP-009.2")
    assert answer == {"id": g.object_id(largest).hex()}
    over = encoding[:5] + b"x" + encoding[5:]  # one byte past: refused before decoding
    expect_error(
        http.post("/v1/objects", content=over, headers=CBOR), 400, "too-large", "HTTP-009.2"
    )


@pytest.mark.parametrize("media", ["application/json", "application/octet-stream", "text/plain"])
@pytest.mark.req("HTTP-009.2", "HTTP-002.3")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2")
def test_objects_of_another_media_type_are_415(http: httpx.Client, media: str) -> None:
    data = g.encode_object(g.Blob(data=b"typed"))
    response = http.post("/v1/objects", content=data, headers={"Content-Type": media})
    expect_error(response, 415, "bad-request", f"HTTP-009.2 (Content-Type {media})")
    expect_error(
        http.get(f"/v1/objects/{g.object_id(g.Blob(data=b'typed')).hex()}"),
        404,
        "not-found",
        "HTTP-003.3",
    )


def _refs(client: httpx.Client, **params: str) -> list[dict[str, Any]]:
    answer = body_of(client.get("/v1/refs", params=params), 200, "HTTP-009.3")
    assert isinstance(answer, dict) and set(answer) == {"refs"}, f"HTTP-009.3: {str(answer)[:200]}"
    for ref in answer["refs"]:
        assert set(ref) == {"name", "target"}, f"HTTP-009.3: a ref is listed as {ref}"
    return list(answer["refs"])


def _actors(http: httpx.Client) -> tuple[httpx.Client, list[str]]:
    made = [counter(http, str(n)) for n in range(4)]
    made.append(str(create(http, test="echo")["actor"]))
    made.append(str(create(http, test="failing")["actor"]))
    for actor in made[:3]:
        inc(http, actor)
    settle(http)
    return http, made


@pytest.fixture
def actors(http: httpx.Client) -> Callable[[], tuple[httpx.Client, list[str]]]:
    """:func:`_actors`, made inside the test that calls it: a service's wrong answer
    there fails the test instead of erroring its set-up."""
    return functools.partial(_actors, http)


@pytest.mark.req("HTTP-009.3")
@pytest.mark.req("HTTP-002.1")
def test_refs_are_listed_in_ascending_order(
    actors: Callable[[], tuple[httpx.Client, list[str]]],
) -> None:
    client, made = actors()
    refs = _refs(client)
    names = [r["name"] for r in refs]
    assert names == sorted(names, key=lambda n: n.encode()), f"HTTP-009.3: refs listed as {names}"
    for actor in made[:5]:
        assert f"heads/{actor}" in names, f"HTTP-009.3: heads/{actor} is not listed"
    assert f"names/failed/{made[5]}" in names, "HTTP-009.3: the failed mark's ref is not listed"


@pytest.mark.parametrize(
    "prefix", ["heads/", "names/", "names/failed/", "heads/0", "h", "nothing/"]
)
@pytest.mark.req("HTTP-009.3")
@pytest.mark.req("HTTP-002.1")
def test_a_prefix_keeps_the_names_that_start_with_it(
    actors: Callable[[], tuple[httpx.Client, list[str]]], prefix: str
) -> None:
    client, _ = actors()
    every = _refs(client)
    kept = _refs(client, prefix=prefix)
    assert kept == [r for r in every if r["name"].startswith(prefix)], (
        f"HTTP-009.3: prefix={prefix} lists {[r['name'] for r in kept]}"
    )


@pytest.mark.req("HTTP-009.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
def test_one_ref_is_read_with_its_slashes(
    actors: Callable[[], tuple[httpx.Client, list[str]]],
) -> None:
    client, made = actors()
    for ref in _refs(client):
        answer = body_of(client.get(f"/v1/refs/{ref['name']}"), 200, "HTTP-009.3")
        assert answer == ref, f"HTTP-009.3: GET /v1/refs/{ref['name']} answers {answer}"
    assert head_of(client, made[0]) is not None


@pytest.mark.parametrize("name", ["heads/" + "ab" * 32, "names/failed/x", "names/a/b/c"])
@pytest.mark.req("HTTP-009.3", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1")
def test_an_absent_ref_is_404(http: httpx.Client, name: str) -> None:
    expect_error(http.get(f"/v1/refs/{name}"), 404, "not-found", f"HTTP-009.3 ({name})")


@pytest.mark.parametrize("name", ["nothing", "heads", "heads/AB", "names/-x", "names/" + "a" * 65])
@pytest.mark.req("HTTP-009.3", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1")
def test_a_malformed_ref_name_is_400_invalid_ref_name(http: httpx.Client, name: str) -> None:
    response = http.get(f"/v1/refs/{name}")
    expect_error(response, 400, "invalid-ref-name", f"HTTP-009.3 ({name})")


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
@pytest.mark.req("HTTP-009.3", "HTTP-002.4")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
def test_no_request_moves_a_ref(
    actors: Callable[[], tuple[httpx.Client, list[str]]], method: str
) -> None:
    client, made = actors()
    before = _refs(client)
    name = f"heads/{made[0]}"
    response = client.request(method, f"/v1/refs/{name}", json={"target": made[1]})
    assert response.status_code in (404, 405), (
        f"HTTP-009.3: {method} /v1/refs/{name} answers {shown(response)}: no request moves a ref"
    )
    expect_error(response, response.status_code, "bad-request", "HTTP-002.4")
    assert _refs(client) == before, f"HTTP-009.3: {method} /v1/refs/{name} moved a ref"
