"""The order of a step's ``read`` and ``sent`` over several parties and messages (HTTP-007.6).

"By party in ascending id order ..., each party's oldest first": ``test_life.py`` checks
a step that read two messages of one party and sent one; here each list holds two
parties besides the outside, and two messages of each. A ``fanout`` sends to a tree's
entries in canonical order (WIT-021.1), so it names the higher id first and the lower
one after it, then the higher again: the ``sent`` list must still give the lower id's
message first and the higher id's two messages oldest first. A counter whose genesis
waits (WIT-012.2) reads at once two ``inc`` and its genesis from the outside and two
``fanned`` from each of two fanouts: its first step's ``read`` lists the outside, then
the two fanouts in ascending id order, each party's messages oldest first. Every
message id is computed here (WIT-004's chains).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import gritwit as g

from .._check import check, check_equal, fail
from ._api import (
    blob_id,
    body_of,
    core_of,
    count_of,
    create,
    head_of,
    inc,
    message_id,
    send,
    settle,
)
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")


def _listing(names: dict[str, str]) -> tuple[dict[str, Any], str]:
    """A ``fanout`` content naming each actor of ``names`` (entry name → actor id): the
    request's description and the tree's id."""
    described = {"tree": {name: {"blob": actor.encode().hex()} for name, actor in names.items()}}
    tree = g.Tree(
        entries={
            name: g.ObjectId.from_hex(blob_id(actor.encode())) for name, actor in names.items()
        }
    )
    return described, g.object_id(tree).hex()


def _steps(client: httpx.Client, actor: str) -> list[dict[str, Any]]:
    answer = body_of(client.get(f"/v1/actors/{actor}/history"), 200, "HTTP-007.6")
    steps = answer.get("steps") if isinstance(answer, dict) else None
    if not (isinstance(steps, list) and steps):
        fail(
            "HTTP-007.4",
            expected="a history of at least one step",
            came=answer,
        )
    return steps


@pytest.mark.req("HTTP-007.6", "HTTP-007.4")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_sent_lists_recipients_in_id_order_each_oldest_first(http: httpx.Client) -> None:
    one = create(http, test="counter", state={"seed": b"one".hex()})["actor"]
    two = create(http, test="counter", state={"seed": b"two".hex()})["actor"]
    low, high = sorted((one, two))
    fan = create(http, test="fanout")["actor"]
    settle(http)
    # first the low id alone, so that its next message has a previous of its own
    content, tree = _listing({"a": low})
    send(http, fan, content, mt="fanout")
    settle(http)
    earlier = message_id(tree, {"mt": "fanned"}, None)
    # entries a, b, c in canonical order: high, low, high
    content, tree = _listing({"a": high, "b": low, "c": high})
    asked = send(http, fan, content, mt="fanout")
    settle(http)
    high_first = message_id(tree, {"mt": "fanned"}, None)
    expected = [
        {"recipient": low, "message": message_id(tree, {"mt": "fanned"}, earlier), "mt": "fanned"},
        {"recipient": high, "message": high_first, "mt": "fanned"},
        {
            "recipient": high,
            "message": message_id(tree, {"mt": "fanned"}, high_first),
            "mt": "fanned",
        },
    ]
    newest = _steps(http, fan)[0]
    check_equal(
        "HTTP-007.6",
        expected,
        newest.get("sent"),
        "a step's sent lists its recipients in ascending id order, each recipient's "
        "messages oldest first",
    )
    read = [{"sender": "outside", "message": asked, "mt": "fanout"}]
    check_equal("HTTP-007.6", read, newest.get("read"), "the fanout's step read the one fanout")


@pytest.mark.req("HTTP-007.6", "HTTP-007.4")
@pytest.mark.req(
    "HTTP-002.1",
    "HTTP-003.1",
    "HTTP-003.2",
    "HTTP-004.2",
    "HTTP-005.2",
    "HTTP-006.1",
    "HTTP-009.3",
    "HTTP-011.1",
)
@pytest.mark.req("CONV-004")
def test_read_lists_senders_in_id_order_each_oldest_first(http: httpx.Client) -> None:
    seed = {"seed": b"late-reader".hex()}
    actor = g.object_id(core_of("counter", seed)).hex()
    fans = [create(http, test="fanout", state={"seed": s.hex()})["actor"] for s in (b"1", b"2")]
    settle(http)
    first = inc(http, actor, 2)  # both wait for the genesis
    second = inc(http, actor, 3)
    fanned: dict[str, list[str]] = {}
    for fan, names in zip(fans, (("a", "b"), ("x", "y")), strict=True):
        content, tree = _listing(dict.fromkeys(names, actor))
        send(http, fan, content, mt="fanout")
        once = message_id(tree, {"mt": "fanned"}, None)
        fanned[fan] = [once, message_id(tree, {"mt": "fanned"}, once)]
    settle(http)
    check(
        "HTTP-007.4",
        head_of(http, actor) is None,
        expected="no step of the counter before its genesis was sent",
        came=lambda: head_of(http, actor),
    )
    check_equal(
        "HTTP-004.2",
        actor,
        create(http, test="counter", state=seed)["actor"],
        "the id of the counter created from the seed",
    )
    settle(http)
    genesis = message_id(actor, {"mt": "genesis"}, second)  # queued after the incs
    expected = [
        {"sender": "outside", "message": first, "mt": "inc"},
        {"sender": "outside", "message": second, "mt": "inc"},
        {"sender": "outside", "message": genesis, "mt": "genesis"},
    ]
    for fan in sorted(fans):
        expected += [{"sender": fan, "message": m, "mt": "fanned"} for m in fanned[fan]]
    steps = _steps(http, actor)
    check_equal(
        "HTTP-007.6",
        [expected],
        [s.get("read") for s in steps],
        "the first step lists what it read by sender in ascending id order (the outside "
        "first), each sender's messages oldest first",
    )
    check_equal("HTTP-007.6", 5, count_of(http, actor), "the step that read inc 2 and inc 3 counts")
