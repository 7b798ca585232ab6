"""Lean Wasm steps: a cached Wasm ``counter`` step against its Python twin.

One ``inc`` on a counter at 41, the module already compiled, called directly as a
Wit on a prepared :class:`~gritwit.wit.TransitionInput` (as
``bench_wasm.WasmCounterStep``):

* ``time_kept_step``: the engine's lean path: the module keeps all its state in
  its memory, so the call runs in the instance kept from the previous call, reset
  to a fresh one (WASM-005.1);
* ``time_fresh_step``: the same module forced through a new store and instance
  per call (what every call cost before the kept instance);
* ``time_python_twin``: the built-in Python ``counter`` on the same input;
* ``time_floor_step``: the kept instance's call alone, its six host calls answered
  by a :class:`_FloorHost` that does nothing (the same answers as the real host,
  no reads, no objects): what a step costs before any of gritwit's own Python.

The ``track_`` benchmarks time the pairs interleaved, in one process, and report
the ratio of their medians: a ratio holds whatever the machine's load, where the
separate ``time_`` results of a busy machine do not.  They time the thread's CPU
time, not the wall clock: on a machine with more runnable processes than cores, a
round is preempted for milliseconds at a time, and a longer round more often, so
a ratio of wall times grows with the load (a kept step measured 2.3× its twin in
CPU time and 7–13× in wall time in the same run).  The target is
``track_kept_over_python`` ≤ 2; ``track_floor_over_python`` says how much of
that the engine and wasmtime-py take whatever the host does.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

import gritwit as g
from gritwit.store import Store
from gritwit.wasm import WasmWit, WasmWits, wasm_wit_blob
from gritwit.wasm._abi import EXPORT_STEP
from gritwit.wasm._host import Guest, Host
from gritwit.wit import TEST_ACTORS, wit_blob

from ._ratio import interleaved_ratio
from .bench_wasm import _counter_wasm, _inc_input, _put

#: Rounds and calls per round of an interleaved ratio.
ROUNDS: Final = 15
CALLS: Final = 20


class _FloorHost(Host):
    """The counter's six host calls answered as the real host would, doing nothing else.

    ``count`` absent, one message whose ``mt`` is ``inc`` with empty content (the
    guest adds 1), its mark and the write of ``count``: the same calls, in the same
    order, as a step of the real host.
    """

    def __init__(self) -> None:  # no core, no reader, no limits: nothing is read or built
        pass

    def _h_core_read(self, g: Guest, *args: int) -> int:
        return -1

    def _h_msg_count(self, g: Guest) -> int:
        return 1

    def _h_msg_header(self, g: Guest, i: int, name: int, size: int, buf: int, cap: int) -> int:
        g.write(buf, b"inc")
        return 3

    def _h_msg_read(self, g: Guest, *args: int) -> int:
        return 0

    def _h_mark_read(self, g: Guest, i: int) -> int:
        return 0

    def _h_core_set(self, g: Guest, *args: int) -> int:
        return 0


class WasmLeanStep:
    """One ``inc`` → one step of the Wasm ``counter``: kept instance, fresh instance, Python."""

    def setup(self) -> None:
        wasm = _counter_wasm()
        self.store = Store.memory()
        wits = WasmWits()
        blob_id = _put(self.store, wasm_wit_blob(wasm))
        self.kept = wits.wit_for(self.store, blob_id)
        assert self.kept.loaded.reusable  # counter.wasm keeps all its state in its memory
        fresh = dataclasses.replace(self.kept.loaded, reusable=False)
        self.fresh = WasmWit(blob_id, wits.engine, fresh)
        self.input = _inc_input(self.store, wasm_wit_blob(wasm))
        self.python = TEST_ACTORS["counter"]
        self.python_input = _inc_input(self.store, wit_blob("counter"))
        count = g.object_id(g.Blob(data=b"42"))
        for out in (self.time_kept_step(), self.time_fresh_step(), self.time_python_twin()):
            assert out.core.entries["count"] == count

    def teardown(self) -> None:
        self.store.close()

    def time_kept_step(self) -> Any:
        return self.kept(self.input)

    def time_fresh_step(self) -> Any:
        return self.fresh(self.input)

    def time_python_twin(self) -> Any:
        return self.python(self.python_input)

    def time_floor_step(self) -> Any:
        return self.kept.engine.call(self.kept.loaded, EXPORT_STEP, _FloorHost())

    def track_kept_over_python(self) -> float:
        return interleaved_ratio(
            self.time_kept_step, self.time_python_twin, rounds=ROUNDS, calls=CALLS
        )

    track_kept_over_python.unit = "ratio"  # type: ignore[attr-defined]

    def track_fresh_over_kept(self) -> float:
        return interleaved_ratio(
            self.time_fresh_step, self.time_kept_step, rounds=ROUNDS, calls=CALLS
        )

    track_fresh_over_kept.unit = "ratio"  # type: ignore[attr-defined]

    def track_floor_over_python(self) -> float:
        return interleaved_ratio(
            self.time_floor_step, self.time_python_twin, rounds=ROUNDS, calls=CALLS
        )

    track_floor_over_python.unit = "ratio"  # type: ignore[attr-defined]


def main() -> None:
    """Print five interleaved ratios of each ``track_`` benchmark, without asv."""
    bench = WasmLeanStep()
    bench.setup()
    try:
        for name in ("track_kept_over_python", "track_floor_over_python", "track_fresh_over_kept"):
            print(name, [round(getattr(bench, name)(), 2) for _ in range(5)])
    finally:
        bench.teardown()


if __name__ == "__main__":
    main()
