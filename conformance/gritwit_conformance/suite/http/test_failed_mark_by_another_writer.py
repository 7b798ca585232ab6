"""A running service follows a failed mark another writer sets and deletes (RUN-004.7,
RUN-025.3).

A service runs for a long time, so it follows the refs other writers swap rather than
listing them again at every run (the reference reads the store's journal of swaps). A
failed mark ``names/failed/<actor>`` is one of those refs: a failed actor MUST NOT run
again until the mark is deleted (RUN-004.7), whoever set it, and once it is deleted —
by any writer — a run of the runtime that runs it MUST run its pending messages again
(RUN-025.3). Here a tool (the store profile's ``put`` and ``ref-cas`` on the service's
own directory, ADP-010.6) marks a counter failed with a record of RUN-004.4's form: the
``inc`` sent after it must not run (the count stays); the tool then deletes the mark:
the ``inc`` held meanwhile and one sent after must both run. A service that missed the
mark runs the held ``inc``; one that missed the deletion holds both for ever.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, ok_answer
from ._api import count_of, counter, inc, settle
from ._service import Service, Services
from ._service import services as services

pytestmark = pytest.mark.profile("http", "store")


def _record(actor: str) -> bytes:
    """A failure record of RUN-004.4's form for ``actor``, encoded (OBJ-004)."""
    data = json.dumps({"actor": actor, "attempts": 5, "error": "failed"}, sort_keys=True)
    blob = g.Blob(data=data.replace(" ", "").encode(), headers={"content-type": "application/json"})
    return g.encode_object(blob)


def _tool_swaps(impl: Implementation, path: Path, ref: str, new: bytes | None) -> None:
    """``ref`` set to the blob ``new`` (stored first) or deleted (``None``) by another
    handle on the service's store (ADP-010.6), by compare-and-swap from what it held."""
    opened = impl.call("store-open", kind="durable", path=str(path))
    handle = str(
        ok_answer(opened, "ADP-010.6", "the service's directory opened as a store")["store"]
    )
    try:
        target = None
        if new is not None:
            put = ok_answer(impl.call("put", store=handle, bytes=new.hex()), "ADP-010.6", "put")
            target = put.get("id")
            check(
                "ADP-010.6",
                isinstance(target, str),
                expected="the stored blob's id",
                came=put,
                what="put of a failure record on the service's store",
            )
        read = ok_answer(impl.call("ref-get", store=handle, name=ref), "ADP-010.6", f"{ref} read")
        swapped = impl.call("ref-cas", store=handle, name=ref, expected=read.get("id"), new=target)
        ok_answer(swapped, "ADP-010.6", f"{ref} swapped to {target} by ref-cas")
    finally:
        impl.call("store-close", store=handle)


def _marked_then_cleared(impl: Implementation, service: Service, actor: str) -> None:
    """``actor`` counted 1, marked failed by a tool, sent 2 (held), its mark deleted by the
    tool, sent 4: the count must be 1 while marked and 7 at the end."""
    http, path = service.client, service.path
    inc(http, actor, 1)
    settle(http)
    check_equal("HTTP-006.1", 1, count_of(http, actor), f"the count of {actor[:12]}… after 1")
    mark = f"names/failed/{actor}"
    _tool_swaps(impl, path, mark, _record(actor))
    inc(http, actor, 2)
    settle(http)
    check_equal(
        "RUN-004.7",
        1,
        count_of(http, actor),
        f"the count of {actor[:12]}… after another writer set {mark} and 2 more were sent: "
        "a failed actor must not run until its mark is deleted",
    )
    _tool_swaps(impl, path, mark, None)
    inc(http, actor, 4)
    settle(http)
    check_equal(
        ("RUN-025.3", "RUN-004.7"),
        7,
        count_of(http, actor),
        f"the count of {actor[:12]}… once another writer deleted {mark} and 4 more were "
        "sent: the 2 held while it was marked and the 4 run (1 + 2 + 4)",
    )


@pytest.mark.req("RUN-004.7", "RUN-025.3", "ADP-010.6", "HTTP-006.1", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_a_failed_mark_another_writer_sets_and_deletes_is_followed(
    services: Services, impl: Implementation
) -> None:
    service = services.start("store")
    _marked_then_cleared(impl, service, counter(service.client, "marked by a tool"))


@pytest.mark.req("RUN-004.7", "RUN-025.3", "ADP-010.6", "HTTP-006.1", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2")
def test_a_failed_mark_of_an_actor_whose_16th_hex_digit_is_0_is_followed(
    services: Services, impl: Implementation
) -> None:
    """The same for an actor whose id's 16th hex digit is ``0``: a store may keep its refs
    in parts by a digit of the actor id (the reference's journal parts, DUR-005.5), and
    a follower must see a swap in the first part as in any other.  The counters made
    until one has that digit (their seeds numbered, so the same one each run) are left
    idle."""
    service = services.start("store")
    actor = ""
    for number in range(256):
        actor = counter(service.client, f"marked in part 0, try {number}")
        if actor[15] == "0":
            break
    check(
        "HTTP-004.2",
        actor[15:16] == "0",
        expected="a counter whose id's 16th hex digit is 0 among 256 made",
        came=actor,
        what="the actor to mark",
    )
    _marked_then_cleared(impl, service, actor)
