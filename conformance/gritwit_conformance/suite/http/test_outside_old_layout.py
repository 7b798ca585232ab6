"""A service over a store of the outside's old outbox layout (RUN-003.5, ADP-021.1).

A store written before RUN-003.4 holds the outside's outbox as one mailbox under
``names/outside-outbox``. ``http-serve`` may be given a directory an earlier ``rt-open``
used (ADP-021.1), so such a store reaches a service: a send through the service to a
recipient whose entry is only there must chain on that entry (WIT-004), as the runtime's
own send does (``suite/runtime/test_outside_mailboxes.py``), and a key is found on the
chain from that entry (HTTP-005.4 settles keys by the outside's outbox entry, RUN-019.6),
so a send repeating it is a replay. The old layout is built
here by a second process writing through the store profile alone (ADP-010.6), before the
service starts on it.
"""

from __future__ import annotations

import httpx
import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal
from .._store_writer import OUTSIDE_REF, TEST_ACTOR, StoreWriter, salted_core
from .._writers import second as second  # the store writer's process
from ._api import next_previous, send
from ._service import Services
from ._service import services as services

pytestmark = pytest.mark.profile("http", "store")

#: The idempotency key of the message the old layout holds (HTTP-005.3).
KEY = "old-layout-1"


@pytest.mark.req("RUN-003.5", "WIT-004", "HTTP-005.3", "HTTP-005.4", "RUN-019.6")
@pytest.mark.req("ADP-021.1", "ADP-010.6")
@pytest.mark.req("HTTP-005.2", "HTTP-009.1", "HTTP-002.1")  # its checks name them too
def test_a_service_over_the_old_outbox_finds_its_keys_and_chains_on_it(
    services: Services, second: Implementation
) -> None:
    """A counter's genesis and a keyed ``inc`` sent under the old ref only: the service
    answers the key's send again as a replay of that ``inc``, and its next send names the
    ``inc`` as its ``previous``."""
    path = services.top / "service"
    path.mkdir(parents=True)
    writer = StoreWriter(second, path)
    writer.put(g.Blob(data=b"counter", headers=TEST_ACTOR))
    writer.put(g.Blob(data=bytes([0])))
    actor = writer.put(salted_core("counter", 0))
    genesis = writer.put(g.Message(content=actor, headers={"mt": "genesis"}))
    five = writer.put(g.Blob(data=b"5"))
    keyed = writer.put(
        g.Message(content=five, previous=genesis, headers={"mt": "inc", "idempotency-key": KEY})
    )
    writer.cas(OUTSIDE_REF, None, writer.put(g.Mailbox(entries={actor: keyed})))
    client: httpx.Client = services.start("service").client
    replayed = send(
        client,
        actor.hex(),
        {"blob": b"5".hex()},
        mt="inc",
        key=KEY,
        status=200,
        rule="HTTP-005.4: a key the old ref's entry for the recipient carries, sent again",
    )
    check_equal(
        ("HTTP-005.4", "RUN-003.5", "RUN-019.6"),
        keyed.hex(),
        replayed,
        "the message a replay of the old layout's keyed inc answers: that inc",
    )
    check_equal(
        ("RUN-003.5", "WIT-004"),
        keyed.hex(),
        next_previous(client, actor.hex()),
        f"the previous of the service's first new send to {actor}, whose messages only the "
        "old ref names/outside-outbox holds: its entry, the keyed inc",
    )
