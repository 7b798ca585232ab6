"""Runtimes reading their shares' journal parts only deliver across shares (RUN-020, RUN-021).

Four runtimes of one PostgreSQL store, of shares ``k/4``, each reading only the journal
parts of its share and the notes addressed to them (:mod:`gritwit.store._pg_notes`).  A
``fanout`` actor in one share sends ``fanned`` to an ``echo`` actor in another, which
echoes it back: every message crosses shares.  Each ``fanout`` the outside sends makes
exactly one echo, so the echoes the ``echo`` actor ever queued to a sender — walked
from its outbox — count the deliveries: fewer is a message lost, more a duplicate
(RUN-002).  Between rounds a head moves in each way a runtime moves one without a
transition: a revert of the sender and of the recipient (RUN-024), a fork of the sender
(RUN-008), an import of a sender with messages already queued (RUN-009), an erasure
(RUN-011); and an actor is placed by key into the recipient's share from another
share's parts (RUN-021.6 … RUN-021.8), after which that share reads every part.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

import gritwit as g
from gritwit._ids import ObjectId
from gritwit.runtime import Runtime, Share, erase_blob, export_bundle, fork, revert
from gritwit.store import Store, _pg_ahead
from gritwit.store._pg_notes import ALL_PARTS
from gritwit.wit import OUTSIDE, pending, test_actor_core
from gritwit.wit._outside import outbox_entries

N = 4
#: Most passes over the runtimes before the test calls the store stuck (a bound).
PASSES = 60


def _core_in(name: str, share: Share, tag: str) -> tuple[g.Tree, tuple[g.GritObject, ...]]:
    """A ``name`` test actor's core whose actor is in ``share`` (its ``tag`` makes it so)."""
    for i in range(10_000):
        core, objects = test_actor_core(name, {"tag": g.Blob(data=b"%s %d" % (tag.encode(), i))})
        if share.owns(g.object_id(core)):
            return core, objects
    raise AssertionError(f"no {name} in {share}")


def _fan_to(*actors: ObjectId) -> tuple[g.Tree, list[g.Blob]]:
    """A ``fanout`` message's content naming ``actors`` (WIT-021.1)."""
    blobs = [g.Blob(data=a.hex().encode()) for a in actors]
    return g.Tree(entries={f"to{i}": g.object_id(b) for i, b in enumerate(blobs)}), blobs


def _echoes(store: Store, echo: ObjectId, to: ObjectId) -> int:
    """Every echo ``echo`` ever queued to ``to``: its outbox entry's chain, walked whole."""
    head = store.get_ref("heads/" + echo.hex())
    step = None if head is None else store.get_object(head)
    if not isinstance(step, g.Step):
        return 0
    entry = outbox_entries(store, step.outbox).get(to)
    return 0 if entry is None else len(pending(store, entry, None))


class Fleet:
    """Four runtimes of shares ``k/4`` on one store, each with a store of its own."""

    def __init__(self, url: str) -> None:
        self.stores = [Store.open(url) for _ in range(N)]
        self.runtimes = [Runtime(s, share=Share(k=k, n=N)) for k, s in enumerate(self.stores)]
        self.loop = asyncio.new_event_loop()

    def run(self) -> None:
        """Run every runtime until two whole passes of them step nothing (a pass may
        write without a step: a placement record, RUN-021.8, which another share reads)."""
        idle = 0
        for _ in range(PASSES):
            stepped = 0
            for rt in self.runtimes:
                stepped += len(self.loop.run_until_complete(rt.run_until_quiescent()).steps)
            idle = 0 if stepped else idle + 1
            if idle == 2:
                return
        raise AssertionError("RUN-021.2: the runtimes never came to rest")

    def fan(self, sender: ObjectId, *to: ObjectId) -> None:
        content, blobs = _fan_to(*to)
        rt = self.runtimes[0]
        self.loop.run_until_complete(
            rt.send(sender, g.object_id(content), {"mt": "fanout"}, objects=(content, *blobs))
        )
        rt.flush()

    def close(self) -> None:
        self.loop.close()
        for s in self.stores:
            s.close()


@pytest.fixture
def fleet(pg_url: str) -> Iterator[Fleet]:
    made = Fleet(pg_url)
    try:
        yield made
    finally:
        made.close()


