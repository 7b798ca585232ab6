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
    assert response.status_code == 200, f"HTTP-010.1: exporting {actor} answers {shown(response)}"
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    assert media == BUNDLE, f"HTTP-010.1: a bundle is served as {media!r}, not {BUNDLE}"
    return response.content


def import_(client: httpx.Client, bundle: bytes) -> dict[str, Any]:
    response = client.post("/v1/bundles", content=bundle, headers={"Content-Type": BUNDLE})
    answer = body_of(response, 200, "HTTP-010.2")
    assert isinstance(answer, dict) and set(answer) == {"actor", "head"}, (
        f"HTTP-010.2: an import answers {answer}, not {{actor, head}}"
    )
    return answer


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
def test_an_imported_actor_continues_on_the_other_service(
    moved: Callable[[], tuple[httpx.Client, httpx.Client, str]],
) -> None:
    one, two, actor = moved()
    head = head_of(one, actor)
    answer = import_(two, export(one, actor))
    assert answer == {"actor": actor, "head": head}, (
        f"HTTP-010.2: the import answers {answer}; the exported actor {actor} has head {head}"
    )
    assert head_of(two, actor) == head, "HTTP-010.2: the import did not set heads/<actor>"
    assert count_of(two, actor) == 5, "HTTP-010.2: the imported counter does not count 5"
    inc(two, actor, 10)
    settle(two)
    assert count_of(two, actor) == 15, "HTTP-010.2: the imported actor did not continue"
    history = body_of(two.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.4")["steps"]
    assert history[1]["step"] == head, "RUN-009.8: the next step does not follow the bundle's head"


#: A step time as HTTP-007.7 writes it: ISO 8601 UTC to the second.
STEP_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def _times(client: httpx.Client, actor: str) -> list[object]:
    steps = body_of(client.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.7")["steps"]
    missing = [step["step"] for step in steps if "time" not in step]
    assert not missing, f"HTTP-007.7: the history steps {missing} hold no `time`"
    return [step["time"] for step in steps]


@pytest.mark.req("HTTP-007.7", "RUN-027.2", "HTTP-002.1", "HTTP-010.1", "HTTP-010.2")
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
    assert not wrong, f"HTTP-007.7: step times {wrong} are neither null nor ISO 8601 UTC"
    entry = body_of(one.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")
    assert "time" in entry and entry["time"] == times[0], (
        f"HTTP-007.7: the entry's time {entry.get('time', '(none)')!r} is not its head's "
        f"{times[0]!r}"
    )
    listed = body_of(one.get("/v1/actors"), 200, "HTTP-007.1")["actors"]
    assert [e.get("time", "(none)") for e in listed if e["actor"] == actor] == [times[0]], (
        "HTTP-007.7: the listed entry's time is not its head's"
    )
    import_(two, export(one, actor))
    moved_times = _times(two, actor)
    assert moved_times[1:] == [None] * (len(moved_times) - 1), (
        f"HTTP-007.7: after an import the steps older than the head have the times "
        f"{moved_times[1:]}; they were never a head on this service (RUN-027.2)"
    )


@pytest.mark.req("HTTP-010.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-009.3", "RUN-009.1")
def test_the_bundle_is_run_009s_array(
    moved: Callable[[], tuple[httpx.Client, httpx.Client, str]],
) -> None:
    one, _, actor = moved()
    bundle = export(one, actor)
    value = cbor2.loads(bundle)
    assert isinstance(value, list) and len(value) == 4, "RUN-009.1: a bundle is a 4-array"
    tag, who, head, objects = value
    assert (tag, who, head) == ("gritwit-bundle/1", actor, head_of(one, actor)), (
        f"RUN-009.1: the bundle starts {tag!r}, {who!r}, {head!r}"
    )
    ids = [blake3.blake3(obj).hexdigest() for obj in objects]
    assert ids == sorted(ids) and len(set(ids)) == len(ids), "RUN-009.1: objects not sorted, once"
    assert set(ids) == _reachable(one, head), (
        "RUN-009.1: the bundle's objects are not exactly those reachable from the head"
    )


@pytest.mark.req("HTTP-010.2")
@pytest.mark.req("HTTP-002.1", "HTTP-010.1")
def test_importing_twice_changes_nothing(
    moved: Callable[[], tuple[httpx.Client, httpx.Client, str]],
) -> None:
    one, two, actor = moved()
    bundle = export(one, actor)
    first = import_(two, bundle)
    assert import_(two, bundle) == first, "HTTP-010.2: the same bundle again answers otherwise"


@pytest.mark.req("HTTP-010.2", "HTTP-003.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-005.2", "HTTP-006.1", "HTTP-010.1", "HTTP-011.1")
def test_importing_over_another_head_is_409(
    moved: Callable[[], tuple[httpx.Client, httpx.Client, str]],
) -> None:
    one, _, actor = moved()
    bundle = export(one, actor)
    inc(one, actor)
    settle(one)
    response = one.post("/v1/bundles", content=bundle, headers={"Content-Type": BUNDLE})
    expect_error(response, 409, "ref-conflict", "HTTP-010.2 (RUN-009.4: another head)")
    assert count_of(one, actor) == 6, "HTTP-010.2: the refused import changed the actor"


@pytest.mark.req("HTTP-010.1", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1", "HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
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
@pytest.mark.req("HTTP-010.2", "HTTP-003.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-009.3", "HTTP-010.1")
def test_a_bundle_run_009_refuses_imports_nothing(
    moved: Callable[[], tuple[httpx.Client, httpx.Client, str]], how: str, status: int, error: str
) -> None:
    one, two, actor = moved()
    bad = _bad(export(one, actor), how)
    response = two.post("/v1/bundles", content=bad, headers={"Content-Type": BUNDLE})
    expect_error(response, status, error, f"HTTP-010.2 ({how})")
    assert head_of(two, actor) is None, f"HTTP-010.2: the refused bundle ({how}) set a head"
    expect_error(
        two.get(f"/v1/objects/{actor}"), 404, "not-found", "RUN-009.3: an object was stored"
    )


@pytest.mark.req("HTTP-010.2", "HTTP-002.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-009.3", "HTTP-010.1")
def test_a_bundle_of_another_media_type_is_415(
    moved: Callable[[], tuple[httpx.Client, httpx.Client, str]],
) -> None:
    one, two, actor = moved()
    response = two.post(
        "/v1/bundles", content=export(one, actor), headers={"Content-Type": "application/cbor"}
    )
    expect_error(response, 415, "bad-request", "HTTP-010.2")
    assert head_of(two, actor) is None, "HTTP-010.2: a bundle refused for its type was imported"
