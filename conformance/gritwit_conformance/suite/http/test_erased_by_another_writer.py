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

The second test lets the erasure and the send come while the service's run is held by a
``sleepy`` actor's nap (WIT-030.1), so that the first read of the store that can tell of
them is the one a commit of that run reads along with its write (RUN-020.7); whether
they land inside the nap changes nothing the test checks, only which read tells of them.

The third has the other writer swap a ref of its own to a blob of an actor's history
(REF-001: any object may be a ``names/`` ref's target), then erase that blob at once: a
service that read the swap along with its target's bytes (the reference on PostgreSQL
reads steps and mailboxes ahead with the journal, DUR-005.4) must not export them as
the blob's: the actor's bundle reads every object of its history (RUN-009.1), so its
export fails ``erased`` (410, HTTP-010.1), whenever the service read the swap.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal
from .._store_writer import StoreWriter
from .._writers import second as second  # the other writer's process
from ._api import count_of, counter, create, expect_error, inc, send, settle
from ._service import Services
from ._service import services as services

pytestmark = pytest.mark.profile("http", "runtime", "store")

#: What the counter is sent: the erased content is :data:`ERASED`'s blob, which is
#: never the counter's count (3, 7, 11).
FIRST, ERASED = 3, 4
#: The nap (ms) holding the service's run while the other writer erases and sends.
NAP = 2000
#: Seconds the test lets the service start the nap before the other writer goes on: a
#: pause only, the checks hold whenever it goes on.
PAUSE = 0.3


#: A note of an actor's genesis state: a blob longer than a step's first 50 bytes.
NOTE = b"a note of the counter's genesis, erased by another writer: 64 B"
#: The other writer's own ref, swapped to the note (REF-001.1).
NOTE_REF = "names/erased-note"
#: Seconds between the other writer's swap and its erasure: a pause only.
SWAP_PAUSE = 0.05


def _counted_twice(client: httpx.Client) -> tuple[str, int]:
    """A counter whose transitions read the blob of :data:`ERASED` twice; its count."""
    actor = counter(client)
    for amount in (FIRST, ERASED, ERASED):
        inc(client, actor, amount)
        settle(client)
    expected = FIRST + 2 * ERASED
    check_equal("RUN-011.3", expected, count_of(client, actor), "the count before the erasure")
    return actor, expected


def _nap(client: httpx.Client, sleepy: str, sent: list[BaseException | str]) -> None:
    """Send ``sleepy`` a nap of :data:`NAP` ms (WIT-030.1); its id or failure to ``sent``."""
    try:
        sent.append(send(client, sleepy, {"blob": str(NAP).encode().hex()}, mt="nap"))
    except BaseException as failed:  # re-raised on the test's thread
        sent.append(failed)


def _erase(side: Implementation, path: Path, blob: g.ObjectId) -> None:
    """Erase ``blob`` by a runtime of ``side`` on ``path`` (RUN-011, ADP-015)."""
    runtime = call_ok(side, "RUN-011.3", "rt-open", path=str(path))["runtime"]
    call_ok(side, "RUN-011.3", "rt-erase", runtime=runtime, blob=blob.hex(), reason="test")
    call_ok(side, "RUN-011.3", "rt-close", runtime=runtime)


@pytest.mark.req("RUN-011.3", "RUN-020.7", "ADP-010.6")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_blob_another_writer_erased_is_not_counted_by_a_running_service(
    services: Services, second: Implementation
) -> None:
    service = services.start("store")
    client = service.client
    actor, expected = _counted_twice(client)
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


@pytest.mark.req("RUN-011.3", "RUN-020.7", "ADP-010.6", "WIT-030.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_blob_erased_during_a_services_run_is_not_counted_later_in_it(
    services: Services, second: Implementation
) -> None:
    service = services.start("store")
    client = service.client
    actor, expected = _counted_twice(client)
    sleepy = str(create(client, test="sleepy", state={"tag": b"holds the run".hex()})["actor"])
    settle(client)
    content = g.object_id(g.Blob(data=str(ERASED).encode()))
    writer = StoreWriter(second, service.path)
    sent: list[BaseException | str] = []
    napping = threading.Thread(target=_nap, args=(client, sleepy, sent))
    napping.start()
    try:
        time.sleep(PAUSE)
        _erase(second, service.path, content)
        writer.send_inc(actor, ERASED)  # its content is the erased blob (RUN-011.5)
    finally:
        napping.join()
    for outcome in sent:  # the nap's send, checked on its thread: its failure is the test's
        if isinstance(outcome, BaseException):
            raise outcome
    settle(client)
    check_equal(
        ("RUN-011.3", "RUN-020.7"),
        expected,
        count_of(client, actor),
        f"the counter's count after another writer, while the service's run was held by a "
        f"nap, erased the blob {content} the service's transitions read twice, then sent the "
        "counter an inc whose content is that blob: the transition reading it fails "
        "(RUN-011.3), so the inc is never counted",
    )


@pytest.mark.req("RUN-011.3", "RUN-009.1", "HTTP-010.1", "ADP-010.6")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_a_blob_another_writer_swapped_a_ref_to_then_erased_is_not_exported(
    services: Services, second: Implementation
) -> None:
    service = services.start("store")
    client = service.client
    actor = str(create(client, test="counter", state={"note": NOTE.hex()})["actor"])
    settle(client)
    note = g.object_id(g.Blob(data=NOTE))
    writer = StoreWriter(second, service.path)
    runtime = call_ok(second, "RUN-011.3", "rt-open", path=str(service.path))["runtime"]
    writer.cas(NOTE_REF, None, note)
    time.sleep(SWAP_PAUSE)
    call_ok(second, "RUN-011.3", "rt-erase", runtime=runtime, blob=note.hex(), reason="test")
    expect_error(
        client.get(f"/v1/actors/{actor}/bundle"),
        410,
        "erased",
        "HTTP-010.1: the bundle of an actor whose genesis core names a blob another writer "
        "swapped a ref to, then erased (RUN-009.1, RUN-011.3)",
    )
    call_ok(second, "RUN-011.3", "rt-close", runtime=runtime)
