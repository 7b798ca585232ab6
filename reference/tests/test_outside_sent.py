"""What the outside sends is not read back, and still chains from the ref's target.

* :func:`~gritwit.wit.send_from_outside` returns the new entries as a
  :class:`~gritwit.wit._outside.SentOutbox` naming the mailbox it swapped in and the
  messages it stored: exactly what the store then holds (WIT-003, RUN-003.2);
* a later send chains after whatever ``names/outside-outbox`` names *now* (WIT-004),
  including a mailbox another writer put there;
* the runtime routes a send and runs the transition without reading from the store
  anything it just wrote (RUN-001.4: routing from committed state, here held in memory).
"""

from __future__ import annotations

from typing import Any

import pytest
from aio import run

import gritwit as g
from gritwit.runtime import Runtime
from gritwit.wit import (
    mailbox_entries,
    outside_entries,
    outside_ref,
    read_outside,
    send_from_outside,
    test_actor_core,
)
from gritwit.wit._outside import SentOutbox


class _Reads:
    """A backend proxy that records every object id read."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.read_ids: list[g.ObjectId] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def read(self, oid: g.ObjectId) -> bytes | None:
        self.read_ids.append(oid)
        return self._inner.read(oid)  # type: ignore[no-any-return]


def _blob(store: g.Store, text: str) -> g.ObjectId:
    return store.put_object(g.Blob(data=text.encode()))


@pytest.mark.req("WIT-003", "WIT-004", "RUN-003.2")
def test_the_sent_outbox_is_what_the_store_holds() -> None:
    store = g.Store.memory()
    a, b = g.object_id(g.Blob(data=b"a")), g.object_id(g.Blob(data=b"b"))
    content = _blob(store, "x")
    sent, entries, conflicts = send_from_outside(
        store, [(a, content, {"mt": "one"}, False), (b, content, None, False)]
    )
    sent2, entries2, _ = send_from_outside(store, [(a, content, {"mt": "two"}, False)])
    assert conflicts == 0 and isinstance(entries2, SentOutbox)
    box = store.get_ref(outside_ref(a))
    assert box is not None and entries2.boxes == {outside_ref(a): box}
    assert dict(entries2) == mailbox_entries(store, box)
    assert dict(entries2)[a] == sent2[0]
    assert outside_entries(store, read_outside(store)) == {a: sent2[0], b: sent[1]}
    assert set(entries2.messages) == set(sent2)
    for oid, message in entries2.messages.items():
        assert store.get_object(oid) == message
    second = entries2.messages[sent2[0]]
    assert second.previous == sent[0] and second.headers == {"mt": "two"}  # queued (WIT-004)
    assert isinstance(entries, SentOutbox) and set(entries.messages) == set(sent)


@pytest.mark.req("WIT-004", "RUN-003.2")
def test_a_send_chains_after_another_writers_outbox() -> None:
    store = g.Store.memory()
    actor = g.object_id(g.Blob(data=b"actor"))
    content = _blob(store, "x")
    (first,), _, _ = send_from_outside(store, [(actor, content, None, False)])
    # Another process moves the ref to a mailbox this one never built.
    theirs = g.Message(content=content, previous=first, headers={"mt": "theirs"})
    box = g.Mailbox(entries={actor: store.put_object(theirs)})
    ref = outside_ref(actor)
    store.cas_ref(ref, store.get_ref(ref), store.put_object(box))
    (mine,), entries, _ = send_from_outside(store, [(actor, content, None, False)])
    assert entries.messages[mine].previous == g.object_id(theirs)
    assert outside_entries(store, read_outside(store)) == {actor: mine}


@pytest.mark.req("RUN-001.4", "RUN-003.2", "WIT-004")
def test_the_runtime_reads_back_nothing_an_outside_send_wrote() -> None:
    reads = _Reads(g.Store.memory().backend)
    store = g.Store(reads)
    rt = Runtime(store)
    core, objects = test_actor_core("counter")
    actor = run(rt.genesis(core, objects))
    run(rt.run_until_quiescent())
    content = _blob(store, "2")
    for expected in (b"2", b"4"):
        reads.read_ids.clear()
        run(rt.send(actor, content, {"mt": "inc"}))
        report = run(rt.run_until_quiescent())
        assert len(report.steps) == 1 and not report.failures
        # Only the content the test stored itself may be read (once, then it is cached).
        assert set(reads.read_ids) <= {content}, "the send's messages and mailbox are not read"
        assert rt.query(actor, "count").data == expected


@pytest.mark.req("RUN-001.4", "RUN-003.1", "WIT-004")
def test_a_runtime_routes_a_send_made_by_another_writer() -> None:
    store = g.Store.memory()
    rt = Runtime(store)
    core, objects = test_actor_core("counter")
    actor = run(rt.genesis(core, objects))
    run(rt.run_until_quiescent())
    content = _blob(store, "5")
    run(rt.send(actor, content, {"mt": "inc"}))  # remembered: the ref is ours
    # Another writer's send on the same store (not through this runtime): read from the store.
    ref = outside_ref(actor)
    old = store.get_ref(ref)
    previous = mailbox_entries(store, old)[actor]
    theirs = store.put_object(g.Message(content=content, previous=previous, headers={"mt": "inc"}))
    store.cas_ref(ref, old, store.put_object(g.Mailbox(entries={actor: theirs})))
    report = run(rt.run_until_quiescent())
    assert not report.failures
    assert rt.query(actor, "count").data == b"10"  # both incs were read, in chain order
