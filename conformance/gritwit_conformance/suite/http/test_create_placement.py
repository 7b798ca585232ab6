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
def test_a_creation_placed_by_id_sends_a_genesis_with_the_header(http: httpx.Client) -> None:
    actor = _actor()
    answer = create(http, test="counter", placement=ELSEWHERE)
    message = _placed_genesis(actor, ELSEWHERE)
    assert answer == {"actor": actor, "message": message, "existed": False}, (
        f"HTTP-004.8: a counter placed with {ELSEWHERE} answers {answer}; its genesis "
        f"carrying the header placement is {message} (without it: {genesis_id(actor)})"
    )
    settle(http)
    record = _record(http, actor)
    assert record == message, (
        f"HTTP-004.8, RUN-021.8: the placement record of {actor} targets {record}, not "
        f"its placed genesis {message}"
    )


@pytest.mark.req("HTTP-004.8", "RUN-021.7", "RUN-021.8")
@pytest.mark.req("HTTP-004.2", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
def test_a_creation_without_placement_sends_the_plain_genesis(http: httpx.Client) -> None:
    actor = _actor()
    answer = create(http, test="counter")
    assert answer["message"] == genesis_id(actor), (
        f"HTTP-004.8: a creation without placement sent {answer['message']}, not the "
        f"genesis without a placement header {genesis_id(actor)}"
    )
    settle(http)
    assert _record(http, actor) is None, (
        "HTTP-004.8, RUN-021.8: an actor created without placement has a placement record"
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
    assert answer["message"] == message, (
        f"HTTP-004.8: placement 'home' (bound to {home_id}) sent {answer['message']}, not "
        f"the genesis whose placement header is that id, {message}"
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
def test_a_placement_neither_text_nor_an_actor_is_refused_sending_nothing(
    http: httpx.Client, placement: Any, status: int, error: str
) -> None:
    _refused(http, {"test": "counter", "placement": placement}, status, error)
    actor = _actor()
    answer = create(http, test="counter")
    assert answer["message"] == genesis_id(actor), (
        f"HTTP-004.6: after a refused creation the same counter's genesis is "
        f"{answer['message']}, not the outside's first message to it {genesis_id(actor)}: "
        "the refused one sent something"
    )


@pytest.mark.req("HTTP-004.8", "HTTP-015.1")
@pytest.mark.req("HTTP-004.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
def test_placement_of_64_lowercase_hex_digits_and_of_a_63_digit_name(http: httpx.Client) -> None:
    """Both sides of the id's length: 64 digits are an id taken as given; 63 a name."""
    answer = create(http, test="counter", placement="0" * 64)
    assert answer["message"] == _placed_genesis(_actor(), "0" * 64), (
        f"HTTP-004.8: placement of 64 zero digits is an id taken as given: sent {answer}"
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
def test_a_bad_placement_falls_in_the_order_of_a_creations_refusals(
    http: httpx.Client, body: dict[str, Any], status: int, error: str
) -> None:
    _refused(http, body, status, error)


@pytest.mark.req("HTTP-004.8", "HTTP-004.7", "RUN-021.9")
@pytest.mark.req("HTTP-004.2", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
def test_an_existing_actor_keeps_its_placement(http: httpx.Client) -> None:
    actor = _actor()
    first = create(http, test="counter", placement=ELSEWHERE)
    settle(http)
    again = create(http, test="counter", placement="ef" * 32)
    assert again == {"actor": actor, "message": None, "existed": True}, (
        f"HTTP-004.8, HTTP-004.7: creating the existing {actor} with another placement "
        f"answers {again}, not existed with no message"
    )
    settle(http)
    record = _record(http, actor)
    assert record == first["message"], (
        f"HTTP-004.8: the placement record of {actor} moved to {record} from the first "
        f"genesis {first['message']}"
    )
