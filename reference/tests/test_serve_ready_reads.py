"""A service is ready without reading the store's history (HTTP-001.5).

``GET /readyz`` answers 200 "once the store is open and the service runs": a service
restarted after a SIGKILL must not first walk the steps it holds, or its operator waits
longer the longer its actors lived.  The time is another tool's (``python -m
asv_bench.tools.ready_cost``, instructions over ``python -c pass`` on a store of 10,000
steps); here the store's reads are counted, every object and ref read from the moment
the service is made to its first 200 from ``/readyz``, on two stores that hold the same
four counters, one after 3 steps each and one after 40.  The engine's runner is held
back (it would run the stores' actors meanwhile, as many times as the machine's speed
allows), so what is counted is the start alone: the same count on both stores.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_helpers import serving  # skips this module without the serve extra

from gritwit import Blob, ObjectId, object_id
from gritwit.runtime import Runtime
from gritwit.serve import _engine
from gritwit.store import Store
from gritwit.wit import test_actor_core

#: The store's reads: objects and refs.
READS = (
    "get",
    "get_many",
    "get_each",
    "get_object",
    "get_objects_each",
    "get_ref",
    "get_refs",
    "list_refs",
    "list_ref_targets",
    "iter_ids",
)


def _store(folder: Path, rounds: int) -> Path:
    """Four counters, each with ``rounds`` steps after its genesis; nothing pending."""
    with Store.open(folder) as store:
        runtime = Runtime(store)
        cores = [test_actor_core("counter", {"tag": Blob(data=b"%d" % i)}) for i in range(4)]
        ids = [object_id(core) for core, _ in cores]
        objects = [obj for _, held in cores for obj in held]
        one = store.put_object(Blob(data=b"1"))

        async def fill() -> None:
            await runtime.send_all([(a, a, {"mt": "genesis"}, False) for a in ids], objects)
            await runtime.run_until_quiescent()
            for _ in range(rounds):
                await runtime.send_all([(a, one, {"mt": "inc"}, False) for a in ids])
                await runtime.run_until_quiescent()

        asyncio.run(fill())
        runtime.flush()
    return folder


def _counting(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every read of any store from now on, by method."""
    reads: Counter[str] = Counter()
    for name in READS:
        original: Callable[..., Any] = getattr(Store, name)

        def counted(*args: Any, _name: str = name, _original: Any = original, **kw: Any) -> Any:
            reads[_name] += 1
            return _original(*args, **kw)

        monkeypatch.setattr(Store, name, counted)
    return reads


@pytest.fixture
def no_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's runner waits for the stop, running nothing."""

    async def idle(self: _engine.Engine) -> None:
        while not self._stop_asked:
            await asyncio.sleep(0.01)

    monkeypatch.setattr(_engine.Engine, "_run_loop", idle)


def _reads_to_ready(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Counter[str]:
    with monkeypatch.context() as patched:
        reads = _counting(patched)
        with serving(folder) as served:
            counted = Counter(reads)  # serving() returned on the first 200 from /readyz
            assert served.client.get("/readyz").json() == {"ready": True}
    return counted


@pytest.fixture
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    yield (
        _store(tmp_path_factory.mktemp("short") / "store", 3),
        _store(tmp_path_factory.mktemp("long") / "store", 40),
    )


@pytest.mark.req("HTTP-001.5")
@pytest.mark.usefixtures("no_runner")
def test_a_restarted_service_reads_no_more_of_a_longer_history_before_ready(
    monkeypatch: pytest.MonkeyPatch, stores: tuple[Path, Path]
) -> None:
    short, long = stores
    few, many = _reads_to_ready(monkeypatch, short), _reads_to_ready(monkeypatch, long)
    assert few == many, (
        "HTTP-001.5: a service is ready once its store is open and it runs; expected the "
        f"same reads before ready after 3 steps an actor and after 40, came {dict(few)} "
        f"and {dict(many)}"
    )


@pytest.mark.req("HTTP-001.5")
@pytest.mark.usefixtures("no_runner")
def test_the_check_finds_a_start_that_walks_every_history(
    monkeypatch: pytest.MonkeyPatch, stores: tuple[Path, Path]
) -> None:
    """A wrong start: the engine reads every actor's history before it says it runs."""
    from gritwit.runtime._inspect import history

    made = Runtime.__init__

    def walking(self: Runtime, store: Store, *args: Any, **kwargs: Any) -> None:
        made(self, store, *args, **kwargs)
        for name in store.list_refs("heads/"):
            history(store, ObjectId.from_hex(name.rsplit("/", 1)[1]))

    monkeypatch.setattr(Runtime, "__init__", walking)
    short, long = stores
    few, many = _reads_to_ready(monkeypatch, short), _reads_to_ready(monkeypatch, long)
    assert few != many and sum(many.values()) > sum(few.values())
