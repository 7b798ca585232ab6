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

from .._check import call_ok, check, check_equal, check_type, suite_premise
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
    check_equal("HTTP-009.1", g.object_to_json(expected), core, "a counter's core, described")


@pytest.mark.parametrize("kind", ["core", "wit", "genesis", "step", "inbox"])
@pytest.mark.req("HTTP-009.1")
@pytest.mark.req(
    "HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-005.2", "HTTP-009.3", "HTTP-011.1"
)
@pytest.mark.req("CONV-004")
def test_raw_is_the_stored_encoding_of_the_id(http: httpx.Client, kind: str) -> None:
    answer = create(http, test="counter")
    actor = str(answer["actor"])
    inc(http, actor)
    settle(http)
    step = head_of(http, actor)
    check(
        "HTTP-009.3",
        step is not None,
        expected="a head of a counter sent one message and settled",
        came="no head (404)",
        what=f"heads/{actor}",
    )
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
    check(
        "HTTP-009.1",
        raw.status_code == 200,
        expected="status 200 and the stored encoding",
        came=lambda: shown(raw),
        what=f"GET /v1/objects/{oid}?form=raw of the {kind}",
    )
    media = raw.headers.get("content-type", "").split(";")[0].strip().lower()
    check_equal("HTTP-009.1", "application/cbor", media, f"the media type of the raw {kind}")
    check_equal(
        "HTTP-009.1",
        oid,
        blake3.blake3(raw.content).hexdigest(),
        f"the BLAKE3-256 digest of the raw {kind}: its id",
    )
    description = body_of(http.get(f"/v1/objects/{oid}"), 200, "HTTP-009.1")
    check_equal(
        "HTTP-009.1",
        g.object_to_json(g.decode_object(raw.content)),
        description,
        f"the {kind}'s description: its raw encoding's",
    )


