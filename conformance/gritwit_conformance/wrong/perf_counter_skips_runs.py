"""Wrong adapter: the ``counter`` workload sends every ``inc``, then runs once (ADP-018.2).

A tempting shortcut when timing: inject the *n* messages, then one run to
quiescence, so the counter reads them all in one transition. The count is the
same; the work is not the one ADP-018.2 defines (one transition per ``inc``), so
the head step, the ``check``, differs for every ``n`` above 1.
"""

from __future__ import annotations

import time

from gritwit._codec import object_id
from gritwit._ids import ObjectId
from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter, _perf
from gritwit.store import Store
from gritwit.wit import Executor
from gritwit_conformance.wrong import WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("perf",),
    frozenset({"ADP-018.2"}),
    "failed",
    "the counter workload injects every inc and runs once: the same count, but one "
    "transition instead of n, so the head step (the check) differs",
    smoke=True,
    copied_from=(("gritwit.adapter._perf:_counter", "f23d25dbd5cd6ec0"),),
)


def counter(n: int) -> tuple[int, ObjectId]:
    store = Store.memory()
    try:
        executor = Executor(store)
        actor = _perf._new_actor(executor, "counter")
        empty = Blob(data=b"")
        start = time.perf_counter_ns()
        for _ in range(n):
            executor.inject(actor, object_id(empty), {"mt": "inc"}, objects=(empty,))
        executor.run_until_quiescent(1000)  # the bug: one run for all of them
        return time.perf_counter_ns() - start, _perf._head(executor, actor)
    finally:
        store.close()


def install() -> None:
    _perf.WORKLOADS["counter"] = fault(
        "_perf.WORKLOADS[counter]", _perf.WORKLOADS["counter"], counter
    )


if __name__ == "__main__":
    run(ReferenceAdapter, install)
