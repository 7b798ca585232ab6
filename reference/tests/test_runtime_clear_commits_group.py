"""``Runtime.clear_failed`` commits the open group before it deletes the mark (RUN-017.7,
RUN-025.1, RUN-019.2).

A grouped send (the runtime's default) waits in the open group until a run or a flush
commits it; the protocol may not show it before the next ``rt-run`` answers, so only the
store read in process tells whether the clear committed the group first, as a revert
does (RUN-024.9, ``test_runtime_revert.py``).
"""

from __future__ import annotations

import pytest
from aio import run

import gritwit as g
from gritwit.runtime import Runtime
from gritwit.store import Store
from gritwit.wit import test_actor_core


@pytest.mark.req("RUN-017.7", "RUN-025.1", "RUN-019.2")
def test_a_clear_commits_the_open_group_first() -> None:
    store = Store.memory()
    rt = Runtime(store, first_backoff=0.0)  # commit="group", send_commit="group": the defaults

    async def failed_actor() -> g.ObjectId:
        actor = await rt.genesis(*test_actor_core("failing", {}))
        await rt.run_until_quiescent()
        return actor

    actor = run(failed_actor())
    assert rt.failed(actor) is not None
    before = dict(store.list_ref_targets("names/outside-outbox/"))
    blob = g.Blob(data=b"1")
    run(rt.send(actor, g.object_id(blob), {"mt": "inc"}, objects=(blob,)))
    assert dict(store.list_ref_targets("names/outside-outbox/")) == before  # not yet
    assert rt.clear_failed(actor) is True
    assert dict(store.list_ref_targets("names/outside-outbox/")) != before
    assert rt.failed(actor) is None
