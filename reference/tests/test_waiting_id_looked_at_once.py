"""An id waiting for its genesis is looked at once a run (RUN-012.1, WIT-012.2).

In a run to quiescence the first attempt of an id with messages and no genesis finds
none and leaves them (WIT-012.2): its idle snapshot (RUN-012.1) says so for the rest of
the run, so when the run marks every recipient with messages pending to be looked at
again — a member of its group lost to another writer, whose loss rebuilds the routing
index (RUN-017.4) — that id is not built again. The rounds of ``rt-run`` keep their
snapshots apart, and the service's runs evict nothing short of 10,000 residents, so a
second look shows only as work, counted here.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

import pytest
from aio import run
from races import move_head

import gritwit as g
from gritwit.runtime import Runtime, _group
from gritwit.store import Store
from gritwit.wit import test_actor_core
from gritwit.wit._executor import Executor


def _fresh(i: int) -> g.ObjectId:
    """An id no actor has (WIT-009.4)."""
    return g.ObjectId.from_hex(hashlib.sha256(b"waiting %d" % i).hexdigest())


@pytest.mark.req("RUN-012.1", "WIT-012.2", "WIT-009.4")
def test_ids_without_a_genesis_are_built_once_in_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.memory()
    rt = Runtime(store)
    built: Counter[g.ObjectId] = Counter()
    build = Executor.build

    def counted(self: Executor, actor: g.ObjectId, *args: Any, **kwargs: Any) -> Any:
        built[actor] += 1
        return build(self, actor, *args, **kwargs)

    monkeypatch.setattr(Executor, "build", counted)
    ids = [_fresh(i) for i in range(5)]

    async def go() -> None:
        for actor in ids:
            blob = g.Blob(data=b"")
            await rt.send(actor, g.object_id(blob), {"mt": "x"}, [blob])
        report = await rt.run_until_quiescent()
        assert report.quiescent and report.steps == () and report.failures == ()

    run(go())
    assert dict(built) == {actor: 1 for actor in ids}


@pytest.mark.req("RUN-012.1", "WIT-012.2", "RUN-017.4")
def test_a_lost_member_does_not_make_a_waiting_id_be_built_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same run also adopts a counter's ``inc``, whose swap another writer wins as the
    group commits: the run rebuilds the routing index, which marks every recipient with
    messages pending, and runs again. The ids waiting for their genesis were looked at
    already in this run: they are not built again."""
    store = Store.memory()
    rt = Runtime(store)
    built: Counter[g.ObjectId] = Counter()
    build = Executor.build

    def counted(self: Executor, actor: g.ObjectId, *args: Any, **kwargs: Any) -> Any:
        built[actor] += 1
        return build(self, actor, *args, **kwargs)

    raced: list[g.ObjectId] = []
    commit = _group.CommitGroup.commit

    def race_then_commit(self: _group.CommitGroup, st: Store, wake: bool = True) -> Any:
        if not raced and self.members:
            actor = self.members[0].actor
            raced.append(actor)
            move_head(st, actor)  # the other writer wins
        return commit(self, st, wake)

    ids = [_fresh(i) for i in range(5)]

    async def setup() -> g.ObjectId:
        counter = await rt.genesis(*test_actor_core("counter", {}))
        await rt.run_until_quiescent()
        one = g.Blob(data=b"1")
        await rt.send(counter, g.object_id(one), {"mt": "inc"}, [one])
        for actor in ids:
            blob = g.Blob(data=b"")
            await rt.send(actor, g.object_id(blob), {"mt": "x"}, [blob])
        return counter

    counter = run(setup())
    monkeypatch.setattr(Executor, "build", counted)
    monkeypatch.setattr(_group.CommitGroup, "commit", race_then_commit)
    report = run(rt.run_until_quiescent())
    assert raced == [counter] and report.quiescent
    assert {actor: built[actor] for actor in ids} == {actor: 1 for actor in ids}
    assert built[counter] == 2  # its lost step, then the one on the winner's
