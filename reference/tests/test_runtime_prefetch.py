"""The cache's page reads ahead of a catch-up keep what a read would give (RUN-003.1,
STO-003, RUN-011.3).

Where the store is a server's (DUR-005.4), a catch-up over moved heads reads their
outboxes and newest messages a page at a time into the runtime's cache.  Such a read
keeps only steps, mailboxes and messages it decoded: an id the store fails on (absent,
erased) is left out, so that its own read later fails as it would without the
read-ahead, and a blob is not kept (it is read, with its tombstone, when asked).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

import gritwit as g
from gritwit.runtime._cache import ObjectCache
from gritwit.runtime._index import RoutingIndex
from gritwit.store._refs import HEADS_PREFIX
from gritwit.wit import OUTSIDE
from gritwit.wit._outside import outside_ref, send_from_outside


def _remote_memory() -> g.Store:
    """A memory store marked as a server's, so the page reads run (DUR-005.4)."""
    store = g.Store.memory()
    object.__setattr__(store, "is_remote", True)
    return store


@pytest.mark.req("RUN-003.1", "STO-003", "RUN-011.3")
def test_a_prefetch_keeps_no_failure_and_no_blob() -> None:
    store = _remote_memory()
    content = store.put_object(g.Blob(data=b"news"))
    message = store.put_object(g.Message(content=content))
    outbox = store.put_object(g.Mailbox(entries={g.ObjectId(bytes([7]) * 32): message}))
    absent = g.object_id(g.Blob(data=b"never stored"))
    cache = ObjectCache(store)
    held = cache.prefetch([outbox, absent, content, message])
    assert set(held) == {outbox, message}, (
        "the mailbox and the message are given; the absent id and the blob are not: "
        f"gave {sorted(o.hex()[:8] for o in held)}"
    )
    with pytest.raises(g.GritError) as info:
        cache.get_object(absent)
    assert info.value.error_class == "not-found", info.value


def _head_with_outbox(store: g.Store, actor: g.ObjectId, n: int, outbox: g.ObjectId) -> None:
    core = store.put_object(g.Blob(data=b"core %d" % n))
    name = HEADS_PREFIX + actor.hex()
    step = store.put_object(g.Step(actor=actor, core=core, outbox=outbox))
    store.cas_ref(name, store.get_ref(name), step)


@pytest.mark.req("RUN-003.1", "RUN-003.4", "OBJ-019")
def test_a_catch_up_reads_the_outsides_new_mailbox_ahead_and_no_skimmed_step_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Heads moved keeping their outbox are skimmed (their steps neither kept nor read
    again); the outside's mailbox a send swapped, and its new message, are read ahead."""
    store = _remote_memory()
    recipient = g.ObjectId(bytes([7]) * 32)
    content = store.put_object(g.Blob(data=b"hello"))
    message = store.put_object(g.Message(content=content))
    outbox = store.put_object(g.Mailbox(entries={recipient: message}))
    actors = [g.ObjectId(bytes([i + 1]) * 32) for i in range(3)]
    for actor in actors:
        _head_with_outbox(store, actor, 0, outbox)
    index, cache = RoutingIndex(), ObjectCache(store)
    index.load(store, cache)
    for actor in actors:  # each moved by another writer, its outbox kept
        _head_with_outbox(store, actor, 1, outbox)
    blob = g.Blob(data=b"from the outside")
    (sent,), _, _ = send_from_outside(store, [(recipient, g.object_id(blob), None, False)], [blob])
    ref = outside_ref(recipient)
    mailbox = store.get_ref(ref)
    swaps = {HEADS_PREFIX + a.hex(): store.get_ref(HEADS_PREFIX + a.hex()) for a in actors}
    swaps[ref] = mailbox
    steps = set(swaps.values()) - {mailbox}
    asked: list[g.ObjectId] = []
    each = g.Store.get_objects_each

    def counted(self: g.Store, oids: Iterable[g.ObjectId]) -> Any:
        oids = list(oids)
        asked.extend(oids)
        return each(self, oids)

    monkeypatch.setattr(g.Store, "get_objects_each", counted)
    touched = index.refresh(store, cache, list(swaps.items()))
    assert set(actors) | {recipient} <= touched, touched
    assert mailbox in asked and sent in asked, (
        "the outside's new mailbox and its new message are read ahead, a page at a time"
    )
    assert not steps & set(asked), "a skimmed step is not read again"
    found = index.pending_for(cache, recipient, {})
    assert [p.id for p in found[OUTSIDE]] == [sent]


@pytest.mark.req("RUN-003.1", "WIT-005")
@pytest.mark.parametrize("listed", [False, True], ids=["journal", "listing"])
def test_a_catch_up_over_a_deleted_head_drops_its_entries(listed: bool) -> None:
    """A head ref deleted by another writer (its actor cleared) among moved heads, caught
    up with from the swaps since or from a listing of the refs: the index drops what it
    sent."""
    store = _remote_memory()
    recipient = g.ObjectId(bytes([7]) * 32)
    content = store.put_object(g.Blob(data=b"hello"))
    message = store.put_object(g.Message(content=content))
    outbox = store.put_object(g.Mailbox(entries={recipient: message}))
    gone, kept = g.ObjectId(bytes([1]) * 32), g.ObjectId(bytes([2]) * 32)
    for actor in (gone, kept):
        _head_with_outbox(store, actor, 0, outbox)
    index, cache = RoutingIndex(), ObjectCache(store)
    index.load(store, cache)
    name = HEADS_PREFIX + gone.hex()
    store.cas_ref(name, store.get_ref(name), None)
    _head_with_outbox(store, kept, 1, outbox)
    swaps = [(name, None), (HEADS_PREFIX + kept.hex(), store.get_ref(HEADS_PREFIX + kept.hex()))]
    touched = index.refresh(store, cache, None if listed else swaps)
    assert {gone, kept} <= touched, touched
    assert index.known_heads([gone, kept]) == {kept: swaps[1][1]}, "the deleted head is gone"
    found = index.pending_for(cache, recipient, {})
    assert set(found) == {kept}, f"only the kept head's entry is pending: {set(found)}"
