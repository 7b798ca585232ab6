"""Placing a new actor from HTTP: ``POST /v1/actors``'s ``placement`` (HTTP-004.8).

The genesis a placed creation sends carries the header ``placement``, the id of the actor
named (RUN-021.7); the suite computes that message's id by hand (WIT-012.1: the first
message the outside sends the actor, no ``previous``) and reads the placement record the
runtime writes before the actor's first transition (RUN-021.8: ``names/placement/<X>``,
its target the genesis). A creation without ``placement`` sends the plain genesis and
leaves no record; one refused sends nothing, so the same creation made afterwards is
still the first genesis; one of an actor that exists sends nothing and moves no record.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import gritwit as g

from .._check import check_equal
from ._api import body_of, core_of, create, expect_error, genesis_id, message_id, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

ELSEWHERE = "cd" * 32  # a well-formed id of no actor: an id is taken as given (RUN-026.4)


def _actor(test: str = "counter") -> str:
    return g.object_id(core_of(test)).hex()


def _placed_genesis(actor: str, placement: str) -> str:
    """The first genesis to ``actor`` carrying ``placement`` (RUN-021.7, WIT-012.1)."""
    return message_id(actor, {"mt": "genesis", "placement": placement}, None)


def _record(client: httpx.Client, actor: str) -> str | None:
    """The target of ``names/placement/<actor>`` (RUN-021.7), None when it has none."""
    response = client.get(f"/v1/refs/names/placement/{actor}")
    if response.status_code == 404:
        expect_error(response, 404, "not-found", "HTTP-009.3")
        return None
    answer = body_of(response, 200, "HTTP-009.3")
    return str(answer["target"])


@pytest.mark.req("HTTP-004.8", "RUN-021.7", "RUN-021.8")
@pytest.mark.req("HTTP-004.2", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_a_creation_placed_by_id_sends_a_genesis_with_the_header(http: httpx.Client) -> None:
    actor = _actor()
    answer = create(http, test="counter", placement=ELSEWHERE)
    message = _placed_genesis(actor, ELSEWHERE)
    check_equal(
        "HTTP-004.8",
        {"actor": actor, "message": message, "existed": False},
        answer,
        f"the creation of a counter placed with {ELSEWHERE}: its genesis carries the header "
        f"placement (without it, it would be {genesis_id(actor)})",
    )
    settle(http)
    record = _record(http, actor)
    check_equal(
        ("HTTP-004.8", "RUN-021.8"),
        message,
        record,
        f"the target of the placement record of {actor}: its placed genesis",
    )


@pytest.mark.req("HTTP-004.8", "RUN-021.7", "RUN-021.8")
@pytest.mark.req("HTTP-004.2", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_a_creation_without_placement_sends_the_plain_genesis(http: httpx.Client) -> None:
    actor = _actor()
    answer = create(http, test="counter")
    check_equal(
        "HTTP-004.8",
        genesis_id(actor),
        answer.get("message"),
        "the message a creation without placement sent: the genesis without a placement header",
    )
    settle(http)
    check_equal(
        ("HTTP-004.8", "RUN-021.8"),
        None,
        _record(http, actor),
        "the placement record of an actor created without placement: none",
    )


@pytest.mark.req("HTTP-004.8", "HTTP-015.1", "RUN-026.4", "RUN-021.7")
@pytest.mark.req("HTTP-004.2", "HTTP-004.5")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
def test_a_placement_name_is_resolved_to_its_actor(http: httpx.Client) -> None:
    home = body_of(
        http.post("/v1/actors", json={"test": "echo", "name": "home"}), 201, "HTTP-004.5"
    )
    home_id = str(home["actor"])
    actor = _actor()
    answer = create(http, test="counter", placement="home")
    message = _placed_genesis(actor, home_id)
    check_equal(
        ("HTTP-004.8", "HTTP-015.1"),
        message,
        answer.get("message"),
        f"the message a creation placed 'home' (bound to {home_id}) sent: the genesis whose "
        "placement header is that id",
    )


def _refused(client: httpx.Client, body: dict[str, Any], status: int, error: str) -> None:
    response = client.post("/v1/actors", json=body)
    expect_error(response, status, error, f"HTTP-004.8, HTTP-004.6 ({body})")


@pytest.mark.parametrize(
    ("placement", "status", "error"),
    [
        (7, 400, "bad-request"),
        (["home"], 400, "bad-request"),
        (None, 400, "bad-request"),
        ("CD" * 32, 400, "invalid-ref-name"),
        ("cd" * 32 + "c", 400, "invalid-ref-name"),  # 65 hex digits: no id, too long a name
        ("Home", 400, "invalid-ref-name"),
        ("", 400, "invalid-ref-name"),
        ("x" * 65, 400, "invalid-ref-name"),
        ("nobody", 404, "not-found"),
        ("cd" * 31 + "cg", 404, "not-found"),  # 64 characters, one no hex digit: a name
    ],
    ids=["number", "list", "null", "upper-id", "long-id", "upper", "empty", "long", "unbound", "g"],
)
@pytest.mark.req("HTTP-004.8", "HTTP-004.6", "HTTP-015.1", "RUN-026.4", "RUN-026.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2")
@pytest.mark.req("CONV-004")
def test_a_placement_neither_text_nor_an_actor_is_refused_sending_nothing(
    http: httpx.Client, placement: Any, status: int, error: str
) -> None:
    _refused(http, {"test": "counter", "placement": placement}, status, error)
    actor = _actor()
    answer = create(http, test="counter")
    check_equal(
        "HTTP-004.6",
        genesis_id(actor),
        answer.get("message"),
        "the counter's genesis after a refused creation: the outside's first message to it, "
        "the refused one sent nothing",
    )


@pytest.mark.req("HTTP-004.8", "HTTP-015.1")
@pytest.mark.req("HTTP-004.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("HTTP-004.6")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_placement_of_64_lowercase_hex_digits_and_of_a_63_digit_name(http: httpx.Client) -> None:
    """Both sides of the id's length: 64 digits are an id taken as given; 63 a name."""
    answer = create(http, test="counter", placement="0" * 64)
    check_equal(
        "HTTP-004.8",
        _placed_genesis(_actor(), "0" * 64),
        answer.get("message"),
        "the message a creation placed at 64 zero digits sent: an id taken as given",
    )
    _refused(http, {"test": "echo", "placement": "0" * 63}, 404, "not-found")


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"test": "counter", "state": {"x": "XY"}, "placement": "Bad"}, 400, "bad-request"),
        ({"core": "AB" * 32, "placement": "Bad"}, 400, "invalid-id"),
        ({"test": "no-such-test-actor", "placement": "Bad"}, 400, "invalid-ref-name"),
        ({"test": "no-such-test-actor", "placement": "nobody"}, 422, "unknown-wit"),
        ({"test": "counter", "name": "Bad", "placement": "nobody"}, 400, "invalid-ref-name"),
        ({"test": "counter", "placement": 7, "name": "Bad"}, 400, "bad-request"),
    ],
    ids=["body-first", "core-id-first", "before-code", "code-first", "name-first", "text-first"],
)
@pytest.mark.req("HTTP-004.8", "HTTP-004.6", "HTTP-004.3", "HTTP-004.4")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_a_bad_placement_falls_in_the_order_of_a_creations_refusals(
    http: httpx.Client, body: dict[str, Any], status: int, error: str
) -> None:
    _refused(http, body, status, error)


@pytest.mark.req("HTTP-004.8", "HTTP-004.7", "RUN-021.9")
@pytest.mark.req("HTTP-004.2", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_an_existing_actor_keeps_its_placement(http: httpx.Client) -> None:
    actor = _actor()
    first = create(http, test="counter", placement=ELSEWHERE)
    settle(http)
    again = create(http, test="counter", placement="ef" * 32)
    check_equal(
        ("HTTP-004.8", "HTTP-004.7"),
        {"actor": actor, "message": None, "existed": True},
        again,
        f"the creation of the existing {actor} with another placement: existed, no message",
    )
    settle(http)
    record = _record(http, actor)
    check_equal(
        "HTTP-004.8",
        first.get("message"),
        record,
        f"the target of the placement record of {actor}: still the first genesis",
    )
