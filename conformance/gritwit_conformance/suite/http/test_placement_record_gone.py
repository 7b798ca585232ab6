"""A running service reads the placement records as it last read the refs (RUN-021.6).

A service runs for a long time, so it follows the refs other writers swap rather than
listing them again at every run (the reference reads the store's journal of swaps). A
placement record is one of those refs (RUN-021.7): a runtime never deletes one
(RUN-021.9), but another writer of the store may, and then the actor's key is its own id
again. ``placed`` (own id in share 1/2) is placed with ``root`` (share 0/2): the
service of share 1/2 records it and stops, the service of share 0/2 runs it; once a tool
deletes the record, its next ``inc`` must not run there: no service of share 1/2 runs,
so its head stays where it was; once the tool sets the record again, it runs there again,
and a record the tool points at a tree, which gives no key (RUN-021.7), stops it again.
The tool is the
store profile's ``ref-cas`` on the service's own directory (ADP-010.6), so the test
declares both profiles.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, ok_answer
from .._shares import share_of
from ._api import count_of, create, head_of, inc, settle
from ._service import Services
from ._service import services as services
from .test_shares import seeded

pytestmark = [pytest.mark.profile("http", "store"), pytest.mark.feature("shares")]


def _tool_swaps(impl: Implementation, path: Path, ref: str, new: str | None) -> str | None:
    """``ref`` swapped to ``new`` (``None``: deleted) by another handle on the service's
    store (ADP-010.6); what it held before."""
    opened = impl.call("store-open", kind="durable", path=str(path))
    handle = str(
        ok_answer(opened, "ADP-010.6", "the service's directory opened as a store")["store"]
    )
    read = ok_answer(impl.call("ref-get", store=handle, name=ref), "ADP-010.6", f"{ref} read")
    held = read.get("id")
    swapped = impl.call("ref-cas", store=handle, name=ref, expected=held, new=new)
    ok_answer(swapped, "ADP-010.6", f"{ref} swapped to {new} by ref-cas on the service's store")
    impl.call("store-close", store=handle)
    return None if held is None else str(held)


@pytest.mark.req("RUN-021.6", "RUN-021.7", "RUN-021.1", "RUN-021.8", "HTTP-001.2")
@pytest.mark.req("HTTP-004.8", "ADP-010.6", "HTTP-006.1", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-005.2")
@pytest.mark.req("CONV-004")
@pytest.mark.req("RUN-021.2")
def test_a_running_service_reads_a_deleted_placement_record_as_no_key(
    services: Services, impl: Implementation
) -> None:
    service = services.start("store", share=[0, 2])
    other = services.start("store", share=[1, 2])
    http = service.client
    root = str(create(http, test="counter", state=seeded(0, 2))["actor"])
    placed = str(create(http, test="counter", state=seeded(1, 2), placement=root)["actor"])
    # the service of placed's own share writes its record and leaves it (RUN-021.8);
    # then it stops, so that nothing of share 1/2 runs from here on
    settle(other.client)
    services.stop(other)
    settle(http)
    check(
        ("RUN-021.6", "RUN-021.2"),
        head_of(http, placed) is not None,
        expected="a head: its genesis adopted once its record places it in share 0/2",
        came="no head",
        what=f"{placed[:12]}…, recorded by the other service, with nothing sent since",
    )
    check(
        "RUN-021.6",
        share_of(root, 2) == 0 and share_of(placed, 2) == 1,
        expected="root in share 0/2 and placed, by its own id, in share 1/2",
        came=f"root in {share_of(root, 2)}, placed in {share_of(placed, 2)}",
        what="the two counters' own shares",
    )
    inc(http, placed, 3)
    settle(http)
    check_equal(
        ("RUN-021.6", "RUN-021.8"),
        3,
        count_of(http, placed),
        f"the count of {placed[:12]}…, placed with {root[:12]}… in share 0/2, after 3 incs: "
        "the service of share 0/2 ran it",
    )
    head = head_of(http, placed)
    record = f"names/placement/{placed}"
    target = _tool_swaps(impl, service.path, record, None)
    check(
        "RUN-021.8",
        target is not None,
        expected=f"{record}, written by the service that left the actor",
        came="no record",
        what=f"ref-get {record} on the service's store",
    )
    inc(http, placed, 4)
    settle(http)
    check_equal(
        ("RUN-021.6", "RUN-021.1"),
        head,
        head_of(http, placed),
        f"the head of {placed[:12]}… after its placement record was deleted and 4 more were "
        "sent: its key is its own id again, in share 1/2, so the service of share 0/2 must "
        "not run it (it follows the refs as it last read them)",
    )
    # the record set again by the tool: the key is root's again, and the 4 sent run there
    _tool_swaps(impl, service.path, record, target)
    settle(http)
    check_equal(
        "RUN-021.6",
        7,
        count_of(http, placed),
        f"the count of {placed[:12]}… once the tool set its record again: placed with "
        f"{root[:12]}… in share 0/2 again, the service reads the 4 incs sent meanwhile",
    )
    # a record whose target is no genesis gives no key (RUN-021.7): root's core, a tree
    head = head_of(http, placed)
    _tool_swaps(impl, service.path, record, root)
    inc(http, placed, 5)
    settle(http)
    check_equal(
        ("RUN-021.6", "RUN-021.7", "RUN-021.1"),
        head,
        head_of(http, placed),
        f"the head of {placed[:12]}… after a tool set its record to a tree (no genesis: no "
        "key, so its own id's share 1/2) and 5 more were sent: share 0/2 must not run it",
    )
