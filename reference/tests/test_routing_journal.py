"""The routing index catches up with what moved, not with every ref (RUN-003.1).

Every built-in store keeps a journal of the refs it swapped and their new targets
(:meth:`~gritwit.store.Store.refs_changed_since`; the durable ones' in
``test_ref_journal.py``); the runtime's next run reads again only those, and falls
back to listing every ref where the journal cannot say (no version yet, a version
older than the journal kept).  Another writer's send or step is seen either way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from aio import run
from test_ref_journal import FIRST_LISTINGS, _listings

import gritwit as g
from gritwit.runtime import Runtime
from gritwit.store import Store, _memory
from gritwit.wit import test_actor_core


def _counter(rt: Runtime) -> g.ObjectId:
    core, objects = test_actor_core("counter")
    actor = run(rt.genesis(core, objects))
    run(rt.run_until_quiescent())
    return actor


@pytest.mark.req("RUN-003.1")
def test_the_memory_journal_names_each_swap_in_order() -> None:
    store = Store.memory()
    start, names = store.refs_changed_since(None)
    assert start == 0 and names is None  # no version given: unknown
    blob = store.put_object(g.Blob(data=b"x"))
    store.cas_ref("names/a", None, blob)
    store.cas_ref("names/b", None, blob)
    store.cas_ref("names/a", blob, None)
    with pytest.raises(g.RefConflict):
        store.cas_ref("names/b", None, blob)  # a lost swap changes nothing: not journaled
    swaps = [("names/a", blob), ("names/b", blob), ("names/a", None)]
    assert store.refs_changed_since(0) == (3, swaps)
    assert store.refs_changed_since(2) == (3, swaps[2:])
    assert store.refs_changed_since(3) == (3, [])
    assert store.refs_changed_since(4) == (3, None)  # a version it never had: unknown


@pytest.mark.req("RUN-003.1")
def test_a_journal_past_its_bound_forgets_its_oldest_half(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_memory, "JOURNAL_KEPT", 4)
    store = Store.memory()
    blob = store.put_object(g.Blob(data=b"x"))
    for i in range(5):
        store.cas_ref(f"names/{i}", None, blob)
    assert store.refs_changed_since(1) == (5, None)  # older than what is kept
    assert store.refs_changed_since(2) == (5, [(f"names/{i}", blob) for i in (2, 3, 4)])


@pytest.mark.req("RUN-003.1")
def test_a_durable_store_keeps_a_journal_too(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        assert store.refs_changed_since(0) == (0, [])  # the rest: test_ref_journal.py


@pytest.mark.req("RUN-003.1", "RUN-002.3", "RUN-001.4")
def test_a_run_reads_only_the_refs_that_moved_and_sees_another_writers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store.memory()
    mine, other = Runtime(store, send_commit="own"), Runtime(store, send_commit="own")
    actor = _counter(mine)
    with _listings(monkeypatch) as listed:
        one = store.put_object(g.Blob(data=b"1"))
        run(other.send(actor, one, {"mt": "inc"}))  # another writer's send: mine sees it
        assert len(run(mine.run_until_quiescent()).steps) == 1
        assert mine.query(actor, "count").data == b"1"
        run(other.send(actor, one, {"mt": "inc"}))
        assert len(run(other.run_until_quiescent()).steps) == 1  # … and its step
        assert run(mine.run_until_quiescent()).steps == ()  # nothing pending: the inc was read
        run(mine.send(actor, one, {"mt": "inc"}))
        report = run(mine.run_until_quiescent())
        assert [a for a, _ in report.steps] == [actor]
        assert mine.head(actor) == report.steps[0][1]
        assert mine.query(actor, "count").data == b"3"
        # only the first run of `other` listed the refs (it had never loaded): the heads, the
        # outside's mailboxes and old ref (RUN-003.4, RUN-003.5), the marks and the placement
        # records (RUN-021.6); `mine` never
        assert listed == FIRST_LISTINGS, listed


@pytest.mark.req("RUN-003.1", "RUN-004.4")
def test_a_mark_and_its_removal_by_another_writer_are_seen() -> None:
    store = Store.memory()
    rt = Runtime(store, send_commit="own")
    actor = _counter(rt)
    mark = store.put_object(g.Blob(data=b"{}"))
    store.cas_ref(f"names/failed/{actor.hex()}", None, mark)  # another writer marks it failed
    store.cas_ref("names/failed/not-an-actor", None, mark)  # names no actor: ignored
    one = store.put_object(g.Blob(data=b"1"))
    run(rt.send(actor, one, {"mt": "inc"}))
    assert run(rt.run_until_quiescent()).steps == ()  # failed: it does not run
    store.cas_ref(f"names/failed/{actor.hex()}", mark, None)  # … and unmarks it
    assert len(run(rt.run_until_quiescent()).steps) == 1
