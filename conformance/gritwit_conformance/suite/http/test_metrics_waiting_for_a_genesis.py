"""Messages waiting for their recipient's genesis are no failed attempt (HTTP-014.1,
WIT-012.2).

Messages sent to an id no actor has yet wait for its genesis (WIT-012.2): a runtime that
looks at them builds no step and fails nothing, and a settle answers quiescent with
them pending (HTTP-011.1). ``gritwit_failures_total`` counts a service's failed
transition attempts by class (HTTP-014.1), so it stays without a sample while the
messages wait, and once the actor is created its first transition reads them. A
runtime that takes "no genesis yet" for an error counts a failed attempt of class
``failed`` for a transition that never failed.
"""

from __future__ import annotations

import httpx
import pytest

import gritwit as g

from .._check import check_equal
from ._api import core_of, count_of, create, inc, settle
from ._service import http as http
from ._service import services as services
from .test_metrics import scrape

pytestmark = pytest.mark.profile("http")


@pytest.mark.req("HTTP-014.1", "WIT-012.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1")
@pytest.mark.req("WIT-002")  # its helpers' checks name them
def test_messages_waiting_for_a_genesis_count_no_failed_attempt(http: httpx.Client) -> None:
    state = {"seed": b"waits for its genesis".hex()}
    actor = g.object_id(core_of("counter", state)).hex()
    inc(http, actor, 2)
    settle(http)
    check_equal(
        ("HTTP-014.1", "WIT-012.2"),
        {},
        scrape(http).labelled("gritwit_failures_total", "class"),
        "gritwit_failures_total by class once settled with an inc waiting for its "
        "recipient's genesis: no attempt failed",
    )
    created = str(create(http, test="counter", state=state)["actor"])
    check_equal("WIT-002", actor, created, "the counter's id: its core's")
    settle(http)
    check_equal(
        "WIT-012.2",
        2,
        count_of(http, actor),
        "the count once created: its first transition read the inc that waited",
    )
