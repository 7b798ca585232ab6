"""Idempotency keys (HTTP-005.3 … HTTP-005.5): the window cache, and keys over HTTP.

:class:`~gritwit.serve._keys.KeyWindows` must find exactly what a plain walk of the
latest messages finds, whatever the chain did between two look-ups (hypothesis), and
walk only what was sent since its last look-up.  Over HTTP: a replay is answered 200
with the first message and sends nothing; another content, ``mt`` or signal under the
same key is 409; the key is in the message; a service started afresh on the same store
finds the keys of the one before (it settles by the store, HTTP-005.4).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from serve_helpers import Served, created, error_of, send, served, serving, settle

from gritwit import Blob, Message, ObjectId, object_id
from gritwit.serve._keys import KEY_HEADER, Fingerprint, KeyWindows

__all__ = ["served"]

CONTENT = object_id(Blob(data=b"c"))


class Chain:
    """A recipient's chain of messages from the outside, kept in a dict."""

    def __init__(self) -> None:
        self.messages: dict[ObjectId, Message] = {}
        self.entry: ObjectId | None = None
        self.serial = 0

    def add(self, key: str | None, signal: bool) -> None:
        self.serial += 1  # every message differs (its mt), as sends with content do
        headers = {"mt": f"m{self.serial}"}
        if key is not None:
            headers[KEY_HEADER] = key
        message = Message(content=CONTENT, previous=None if signal else self.entry, headers=headers)
        oid = object_id(message)
        self.messages[oid] = message
        self.entry = oid

    def read(self, oid: ObjectId) -> Message:
        return self.messages[oid]

    def walk(self, key: str, window: int) -> ObjectId | None:
        """The newest message carrying ``key`` among the latest ``window`` (HTTP-005.4)."""
        current, seen = self.entry, 0
        while current is not None and seen < window:
            message = self.messages[current]
            if message.headers.get(KEY_HEADER) == key:
                return current
            current, seen = message.previous, seen + 1
        return None


KEYS = ["a", "b", "c", "d"]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.sampled_from([None, *KEYS]), st.booleans()),
        st.tuples(st.just("find"), st.sampled_from(KEYS), st.just(False)),
    ),
    max_size=60,
)


@pytest.mark.req("HTTP-005.3", "HTTP-005.4")
@settings(max_examples=300)
@given(steps, st.integers(min_value=1, max_value=8))
def test_the_cache_finds_what_a_walk_of_the_window_finds(
    plan: list[tuple[str, str | None, bool]], window: int
) -> None:
    chain = Chain()
    windows = KeyWindows(chain.read, window=window)
    recipient = CONTENT
    for action, key, signal in plan:
        if action == "send":
            chain.add(key, signal and len(chain.messages) % 3 == 0)
            continue
        assert key is not None
        found = windows.find(recipient, chain.entry, key)
        expected = chain.walk(key, window)
        assert (None if found is None else found.message) == expected


@pytest.mark.req("HTTP-005.4")
def test_a_new_key_walks_only_what_was_sent_since() -> None:
    chain = Chain()
    windows = KeyWindows(chain.read)
    for n in range(1500):
        chain.add(f"k{n}", False)
    assert windows.find(CONTENT, chain.entry, "k0") is None  # past the latest 1,000
    assert windows.find(CONTENT, chain.entry, "k500").message == chain.walk("k500", 1000)
    assert windows.walked == 1000
    for n in range(3):
        chain.add(f"new{n}", False)
    assert windows.find(CONTENT, chain.entry, "absent") is None
    assert windows.walked == 1003  # the three new messages, not a thousand
    found = windows.find(CONTENT, chain.entry, "k503")  # the oldest still in the window
    assert found is not None and found.message == chain.walk("k503", 1000)
    assert windows.find(CONTENT, chain.entry, "k502") is None  # fell out: 3 sent since
    assert chain.walk("k502", 1000) is None
    assert windows.walked == 1003


@pytest.mark.req("HTTP-005.5")
def test_fingerprints_tell_a_signal_only_where_the_store_tells() -> None:
    queued = Fingerprint(content=CONTENT, mt="x", signal=False)
    unknown = Fingerprint(content=CONTENT, mt="x", signal=None)
    assert unknown.matches(Fingerprint(content=CONTENT, mt="x", signal=True))
    assert not queued.matches(Fingerprint(content=CONTENT, mt="x", signal=True))
    assert not queued.matches(Fingerprint(content=CONTENT, mt="y", signal=False))
    assert not queued.matches(Fingerprint(content=CONTENT, mt=None, signal=False))


# --- over HTTP --------------------------------------------------------------------------


@pytest.fixture
def counter(served: Served) -> Iterator[tuple[Served, str]]:
    yield served, created(served.client, test="counter")


def _message(served: Served, oid: str) -> dict[str, object]:
    answer = served.client.get(f"/v1/objects/{oid}")
    assert answer.status_code == 200
    found: dict[str, object] = answer.json()
    return found


@pytest.mark.req("HTTP-005.2", "HTTP-005.3")
def test_a_replay_answers_the_first_message_and_sends_nothing(
    counter: tuple[Served, str],
) -> None:
    served, actor = counter
    key = {"Idempotency-Key": "order-1"}
    first = send(served.client, actor, data=b"5", headers=key)
    assert first.status_code == 202 and first.json()["replayed"] is False
    message = first.json()["message"]
    assert _message(served, message)["headers"] == {"mt": "inc", "idempotency-key": "order-1"}
    again = send(served.client, actor, data=b"5", headers=key)
    assert again.status_code == 200
    assert again.json() == {"message": message, "replayed": True}
    settle(served.client)
    assert int(served.client.get(f"/v1/actors/{actor}/queries/count").content) == 5
    entry = served.client.get(f"/v1/refs/names/outside-outbox/{actor[15]}").json()["target"]
    box = _message(served, entry)
    assert box["entries"][actor] == message  # nothing sent after it


