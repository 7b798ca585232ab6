"""Idempotency keys (HTTP-005.3 … HTTP-005.5).

A send with ``Idempotency-Key: K`` builds a message with the header ``idempotency-key: K``;
the same request again (same key, recipient, content, ``mt`` and ``signal``) answers the
first message, 200 and ``"replayed": true``, sending nothing: the counter counts it once.
The same key with anything else is 409 ``key-conflict``, sending nothing. A key is 1 to
255 characters from ``!`` to ``~``; every other value that HTTP can carry is 400.
Keys are settled by the store (HTTP-005.4): a service stopped and started again on
the same directory still finds them.
"""

from __future__ import annotations

import string
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit_conformance.suite._properties import properties

from .._check import check, check_equal
from ._api import (
    count_of,
    counter,
    expect_error,
    inc,
    next_previous,
    object_of,
    send,
    settle,
)
from ._service import Services
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: The characters a key is made of (HTTP-005.3): ``!`` … ``~``.
KEY_CHARS = "".join(chr(c) for c in range(0x21, 0x7F))
run = properties(25)


@pytest.mark.smoke
@pytest.mark.req("HTTP-005.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_retry_with_the_same_key_is_replayed_and_counted_once(http: httpx.Client) -> None:
    actor = counter(http)
    first = inc(http, actor, 3, key="order-17")
    again = inc(http, actor, 3, key="order-17", status=200, rule="HTTP-005.3")
    check_equal("HTTP-005.3", first, again, "the message a retry with the same key answers")
    settle(http)
    check_equal(
        "HTTP-005.3",
        3,
        count_of(http, actor),
        "the count after a send of 3 and its retry with the same key (delivered once)",
    )
    check_equal(
        "HTTP-005.3",
        first,
        next_previous(http, actor),
        "the previous of the next send: the first send (the retry sent nothing)",
    )


@pytest.mark.req("HTTP-005.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_the_key_is_a_header_of_the_message(http: httpx.Client) -> None:
    actor = counter(http)
    message = inc(http, actor, key="k:1")
    headers = object_of(http, message)["headers"]
    check_equal(
        "HTTP-005.3",
        {"mt": "inc", "idempotency-key": "k:1"},
        headers,
        "the headers of the message of a send with Idempotency-Key k:1",
    )


@pytest.mark.req("HTTP-005.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_the_key_is_per_recipient(http: httpx.Client) -> None:
    one, two = counter(http, "one"), counter(http, "two")
    first = inc(http, one, key="shared")
    second = inc(http, two, key="shared")
    check(
        "HTTP-005.3",
        first != second,
        expected="two messages for one key sent to two recipients",
        came=f"one message {first} for both",
        what="one key to two recipients",
    )
    settle(http)
    check_equal(
        "HTTP-005.3",
        [1, 1],
        [count_of(http, one), count_of(http, two)],
        "the counts of two recipients each sent 1 with one key",
    )


@pytest.mark.req("HTTP-005.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_several_retries_all_answer_the_first(http: httpx.Client) -> None:
    actor = counter(http)
    first = inc(http, actor, key="again")
    for n in range(4):
        check_equal(
            "HTTP-005.3",
            first,
            inc(http, actor, key="again", status=200, rule="HTTP-005.3"),
            f"the message retry {n + 1} of 4 answers: the first send's",
        )
    settle(http)
    check_equal("HTTP-005.3", 1, count_of(http, actor), "the count after a send and 4 retries")


@pytest.mark.req("HTTP-005.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-006.1", "HTTP-011.1")
def test_concurrent_requests_with_one_key_send_once(http: httpx.Client) -> None:
    """Eight requests at once with one key: one message, the others replayed onto it
    (HTTP-005.3: found "on a send of its own still under way")."""
    actor = counter(http)

    def one(_: int) -> httpx.Response:
        return http.post(
            f"/v1/actors/{actor}/messages",
            json={"content": {"blob": ""}, "mt": "inc"},
            headers={"Idempotency-Key": "at-once"},
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(one, range(8)))
    statuses = sorted(r.status_code for r in answers)
    ids = {r.json().get("message") for r in answers if r.status_code in (200, 202)}
    check(
        "HTTP-005.3",
        statuses == [200] * 7 + [202] and len(ids) == 1,
        expected="one 202 and seven 200, all naming one message",
        came=lambda: f"the statuses {statuses} naming {len(ids)} messages",
        what="eight concurrent sends with one key",
    )
    replayed = [r.json().get("replayed") for r in answers]
    check_equal(
        "HTTP-005.3",
        [False] + [True] * 7,
        sorted(replayed, key=bool),
        "the replayed flags of eight concurrent sends with one key (sorted)",
    )
    settle(http)
    check_equal("HTTP-005.3", 1, count_of(http, actor), "the count after eight sends with one key")


#: What may differ from the first request, each making the second a key-conflict.
CONFLICTS = {
    "content": {"content": {"blob": b"2".hex()}, "mt": "inc"},
    "mt": {"content": {"blob": b"1".hex()}, "mt": "get"},
    "signal": {"content": {"blob": b"1".hex()}, "mt": "inc", "signal": True},
    "no-mt": {"content": {"blob": b"1".hex()}},
    "tree": {"content": {"tree": {"a": {"blob": b"1".hex()}}}, "mt": "inc"},
}


@pytest.mark.parametrize("change", list(CONFLICTS))
@pytest.mark.req("HTTP-005.5", "HTTP-003.2", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_the_same_key_with_other_content_is_409(http: httpx.Client, change: str) -> None:
    actor = counter(http)
    first = inc(http, actor, 1, key="k-conflict")
    response = http.post(
        f"/v1/actors/{actor}/messages",
        json=CONFLICTS[change],
        headers={"Idempotency-Key": "k-conflict"},
    )
    expect_error(response, 409, "key-conflict", f"HTTP-005.5 ({change} differs)")
    check_equal(
        ("HTTP-005.5", "HTTP-003.3"),
        first,
        next_previous(http, actor),
        f"the previous of the next send after the conflicting send ({change} differs): the "
        "first send (the conflict sent nothing)",
    )
    settle(http)
    check_equal(
        ("HTTP-005.5", "HTTP-003.3"),
        1,
        count_of(http, actor),
        f"the count after a send of 1 and a conflicting send ({change} differs)",
    )


#: Keys at each edge of HTTP-005.3's rule that must be taken …
GOOD_KEYS = {
    "one-char": "a",
    "lowest": "!",
    "highest": "~",
    "255": "k" * 255,
    "every-char": KEY_CHARS,
    "uuid": "6f1c1d9e-4a57-4c43-9d7a-4c8b2a1f0e11",
    "punctuation": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
}
#: … and values HTTP can carry that it refuses.
BAD_KEYS: dict[str, str | bytes] = {
    "empty": "",
    "256": "k" * 256,
    "inner-space": "a b",
    "inner-tab": "a\tb",
    "latin-1": b"caf\xe9",
    "utf-8": "cl\u00e9".encode(),
    "long-with-space": "k" * 200 + " " + "k" * 54,
}


@pytest.mark.parametrize("name", list(GOOD_KEYS))
@pytest.mark.req("HTTP-005.3")
@pytest.mark.inputs("largest", "ascii", "mixed-case")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_a_key_within_the_rule_is_taken(http: httpx.Client, name: str) -> None:
    key = GOOD_KEYS[name]
    actor = counter(http)
    message = inc(http, actor, key=key)
    check_equal(
        "HTTP-005.3",
        key,
        object_of(http, message).get("headers", {}).get("idempotency-key"),
        f"the idempotency-key header of the message sent with the key {name}",
    )
    check_equal(
        "HTTP-005.3",
        message,
        inc(http, actor, key=key, status=200, rule="HTTP-005.3"),
        f"the message a retry with the key {name} answers",
    )


@pytest.mark.parametrize("name", list(BAD_KEYS))
@pytest.mark.req("HTTP-005.3", "HTTP-003.1", "HTTP-003.3")
@pytest.mark.inputs("empty", "past-largest", "bmp")
@pytest.mark.req("HTTP-002.1", "HTTP-003.2", "HTTP-004.2", "HTTP-005.2")
@pytest.mark.req("CONV-004")
def test_a_key_outside_the_rule_is_400(http: httpx.Client, name: str) -> None:
    actor = counter(http)
    last = inc(http, actor)
    response = http.post(
        f"/v1/actors/{actor}/messages",
        json={"content": {"blob": ""}, "mt": "inc"},
        headers={b"Idempotency-Key": _raw(BAD_KEYS[name])},
    )
    expect_error(response, 400, "bad-request", f"HTTP-005.3 (key {name})")
    check_equal(
        ("HTTP-005.3", "HTTP-003.3"),
        last,
        next_previous(http, actor),
        f"the previous of the next send after the refused key ({name}): the last send "
        "before (the refusal sent nothing)",
    )


def _raw(key: str | bytes) -> bytes:
    """A header value's bytes: text as UTF-8, bytes as they are (obs-text, RFC 9110)."""
    return key.encode() if isinstance(key, str) else key


_good_key = st.text(alphabet=KEY_CHARS, min_size=1, max_size=255)
_bad_key = st.one_of(
    st.text(alphabet=KEY_CHARS, min_size=256, max_size=300),
    st.tuples(
        st.text(alphabet=KEY_CHARS, min_size=1, max_size=100),
        st.sampled_from([" ", "\t", "\u00e9", "\u00ff", "\u20ac"]),
        st.text(alphabet=KEY_CHARS, min_size=1, max_size=100),
    ).map("".join),
)


@pytest.mark.req("HTTP-005.3")
@run
@given(key=_good_key)
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_every_key_of_the_rule_is_kept_exactly(http: httpx.Client, key: str) -> None:
    actor = counter(http, "property")
    message = inc(http, actor, key=key, status=202)
    check_equal(
        "HTTP-005.3",
        key,
        object_of(http, message).get("headers", {}).get("idempotency-key"),
        "the idempotency-key header of the message: the key sent",
    )


@pytest.mark.req("HTTP-005.3")
@run
@given(key=_bad_key)
@pytest.mark.req("HTTP-003.1", "HTTP-003.2", "HTTP-004.2")
@pytest.mark.req("HTTP-002.1")
@pytest.mark.req("CONV-004")
def test_every_key_outside_the_rule_is_refused(http: httpx.Client, key: str) -> None:
    actor = counter(http, "refusals")
    response = http.post(
        f"/v1/actors/{actor}/messages",
        json={"content": {"blob": ""}, "mt": "inc"},
        headers={b"Idempotency-Key": key.encode()},
    )
    expect_error(response, 400, "bad-request", f"HTTP-005.3 (key {key[:40]!r}…)")


@pytest.mark.req("HTTP-005.4", "ADP-021.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_key_is_found_after_a_restart(services: Services) -> None:
    """Keys are settled by the store (HTTP-005.4): another service on the same directory
    answers the retry with the first message, whatever the first one kept in memory."""
    service = services.start()
    actor = counter(service.client)
    first = inc(service.client, actor, 4, key="across-restarts")
    service = services.restart(service)
    again = inc(service.client, actor, 4, key="across-restarts", status=200, rule="HTTP-005.4")
    check_equal(
        "HTTP-005.4", first, again, "the message a retry answers after a restart: the first"
    )
    settle(service.client)
    check_equal(
        "HTTP-005.4",
        4,
        count_of(service.client, actor),
        "the count after a send of 4 and its retry after a restart",
    )


@pytest.mark.req("HTTP-005.4", "HTTP-005.5")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-005.2")
@pytest.mark.req("CONV-004")
def test_a_conflict_is_found_after_a_restart(services: Services) -> None:
    service = services.start()
    actor = counter(service.client)
    inc(service.client, actor, 4, key="k")
    service = services.restart(service)
    response = service.client.post(
        f"/v1/actors/{actor}/messages",
        json={"content": {"blob": b"5".hex()}, "mt": "inc"},
        headers={"Idempotency-Key": "k"},
    )
    expect_error(response, 409, "key-conflict", "HTTP-005.4, HTTP-005.5 (after a restart)")


@pytest.mark.slow
@pytest.mark.req("HTTP-005.3", "HTTP-005.4")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_key_is_found_among_the_latest_thousand(http: httpx.Client) -> None:
    """A key 999 sends back is among the latest 1,000 messages to the recipient: found.
    Each of those sends carries a key too, and the oldest of them (1,000 back once the
    retry is counted) must be found as well."""
    actor = counter(http)
    first = send(http, actor, {"blob": ""}, mt="inc", key="oldest")
    for n in range(998):
        send(http, actor, {"blob": ""}, mt="inc", key=f"filler-{n}")
    send(http, actor, {"blob": ""}, mt="get")  # the 1,000th: no key
    again = send(http, actor, {"blob": ""}, mt="inc", key="oldest", status=200, rule="HTTP-005.3")
    check_equal(
        ("HTTP-005.3", "HTTP-005.4"),
        first,
        again,
        "the message a retry of a key 999 messages back (among the latest 1,000) answers",
    )
    settle(http)
    check_equal(
        ("HTTP-005.3", "HTTP-005.4"),
        999,
        count_of(http, actor),
        "the count after 999 incs of 1 and the retry of the first",
    )


@pytest.mark.req("HTTP-005.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_a_key_with_every_character_class_round_trips(http: httpx.Client) -> None:
    """Letters, digits and punctuation: the key's case is kept (HTTP header values are
    case-sensitive; only names are not)."""
    actor = counter(http)
    lower = inc(http, actor, key=string.ascii_lowercase)
    upper = inc(http, actor, key=string.ascii_uppercase)
    check(
        "HTTP-005.3",
        lower != upper,
        expected="two messages for keys differing in case",
        came=f"one message {lower} for both",
        what="sends keyed a…z and A…Z",
    )


@pytest.mark.req("HTTP-005.4")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_signal_ends_the_window(http: httpx.Client) -> None:
    """A signal has no ``previous``: the chain the service settles keys by ends there, and
    a key sent before it is no longer found: the same request is sent again, 202."""
    actor = counter(http)
    first = inc(http, actor, 2, key="before-signal")
    # Read before the signal is sent: a signal supersedes every unread message before it
    # (WIT-005), so an inc still unread when the signal came would never count.
    settle(http)
    send(http, actor, {"blob": ""}, mt="get", signal=True)
    again = inc(http, actor, 2, key="before-signal", status=202, rule="HTTP-005.4")
    check(
        "HTTP-005.4",
        again != first,
        expected="a new message (a key from before the latest signal is not found)",
        came=f"the first send's message {first}",
        what="a send with a key from before the latest signal",
    )
    settle(http)
    check_equal(
        "HTTP-005.4",
        4,
        count_of(http, actor),
        "the count after 2, a signal, and 2 again with the key from before it",
    )
