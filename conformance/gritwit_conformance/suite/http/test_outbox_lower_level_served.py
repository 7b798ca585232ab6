"""A message in the level under the top of a chained outbox is routed by a running
service (WIT-010.1, OBJ-019.1, WIT-005).

The runtime profile's ``test_outbox_lower_level_routed.py`` checks this of ``rt-run``,
whose every call starts from the heads (ADP-015). A service runs on (HTTP-001): what
its runtime learnt of an outbox when a step was adopted is all it knows until another
writer moves a head. A ``fanout`` queues to 257 ids no actor has yet (WIT-021.1), one
of them an ``echo``'s to come, then to one more: past 256 recipients its new outbox is
a top of one over the 257 (WIT-009.5), and the message to the echo stands in the level
under the top. The map of an outbox is its levels' entries, the upper replacing the
lower (OBJ-019.1), so when the echo is created its first transition reads that message
(WIT-005, WIT-012.1). A runtime that takes the top's entries for the whole map of the
new outbox forgets the 257 below it and never routes the message.
"""

from __future__ import annotations

import httpx
import pytest

import gritwit as g

from .._check import check_equal, fail, suite_premise
from .._outbox_model import SMALL_BASE, fresh_id
from ._api import body_of, core_of, create, head_of, send, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: The echo that starts late: its core's id is a recipient of the fanout's first step.
ECHO_STATE = {"n": b"WIT-009.5 lower level, service".hex()}


def _raw(client: httpx.Client, oid: g.ObjectId | None, what: str) -> g.GritObject:
    """The object ``oid`` names, from its stored encoding (HTTP-009.1)."""
    if oid is None:
        fail("OBJ-019.1", expected="an id", came=oid, what=what)
    response = client.get(f"/v1/objects/{oid.hex()}", params={"form": "raw"})
    if response.status_code != 200:
        body_of(response, 200, "HTTP-009.1")
    return g.decode_object(response.content)


def _fan(client: httpx.Client, fanout: str, recipients: list[str]) -> g.ObjectId:
    """One ``fanout`` naming ``recipients``, delivered; the content its messages carry."""
    listing = {f"{i:06d}": {"blob": r.encode().hex()} for i, r in enumerate(recipients)}
    send(client, fanout, {"tree": listing}, mt="fanout")
    settle(client)
    names = {
        name: g.object_id(g.Blob(data=r.encode()))
        for name, r in zip(listing, recipients, strict=True)
    }
    return g.object_id(g.Tree(entries=names))


@pytest.mark.req("WIT-010.1", "OBJ-019.1", "WIT-005", "WIT-009.5", "WIT-012.1", "HTTP-011.1")
@pytest.mark.req("CONV-004", "HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-005.2")
@pytest.mark.req("HTTP-009.1", "HTTP-009.3")  # its helpers' checks name them
def test_a_message_under_the_top_of_a_chain_reaches_an_actor_created_later(
    http: httpx.Client,
) -> None:
    fanout = str(create(http, test="fanout", state={"tag": b"lower".hex()})["actor"])
    settle(http)
    echo = g.object_id(core_of("echo", ECHO_STATE)).hex()
    content = _fan(http, fanout, [echo, *(fresh_id(50_000 + i) for i in range(SMALL_BASE))])
    _fan(http, fanout, [fresh_id(51_000)])
    head = head_of(http, fanout)
    step = _raw(http, None if head is None else g.ObjectId.from_hex(head), "the fanout's head")
    top = _raw(http, step.outbox if isinstance(step, g.Step) else None, "the fanout's outbox")
    suite_premise(
        isinstance(top, g.Mailbox) and top.base is not None and len(top.entries) == 1,
        f"the fanout's outbox is a top of one over the 257 (WIT-009.5): {top}",
    )

    created = str(create(http, test="echo", state=ECHO_STATE)["actor"])
    suite_premise(created == echo, f"the echo's id is its core's: {created}")
    settle(http)
    first = head_of(http, echo)
    started = _raw(http, None if first is None else g.ObjectId.from_hex(first), "the echo's head")
    inbox = _raw(http, started.inbox if isinstance(started, g.Step) else None, "its inbox")
    entries = inbox.entries if isinstance(inbox, g.Mailbox) else {}
    entry = entries.get(g.ObjectId.from_hex(fanout))
    check_equal(
        ("WIT-010.1", "OBJ-019.1", "WIT-005"),
        g.object_id(g.Message(content=content, headers={"mt": "fanned"})).hex(),
        None if entry is None else entry.hex(),
        "the echo's inbox entry for the fanout once settled: the fanout's message to it, "
        "its entry in the level under the top of the fanout's outbox",
    )
