"""A blob another writer erases while a service runs is not read again (RUN-011.3).

Erasure drops a blob's bytes for every reader of the store: afterwards a transition that
reads it fails as an error without a Wit-chapter class, ``failed``, is retried, and its
actor is marked failed after the 5th attempt (RUN-011.3, RUN-004.3, RUN-004.4); putting
the same bytes again does not restore them (RUN-011.5). A service that read the blob
before, and keeps what it read (a cache of blobs, a read-ahead), must still meet the
erasure when another writer of its store erased it meanwhile (RUN-020.5: a runtime on the
same directory, ADP-010.6). The suite incs a counter by 3 and by 4 through the service,
erases the blob ``4`` with ``rt-erase`` of a runtime it opens on the service's directory
while the service runs, and sends ``inc 4`` again: the count stays 7 and the counter
carries a failed mark of class ``failed``.
"""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal
from ._api import body_of, count_of, counter, inc, settle
from ._service import Services
from ._service import services as services

pytestmark = pytest.mark.profile("http", "runtime")


@pytest.mark.req("RUN-011.3", "RUN-011.5", "RUN-004.4", "RUN-020.5", "ADP-010.6")
@pytest.mark.req("HTTP-007.1", "HTTP-006.1", "HTTP-011.1", "HTTP-005.2", "HTTP-002.1", "HTTP-004.2")
def test_a_blob_erased_while_a_service_runs_is_not_read(
    services: Services, impl: Implementation
) -> None:
    service = services.start()
    actor = counter(service.client)
    inc(service.client, actor, 3)
    inc(service.client, actor, 4)
    settle(service.client)
    check_equal("HTTP-006.1", 7, count_of(service.client, actor), "the count after inc 3 and inc 4")
    blob = g.object_id(g.Blob(data=b"4")).hex()
    runtime = call_ok(impl, "ADP-010.6", "rt-open", path=str(service.path))["runtime"]
    call_ok(impl, "RUN-011.3", "rt-erase", runtime=runtime, blob=blob, reason="RUN-011.3 test")
    call_ok(impl, "ADP-010.6", "rt-close", runtime=runtime)
    inc(service.client, actor, 4)  # the same bytes: not restored (RUN-011.5)
    settle(service.client)
    check_equal(
        ("RUN-011.3", "RUN-011.5", "RUN-020.5"),
        7,
        count_of(service.client, actor),
        f"the count after a second inc 4, sent once another writer of the store erased the "
        f"blob 4 ({blob}) that the service read for the first: a transition that reads an "
        "erased blob fails and adopts no step",
    )
    entry = body_of(service.client.get(f"/v1/actors/{actor}"), 200, "HTTP-007.1")
    mark = entry.get("failed") if isinstance(entry, dict) else None
    check(
        ("RUN-011.3", "RUN-004.4", "HTTP-007.1"),
        isinstance(mark, dict) and mark.get("class") == "failed",
        expected='a failed mark of class "failed": the transition that read the erased blob '
        "failed its 5 attempts",
        came=entry,
        what=f"GET /v1/actors/{actor}",
    )
