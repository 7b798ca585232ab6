"""Sandboxed Python benchmarks (chapter *sandboxed Python Wits*).

* :class:`SandboxStartup` — one run of a Python counter program over a mounted
  core at 41, the interpreter already compiled (and the snapshot taken in
  ``setup``):

  - ``time_cold_start``: ``run_python(..., snapshot=False)``: the interpreter
    starts from ``_start`` (some 5 × 10⁸ instructions of start-up);
  - ``time_restored``: the same run from the process's snapshot at the snapshot
    point, on a fresh instance (SBX-003.4);
  - ``track_cold_over_restored``: the ratio of their medians, timed interleaved in
    one process.  Target: ≥ 10.

* :class:`SandboxCounterStep` — one ``inc`` → one step of a ``python-wasi``
  counter actor, called as a Wit (:class:`~gritwit.sandbox._actor.SandboxWit`) on a
  prepared :class:`~gritwit.wit.TransitionInput`, against the Wasm ``counter``
  (the lean path of ``bench_wasm_lean``) and the built-in Python ``counter`` on the
  same input; ``track_sandbox_over_wasm`` and ``track_sandbox_over_python`` are
  the ratios of medians from one interleaved run.

Without the interpreter (``pip install 'gritwit[sandbox]'``) every benchmark here
is skipped (``setup`` raises ``NotImplementedError``).
"""

from __future__ import annotations

import time
from typing import Any, Final

import gritwit as g
from gritwit.sandbox import SandboxLimits, interpreter_path, run_python
from gritwit.sandbox import wit_blob as sandbox_wit_blob
from gritwit.sandbox._actor import SandboxWits, interpreter_id
from gritwit.store import Store
from gritwit.wasm import WasmWits, wasm_wit_blob
from gritwit.wit import TEST_ACTORS, wit_blob

from ._ratio import interleaved_ratio
from .bench_wasm import _counter_wasm, _inc_input, _put

#: The Python counter, as the Wasm ``counter`` does it: every ``inc`` adds its data.
COUNTER: Final = """\
import json, binascii
t = json.load(open("/input/transition.json"))
n = int(open("count").read())
for m in t["messages"]:
    if m["headers"].get("mt") == "inc":
        n += int(binascii.a2b_base64(m["data"]) or b"1")
open("count", "w").write(str(n))
"""
LIMITS: Final = SandboxLimits(fuel=2_000_000_000, memory_bytes=64 << 20)


def _need_interpreter() -> None:
    """``NotImplementedError`` (asv: skipped, with this reason) without the interpreter."""
    if interpreter_path() is None:
        raise NotImplementedError("the sandbox needs gritwit[sandbox]")


class SandboxStartup:
    """A cold start against a run restored from the snapshot, for the same program."""

    timeout = 600

    def setup(self) -> None:
        _need_interpreter()
        self.store = Store.memory()
        self.core = self.store.put_object(
            g.Tree(entries={"count": self.store.put_object(g.Blob(data=b"41"))})
        )
        self.messages = (
            {"headers": {"mt": "inc"}, "data": "MQ==", "from": "00" * 32, "id": "00" * 32},
        )
        cold, restored = self.time_cold_start(), self.time_restored()
        assert (cold.core, cold.fuel) == (restored.core, restored.fuel)
        count = self.store.get_object(restored.core)
        assert isinstance(count, g.Tree)
        assert self.store.get_object(count.entries["count"]) == g.Blob(data=b"42")

    def teardown(self) -> None:
        if hasattr(self, "store"):  # asv tears down a skipped setup too
            self.store.close()

    def _run(self, snapshot: bool) -> Any:
        return run_python(
            COUNTER,
            store=self.store,
            core=self.core,
            messages=self.messages,
            limits=LIMITS,
            snapshot=snapshot,
        )

    def time_cold_start(self) -> Any:
        return self._run(False)

    def time_restored(self) -> Any:
        return self._run(True)

    def track_cold_over_restored(self) -> float:
        return interleaved_ratio(
            self.time_cold_start, self.time_restored, rounds=5, calls=2, clock=time.perf_counter
        )

    track_cold_over_restored.unit = "ratio"  # type: ignore[attr-defined]

    def track_restored_fuel(self) -> int:
        return int(self.time_restored().fuel)

    track_restored_fuel.unit = "fuel"  # type: ignore[attr-defined]


class SandboxCounterStep:
    """One ``inc`` → one step of the Python-sandbox counter, the Wasm counter, the Python one."""

    timeout = 600

    def setup(self) -> None:
        _need_interpreter()
        self.store = Store.memory()
        blob = sandbox_wit_blob(COUNTER, interpreter_id())
        self.sandbox = SandboxWits(LIMITS).wit_for(self.store, _put(self.store, blob))
        self.sandbox_input = _inc_input(self.store, blob)
        wasm = _counter_wasm()
        self.wasm = WasmWits().wit_for(self.store, _put(self.store, wasm_wit_blob(wasm)))
        self.wasm_input = _inc_input(self.store, wasm_wit_blob(wasm))
        self.python = TEST_ACTORS["counter"]
        self.python_input = _inc_input(self.store, wit_blob("counter"))
        count = g.object_id(g.Blob(data=b"42"))
        for out in (self.time_sandbox_step(), self.time_wasm_step(), self.time_python_twin()):
            assert out.core.entries["count"] == count

    def teardown(self) -> None:
        if hasattr(self, "store"):  # asv tears down a skipped setup too
            self.store.close()

    def time_sandbox_step(self) -> Any:
        return self.sandbox(self.sandbox_input)

    def time_wasm_step(self) -> Any:
        return self.wasm(self.wasm_input)

    def time_python_twin(self) -> Any:
        return self.python(self.python_input)

    def track_sandbox_over_wasm(self) -> float:
        return interleaved_ratio(
            self.time_sandbox_step, self.time_wasm_step, rounds=7, calls=5, clock=time.perf_counter
        )

    track_sandbox_over_wasm.unit = "ratio"  # type: ignore[attr-defined]

    def track_sandbox_over_python(self) -> float:
        return interleaved_ratio(
            self.time_sandbox_step,
            self.time_python_twin,
            rounds=7,
            calls=5,
            clock=time.perf_counter,
        )

    track_sandbox_over_python.unit = "ratio"  # type: ignore[attr-defined]