@pytest.mark.req("HTTP-009.1", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1")
@pytest.mark.req("CONV-004")
def test_an_absent_object_is_404(http: httpx.Client) -> None:
    absent = g.object_id(g.Blob(data=b"never stored")).hex()
    for params in ({}, {"form": "raw"}):
        expect_error(
            http.get(f"/v1/objects/{absent}", params=params), 404, "not-found", "HTTP-009.1"
        )


@pytest.mark.profile("http", "runtime")
@pytest.mark.req("HTTP-009.1", "HTTP-003.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_an_erased_blob_is_410(services: Services, impl: Implementation, tmp_path: Path) -> None:
    """The blob is erased by a runtime on the same directory between two services (the
    protocol erases nothing: ``rt-erase``, ADP-015)."""
    service = services.start()
    actor = counter(service.client)
    secret = inc(service.client, actor, 7)
    content = body_of(service.client.get(f"/v1/objects/{secret}"), 200, "HTTP-009.1")["content"]
    settle(service.client)
    services.stop(service)
    # the erasure is the test's set-up, by the runtime profile; a refusal there fails the
    # clause the test judges, saying which command refused
    runtime = call_ok(impl, "HTTP-009.1", "rt-open", path=str(service.path)).get("runtime")
    call_ok(impl, "HTTP-009.1", "rt-erase", runtime=runtime, blob=content, reason="test")
    call_ok(impl, "HTTP-009.1", "rt-close", runtime=runtime)
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
    check_equal("HTTP-009.2", {"id": vector.data["objectId"]}, answer, "POST /v1/objects: the id")
    raw = http.get(f"/v1/objects/{vector.data['objectId']}", params={"form": "raw"})
    check_equal(
        "HTTP-009.2",
        data,
        raw.content,
        f"the stored encoding (?form=raw, status {raw.status_code}): the one posted",
    )


@pytest.mark.parametrize("vector", list(_object_vectors("invalid")))
@pytest.mark.req("HTTP-009.2", "HTTP-003.2", "HTTP-003.3")
@pytest.mark.req("HTTP-003.1")
@pytest.mark.req("CONV-004")
def test_an_invalid_object_fails_with_its_class(http: httpx.Client, vector: Vector) -> None:
    data = bytes.fromhex(vector.data["input"])
    response = http.post("/v1/objects", content=data, headers=CBOR)
    expect_error(response, 400, str(vector.data["error"]), f"HTTP-009.2 ({vector.data['id']})")
    absent = http.get(f"/v1/objects/{blake3.blake3(data).hexdigest()}")
    expect_error(absent, 404, "not-found", "HTTP-009.2: the refused input was stored")


@pytest.mark.slow
@pytest.mark.req("HTTP-009.2", "HTTP-013.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_an_object_of_16_mib_is_taken_and_one_byte_more_is_too_large(http: httpx.Client) -> None:
    """The CBOR limit is at least the object limit plus 1 KiB (HTTP-013.1): an encoding of
    exactly 16 MiB is stored, one of 16 MiB + 1 byte is read and refused ``too-large``."""
    overhead = len(g.encode_object(g.Blob(data=b"x" * (MAX_SIZE - 64)))) - (MAX_SIZE - 64)
    largest = g.Blob(data=b"x" * (MAX_SIZE - overhead))
    encoding = g.encode_object(largest)
    suite_premise(len(encoding) == MAX_SIZE, "the largest blob's encoding is exactly 16 MiB")
    answer = body_of(http.post("/v1/objects", content=encoding, headers=CBOR), 201, "HTTP-009.2")
    check_equal(
        ("HTTP-009.2", "HTTP-013.1"),
        {"id": g.object_id(largest).hex()},
        answer,
        "POST /v1/objects of an encoding of exactly 16 MiB",
    )
    over = encoding[:5] + b"x" + encoding[5:]  # one byte past: refused before decoding
    expect_error(
        http.post("/v1/objects", content=over, headers=CBOR), 400, "too-large", "HTTP-009.2"
    )


@pytest.mark.parametrize("media", ["application/json", "application/octet-stream", "text/plain"])
@pytest.mark.req("HTTP-009.2", "HTTP-002.3")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("HTTP-003.3")  # its checks name them too
@pytest.mark.req("CONV-004")
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
    check(
        "HTTP-009.3",
        isinstance(answer, dict) and set(answer) == {"refs"},
        expected="an object of refs alone",
        came=answer,
        what=f"GET /v1/refs {params or ''}".strip(),
    )
    refs = check_type("HTTP-009.3", answer["refs"], list, expected="a list of refs")
    for ref in refs:
        check(
            "HTTP-009.3",
            isinstance(ref, dict) and set(ref) == {"name", "target"},
            expected="a ref of name and target",
            came=ref,
            what="a ref GET /v1/refs lists",
        )
    return list(refs)


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
    check_equal(
        "HTTP-009.3",
        sorted(names, key=lambda n: n.encode()),
        names,
        "the refs' names, listed in ascending (bytewise) order",
    )
    for actor in made[:5]:
        check(
            "HTTP-009.3",
            f"heads/{actor}" in names,
            expected=f"heads/{actor} listed",
            came=names,
            what="the refs' names",
        )
    check(
        "HTTP-009.3",
        f"names/failed/{made[5]}" in names,
        expected=f"the failed mark's ref names/failed/{made[5]} listed",
        came=names,
        what="the refs' names",
    )


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
    check_equal(
        "HTTP-009.3",
        [r for r in every if r["name"].startswith(prefix)],
        kept,
        f"GET /v1/refs?prefix={prefix}: the refs whose names start with it",
    )


@pytest.mark.req("HTTP-009.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_one_ref_is_read_with_its_slashes(
    actors: Callable[[], tuple[httpx.Client, list[str]]],
) -> None:
    client, made = actors()
    for ref in _refs(client):
        answer = body_of(client.get(f"/v1/refs/{ref['name']}"), 200, "HTTP-009.3")
        check_equal("HTTP-009.3", ref, answer, f"GET /v1/refs/{ref['name']}: the ref as listed")
    check(
        "HTTP-009.3",
        head_of(client, made[0]) is not None,
        expected="a head of a counter sent one message and settled",
        came="no head (404)",
        what=f"heads/{made[0]}",
    )


@pytest.mark.parametrize("name", ["heads/" + "ab" * 32, "names/failed/x", "names/a/b/c"])
@pytest.mark.req("HTTP-009.3", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1")
@pytest.mark.req("CONV-004")
def test_an_absent_ref_is_404(http: httpx.Client, name: str) -> None:
    expect_error(http.get(f"/v1/refs/{name}"), 404, "not-found", f"HTTP-009.3 ({name})")


@pytest.mark.parametrize("name", ["nothing", "heads", "heads/AB", "names/-x", "names/" + "a" * 65])
@pytest.mark.req("HTTP-009.3", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1")
@pytest.mark.req("CONV-004")
def test_a_malformed_ref_name_is_400_invalid_ref_name(http: httpx.Client, name: str) -> None:
    response = http.get(f"/v1/refs/{name}")
    expect_error(response, 400, "invalid-ref-name", f"HTTP-009.3 ({name})")


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
@pytest.mark.req("HTTP-009.3", "HTTP-002.4")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_no_request_moves_a_ref(
    actors: Callable[[], tuple[httpx.Client, list[str]]], method: str
) -> None:
    client, made = actors()
    before = _refs(client)
    name = f"heads/{made[0]}"
    response = client.request(method, f"/v1/refs/{name}", json={"target": made[1]})
    check(
        "HTTP-009.3",
        response.status_code in (404, 405),
        expected="status 404 or 405 (no request moves a ref)",
        came=lambda: shown(response),
        what=f"{method} /v1/refs/{name}",
    )
    expect_error(response, response.status_code, "bad-request", "HTTP-002.4")
    check_equal("HTTP-009.3", before, _refs(client), f"the refs after {method} /v1/refs/{name}")
