"""A run's journal read carried by its commit on PostgreSQL (RUN-020.7, RUN-011.3, DUR-005.4).

The reference sends the journal read after each group commit's ``COMMIT``, in the
commit's round trip, and the next run starts from it instead of reading first.  These
tests check what that may not cost: a message another runtime acknowledged before a
run started is run by that run, whether the run commits other work (the commit's read
finds it and the run goes on) or nothing (it reads before it answers quiescent); a
read after the commit that the server refuses leaves the write made; and a write
guarded by a stale count of erasures is refused whole, as a batch is.
"""

from __future__ import annotations

import asyncio

import pytest
from core_numbers import head_count
from test_runtime import _say

import gritwit as g
from gritwit.runtime import Runtime
from gritwit.store import CasStatus, ErasedSince, Store, _pg_commit
from gritwit.store._pg_wire import Sql
from gritwit.store._postgres import JOURNAL_KEPT, JOURNAL_PRUNE_EVERY, PostgresBackend
from gritwit.wit import test_actor_core


def _counter(tag: str) -> tuple[g.Tree, tuple[g.Object, ...]]:
    return test_actor_core("counter", {"tag": g.Blob(data=tag.encode())})


@pytest.mark.parametrize("own_work", [False, True], ids=["commits nothing", "commits"])
@pytest.mark.req("RUN-020.7", "RUN-020.4", "RUN-018.1")
def test_a_send_acknowledged_elsewhere_before_a_run_is_run_by_it(
    two: tuple[Store, Store], own_work: bool
) -> None:
    """Runtime ``mine`` ran (its last commit carried a journal read); then runtime
    ``theirs`` acknowledged a send to ``mine``'s counter (committed on its own,
    RUN-019.1).  ``mine``'s next run adopts the counter's step and answers quiescent:
    with no work of its own it reads before it answers; with a send of its own to
    another counter, the read its commit carries finds the message, and the run goes
    on to run it."""
    store, other = two
    mine = Runtime(store, send_commit="group")
    theirs = Runtime(other, send_commit="own")

    async def scenario() -> tuple[int, bool, int, int]:
        first = await mine.genesis(*_counter("first"))
        second = await mine.genesis(*_counter("second"))
        await _say(mine, first, "inc", "1")
        assert (await mine.run_until_quiescent()).steps  # the geneses, with the inc
        await _say(mine, second, "inc", "1")
        assert len((await mine.run_until_quiescent()).steps) == 1  # its commit read along
        await _say(theirs, first, "inc", "10")  # acknowledged: durable now
        if own_work:
            await _say(mine, second, "inc", "1")
        report = await mine.run_until_quiescent()
        return len(report.steps), report.quiescent, len(report.failures), head_count(store, first)

    steps, quiescent, failures, counted = asyncio.run(scenario())
    assert (steps, quiescent, failures) == (2 if own_work else 1, True, 0)
    assert counted == 11


@pytest.mark.req("RUN-020.7", "DUR-005.4")
def test_a_read_after_the_commit_the_server_refuses_leaves_the_write_made(
    two: tuple[Store, Store],
) -> None:
    """The read a write carries runs after its ``COMMIT``: when the server fails it, the
    write is made all the same and no answer is given (the caller reads on its own)."""
    store, _ = two
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    blob = g.Blob(data=b"made")
    oid = g.object_id(blob)
    failing = (Sql.of("SELECT 1 / (SELECT count(*) - count(*) FROM refs)", {}), {})
    found: list[object] = []
    with backend._connection() as conn:
        results, _ = _pg_commit.run(
            conn,
            [(oid, g.encode_object(blob))],
            [("names/made", None, oid)],
            journal=(JOURNAL_KEPT, JOURNAL_PRUNE_EVERY),
            follow=failing,
            followed=found,  # type: ignore[arg-type]
        )
    assert [r.status for r in results] == [CasStatus.SWAPPED]
    assert found == []
    assert store.get_ref("names/made") == oid


