"""A blob another writer erased is erased for a running service too (RUN-011.3, RUN-020.7).

A service's runtime may keep the blobs its transitions read and skip asking the store
for a tombstone while it knows no erasure came since it found one clean; the
reference on PostgreSQL knows so by the store's count of erasures, read with every
read of the journal of swaps (DUR-005.4). Here a counter run by a service reads a
message's content twice (so that any such cache holds it as clean); then a second
process, a runtime on the same directory (ADP-015), erases that blob, and sends the
counter, through the store profile (ADP-010.6), one more ``inc`` whose content is that
blob. The service learns of the send from the store alone (RUN-020.7), and the
transition reading it reads an erased blob: it fails (RUN-011.3) and never counts.
A service whose journal read dropped the count of erasures it found would take the
kept blob as clean and count it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal
from .._store_writer import StoreWriter
from .._writers import second as second  # the other writer's process
from ._api import count_of, counter, inc, settle
from ._service import Services
from ._service import services as services

pytestmark = pytest.mark.profile("http", "runtime", "store")

#: What the counter is sent: the erased content is :data:`ERASED`'s blob, which is
#: never the counter's count (3, 7, 11).
FIRST, ERASED = 3, 4


def _erase(side: Implementation, path: Path, blob: g.ObjectId) -> None:
    """Erase ``blob`` by a runtime of ``side`` on ``path`` (RUN-011, ADP-015)."""
    runtime = call_ok(side, "RUN-011.3", "rt-open", path=str(path))["runtime"]
    call_ok(side, "RUN-011.3", "rt-erase", runtime=runtime, blob=blob.hex(), reason="test")
    call_ok(side, "RUN-011.3", "rt-close", runtime=runtime)


@pytest.mark.req("RUN-011.3", "RUN-020.7", "ADP-010.6")
@pytest.mark.req("HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_blob_another_writer_erased_is_not_counted_by_a_running_service(
    services: Services, second: Implementation
) -> None:
    service = services.start("store")
    client = service.client
    actor = counter(client)
    for amount in (FIRST, ERASED, ERASED):
        inc(client, actor, amount)
        settle(client)
    expected = FIRST + 2 * ERASED
    check_equal("RUN-011.3", expected, count_of(client, actor), "the count before the erasure")
    content = g.object_id(g.Blob(data=str(ERASED).encode()))
    _erase(second, service.path, content)
    writer = StoreWriter(second, service.path)
    writer.send_inc(actor, ERASED)  # its content is the erased blob (RUN-011.5)
    settle(client)
    check_equal(
        ("RUN-011.3", "RUN-020.7"),
        expected,
        count_of(client, actor),
        f"the counter's count after another writer erased the blob {content} the service's "
        "transitions read twice, then sent the counter an inc whose content is that blob: "
        "the transition reading it fails (RUN-011.3), so the inc is never counted",
    )
