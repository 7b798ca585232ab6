"""Step times (RUN-027) on a PostgreSQL store: the server's clock at the swap, written
in the swap's own transaction, for a group of heads, a single swap and a batch; none for
a swap not made.  On a throwaway cluster (``pg_server.py``)."""

from __future__ import annotations

import dataclasses
import time

import pytest
from aio import run

import gritwit as g
from gritwit.runtime import Runtime, history
from gritwit.store import Store, head_ref, step_times
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