@pytest.mark.parametrize("swaps", [1, 2], ids=["one swap", "whole"])
@pytest.mark.req("RUN-011.3", "RUN-020.7")
def test_a_write_guarded_by_a_stale_erasure_count_is_refused_whole(
    two: tuple[Store, Store], swaps: int
) -> None:
    """A write guarded by the count of erasures its writer read (RUN-020.7) is refused,
    nothing of it kept, once an erasure came after that read; a batch so guarded too
    (a group commit's swap at a time); with the count as it is, each is made."""
    store, other = two
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    victim = store.put_object(g.Blob(data=b"erased elsewhere"))
    version, _ = store.refs_changed_since(None)
    before = store.erasures()
    assert before is not None
    other.backend.erase(victim, "withdrawn")  # type: ignore[attr-defined]
    blob = g.Blob(data=b"guarded %d" % swaps)
    oid = g.object_id(blob)
    names = [f"names/guarded{i}" for i in range(swaps)]

    def write() -> bool:
        return store.commit_all(
            [(g.encode_object(blob), oid)], [(name, None, oid, blob) for name in names]
        )

    for attempt in (write, lambda: store.batch().__enter__()):
        assert store.follow_journal(version, before)
        with pytest.raises(ErasedSince, match=r"RUN-011\.3"):
            attempt()
        assert store.followed() is None
    assert [store.get_ref(name) for name in names] == [None] * swaps
    assert not store.has(oid)
    now, _ = store.refs_changed_since(version)  # the count moved: read it, then the write is made
    assert store.follow_journal(now, store.erasures())
    assert write()
    assert store.followed() is not None
    assert [store.get_ref(name) for name in names] == [oid] * swaps


@pytest.mark.req("RUN-020.7", "DUR-005.4")
def test_a_run_whose_commit_brought_no_read_reads_before_it_answers(
    two: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that started from its last commit's read commits, and the server refuses the
    read that commit carried (the write made, no answer): the run reads the journal on
    its own, finds the message another runtime acknowledged before it started, runs it,
    and answers quiescent."""
    from gritwit.store import _pg_ahead

    store, other = two
    mine = Runtime(store, send_commit="group")
    theirs = Runtime(other, send_commit="own")
    refused = (Sql.of("SELECT 1 / (SELECT count(*) - count(*) FROM refs)", {}), {})
    real = _pg_ahead.changes_call

    def refuse_after_commits(
        since: object,
        kept: int,
        ahead: object,
        own: tuple[bytes, ...] = (),
        mine: frozenset[int] = frozenset(range(16)),
    ) -> object:
        # a commit's read names the commit's own targets; a read on its own names none
        return refused if own else real(since, kept, ahead, mine=mine)  # type: ignore[arg-type]

    async def scenario() -> tuple[int, bool, int]:
        first = await mine.genesis(*_counter("first"))
        second = await mine.genesis(*_counter("second"))
        assert (await mine.run_until_quiescent()).steps
        await _say(mine, second, "inc", "1")
        assert (await mine.run_until_quiescent()).steps  # its commit's read: the next start
        await _say(theirs, first, "inc", "10")  # acknowledged before mine's next run
        monkeypatch.setattr(_pg_ahead, "changes_call", refuse_after_commits)
        await _say(mine, second, "inc", "1")
        report = await mine.run_until_quiescent()
        return len(report.steps), report.quiescent, head_count(store, first)

    assert asyncio.run(scenario()) == (2, True, 10)


@pytest.mark.req("RUN-020.7", "RUN-011.3", "RUN-019.1")
def test_a_commit_that_raised_leaves_no_guard_on_the_next_write(
    two: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that started from its last commit's read asks the store to guard its commit
    by the count of erasures; when that commit raises before it is written, the guard
    goes with it: a send committed on its own afterwards, after an erasure elsewhere, is
    made (nothing it reads was erased)."""
    from gritwit.runtime import _group

    store, other = two
    mine = Runtime(store, send_commit="own")
    real = _group.CommitGroup.commit
    failures = [RuntimeError("the store went away")]

    def commit_once_failing(self: _group.CommitGroup, *args: object, **kw: object) -> object:
        if failures:
            raise failures.pop()
        return real(self, *args, **kw)  # type: ignore[arg-type]

    async def scenario() -> int:
        counter = await mine.genesis(*_counter("guarded"))
        await _say(mine, counter, "inc", "1")
        assert (await mine.run_until_quiescent()).steps
        await _say(mine, counter, "inc", "1")
        assert (await mine.run_until_quiescent()).steps  # its commit's read: the next start
        await _say(mine, counter, "inc", "1")
        monkeypatch.setattr(_group.CommitGroup, "commit", commit_once_failing)
        with pytest.raises(RuntimeError, match="went away"):
            await mine.run_until_quiescent()
        victim = other.put_object(g.Blob(data=b"erased elsewhere"))
        other.backend.erase(victim, "withdrawn")  # type: ignore[attr-defined]
        await _say(mine, counter, "inc", "1")  # committed on its own: no guard left
        assert (await mine.run_until_quiescent()).steps
        return head_count(store, counter)

    assert asyncio.run(scenario()) == 4
