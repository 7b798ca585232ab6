"""Settle reads what stands behind a message read alone (HTTP-011.1, WIT-012.5, RUN-006.2).

A genesis message sent to an actor that exists already is read alone, changing nothing
but the inbox (WIT-012.5), as an update is (WIT-013): a transition sees each sender's
messages up to, not including, such a message (RUN-006.2, ADP-014 step 2c). A batch
(HTTP-005.7) of ``inc 1``, a genesis whose content is no actor's id, and ``inc 2``
to one counter is one send from the outside, so the service's next run finds all
three pending: its first transition reads ``inc 1`` alone and leaves the other two
pending, the next reads the genesis, the last ``inc 2``. ``POST /v1/settle`` may answer
quiescent only once every send acknowledged before it was read (HTTP-011.1): the count
is then 3. A runtime that takes a transition that left messages unread for one that
read everything pending — and so does not look at its actor again — settles with the
count at 1, the genesis and ``inc 2`` unread.
"""

from __future__ import annotations

import httpx
import pytest

from .._check import check_equal
from ._api import blob_id, body_of, count_of, counter, genesis_id, message_id, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")


@pytest.mark.req("HTTP-011.1", "WIT-012.5", "RUN-006.2", "HTTP-005.7")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-006.1")  # its helpers' checks name them
def test_settle_reads_the_messages_behind_a_genesis_read_alone(http: httpx.Client) -> None:
    actor = counter(http, "lone genesis")
    settle(http)
    entries = [
        {"to": actor, "content": {"blob": b"1".hex()}, "mt": "inc"},
        {"to": actor, "content": {"blob": ""}, "mt": "genesis"},
        {"to": actor, "content": {"blob": b"2".hex()}, "mt": "inc"},
    ]
    answer = body_of(http.post("/v1/messages", json={"messages": entries}), 202, "HTTP-005.7")
    first = message_id(blob_id(b"1"), {"mt": "inc"}, genesis_id(actor))
    lone = message_id(blob_id(b""), {"mt": "genesis"}, first)
    check_equal(
        "HTTP-005.7",
        {
            "messages": [
                {"message": first, "replayed": False},
                {"message": lone, "replayed": False},
                {"message": message_id(blob_id(b"2"), {"mt": "inc"}, lone), "replayed": False},
            ]
        },
        answer,
        "the batch's answer: its three messages chained in order",
    )
    settle(http)
    check_equal(
        ("HTTP-011.1", "RUN-006.2"),
        3,
        count_of(http, actor),
        "the counter's count once settled: inc 1 read alone up to the genesis, the genesis "
        "read alone (WIT-012.5), then inc 2; a settle that answers with messages unread "
        "leaves 1",
    )
