"""Step times (RUN-027) on a PostgreSQL store: the server's clock at the swap, written
in the swap's own transaction, for a group of heads, a single swap and a batch; none for
a swap not made.  A write records them in a statement it sends anyway (the journal of a
whole write, the swap of one): each ``heads/`` ref's step timed once, nothing for a ref
of another kind or a swap not made.  On a throwaway cluster (``pg_server.py``)."""

from __future__ import annotations

import dataclasses
import time

import pytest
from aio import run

import gritwit as g
from gritwit.runtime import Runtime, history
from gritwit.store import CasStatus, Store, head_ref, step_times
from gritwit.store._postgres import PostgresBackend
from gritwit.wit import test_actor_core

pytest.importorskip("psycopg")


async def _counters(rt: Runtime, n: int, incs: int) -> list[g.ObjectId]:
    actors = []
    for k in range(n):
        core, objects = test_actor_core("counter", {"k": g.Blob(data=str(k).encode())})
        actors.append(await rt.genesis(core, objects))
    await rt.run_until_quiescent()
    for _ in range(incs):
        for actor in actors:  # sent together: one run, one group of several heads
            blob = g.Blob(data=b"1")
            await rt.send(actor, g.object_id(blob), {"mt": "inc"}, objects=(blob,))
        report = await rt.run_until_quiescent()
        assert report.quiescent and not report.failures
    return actors


@pytest.mark.req("RUN-027.1")
def test_every_step_of_a_group_and_of_a_swap_has_its_time(pg_url: str) -> None:
    before = time.time() - 5  # the server's clock, a loopback server on this machine
    store = Store.open(pg_url)
    try:
        actors = run(_counters(Runtime(store), 3, 2))
        after = time.time() + 5
        steps = [oid for actor in actors for oid, _ in history(store, actor)]
        times = step_times(store, steps)
        assert set(times) == set(steps), "RUN-027.1: an adopted step has no time"
        assert all(before <= t <= after for t in times.values()), times
        actor = actors[0]
        first, *_, last = [oid for oid, _ in history(store, actor)]
        step = store.get_object(last)
        assert isinstance(step, g.Step)
        other = store.put_object(dataclasses.replace(step, previous=last))
        with pytest.raises(RuntimeError), store.batch() as batch:
            batch.cas_ref(head_ref(actor), last, other)
            raise RuntimeError("the block fails after its swap")
        assert step_times(store, [other]) == {}, "RUN-027.1: a rolled-back swap left a time"
        with store.batch() as batch:
            batch.cas_ref(head_ref(actor), last, other)
        assert set(step_times(store, [other])) == {other}, "RUN-027.1: a batch's swap"
        store.cas_ref(head_ref(actor), other, first)  # a head again: its first time kept
        assert step_times(store, [first]) == {first: times[first]}
    finally:
        store.close()


@pytest.mark.req("RUN-027.1")
@pytest.mark.parametrize("noted", [True, False], ids=["noting", "noting-nothing"])
def test_a_write_records_its_heads_steps_in_a_statement_it_sends_anyway(
    pg_url: str, noted: bool
) -> None:
    """The step times go with the journal of a whole write (its two forms: noting other
    parts, as an unsaid head swap does, or nothing, as a runtime's step that kept its
    outbox) and with the swap of one, no statement of their own: each ``heads/`` ref's
    new target gets one, a ref of another kind none, a swap not made none (a whole
    write lost, a single swap refused), and a step made a head again keeps its first
    time, on every path."""
    store = Store.open(pg_url)
    try:
        backend = store.backend
        assert isinstance(backend, PostgresBackend)

        def whole(swaps: list[tuple[str, g.ObjectId | None, g.ObjectId]]) -> bool:
            if not noted:  # said to note no part: the journal without the notes
                backend.note({name: (new, frozenset()) for name, _, new in swaps})
            return bool(backend.commit_all([], swaps))

        a, b, c, d, e, f = (store.put_object(g.Blob(data=bytes([n]))) for n in range(6))
        heads_a, heads_b, other = "heads/" + "a" * 64, "heads/" + "b" * 64, "names/other"
        assert whole([(heads_a, None, a), (heads_b, None, b), (other, None, c)])
        first = step_times(store, [a, b, c])
        assert set(first) == {a, b}, "RUN-027.1: a whole write's heads, and only heads"
        # a whole write lost: one swap would not happen, so none is made, and none is timed
        assert not whole([(heads_a, a, d), (heads_b, e, c)])
        assert step_times(store, [d, c]) == {}, "RUN-027.1: a lost whole write left a time"
        assert whole([(heads_a, a, c), (heads_b, b, d)])
        assert set(step_times(store, [c, d])) == {c, d}, "RUN-027.1: a whole write's updates"
        assert whole([(heads_a, c, a), (heads_b, d, b)])
        assert step_times(store, [a, b]) == first, "RUN-027.1: a whole write's head again"
        # a single swap: refused, made, made to a step timed before, of another kind
        assert backend.cas_ref(heads_a, b, e).status is CasStatus.CONFLICT
        assert step_times(store, [e]) == {}, "RUN-027.1: a refused swap left a time"
        assert backend.cas_ref(heads_a, a, e).status is CasStatus.SWAPPED
        timed = step_times(store, [e])
        assert set(timed) == {e}, "RUN-027.1: a single swap's step has no time"
        assert backend.cas_ref(heads_a, e, b).status is CasStatus.SWAPPED
        assert step_times(store, [b]) == {b: first[b]}, "RUN-027.1: a single swap's head again"
        assert backend.cas_ref(other, c, f).status is CasStatus.SWAPPED
        assert step_times(store, [f]) == {}, "RUN-027.1: a ref of another kind got a time"
        assert backend.cas_ref(heads_b, b, None).status is CasStatus.SWAPPED
        assert step_times(store, [a, b, e]) == {a: first[a], b: first[b], **timed}
    finally:
        store.close()
