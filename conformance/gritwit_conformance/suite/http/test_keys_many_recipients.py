"""A key is found however many recipients were sent keyed messages since (HTTP-005.3,
HTTP-005.4).

The service settles a key by the store (HTTP-005.4): whatever it keeps in memory of the
keys it has seen is a cache, which a service serving many recipients must bound and
forget from. Here keyed messages go to 5,000 recipients (batches of 1,000, HTTP-005.7;
a recipient need not have an actor yet, WIT-012.2), more than a small cache holds, and
then the first keyed send is made again: it must still be found and replayed, sending
nothing, and every request must be answered meanwhile.
"""

from __future__ import annotations

import hashlib

import httpx
import pytest

from gritwit_conformance.harness._state import scaled

from .._check import check, check_equal, describe
from ._api import body_of, object_of, send
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

RECIPIENTS = 5000
BATCH = 1000
#: Seconds one batch may take (scaled): a correct service answers one in well under one.
BATCH_SECONDS = 20.0


def _recipient(n: int) -> str:
    """An id no actor has (yet): messages to it wait for its genesis (WIT-012.2)."""
    return hashlib.sha256(f"gritwit suite: recipient {n}".encode()).hexdigest()


@pytest.mark.req("HTTP-005.3", "HTTP-005.4", "HTTP-005.7")
@pytest.mark.req("HTTP-002.1", "HTTP-005.2", "HTTP-009.1")
def test_a_key_is_found_after_keyed_sends_to_5000_recipients(http: httpx.Client) -> None:
    first = _recipient(0)
    content = {"blob": b"first".hex()}
    message = send(http, first, content, mt="note", key="the-first")
    for start in range(1, RECIPIENTS, BATCH):
        entries = [
            {"to": _recipient(n), "content": {"blob": ""}, "mt": "note", "key": f"k{n}"}
            for n in range(start, min(start + BATCH, RECIPIENTS))
        ]
        body_of(
            http.post("/v1/messages", json={"messages": entries}, timeout=scaled(BATCH_SECONDS)),
            202,
            f"HTTP-005.7: keyed messages to recipients {start} to {start + len(entries) - 1}",
        )
    again = http.post(
        f"/v1/actors/{first}/messages",
        json={"content": content, "mt": "note"},
        headers={"Idempotency-Key": "the-first"},
    )
    answer = body_of(again, again.status_code, "HTTP-005.3")
    check(
        ("HTTP-005.3", "HTTP-005.4"),
        again.status_code == 200 and answer == {"message": message, "replayed": True},
        expected=f"200 {{message: {message}, replayed: true}}: the first key, found on its "
        f"recipient's chain after keyed sends to {RECIPIENTS - 1} other recipients",
        came=f"{again.status_code} {describe(answer)}",
    )
    probe = send(http, first, {"blob": ""}, mt="noop")
    check_equal(
        "HTTP-005.3",
        message,
        object_of(http, probe).get("previous"),
        "the outside's last message to the first recipient before the probe (the retry sent none)",
    )
