"""The outside's 16 mailboxes by the recipient's digit (RUN-003.2, RUN-003.4, RUN-003.5).

* a send to recipients of two digits swaps exactly their two mailboxes, in one commit,
  all or none: a lost swap of one undoes the other in the same batch (RUN-003.4);
* grouped sends to two digits whose commit loses one mailbox are made again whole, and
  each message is read once (RUN-019.3, RUN-019.4);
* a store of the old layout (one ``names/outside-outbox``) is read on: a recipient's
  entry there is found when its mailbox has none, the next send chains from it, and
  the old ref is never written — also when another writer moves it while a runtime
  runs (RUN-003.5).
"""

from __future__ import annotations

import pytest
from aio import run

import gritwit as g
from gritwit import RefConflict
from gritwit.runtime import Runtime, check_runtime
from gritwit.store import Store
from gritwit.wit import (
    OUTSIDE_REF,
    is_outside_ref,
    outside_entries,
    outside_ref,
    outside_refs,
    read_outside,
    send_from_outside,
    test_actor_core,
)
from gritwit.wit._outside import swap_all


def _cores() -> tuple[tuple[g.Tree, list[g.GritObject]], tuple[g.Tree, list[g.GritObject]]]:
    """Two counters' cores whose ids differ in their 16th hex digit (RUN-003.4)."""
    made = [test_actor_core("counter", {"salt": g.Blob(data=bytes([i]))}) for i in range(16)]
    first = made[0]
    digit = g.object_id(first[0]).hex()[15]
    other = next(m for m in made if g.object_id(m[0]).hex()[15] != digit)
    return first, other


def _ids() -> tuple[g.ObjectId, g.ObjectId]:
    """The ids of :func:`_cores`' two counters, which no step has made yet."""
    (a_core, _), (b_core, _) = _cores()
    return g.object_id(a_core), g.object_id(b_core)


def _chain(store: Store, last: g.ObjectId | None) -> list[g.ObjectId]:
    found = []
    while last is not None:
        found.append(last)
        message = store.get_object(last)
        assert isinstance(message, g.Message)
        last = message.previous
    return found


@pytest.mark.req("RUN-003.4")
def test_the_digit_is_the_16th_hex_digit_and_the_low_bits_of_the_share_number() -> None:
    for i in range(64):
        actor = g.object_id(g.Blob(data=bytes([i])))
        number = int.from_bytes(actor.digest[:8], "big")  # RUN-021's share number
        assert outside_ref(actor) == f"names/outside-outbox/{actor.hex()[15]}"
        assert outside_ref(actor) == f"names/outside-outbox/{number % 16:x}"
    assert len(set(outside_refs())) == 16 and all(is_outside_ref(r) for r in outside_refs())
    assert is_outside_ref(OUTSIDE_REF)
    assert not any(map(is_outside_ref, ["names/outside-outbox/g", "names/outside-outboxes"]))


@pytest.mark.req("RUN-003.4", "RUN-003.2", "WIT-004")
def test_a_send_to_two_digits_swaps_their_two_mailboxes_and_no_other() -> None:
    store = Store.memory()
    a, b = _ids()
    content = store.put_object(g.Blob(data=b"x"))
    sent, entries, _ = send_from_outside(
        store, [(a, content, None, False), (b, content, None, False), (a, content, None, False)]
    )
    refs = read_outside(store)
    assert set(refs) == {outside_ref(a), outside_ref(b)}
    assert set(entries.boxes) == set(refs) and entries.boxes == refs
    box_a = store.get_object(refs[outside_ref(a)])
    box_b = store.get_object(refs[outside_ref(b)])
    assert isinstance(box_a, g.Mailbox) and isinstance(box_b, g.Mailbox)
    assert dict(box_a.entries) == {a: sent[2]} and dict(box_b.entries) == {b: sent[1]}
    assert _chain(store, sent[2]) == [sent[2], sent[0]]  # queued per WIT-004
    assert outside_entries(store, refs) == {a: sent[2], b: sent[1]}


@pytest.mark.req("RUN-003.4", "RUN-002.4", "RUN-017.2")
def test_a_lost_swap_of_one_mailbox_sets_back_the_others_in_the_batch() -> None:
    store = Store.memory()
    a, b = _ids()
    content = store.put_object(g.Blob(data=b"x"))
    send_from_outside(store, [(a, content, None, False), (b, content, None, False)])
    before = read_outside(store)
    box_a = g.Mailbox(
        entries={a: store.put_object(g.Message(content=content, headers={"mt": "y"}))}
    )
    box_b = g.Mailbox(
        entries={b: store.put_object(g.Message(content=content, headers={"mt": "y"}))}
    )
    swaps = [
        (outside_ref(a), before[outside_ref(a)], store.put_object(box_a), box_a),
        (outside_ref(b), None, store.put_object(box_b), box_b),  # not what is there: loses
    ]
    with pytest.raises(RefConflict), store.batch() as batch:
        swap_all(batch, swaps)  # the winning swap first
    assert read_outside(store) == before
    with store.batch() as batch, pytest.raises(RefConflict):  # the set-back, not a rollback
        swap_all(batch, swaps)  # the winning swap first
    assert read_outside(store) == before


