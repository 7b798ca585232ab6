"""Routing a step whose outbox is a chain's new top (WIT-009.5, OBJ-019.1, RUN-003.1).

Only the top's own entries can differ from the map of the outbox the step was built on,
so the routing index compares just those when it holds that map: when its head for the
sender is the step the new one was built on.  When it holds another head (another
writer's, caught up with since the transition read its own), the map it holds is not
the one the chain was built over, and the new outbox's map is read whole: an entry the
chain's base has and the held map lacks is pending for its recipient all the same.
"""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit.runtime._cache import ObjectCache
from gritwit.runtime._index import RoutingIndex
from gritwit.wit._pending import mailbox_map


def _id(n: int) -> g.ObjectId:
    return g.ObjectId(bytes([n]) * 32)


@pytest.mark.req("WIT-009.5", "OBJ-019.1", "RUN-003.1", "WIT-005")
def test_a_chain_over_another_head_than_the_index_holds_is_read_whole() -> None:
    store = g.Store.memory()
    cache = ObjectCache(store)
    sender, r1, r2, r3 = _id(1), _id(2), _id(3), _id(4)
    messages = [
        store.put_object(g.Message(content=store.put_object(g.Blob(data=b"m%d" % i))))
        for i in range(3)
    ]
    held_box = store.put_object(g.Mailbox(entries={r1: messages[0]}))
    base = store.put_object(g.Mailbox(entries={r1: messages[0], r3: messages[2]}))
    top = g.Mailbox(entries={r2: messages[1]}, base=base)
    new_box = store.put_object(top)
    index = RoutingIndex()
    index.set_outbox(sender, mailbox_map(cache, held_box), _id(10), held_box)
    # the step was built on another head (_id(11), whose outbox is ``base``)
    index.set_outbox_over(sender, _id(11), _id(12), new_box, top, cache)
    found = {r: index.pending_for(cache, r, {}) for r in (r1, r2, r3)}
    got = {r: [p.id for p in found[r].get(sender, ())] for r in (r1, r2, r3)}
    want = {r1: [messages[0]], r2: [messages[1]], r3: [messages[2]]}
    assert got == want, (
        f"the new outbox's whole map is pending, the base's entry for r3 with it: {got}"
    )