@pytest.mark.req("HTTP-005.5", "HTTP-003.3")
@pytest.mark.parametrize(
    "change",
    [{"data": b"6"}, {"mt": "get"}, {"signal": True}],
    ids=["content", "mt", "signal"],
)
def test_the_same_key_with_another_send_is_a_conflict(
    counter: tuple[Served, str], change: dict[str, object]
) -> None:
    served, actor = counter
    key = {"Idempotency-Key": "k"}
    first = send(served.client, actor, data=b"5", headers=key)
    assert first.status_code == 202
    options: dict[str, object] = {"mt": "inc", "data": b"5", **change}
    conflict = send(served.client, actor, headers=key, **options)  # type: ignore[arg-type]
    error_of(conflict, 409, "key-conflict")
    settle(served.client)
    assert int(served.client.get(f"/v1/actors/{actor}/queries/count").content) == 5


@pytest.mark.req("HTTP-005.3")
def test_a_key_is_its_recipients_own(served: Served) -> None:
    one, two = (created(served.client, test="counter", state={"n": n}) for n in ("01", "02"))
    key = {"Idempotency-Key": "same"}
    assert send(served.client, one, headers=key).status_code == 202
    assert send(served.client, two, headers=key).status_code == 202  # another recipient
    assert send(served.client, two, headers=key).status_code == 200


@pytest.mark.req("HTTP-005.3")
@pytest.mark.parametrize(
    ("key", "status"),
    [("!", 202), ("~", 202), ("x" * 255, 202), ("x" * 256, 400), ("a b", 400), ("a\x7f", 400)],
)
def test_the_key_header_is_checked(counter: tuple[Served, str], key: str, status: int) -> None:
    served, actor = counter
    answer = send(served.client, actor, headers=[("Idempotency-Key", key.encode("latin-1"))])
    assert answer.status_code == status, answer.text
    if status == 400:
        error_of(answer, 400, "bad-request")


@pytest.mark.req("HTTP-005.3")
def test_concurrent_requests_with_one_key_send_once(counter: tuple[Served, str]) -> None:
    import concurrent.futures

    import httpx

    served, actor = counter

    def post(_: int) -> httpx.Response:
        with httpx.Client(base_url=served.url, trust_env=False, timeout=30) as client:
            return send(client, actor, data=b"1", headers={"Idempotency-Key": "burst"})

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(post, range(16)))
    assert {a.json()["message"] for a in answers} == {answers[0].json()["message"]}
    assert sorted(a.status_code for a in answers) == [200] * 15 + [202]
    settle(served.client)
    assert int(served.client.get(f"/v1/actors/{actor}/queries/count").content) == 1


@pytest.mark.req("HTTP-005.4", "HTTP-001.4")
def test_a_new_service_on_the_store_finds_the_keys_of_the_last(tmp_path: Path) -> None:
    with serving(tmp_path / "store") as first:
        actor = created(first.client, test="counter")
        sent = send(first.client, actor, data=b"3", headers={"Idempotency-Key": "x"})
        assert sent.status_code == 202
        for n in range(20):  # the key is deep in the chain now, well within 1,000
            assert (
                send(first.client, actor, headers={"Idempotency-Key": f"n{n}"}).status_code == 202
            )
    with serving(tmp_path / "store") as second:
        again = send(second.client, actor, data=b"3", headers={"Idempotency-Key": "x"})
        assert again.status_code == 200
        assert again.json() == {"message": sent.json()["message"], "replayed": True}
        settle(second.client)
        assert int(second.client.get(f"/v1/actors/{actor}/queries/count").content) == 23


@pytest.mark.req("HTTP-005.6", "HTTP-005.4", "RUN-019.6")
@pytest.mark.parametrize("committed", [True, False], ids=["committed", "lost"])
def test_an_unknown_outcome_is_504_and_the_same_key_settles_it(
    served: Served, monkeypatch: pytest.MonkeyPatch, committed: bool
) -> None:
    from gritwit import OutcomeUnknown

    actor = created(served.client, test="counter")
    settle(served.client)
    from gritwit.store import Store

    real = Store.put_encoded_then_cas

    def unknown(store: Store, encodings: Any, name: str, *args: Any, **kwargs: Any) -> None:
        if not name.startswith("names/outside-outbox/"):  # not a send: as it was
            real(store, encodings, name, *args, **kwargs)
            return
        monkeypatch.setattr(Store, "put_encoded_then_cas", real)  # once
        if committed:
            real(store, encodings, name, *args, **kwargs)
        raise OutcomeUnknown("DUR-006.2", "the connection dropped with the commit")

    monkeypatch.setattr(Store, "put_encoded_then_cas", unknown)
    key = {"Idempotency-Key": "settle-me"}
    lost = send(served.client, actor, data=b"4", headers=key)
    error = error_of(lost, 504, "outcome-unknown")
    assert len(error["messages"]) == 1
    again = send(served.client, actor, data=b"4", headers=key)
    assert again.status_code == (200 if committed else 202), again.text
    assert again.json()["replayed"] is committed
    if committed:
        assert again.json()["message"] == error["messages"][0]
    settle(served.client)
    assert int(served.client.get(f"/v1/actors/{actor}/queries/count").content) == 4
