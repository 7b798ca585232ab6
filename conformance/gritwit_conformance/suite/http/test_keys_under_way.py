"""A key found on a send still under way (HTTP-005.3, HTTP-005.5).

``test_idempotency.py`` sends eight requests with one key at once; on an idle service
each may be committed before the next arrives, and is then found on the recipient's
chain. Here the same requests go out while the service commits a batch of 1,000 messages
to another actor (HTTP-005.7), so that they arrive together, while the first of them is
still under way: the same request again must then be answered with that send's message,
replayed (HTTP-005.3), and one with other content under the key must fail 409
``key-conflict`` (HTTP-005.5), exactly as when the first is found on the chain. What a
correct service answers does not depend on how the requests meet; only a service that
treats a send under way otherwise is caught, when they do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .._check import check, check_equal
from ._api import count_of, counter, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: Requests sent at once under one key.
AT_ONCE = 8
#: Messages of the batch whose commit the keyed requests meet.
FILLER = 1000
#: Times each test sends its requests at once, each time to a new actor: whether two of
#: them meet while one is under way depends on the machine's timing, so a test tries
#: several times (each time a correct service's answers are the same).
ROUNDS = 4


def _while_busy(
    client: httpx.Client, send: Callable[[int], httpx.Response]
) -> list[httpx.Response]:
    """``send(0)`` … ``send(AT_ONCE - 1)`` at once, just after a batch of ``FILLER``
    messages to another actor went out; their answers, in order."""
    other = counter(client, "filler")
    entries = [{"to": other, "content": {"blob": ""}, "mt": "noop"} for _ in range(FILLER)]
    started = threading.Event()

    def filler() -> httpx.Response:
        started.set()
        return client.post("/v1/messages", json={"messages": entries})

    with ThreadPoolExecutor(max_workers=AT_ONCE + 1) as pool:
        busy = pool.submit(filler)
        started.wait()
        answers = list(pool.map(send, range(AT_ONCE)))
        check(
            "HTTP-005.7",
            busy.result().status_code == 202,
            expected="202 for the batch of 1,000 noop messages",
            came=busy.result().status_code,
        )
    return answers


@pytest.mark.req("HTTP-005.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.7", "HTTP-006.1", "HTTP-011.1")
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_one_key_at_once_while_the_service_commits_sends_once(
    http: httpx.Client, round_: int
) -> None:
    actor = counter(http, f"round {round_}")

    def one(_: int) -> httpx.Response:
        return http.post(
            f"/v1/actors/{actor}/messages",
            json={"content": {"blob": b"3".hex()}, "mt": "inc"},
            headers={"Idempotency-Key": "under-way"},
        )

    answers = _while_busy(http, one)
    statuses = sorted(r.status_code for r in answers)
    ids = {r.json().get("message") for r in answers if r.status_code in (200, 202)}
    check(
        "HTTP-005.3",
        statuses == [200] * (AT_ONCE - 1) + [202] and len(ids) == 1,
        expected=f"one 202 and {AT_ONCE - 1} 200, all naming one message",
        came=lambda: f"the statuses {statuses} naming {len(ids)} messages",
        what=f"{AT_ONCE} sends with one key at once, during a commit",
    )
    settle(http)
    check_equal(
        "HTTP-005.3", 3, count_of(http, actor), f"the count after {AT_ONCE} sends of 3, one key"
    )


@pytest.mark.req("HTTP-005.5", "HTTP-005.3")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-005.7")
@pytest.mark.req("HTTP-006.1", "HTTP-011.1")
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_one_key_on_other_contents_at_once_is_409_but_once(http: httpx.Client, round_: int) -> None:
    actor = counter(http, f"round {round_}")

    def one(n: int) -> httpx.Response:
        return http.post(
            f"/v1/actors/{actor}/messages",
            json={"content": {"blob": str(n + 1).encode().hex()}, "mt": "inc"},
            headers={"Idempotency-Key": "under-way-other"},
        )

    answers = _while_busy(http, one)
    statuses = sorted(r.status_code for r in answers)
    classes = {r.json().get("error", {}).get("class") for r in answers if r.status_code >= 400}
    check(
        "HTTP-005.5",
        statuses == [202] + [409] * (AT_ONCE - 1) and classes == {"key-conflict"},
        expected=f"one 202 and {AT_ONCE - 1} 409 key-conflict: each other content under "
        "the key of a send sent or under way",
        came=lambda: f"the statuses {statuses}, the classes {sorted(map(str, classes))}",
        what=f"{AT_ONCE} sends of other contents with one key at once, during a commit",
    )
    (sent,) = [n for n, r in enumerate(answers) if r.status_code == 202]
    settle(http)
    check_equal(
        "HTTP-005.5",
        sent + 1,
        count_of(http, actor),
        "the count: the one send taken, none of the refused",
    )


@pytest.mark.req("HTTP-005.7", "HTTP-005.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-006.1", "HTTP-011.1")
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_batch_entries_with_one_key_at_once_while_the_service_commits_send_once(
    http: httpx.Client, round_: int
) -> None:
    """The same keyed message as batches of one entry each (HTTP-005.7: each keyed entry
    follows HTTP-005.3 as a request of its own would)."""
    actor = counter(http, f"round {round_}")
    entry = {"to": actor, "content": {"blob": b"4".hex()}, "mt": "inc", "key": "under-way"}

    def one(_: int) -> httpx.Response:
        return http.post("/v1/messages", json={"messages": [entry]})

    answers = _while_busy(http, one)
    statuses = [r.status_code for r in answers]
    listed = [r.json().get("messages") for r in answers if r.status_code == 202]
    entries = [items[0] for items in listed if isinstance(items, list) and len(items) == 1]
    ids = {item.get("message") for item in entries if isinstance(item, dict)}
    replayed = sorted(bool(item.get("replayed")) for item in entries if isinstance(item, dict))
    check(
        ("HTTP-005.7", "HTTP-005.3"),
        statuses == [202] * AT_ONCE
        and len(ids) == 1
        and replayed == [False] + [True] * (AT_ONCE - 1),
        expected=f"{AT_ONCE} answers 202 naming one message, replayed in all but one",
        came=lambda: f"the statuses {statuses}, {len(ids)} messages, replayed {replayed}",
        what=f"{AT_ONCE} batches of one keyed entry at once, during a commit",
    )
    settle(http)
    check_equal(
        "HTTP-005.3", 4, count_of(http, actor), f"the count after {AT_ONCE} batches of 4, one key"
    )
