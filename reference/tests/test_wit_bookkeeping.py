"""What the Wit layer keeps for its callers that no adapter answer shows.

* a genesis's reader (:class:`~gritwit.wit._model.ReadOnce`) keeps what it read ahead,
  so the walks after the first read none of those objects from its base again
  (SBX-006.15, WIT-007.5, RUN-011.3);
* :func:`~gritwit.wit.actor_known`, which the command line's senders ask, takes an id
  the store holds only as an erased blob for no actor: its content is gone, so no core
  can be read from it (WIT-002, RUN-011);
* :attr:`Executor.fuel_spent <gritwit.wit.Executor.fuel_spent>` counts what its runners
  keep, and a runner that keeps no count adds nothing (WASM-019, SBX-006.1);
* the free-running scheduler's report (:meth:`Runtime.run_until_quiescent
  <gritwit.runtime.Runtime.run_until_quiescent>`) names the steps it adopted and whether
  it ended quiescent (RUN-006, RUN-018.1).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from aio import run

import gritwit as g
from gritwit.runtime import Runtime
from gritwit.runtime._erase import erase_blob
from gritwit.store import Store
from gritwit.wit import Executor, _runners, actor_known, test_actor_core
from gritwit.wit._model import ReadOnce
from gritwit.wit._runners import SANDBOX_RUNTIME, WASM_RUNTIME, RunnerLimits


class _Counted:
    """A store's reads, counted: single reads and read-aheads."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.single: list[g.ObjectId] = []
        self.ahead = 0

    def get_object(self, oid: g.ObjectId) -> g.GritObject:
        self.single.append(oid)
        return self.store.get_object(oid)

    def has(self, oid: g.ObjectId) -> bool:
        return self.store.has(oid)

    def read_ahead(self, oids: Sequence[g.ObjectId], budget: int) -> dict[g.ObjectId, g.GritObject]:
        self.ahead += 1
        return self.store.read_ahead(oids, budget)


@pytest.mark.req("SBX-006.15", "WIT-007.5", "RUN-011.3")
def test_a_genesis_reader_keeps_what_it_read_ahead() -> None:
    """Blobs read ahead through :class:`ReadOnce` are its own afterwards: reading each, or
    reading them ahead again, asks its base for none of them."""
    blobs = [g.Blob(data=b"blob %d" % i) for i in range(20)]
    ids = [g.object_id(b) for b in blobs]
    with Store.memory() as store:
        store.put_objects(blobs)
        base = _Counted(store)
        reader = ReadOnce(base)
        found = reader.read_ahead(ids, 1 << 20)
        assert list(found) == ids and base.ahead == 1, (list(found), base.ahead)
        for oid, blob in zip(ids, blobs, strict=True):
            assert reader.get_object(oid) == blob
        assert base.single == [], base.single
        assert reader.read_ahead(ids, 1 << 20) == found
        assert base.ahead == 1 and base.single == [], (base.ahead, base.single)


@pytest.mark.req("WIT-002", "RUN-011")
def test_an_erased_blob_is_no_actor_known() -> None:
    """An id the store has only as an erased blob (``has`` still true, RUN-011) names no
    actor and no core a genesis could start: ``actor_known`` is false, as for an id the
    store never held; the core of a genesis sent is known."""
    blob = g.Blob(data=b"erased soon")
    core, objects = test_actor_core("counter")
    with Store.memory() as store:
        blob_id = store.put_object(blob)
        assert erase_blob(store, blob_id, "asked to")
        assert store.has(blob_id)
        assert not actor_known(store, blob_id)
        assert not actor_known(store, g.object_id(g.Blob(data=b"never stored")))
        actor = Executor(store).genesis(core, objects)
        assert actor_known(store, actor)


class _Uncounted:
    """A runner that keeps no fuel count (an engine of its own, or a stub)."""

    def wit_for(self, reader: object, blob_id: g.ObjectId) -> object:  # pragma: no cover
        raise AssertionError("never asked")


class _Counting(_Uncounted):
    fuel_spent = 7


@pytest.mark.req("WASM-019", "SBX-006.1")
def test_a_runner_that_keeps_no_fuel_count_adds_none(monkeypatch: pytest.MonkeyPatch) -> None:
    def uncounted(limits: RunnerLimits) -> _Uncounted:
        return _Uncounted()

    def counting(limits: RunnerLimits) -> _Counting:
        return _Counting()

    monkeypatch.setitem(_runners._FACTORIES, WASM_RUNTIME, uncounted)
    monkeypatch.setitem(_runners._FACTORIES, SANDBOX_RUNTIME, counting)
    with Store.memory() as store:
        executor = Executor(store)
        assert executor.fuel_spent == 0
        executor._runner(WASM_RUNTIME)
        assert executor.fuel_spent == 0, "a runner without a count counts nothing"
        executor._runner(SANDBOX_RUNTIME)
        assert executor.fuel_spent == 7


@pytest.mark.req("RUN-006", "RUN-018.1")
def test_a_free_running_run_reports_its_steps_and_whether_it_is_quiescent() -> None:
    """Two geneses run to the end: both steps, quiescent; two counters sent to, run with a
    bound of one step: that step, not quiescent (the other still has work, RUN-018.1)."""
    cores = [test_actor_core("counter", {"tag": g.Blob(data=b"%d" % i)}) for i in range(2)]
    with Store.memory() as store:
        rt = Runtime(store)
        actors = [run(rt.genesis(core, objects)) for core, objects in cores]
        report = run(rt.run_until_quiescent())
        assert sorted(report.steps) == sorted((a, rt.head(a)) for a in actors), report
        assert report.failures == () and report.quiescent is True, report
        one = g.Blob(data=b"1")
        for actor in actors:
            run(rt.send(actor, g.object_id(one), {"mt": "inc"}, objects=[one]))
        report = run(rt.run_until_quiescent(max_steps=1))
        assert len(report.steps) == 1 and report.steps[0][0] in actors, report
        assert report.quiescent is False, report
