"""The paged walk of an export or a verify reads each object once, however many paths
lead to it (RUN-009.1, RUN-010.1).

A history is a DAG with many paths to one object: every step names its core, and a
counter's cores share their ``wit``; every inbox names the latest message of its
senders, whose ``previous`` chains overlap. The walk breadth first asks its loader for
each id once: a walk that queued an id once per path would ask for the shared tails
again and again (quadratic in a history's messages), with the same answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from aio import run

import gritwit as g
from gritwit.runtime import Runtime, _reach
from gritwit.store import Store, head_ref
from gritwit.wit import test_actor_core


@pytest.mark.req("RUN-009.1", "RUN-010.1")
def test_each_object_is_loaded_once() -> None:
    """A counter of 8 steps, walked from its head: every id the walk finds was given to
    the loader once, and the ids are those the unpaged walk finds."""
    store = Store.memory()
    rt = Runtime(store)

    async def counter() -> g.ObjectId:
        actor = await rt.genesis(*test_actor_core("counter", {}))
        await rt.run_until_quiescent()
        for n in range(7):
            blob = g.Blob(data=str(n + 1).encode())
            await rt.send(actor, g.object_id(blob), {"mt": "inc"}, objects=(blob,))
            await rt.run_until_quiescent()
        return actor

    actor = run(counter())
    head = store.get_ref(head_ref(actor))
    assert head is not None
    asked: Counter[g.ObjectId] = Counter()

    def load_page(page: list[g.ObjectId]) -> Iterator[tuple[g.ObjectId, g.GritObject | None]]:
        for oid in page:
            asked[oid] += 1
            yield oid, store.get_object(oid)

    found = _reach.reachable_paged([head], load_page)
    assert set(found) == set(_reach.reachable(head, store.get_object))
    assert len(found) > 8 * 3  # steps, cores, inboxes, messages: a DAG worth walking
    assert {oid: n for oid, n in asked.items() if n > 1} == {}