def _parts_read(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> list[set[frozenset[int]]]:
    """Records, for each runtime of ``fleet``, the sets of journal parts its reads asked for."""
    asked: list[set[frozenset[int]]] = [set() for _ in fleet.runtimes]
    owner = {id(s.backend._ahead): k for k, s in enumerate(fleet.stores)}  # type: ignore[attr-defined]
    real = _pg_ahead.changes_call

    def spy(since, kept, ahead, own=(), mine=ALL_PARTS):  # type: ignore[no-untyped-def]
        asked[owner[id(ahead)]].add(frozenset(mine))
        return real(since, kept, ahead, own, mine)

    monkeypatch.setattr(_pg_ahead, "changes_call", spy)
    return asked


@pytest.mark.req("RUN-020.1", "RUN-020.5", "RUN-021.2", "RUN-021.3", "RUN-002", "DUR-005.5")
def test_messages_cross_shares_once_whatever_moved_a_head(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _parts_read(fleet, monkeypatch)
    loop, store = fleet.loop, fleet.stores[0]
    sender_core, sender_objects = _core_in("fanout", Share(k=1, n=N), "sender")
    echo_core, echo_objects = _core_in("echo", Share(k=0, n=N), "echo")
    rt = fleet.runtimes[2]  # a runtime of neither share creates them (RUN-021.3)
    sender = loop.run_until_complete(rt.genesis(sender_core, sender_objects))
    echo = loop.run_until_complete(rt.genesis(echo_core, echo_objects))
    rt.flush()
    fleet.run()
    sent = 0
    for _ in range(3):
        fleet.fan(sender, echo)
        sent += 1
        fleet.run()
        assert _echoes(store, echo, sender) == sent, "RUN-021.2: each message crossed once"
    for k, parts in enumerate(asked):
        assert parts == {frozenset(p for p in range(16) if p % N == k)}, (
            "DUR-005.5: a runtime of share k/4 read only its own journal parts"
        )
    # a revert of the sender, by a runtime of another share (RUN-024, RUN-021.3); then one
    # of the recipient, whose inbox and outbox stay (RUN-024.3, RUN-024.4)
    for reverted, by, what in (
        (sender, 3, "RUN-024: a reverted sender's send crossed once"),
        (echo, 2, "RUN-024.3: a reverted recipient reads once"),
    ):
        top = store.get_object(store.get_ref("heads/" + reverted.hex()))  # type: ignore[arg-type]
        assert isinstance(top, g.Step) and top.previous is not None
        revert(fleet.stores[by], reverted, top.previous)
        fleet.fan(sender, echo)
        sent += 1
        fleet.run()
        assert _echoes(store, echo, sender) == sent, what
    # a fork of the sender: a new sender, its first step set by a plain swap (RUN-008)
    head = store.get_ref("heads/" + sender.hex())
    assert head is not None
    child = fork(fleet.stores[3], sender, head, {"forked": g.Blob(data=b"child")})
    fleet.fan(child, echo)
    fleet.run()
    assert _echoes(store, echo, child) == 1, "RUN-008: the child's send crossed once"
    assert _echoes(store, echo, sender) == sent, "RUN-008: the parent's sends were not re-read"
    # an erasure (RUN-011): every runtime's next commit is guarded by the new count
    scratch = fleet.stores[1].put_object(g.Blob(data=b"withdrawn later"))
    assert erase_blob(fleet.stores[1], scratch, "withdrawn")
    fleet.fan(sender, echo, echo)  # another content: named twice
    sent += 2
    fleet.run()
    assert _echoes(store, echo, sender) == sent, "RUN-011: sends after an erasure crossed once"


@pytest.mark.req("RUN-009.4", "RUN-020.5", "RUN-021.3", "DUR-005.5")
def test_an_imported_sender_s_queued_messages_cross_once(fleet: Fleet) -> None:
    """A sender made elsewhere, with a message already queued to an actor of the store,
    imported by a runtime of a third share (a plain swap, noted to every part): the
    recipient's runtime, reading its own parts only, runs the message once."""
    loop, store = fleet.loop, fleet.stores[0]
    echo_core, echo_objects = _core_in("echo", Share(k=0, n=N), "echo")
    echo = loop.run_until_complete(fleet.runtimes[0].genesis(echo_core, echo_objects))
    fleet.runtimes[0].flush()
    fleet.run()
    elsewhere = Store.memory()
    maker = Runtime(elsewhere)
    sender_core, sender_objects = _core_in("fanout", Share(k=1, n=N), "imported")
    sender = loop.run_until_complete(maker.genesis(sender_core, sender_objects))
    content, blobs = _fan_to(echo)
    loop.run_until_complete(
        maker.send(sender, g.object_id(content), {"mt": "fanout"}, objects=(content, *blobs))
    )
    loop.run_until_complete(maker.run_until_quiescent())
    fleet.runtimes[2].import_bundle(export_bundle(elsewhere, sender))
    fleet.run()
    assert _echoes(store, echo, sender) == 1, "RUN-009.4: the imported sender's message, once"


@pytest.mark.req("RUN-021.6", "RUN-021.7", "RUN-021.8", "RUN-021.2", "DUR-005.5")
def test_an_actor_placed_into_a_share_from_another_s_parts_runs_there(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ``echo`` placed by key beside an actor of share 0/4, its own id in share 2/4's
    parts: share 0/4's runtime learns the record (noted to every part), reads every
    part from then on, and runs the placed actor's messages once."""
    asked = _parts_read(fleet, monkeypatch)
    loop, store = fleet.loop, fleet.stores[0]
    root_core, root_objects = _core_in("echo", Share(k=0, n=N), "root")
    root = loop.run_until_complete(fleet.runtimes[1].genesis(root_core, root_objects))
    placed_core, placed_objects = _core_in("echo", Share(k=2, n=N), "placed")
    sender_core, sender_objects = _core_in("fanout", Share(k=3, n=N), "sender")
    sender = loop.run_until_complete(fleet.runtimes[1].genesis(sender_core, sender_objects))
    fleet.runtimes[1].flush()
    fleet.run()  # every runtime has read the refs: what follows it learns from the journal
    placed = loop.run_until_complete(
        fleet.runtimes[1].genesis(placed_core, placed_objects, placement=root)
    )
    fleet.runtimes[1].flush()
    fleet.run()
    assert store.get_ref("heads/" + placed.hex()) is not None, "RUN-021.8: the placed actor ran"
    fleet.fan(sender, placed)
    fleet.run()
    assert _echoes(store, placed, sender) == 1, "RUN-021.6: the placed actor's message, once"
    fleet.fan(sender, placed, root)
    fleet.run()
    assert _echoes(store, placed, sender) == 2, "RUN-021.6: the placed actor's messages, once"
    assert _echoes(store, root, sender) == 1, "RUN-021.2: its neighbour's message, once"
    assert frozenset(range(16)) in asked[0], (
        "RUN-021.6: share 0/4 reads every part once an actor is placed into it from elsewhere"
    )
    for k in (1, 3):
        assert asked[k] == {frozenset(p for p in range(16) if p % N == k)}, (
            "DUR-005.5: shares without such an actor read their own parts only"
        )
    assert OUTSIDE not in (sender, placed)


@pytest.mark.req("RUN-021", "RUN-003", "RUN-021.2")
def test_runtimes_restarted_with_another_n_deliver_once(fleet: Fleet) -> None:
    """Runtimes of shares k/4 stop; runtimes of shares k/2 start on the same store (a
    full read of the heads, RUN-003) and read their parts only: messages sent before and
    after the change cross once."""
    loop, store = fleet.loop, fleet.stores[0]
    sender_core, sender_objects = _core_in("fanout", Share(k=1, n=N), "sender")
    echo_core, echo_objects = _core_in("echo", Share(k=0, n=N), "echo")
    rt = fleet.runtimes[2]
    sender = loop.run_until_complete(rt.genesis(sender_core, sender_objects))
    echo = loop.run_until_complete(rt.genesis(echo_core, echo_objects))
    rt.flush()
    fleet.run()
    fleet.fan(sender, echo)  # sent, not yet run by the runtimes of n = 4
    fleet.runtimes = [Runtime(s, share=Share(k=k, n=2)) for k, s in enumerate(fleet.stores[:2])]
    fleet.run()
    assert _echoes(store, echo, sender) == 1, "RUN-003: the message sent before, once"
    fleet.fan(sender, echo)
    fleet.run()
    assert _echoes(store, echo, sender) == 2, "RUN-021.2: the message sent after, once"
