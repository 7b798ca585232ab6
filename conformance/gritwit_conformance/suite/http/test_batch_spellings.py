"""A batch's recipient spelled two ways: by its id and by a name bound to it (HTTP-005.7).

A ``to`` is read as a path's ``{actor}`` (HTTP-015.1): a name is the actor it names, so
an entry by name and one by id are entries to one recipient. They chain one after the
other as sends to one actor do (WIT-004), two of them with one ``key`` are "two entries
with the same ``to`` and ``key``" (400, sending nothing), and a key sent by one
spelling is found by the other. Every expected id is computed here from WIT-004's
chain.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .._check import check, check_equal, fail
from ._api import (
    blob_id,
    body_of,
    count_of,
    expect_error,
    genesis_id,
    inc,
    message_id,
    next_previous,
    settle,
)
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

NAME = "spelled"


def _named(client: httpx.Client) -> str:
    """A counter named :data:`NAME` (HTTP-004.5): its id."""
    body = {"test": "counter", "name": NAME}
    answer = body_of(client.post("/v1/actors", json=body), 201, "HTTP-004.5")
    if not (isinstance(answer, dict) and answer.get("name") == NAME):
        fail(
            "HTTP-004.5",
            expected=f"a creation named {NAME} to answer the name",
            came=answer,
        )
    return str(answer["actor"])


def _entry(to: str, amount: int, key: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"to": to, "content": {"blob": str(amount).encode().hex()}}
    entry["mt"] = "inc"
    if key is not None:
        entry["key"] = key
    return entry


def _batch(client: httpx.Client, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    answer = body_of(client.post("/v1/messages", json={"messages": entries}), 202, "HTTP-005.7")
    listed = answer.get("messages") if isinstance(answer, dict) else None
    if not (isinstance(listed, list) and len(listed) == len(entries)):
        fail(
            "HTTP-005.7",
            expected=f"a batch of {len(entries)} entries to answer {len(entries)} entries",
            came=answer,
        )
    return listed


@pytest.mark.req("HTTP-005.7", "HTTP-015.1", "WIT-004")
@pytest.mark.req("HTTP-002.1", "HTTP-004.5", "HTTP-006.1", "HTTP-011.1")
def test_entries_by_id_and_by_name_chain_as_one_recipient(http: httpx.Client) -> None:
    actor = _named(http)
    listed = _batch(http, [_entry(actor, 1), _entry(NAME, 2), _entry(actor, 4)])
    first = message_id(blob_id(b"1"), {"mt": "inc"}, genesis_id(actor))
    second = message_id(blob_id(b"2"), {"mt": "inc"}, first)
    third = message_id(blob_id(b"4"), {"mt": "inc"}, second)
    got = [item.get("message") for item in listed]
    check_equal(
        ("HTTP-005.7", "HTTP-015.1"),
        [first, second, third],
        got,
        "entries to one actor by id, by name and by id again are sent to one recipient, "
        "each after the last (WIT-004)",
    )
    settle(http)
    check_equal("HTTP-005.7", 7, count_of(http, actor), "1 + 2 + 4 sent by id and by name")


@pytest.mark.parametrize("order", ["id-then-name", "name-then-id"])
@pytest.mark.req("HTTP-005.7", "HTTP-015.1", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.5", "HTTP-005.2")
@pytest.mark.req("CONV-004")
def test_one_key_to_one_recipient_spelled_two_ways_is_400(http: httpx.Client, order: str) -> None:
    actor = _named(http)
    last = inc(http, actor)
    spellings = [actor, NAME] if order == "id-then-name" else [NAME, actor]
    entries = [_entry(spellings[0], 1, "twice"), _entry(spellings[1], 2, "twice")]
    response = http.post("/v1/messages", json={"messages": entries})
    expect_error(response, 400, "bad-request", f"HTTP-005.7 (one key to one recipient, {order})")
    check(
        "HTTP-005.7",
        next_previous(http, actor) == last,
        expected=f"the batch refused for its key given twice ({order}) to send nothing",
        came="a message sent",
    )


@pytest.mark.parametrize("order", ["id-then-name", "name-then-id"])
@pytest.mark.req("HTTP-005.7", "HTTP-005.3", "HTTP-015.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.5", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_key_sent_by_one_spelling_is_found_by_the_other(http: httpx.Client, order: str) -> None:
    actor = _named(http)
    single, entry = (actor, NAME) if order == "id-then-name" else (NAME, actor)
    first = inc(http, single, 3, key="spelled-once")
    listed = _batch(http, [_entry(entry, 3, "spelled-once")])
    check_equal(
        ("HTTP-005.7", "HTTP-005.3"),
        [{"message": first, "replayed": True}],
        listed,
        f"a key sent to the actor as {single[:12]} and retried in a batch as {entry[:12]} "
        "answers the first message, replayed",
    )
    settle(http)
    check_equal(
        "HTTP-005.3", 3, count_of(http, actor), "the count after a key retried by another spelling"
    )