@pytest.mark.req("RUN-019.3", "RUN-019.4", "RUN-003.4", "RUN-007.2")
def test_grouped_sends_to_two_digits_losing_one_mailbox_are_made_again_whole() -> None:
    store = Store.memory()
    mine = Runtime(store, send_commit="group")
    other = Runtime(store, send_commit="own")
    (a_core, a_objects), (b_core, b_objects) = _cores()
    a = run(mine.genesis(a_core, a_objects))
    b = run(mine.genesis(b_core, b_objects))
    run(mine.run_until_quiescent())
    one = store.put_object(g.Blob(data=b"1"))
    inc = {"mt": "inc"}
    run(mine.send_all([(a, one, inc, False), (b, one, inc, False)]))
    won = run(other.send(b, one, inc))  # moves b's mailbox only
    conflicts = mine.conflicts
    run(mine.run_until_quiescent())
    run(other.run_until_quiescent())
    assert mine.conflicts > conflicts
    assert mine.query(a, "count").data == b"1" and mine.query(b, "count").data == b"2"
    entries = outside_entries(store, read_outside(store))
    assert len(_chain(store, entries[a])) == 2, "a's first attempt must not stay sent"
    resent = store.get_object(entries[b])
    assert isinstance(resent, g.Message) and resent.previous == won
    assert check_runtime(store).ok and OUTSIDE_REF not in read_outside(store)


@pytest.mark.req("RUN-003.5", "WIT-004", "WIT-005", "RUN-007.2", "RUN-020.5")
@pytest.mark.parametrize("send_commit", ["own", "group"])
def test_a_store_of_the_old_layout_is_read_once_and_chained_on(send_commit: str) -> None:
    store = Store.memory()
    (core, objects), _ = _cores()
    actor = g.object_id(core)
    store.put_objects([*objects, core])

    def old_send(content: g.ObjectId, headers: dict[str, str]) -> g.ObjectId:
        previous = outside_entries(store, read_outside(store)).get(actor)
        sent = store.put_object(g.Message(content=content, previous=previous, headers=headers))
        old = store.get_ref(OUTSIDE_REF)
        store.cas_ref(OUTSIDE_REF, old, store.put_object(g.Mailbox(entries={actor: sent})))
        return sent

    five, two, seven = (store.put_object(g.Blob(data=d)) for d in (b"5", b"2", b"7"))
    old_send(actor, {"mt": "genesis"})
    old_send(five, {"mt": "inc"})
    rt = Runtime(store, send_commit=send_commit)
    run(rt.run_until_quiescent())
    assert rt.query(actor, "count").data == b"5"
    last_old = old_send(two, {"mt": "inc"})  # another writer of the old layout, meanwhile
    run(rt.run_until_quiescent())  # caught up from the journal of swaps (RUN-020.5)
    assert rt.query(actor, "count").data == b"7"
    old = store.get_ref(OUTSIDE_REF)
    sent = run(rt.send(actor, seven, {"mt": "inc"}))
    run(rt.run_until_quiescent())
    message = store.get_object(sent)
    assert isinstance(message, g.Message) and message.previous == last_old
    assert rt.query(actor, "count").data == b"14"
    assert store.get_ref(OUTSIDE_REF) == old, "the old ref is never written (RUN-003.5)"
    again = Runtime(store)  # a restart: from the refs alone, nothing read twice
    assert run(again.run_until_quiescent()).steps == ()
    assert again.query(actor, "count").data == b"14"


@pytest.mark.req("RUN-020.1", "RUN-019.4", "RUN-002.4", "DUR-005.4")
@pytest.mark.parametrize("send_commit", ["group", "own"])
def test_a_send_builds_on_the_mailbox_last_seen_and_a_stale_one_is_sent_again(
    monkeypatch: pytest.MonkeyPatch, send_commit: str
) -> None:
    """RUN-020.1: a send builds on the mailbox the runtime last saw at its ref (its own
    last commit), without reading the ref (DUR-005.4: one round trip fewer on a server's
    store); when another writer moved that mailbox meanwhile, the swap loses and the send
    is made again from the winner's mailbox (grouped: RUN-019.4, the group lost; own:
    RUN-002.4, the send's commit): each message read once, in the order sent."""
    store = Store.memory()
    mine = Runtime(store, send_commit=send_commit)
    (core, objects), _ = _cores()
    actor = run(mine.genesis(core, objects))
    run(mine.run_until_quiescent())
    one = store.put_object(g.Blob(data=b"1"))
    inc = {"mt": "inc"}
    run(mine.send(actor, one, inc))
    run(mine.run_until_quiescent())
    ref = outside_ref(actor)
    reads: list[str] = []
    get_ref, get_refs = Store.get_ref, Store.get_refs

    def counted(self: Store, name: str) -> g.ObjectId | None:
        reads.append(name)
        return get_ref(self, name)

    def counted_many(self: Store, names: list[str]) -> dict[str, g.ObjectId] | None:
        reads.extend(names)
        return get_refs(self, names)

    monkeypatch.setattr(Store, "get_ref", counted)
    monkeypatch.setattr(Store, "get_refs", counted_many)
    run(mine.send(actor, one, inc))  # built on the mailbox this runtime committed
    assert ref not in reads, "the mailbox last seen is a hint: no read of its ref"
    run(mine.run_until_quiescent())
    assert mine.query(actor, "count").data == b"2"
    theirs, _, _ = send_from_outside(store, [(actor, one, inc, False)])  # another writer
    conflicts, losses = mine.conflicts, mine.group_losses
    run(mine.send(actor, one, inc))  # on the stale mailbox: its swap loses
    run(mine.run_until_quiescent())
    if send_commit == "group":
        assert mine.group_losses == losses + 1, "the group built on the stale mailbox lost"
    else:
        assert mine.conflicts == conflicts + 1, "the send built on the stale mailbox lost"
    assert mine.query(actor, "count").data == b"4", "each message read exactly once"
    chain = _chain(store, outside_entries(store, read_outside(store))[actor])  # genesis too
    assert len(chain) == 5 and chain[1] == theirs[0], "sent again after the winner's message"
    assert check_runtime(store).ok
