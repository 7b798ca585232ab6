"""Moving an actor between services as a bundle (HTTP-010, RUN-009).

An actor is exported from one service and imported into a second on another directory
(two ``http-serve``): the import answers the actor and its head, and sending there
continues the actor. The bundle itself is checked against RUN-009.1 (one canonical CBOR
array: the format tag, the actor, the head, and the encodings of every object reachable
from the head, each once, sorted by id).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import blake3
import cbor2
import httpx
import pytest

from .._check import check, check_equal
from ._api import (
    body_of,
    count_of,
    counter,
    create,
    expect_error,
    head_of,
    inc,
    object_of,
    settle,
    shown,
)
from ._service import Services
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

BUNDLE = "application/vnd.gritwit.bundle"


def export(client: httpx.Client, actor: str) -> bytes:
    response = client.get(f"/v1/actors/{actor}/bundle")
    check(
        "HTTP-010.1",
        response.status_code == 200,
        expected="status 200 and the actor's bundle",
        came=lambda: shown(response),
        what=f"exporting {actor}",
    )
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    check_equal("HTTP-010.1", BUNDLE, media, f"the media type of the bundle of {actor}")
    return response.content


def import_(client: httpx.Client, bundle: bytes) -> dict[str, Any]:
    response = client.post("/v1/bundles", content=bundle, headers={"Content-Type": BUNDLE})
    answer = body_of(response, 200, "HTTP-010.2")
    check(
        "HTTP-010.2",
        isinstance(answer, dict) and set(answer) == {"actor", "head"},
        expected="an object of actor and head",
        came=answer,
        what="an import's answer",
    )
    return dict(answer)


def _reachable(client: httpx.Client, head: str) -> set[str]:
    """Every object reachable from ``head`` (RUN-009.1), read through the service."""
    seen: set[str] = set()
    todo = [head]
    while todo:
        oid = todo.pop()
        if oid in seen:
            continue
        seen.add(oid)
        obj = object_of(client, oid)
        kind = obj["type"]
        if kind == "step":
            todo += [obj[k] for k in ("previous", "core", "inbox", "outbox") if obj[k]]
        elif kind == "tree":
            todo += list(obj["entries"].values())
        elif kind == "mailbox":  # its entries and its base (OBJ-019)
            todo += [*obj["entries"].values(), *([obj["base"]] if obj.get("base") else [])]
        elif kind == "message":
            todo += [obj[k] for k in ("content", "previous") if obj[k]]
    return seen


def _moved(services: Services) -> tuple[httpx.Client, httpx.Client, str]:
    """A counter counted to 5 on service one, its head read; service two empty."""
    one = services.start("one").client
    two = services.start("two").client
    actor = counter(one)
    for amount in (2, 3):
        inc(one, actor, amount)
        settle(one)
    return one, two, actor


@pytest.fixture
def moved(services: Services) -> Callable[[], tuple[httpx.Client, httpx.Client, str]]:
    """:func:`_moved`, made inside the test that calls it: a service's wrong answer
    there fails the test instead of erroring its set-up."""
    return functools.partial(_moved, services)


@pytest.mark.smoke
@pytest.mark.req("HTTP-010.1", "HTTP-010.2")
@pytest.mark.req(
    "HTTP-002.1",
    "HTTP-003.1",
    "HTTP-003.2",
    "HTTP-005.2",
    "HTTP-006.1",
    "HTTP-009.3",
    "HTTP-011.1",
    "RUN-009.8",
)
@pytest.mark.req("HTTP-007.4")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_an_imported_actor_continues_on_the_other_service(
    moved: Callable[[], tuple[httpx.Client, httpx.Client, str]],
) -> None:
    one, two, actor = moved()
    head = head_of(one, actor)
    answer = import_(two, export(one, actor))
    check_equal(
        "HTTP-010.2",
        {"actor": actor, "head": head},
        answer,
        "the import's answer: the exported actor and its head",
    )
    check_equal("HTTP-010.2", head, head_of(two, actor), "heads/<actor> after the import")
    check_equal("HTTP-010.2", 5, count_of(two, actor), "the imported counter's count")
    inc(two, actor, 10)
    settle(two)
    check_equal(
        "HTTP-010.2",
        15,
        count_of(two, actor),
        "the imported counter's count after 10 more sent there (it continues)",
    )
    history = body_of(two.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.4")["steps"]
    check_equal(
        "RUN-009.8",
        head,
        history[1]["step"] if len(history) > 1 else None,
        "the step before the new head on the importing service: the bundle's head",
    )


#: A step time as HTTP-007.7 writes it: ISO 8601 UTC to the second.
STEP_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def _times(client: httpx.Client, actor: str) -> list[object]:
    steps = body_of(client.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.7")["steps"]
    missing = [step["step"] for step in steps if "time" not in step]
    check(
        "HTTP-007.7",
        not missing,
        expected="a time in every step of the history",
        came=lambda: f"the steps {', '.join(missing)} hold no time",
        what=f"the history of {actor}",
    )
    return [step["time"] for step in steps]


@pytest.mark.req("HTTP-007.7", "RUN-027.2", "HTTP-002.1", "HTTP-010.1", "HTTP-010.2")
@pytest.mark.req("HTTP-007.1", "HTTP-007.3")  # its checks name them too
def test_step_times_are_the_heads_and_a_moved_history_has_none(
    moved: Callable[[], tuple[httpx.Client, httpx.Client, str]],
) -> None:
    """Every step's ``time`` is null or ISO 8601 UTC, and an entry's is its head's; the
    older steps a bundle moved were never a head on the importing service, so they have
    none there (RUN-027.2), whatever the exporting service recorded."""
    one, two, actor = moved()
    times = _times(one, actor)
    wrong = [
        t for t in times if t is not None and not (isinstance(t, str) and STEP_TIME.fullmatch(t))
    ]
    check(
        "HTTP-007.7",
        not wrong,
        expected="step times each null or ISO 8601 UTC to the second",
        came=wrong,
        what=f"the times of the history of {actor}",
    )
    entry = body_of(one.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")
    check_equal(
        "HTTP-007.7",
        times[0],
        entry.get("time", "(no time)"),
        "the time of the actor's entry: its head's",
    )
    listed = body_of(one.get("/v1/actors"), 200, "HTTP-007.1")["actors"]
    check_equal(
        "HTTP-007.7",
        [times[0]],
        [e.get("time", "(no time)") for e in listed if e["actor"] == actor],
        "the time of the actor's listed entry: its head's",
    )
    import_(two, export(one, actor))
    moved_times = _times(two, actor)
    check_equal(
        ("HTTP-007.7", "RUN-027.2"),
        [None] * (len(moved_times) - 1),
        moved_times[1:],
        "after an import, the times of the steps older than the head (never a head on "
        "this service)",
    )


@pytest.mark.req("HTTP-010.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-009.3", "RUN-009.1")
@pytest.mark.req("CONV-004")
def test_the_bundle_is_run_009s_array(
    moved: Callable[[], tuple[httpx.Client, httpx.Client, str]],
) -> None:
    one, _, actor = moved()
    bundle = export(one, actor)
    value = cbor2.loads(bundle)
    check(
        "RUN-009.1",
        isinstance(value, list) and len(value) == 4,
        expected="a CBOR array of 4 items",
        came=value,
        what="an exported bundle",
    )
    tag, who, head, objects = value
    check_equal(
        "RUN-009.1",
        ["gritwit-bundle/1", actor, head_of(one, actor)],
        [tag, who, head],
        "a bundle's tag, actor and head",
    )
    ids = [blake3.blake3(obj).hexdigest() for obj in objects]
    check(
        "RUN-009.1",
        ids == sorted(ids) and len(set(ids)) == len(ids),
        expected="the bundle's objects sorted by id, each once",
        came=lambda: (
            f"{len(ids)} objects, {len(set(ids))} distinct, "
            f"{'sorted' if ids == sorted(ids) else 'not sorted'}"
        ),
        what="the objects of an exported bundle",
    )
    reachable = _reachable(one, head)
    check(
        "RUN-009.1",
        set(ids) == reachable,
        expected="exactly the objects reachable from the head",
        came=lambda: (
            f"{len(set(ids) - reachable)} not reachable and "
            f"{len(reachable - set(ids))} reachable missing"
        ),
        what="the objects of an exported bundle",
    )


@pytest.mark.req("HTTP-010.2")
@pytest.mark.req("HTTP-002.1", "HTTP-010.1")
def test_importing_twice_changes_nothing(
    moved: Callable[[], tuple[httpx.Client, httpx.Client, str]],
) -> None:
    one, two, actor = moved()
    bundle = export(one, actor)
    first = import_(two, bundle)
    check_equal(
        "HTTP-010.2", first, import_(two, bundle), "importing the same bundle a second time"
    )


@pytest.mark.req("HTTP-010.2", "HTTP-003.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-005.2", "HTTP-006.1", "HTTP-010.1", "HTTP-011.1")
@pytest.mark.req("RUN-009.4")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_importing_over_another_head_is_409(
    moved: Callable[[], tuple[httpx.Client, httpx.Client, str]],
) -> None:
    one, _, actor = moved()
    bundle = export(one, actor)
    inc(one, actor)
    settle(one)
    response = one.post("/v1/bundles", content=bundle, headers={"Content-Type": BUNDLE})
    expect_error(response, 409, "ref-conflict", "HTTP-010.2 (RUN-009.4: another head)")
    check_equal("HTTP-010.2", 6, count_of(one, actor), "the count after a refused import")


@pytest.mark.req("HTTP-010.1", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1", "HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
@pytest.mark.req("CONV-004")
def test_exporting_an_actor_without_a_head_is_404(http: httpx.Client) -> None:
    failing = create(http, test="failing")["actor"]
    settle(http)
    for actor in (failing, "cd" * 32):
        expect_error(http.get(f"/v1/actors/{actor}/bundle"), 404, "not-found", "HTTP-010.1")


def _bad(bundle: bytes, how: str) -> bytes:
    tag, who, head, objects = cbor2.loads(bundle)
    if how == "tag":
        return cbor2.dumps(["gritwit-bundle/2", who, head, objects], canonical=True)
    if how == "actor-id":
        return cbor2.dumps([tag, who.upper(), head, objects], canonical=True)
    if how == "missing-object":
        return cbor2.dumps([tag, who, head, objects[1:]], canonical=True)
    if how == "break-first":
        return b"\xff" + bundle
    if how == "trailing":
        return bundle + b"\x00"
    return cbor2.dumps([tag, who, head, objects, 1], canonical=True)  # "shape"


@pytest.mark.parametrize(
    ("how", "status", "error"),
    [
        ("tag", 400, "invalid-object"),
        ("shape", 400, "invalid-object"),
        ("actor-id", 400, "invalid-id"),
        ("missing-object", 404, "not-found"),
        ("break-first", 400, "malformed"),
        ("trailing", 400, "trailing-bytes"),
    ],
)
@pytest.mark.req("HTTP-010.2", "HTTP-003.2", "RUN-009.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-009.3", "HTTP-010.1")
@pytest.mark.req("CONV-004")
def test_a_bundle_run_009_refuses_imports_nothing(
    moved: Callable[[], tuple[httpx.Client, httpx.Client, str]], how: str, status: int, error: str
) -> None:
    one, two, actor = moved()
    bad = _bad(export(one, actor), how)
    response = two.post("/v1/bundles", content=bad, headers={"Content-Type": BUNDLE})
    expect_error(response, status, error, f"HTTP-010.2 ({how})")
    check_equal("HTTP-010.2", None, head_of(two, actor), f"the head after a refused bundle ({how})")
    expect_error(
        two.get(f"/v1/objects/{actor}"), 404, "not-found", "RUN-009.3: an object was stored"
    )


@pytest.mark.req("HTTP-010.2", "HTTP-002.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-009.3", "HTTP-010.1")
@pytest.mark.req("CONV-004")
def test_a_bundle_of_another_media_type_is_415(
    moved: Callable[[], tuple[httpx.Client, httpx.Client, str]],
) -> None:
    one, two, actor = moved()
    response = two.post(
        "/v1/bundles", content=export(one, actor), headers={"Content-Type": "application/cbor"}
    )
    expect_error(response, 415, "bad-request", "HTTP-010.2")
    check_equal(
        "HTTP-010.2", None, head_of(two, actor), "the head after a bundle refused for its type"
    )
