"""The ``perf`` profile of the reference adapter (ADP-018): workloads timed in-process.

``perf-run`` runs one of seven fixed workloads ``n`` times and answers the
monotonic time the repetitions took (``time.perf_counter_ns``, ADP-018.3) and a
``check`` id that proves the work was done (ADP-018.2).  The Wit workloads
(``counter``, ``ping-pong``) run on the same :class:`~gritwit.wit.Executor` over
an in-memory store that the ``wit`` profile's runtimes use (ADP-014), so their
figures are the reference's Wit semantics, not its runtime; the runtime
workloads (``runtime-*``, ADP-018.6, :mod:`._perf_runtime`) time
:class:`~gritwit.runtime.Runtime` running the Wasm test actors, in memory and
durably.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from .._codec import encode_with_id, object_id
from .._ids import ObjectId
from .._objects import Blob, Tree
from ..store import Store
from ..wit import Executor, test_actor_core
from ._args import BadRequest, Json
from ._perf_runtime import RUNTIME_WORKLOADS, run_runtime_workload, runtime_arguments
from ._stores import StoreLocations

__all__ = ["ALL_WORKLOADS", "MAX_N", "WORKLOADS", "PerfCommands", "run_workload"]

#: The largest ``n`` of ``perf-run`` (ADP-018.1's table).
MAX_N: Final = 1_000_000
#: Steps one ``wit-run`` of a workload may adopt: far above the 3 a repetition needs.
_MAX_STEPS: Final = 1000
_INC: Final = {"mt": "inc"}
_ASK: Final = {"mt": "ask"}


def _decimal(i: int) -> bytes:
    return str(i).encode()


def _encode(n: int) -> tuple[int, ObjectId]:
    """``encode``: a blob of the decimal of *i*, then a tree ``{x: blob}`` (ADP-018.2)."""
    last: ObjectId | None = None
    start = time.perf_counter_ns()
    for i in range(n):
        _, blob_id = encode_with_id(Blob(data=_decimal(i)))
        _, last = encode_with_id(Tree(entries={"x": blob_id}))
    elapsed = time.perf_counter_ns() - start
    assert last is not None  # n >= 1
    return elapsed, last


def _new_actor(executor: Executor, name: str) -> ObjectId:
    actor = executor.genesis(*test_actor_core(name))
    executor.run_until_quiescent(_MAX_STEPS)
    return actor


def _head(executor: Executor, actor: ObjectId) -> ObjectId:
    head = executor.head(actor)
    if head is None:  # the genesis ran: never; say so rather than answer a wrong check
        raise RuntimeError(f"actor {actor} has no step after its workload")
    return head


def _counter(n: int) -> tuple[int, ObjectId]:
    """``counter``: ``n`` incs of an empty blob, each run to quiescence (ADP-018.2)."""
    store = Store.memory()
    try:
        executor = Executor(store)
        counter = _new_actor(executor, "counter")
        empty = Blob(data=b"")
        empty_id = object_id(empty)
        start = time.perf_counter_ns()
        for _ in range(n):
            executor.inject(counter, empty_id, _INC, objects=(empty,))
            executor.run_until_quiescent(_MAX_STEPS)
        elapsed = time.perf_counter_ns() - start
        return elapsed, _head(executor, counter)
    finally:
        store.close()


def _ping_pong(n: int) -> tuple[int, ObjectId]:
    """``ping-pong``: ``n`` asks of a requester to an echo, each run to quiescence (ADP-018.2)."""
    store = Store.memory()
    try:
        executor = Executor(store)
        requester = _new_actor(executor, "requester")
        echo = _new_actor(executor, "echo")
        to = Blob(data=echo.hex().encode())
        to_id = object_id(to)
        start = time.perf_counter_ns()
        for i in range(n):
            question = Blob(data=_decimal(i))
            ask = Tree(entries={"to": to_id, "question": object_id(question)})
            executor.inject(requester, object_id(ask), _ASK, objects=(to, question, ask))
            executor.run_until_quiescent(_MAX_STEPS)
        elapsed = time.perf_counter_ns() - start
        return elapsed, _head(executor, requester)
    finally:
        store.close()


#: The workloads of ADP-018.2: ``n`` → (nanoseconds, check).
WORKLOADS: Final[dict[str, Callable[[int], tuple[int, ObjectId]]]] = {
    "encode": _encode,
    "counter": _counter,
    "ping-pong": _ping_pong,
}


#: Every workload ``perf-run`` answers: those of ADP-018.2, then those of ADP-018.6.
ALL_WORKLOADS: Final = (*WORKLOADS, *RUNTIME_WORKLOADS)


def run_workload(
    workload: str,
    n: int,
    *,
    modules: Mapping[str, bytes] | None = None,
    path: Path | None = None,
    open_store: Callable[[Path], Store] | None = None,
) -> tuple[int, ObjectId]:
    """Run ``workload`` ``n`` times: (elapsed nanoseconds, check id) (ADP-018.2, ADP-018.3).

    A runtime workload (ADP-018.6) takes the Wasm ``modules`` of its actors, and a
    durable one the directory ``path`` of its store, opened by ``open_store`` when
    given (ADP-010.6), else in the directory.
    """
    if workload in RUNTIME_WORKLOADS:
        if modules is None:
            raise ValueError(f"ADP-018.7: {workload} needs the modules of its actors")
        return run_runtime_workload(workload, n, modules=modules, path=path, open_store=open_store)
    return WORKLOADS[workload](n)


class PerfCommands:
    """``perf-run``; mixed into :class:`~gritwit.adapter.ReferenceAdapter` (ADP-018)."""

    #: Where a durable workload finds the store of its ``path`` (ADP-010.6); set by the adapter.
    stores: StoreLocations

    def cmd_perf_run(self, args: Json) -> Json:
        """Arguments in the table's order, ``workload`` then ``n`` (ADP-004.6, ADP-018.4).

        A runtime workload's ``path`` and ``modules`` follow (ADP-018.7).
        """
        workload = args.get("workload")
        if not isinstance(workload, str) or workload not in ALL_WORKLOADS:
            raise BadRequest(f"workload must be one of {', '.join(ALL_WORKLOADS)} (ADP-018.4)")
        n = args.get("n")
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_N:
            raise BadRequest(f"n must be an integer from 1 to {MAX_N} (ADP-018.4)")
        if workload in RUNTIME_WORKLOADS:  # then path, then modules (ADP-018.7)
            path, modules = runtime_arguments(workload, args)
            opener = None if self.stores.url is None else self.stores.open  # ADP-010.6
            elapsed, check = run_workload(
                workload, n, modules=modules, path=path, open_store=opener
            )
        else:
            elapsed, check = run_workload(workload, n)
        return {"elapsed_ns": max(elapsed, 1), "check": check.hex()}
