"""A batch of sends in one request and one commit (HTTP-005.7).

The entries are sent in their order, chained as if sent one by one; keyed entries are
settled as requests of their own; one refused entry refuses the whole request, which
then sends nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from serve_helpers import Served, count, created, error_of, send, served, settle

__all__ = ["served"]


def _entry(to: str, data: bytes = b"", **more: Any) -> dict[str, Any]:
    return {"to": to, "mt": "inc", "content": {"blob": data.hex()}, **more}


def _box(served: Served, actor: str) -> object:
    answer = served.client.get(f"/v1/refs/names/outside-outbox/{actor[15]}")
    return answer.json()["target"] if answer.status_code == 200 else None


@pytest.mark.req("HTTP-005.7", "HTTP-005.2")
def test_a_batch_is_sent_in_order_chained_and_answered_per_entry(served: Served) -> None:
    client = served.client
    one = created(client, test="counter", state={"n": "01"})
    two = created(client, test="counter", state={"n": "02"})
    settle(client)
    entries = [_entry(one, b"1"), _entry(two, b"10"), _entry(one, b"2"), _entry(one, b"3")]
    answer = client.post("/v1/messages", json={"messages": entries})
    assert answer.status_code == 202, answer.text
    sent = answer.json()["messages"]
    assert [s["replayed"] for s in sent] == [False] * 4
    firsts = [client.get(f"/v1/objects/{s['message']}").json() for s in sent]
    assert firsts[2]["previous"] == sent[0]["message"]  # chained as if sent one by one
    assert firsts[3]["previous"] == sent[2]["message"]
    assert firsts[1]["headers"] == {"mt": "inc"}
    settle(client)
    assert (count(client, one), count(client, two)) == (6, 10)


@pytest.mark.req("HTTP-005.7", "HTTP-005.3", "HTTP-005.5", "HTTP-003.3")
def test_keyed_entries_replay_and_one_conflict_refuses_the_whole(served: Served) -> None:
    client = served.client
    actor = created(client, test="counter")
    first = send(client, actor, data=b"5", headers={"Idempotency-Key": "a"})
    assert first.status_code == 202
    batch = [_entry(actor, b"5", key="a"), _entry(actor, b"1", key="b"), _entry(actor, b"1")]
    answer = client.post("/v1/messages", json={"messages": batch})
    assert answer.status_code == 202
    sent = answer.json()["messages"]
    assert sent[0] == {"message": first.json()["message"], "replayed": True}
    assert [s["replayed"] for s in sent[1:]] == [False, False]
    again = client.post("/v1/messages", json={"messages": batch[:2]})
    assert [s["replayed"] for s in again.json()["messages"]] == [True, True]
    box = _box(served, actor)
    conflict = [_entry(actor, b"9"), _entry(actor, b"6", key="a")]  # "a" was sent with 5
    error_of(client.post("/v1/messages", json={"messages": conflict}), 409, "key-conflict")
    assert _box(served, actor) == box  # nothing sent, not even the first entry
    settle(client)
    assert count(client, actor) == 7


_OTHER = "ab" * 32
#: Bodies refused whole: each names a good entry first, which must not be sent either.
MALFORMED: dict[str, Any] = {
    "empty": lambda good: [],
    "not a list": lambda good: "not a list",
    "no content": lambda good: [good, {"to": _OTHER}],
    "bad to": lambda good: [good, {"to": "-nope", "content": {"blob": ""}}],  # no name
    "bad hex": lambda good: [good, {"to": _OTHER, "content": {"blob": "zz"}}],
    "unknown field": lambda good: [good, {**good, "priority": 1}],
    "bad key": lambda good: [good, {**good, "key": "a b"}],
    "bad signal": lambda good: [good, {**good, "signal": "yes"}],
    "same to and key": lambda good: [good, {**good, "key": "k"}, {**good, "key": "k"}],
    "1001 entries": lambda good: [good] * 1001,
    "not an object": lambda good: [good, 7],
}


@pytest.mark.req("HTTP-005.7", "HTTP-003.3", "HTTP-002.3")
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_batch_is_refused_and_sends_nothing(served: Served, case: str) -> None:
    actor = created(served.client, test="counter")
    box = _box(served, actor)
    body = {"messages": MALFORMED[case](_entry(actor))}
    answer = served.client.post("/v1/messages", json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["class"] in ("bad-request", "invalid-id", "invalid-ref-name")
    assert _box(served, actor) == box


@pytest.mark.req("HTTP-005.7")
def test_a_batch_of_a_thousand_is_taken(served: Served) -> None:
    actor = created(served.client, test="counter")
    answer = served.client.post("/v1/messages", json={"messages": [_entry(actor)] * 1000})
    assert answer.status_code == 202 and len(answer.json()["messages"]) == 1000
    settle(served.client)
    assert count(served.client, actor) == 1000
