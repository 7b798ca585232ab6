"""``gritwit_pending_messages`` counts the messages of actors that have a head only
(HTTP-014.1, HTTP-014.2).

``test_metrics.py`` leaves messages unread at an actor marked failed, which has a head.
Here messages also wait for actors that have none: one failed at its genesis (the
``failing`` test actor: a mark and no head, RUN-004.4), and an id no genesis reached
(WIT-012.2): once settled, the gauge must hold the two messages of the actor marked failed
that has a head, and none of the others.
"""

from __future__ import annotations

import hashlib

import httpx
import pytest

from .._check import check_equal
from ._api import create, send, settle
from ._service import http as http
from ._service import services as services
from .test_metrics import scrape

pytestmark = pytest.mark.profile("http")


@pytest.mark.req("HTTP-014.2", "HTTP-014.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_messages_waiting_for_a_genesis_are_not_pending(http: httpx.Client) -> None:
    unborn = hashlib.sha256(b"gritwit suite: an actor never created").hexdigest()
    failing = str(create(http, test="failing")["actor"])  # fails at its genesis
    for actor in (unborn, failing):
        for _ in range(3):
            send(http, actor, {"blob": ""}, mt="noop")
    broken = str(create(http, test="updater")["actor"])
    send(http, broken, {"blob": b"no-such-test-actor".hex()}, mt="set-code")
    settle(http)
    for _ in range(2):  # unread: the updater is marked failed by its set-code
        send(http, broken, {"blob": ""}, mt="poke")
    settle(http)
    check_equal(
        "HTTP-014.2",
        2.0,
        scrape(http).value("gritwit_pending_messages"),
        "gritwit_pending_messages once settled: the two pokes to the actor marked failed, "
        "not the messages waiting at the actor failed at its genesis nor at an id no "
        "genesis reached (neither has a head)",
    )
