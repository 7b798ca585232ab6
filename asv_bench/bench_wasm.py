"""Wasm Wit benchmarks (chapter *Wasm Wits*): the executor's cost per step, fuel, loading.

* :class:`WasmCounterStep` — one step of the ``counter`` actor's Wasm build
  (``conformance/wasm/actors/counter.wasm``) with one pending ``inc``:

  - ``time_cached_step``: called directly as a Wit on a prepared
    :class:`~gritwit.wit.TransitionInput`, in memory; the module is already
    compiled, so this is :meth:`~gritwit.wasm.WasmWits.wit_for`'s cache hit,
    a fresh fuelled instance (WASM-005, WASM-019), the run and its output;
  - ``time_python_twin``: the same input given to the built-in Python
    ``counter`` (:data:`~gritwit.wit.TEST_ACTORS`), for the Wasm / Python ratio;
  - ``time_runtime_step``: one ``inc`` sent from the outside, then the
    reference runtime run until quiescent, in memory, for an actor whose
    ``wit`` is the Wasm blob (WASM-001) — as ``bench_runtime.CounterTransition``
    does for the Python counter.  Transitions per second = 1 / time.

* :class:`FuelOverhead` — a guest loop of :data:`SPIN` iterations with fuel
  metering on and off.  :class:`~gritwit.wasm.WasmLimits` has no switch (ABI 1
  always meters, WASM-019), so this benchmark builds two wasmtime engines of its
  own that differ only in ``consume_fuel``: it is the one benchmark importing
  wasmtime, the reference package still imports it only in ``wasm/_engine.py``.
  The instance is made in ``setup``; the timed call is the guest run alone.
* :class:`ColdLoad` — check and compile the counter module from its bytes with
  no cache hit (WASM-002): each timed call loads it under a fresh key.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from pathlib import Path
from typing import Any, ClassVar, Final

import wasmtime

import gritwit as g
from gritwit.runtime import Runtime
from gritwit.runtime._cache import ObjectCache
from gritwit.store import Store
from gritwit.wasm import WasmLimits, WasmWits, wasm_wit_blob, wat_to_wasm
from gritwit.wit import (
    OUTSIDE,
    TEST_ACTORS,
    Overlay,
    PendingMessage,
    TransitionInput,
    test_actor_core,
    wit_blob,
)

#: The committed Wasm builds of the test actors.
ACTORS_DIR: Final = Path(__file__).resolve().parents[1] / "conformance" / "wasm" / "actors"
#: Loop iterations of one timed :class:`FuelOverhead` call.
SPIN: Final = 1_000_000

#: A compute-only guest: ``spin(n)`` adds 1 … n (no host calls, no memory traffic).
SPIN_WAT: Final = """
(module
  (func (export "spin") (param $n i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc)))
"""


def _counter_wasm() -> bytes:
    return (ACTORS_DIR / "counter.wasm").read_bytes()


def _put(store: Store, *objects: g.GritObject) -> g.ObjectId:
    """Store ``objects``; the id of the last one."""
    for obj in objects:
        store.put_object(obj)
    return g.object_id(objects[-1])


def _inc_input(store: Store, wit: g.GritObject) -> TransitionInput:
    """A counter at 41 running ``wit``, with one pending ``inc`` of 1 from the outside."""
    wit_id = _put(store, wit)
    count_id = _put(store, g.Blob(data=b"41"))
    core = g.Tree(entries={"wit": wit_id, "count": count_id})
    _put(store, core)
    content = _put(store, g.Blob(data=b"1"))
    message = g.Message(content=content, headers={"mt": "inc"})
    pending = PendingMessage(_put(store, message), message)
    return TransitionInput(
        actor=g.object_id(core),
        last_step=None,
        core=core,
        pending={OUTSIDE: (pending,)},
        objects=Overlay(store),
    )


class WasmCounterStep:
    """One ``inc`` → one step of the Wasm ``counter``: as a Wit, its Python twin, the runtime."""

    def setup(self) -> None:
        wasm = _counter_wasm()
        self.store = Store.memory()
        # Direct calls: the module compiled once here, so the timed call hits the cache.
        self.wits = WasmWits()
        self.blob_id = _put(self.store, wasm_wit_blob(wasm))
        self.wits.wit_for(self.store, self.blob_id)
        self.wasm_input = _inc_input(self.store, wasm_wit_blob(wasm))
        self.python = TEST_ACTORS["counter"]
        self.python_input = _inc_input(self.store, wit_blob("counter"))
        wasm_out, python_out = self.time_cached_step(), self.python(self.python_input)
        count = g.object_id(g.Blob(data=b"42"))
        assert wasm_out.core.entries["count"] == python_out.core.entries["count"] == count
        # Through the runtime: an actor whose core names the Wasm blob (WASM-001).
        self.runtime_store = Store.memory()
        self.loop = asyncio.new_event_loop()
        self.runtime = Runtime(self.runtime_store)
        core, objects = test_actor_core("counter")
        core = g.Tree(entries={**core.entries, "wit": g.object_id(wasm_wit_blob(wasm))})
        self.actor = self.loop.run_until_complete(
            self.runtime.genesis(core, (*objects, wasm_wit_blob(wasm)))
        )
        report = self.loop.run_until_complete(self.runtime.run_until_quiescent())
        assert len(report.steps) == 1 and not report.failures  # genesis ran, module cached
        self.content = self.runtime_store.put_object(g.Blob(data=b"1"))

    def teardown(self) -> None:
        self.loop.close()
        self.runtime_store.close()
        self.store.close()

    def time_cached_step(self) -> Any:
        return self.wits.wit_for(self.store, self.blob_id)(self.wasm_input)

    def time_python_twin(self) -> Any:
        return self.python(self.python_input)

    def time_runtime_step(self) -> None:
        self.loop.run_until_complete(self._one())

    async def _one(self) -> None:
        await self.runtime.send(self.actor, self.content, {"mt": "inc"})
        await self.runtime.run_until_quiescent()


def _wasmtime_engine(fuel: bool) -> wasmtime.Engine:
    """An engine like the reference's (``wasm/_engine.py``) but for ``consume_fuel``."""
    config = wasmtime.Config()
    config.consume_fuel = fuel
    config.cranelift_nan_canonicalization = True
    config.parallel_compilation = False
    return wasmtime.Engine(config)


class FuelOverhead:
    """:data:`SPIN` guest loop iterations, fuel metering on vs off (WASM-019)."""

    params: ClassVar = (["on", "off"],)
    param_names: ClassVar = ["fuel"]

    def setup(self, fuel: str) -> None:
        self.metered = fuel == "on"
        engine = _wasmtime_engine(self.metered)
        module = wasmtime.Module(engine, wat_to_wasm(SPIN_WAT))
        self.store = wasmtime.Store(engine)
        if self.metered:
            self.store.set_fuel(2**62)
        spin = wasmtime.Instance(self.store, module, []).exports(self.store)["spin"]
        assert isinstance(spin, wasmtime.Func)
        self.spin = spin
        total = SPIN * (SPIN + 1) // 2  # as a signed i32, the guest's result
        assert self.spin(self.store, SPIN) == (total + 2**31) % 2**32 - 2**31

    def time_spin(self, fuel: str) -> None:
        self.spin(self.store, SPIN)


class ColdLoad:
    """Check and compile ``counter.wasm`` from its bytes, no cache hit (WASM-002)."""

    def setup(self) -> None:
        self.wasm = _counter_wasm()
        self.engine = WasmWits().engine
        self.keys = itertools.count()

    def time_cold_load(self) -> None:
        key = g.ObjectId(next(self.keys).to_bytes(32, "big"))
        self.engine.load(key, self.wasm)


#: A guest whose step adds 1 to the i64 at byte 65544: exactly one page (page 1) changes.
IMAGE_STEP_WAT: Final = """
(module
  (memory (export "memory") 1)
  (global (export "steps") (mut i64) (i64.const 0))
  (func (export "step")
    (i64.store (i32.const 65544) (i64.add (i64.load (i32.const 65544)) (i64.const 1)))))
"""
MIB: Final = 1024 * 1024


class ImageStep:
    """One step of an image actor (WASM-023 … WASM-026) whose memory is 1 or 64 MiB.

    The full step as a Wit call on a prepared input, module cached: restore the
    image (grow, write every chunk), run ``step`` (one page changes), compare
    every page with the restored chunks, and build the new chunk blob, the
    ``memory`` and image trees and the core.  ``fill`` ``full`` gives every page
    distinct non-zero bytes (every chunk stored, the worst case); ``empty`` has
    no chunk at all (absent chunks are zero), the best.  64 MiB exceeds ABI 1's
    memory limit (16 MiB, WASM-016), so the engine here has a larger limit.

    * ``time_image_step``: objects read from the store, which re-hashes and
      strictly decodes every chunk on each read (STO-004);
    * ``time_image_step_cached``: read through the runtime's cache of decoded
      objects (as :class:`~gritwit.runtime.Runtime` does), already warm.
    """

    params: ClassVar = ([1 * MIB, 64 * MIB], ["full", "empty"])
    param_names: ClassVar = ["memory", "fill"]

    def setup(self, memory: int, fill: str) -> None:
        pages = memory // 65536
        self.store = Store.memory()
        self.wits = WasmWits(WasmLimits(memory_pages=pages))
        wit = wasm_wit_blob(wat_to_wasm(IMAGE_STEP_WAT))
        chunks: dict[str, g.ObjectId] = {}
        if fill == "full":
            for index in range(pages):
                data = (index + 1).to_bytes(4, "little") * (65536 // 4)
                chunks[f"{index:05d}"] = _put(self.store, g.Blob(data=data))
        entries = {"pages": _put(self.store, g.Blob(data=pages.to_bytes(4, "little")))}
        if chunks:
            entries["memory"] = _put(self.store, g.Tree(entries=chunks))
        image = _put(self.store, g.Tree(entries=entries))
        core = g.Tree(entries={"wit": _put(self.store, wit), "image": image})
        _put(self.store, core)
        content = _put(self.store, g.Blob(data=b""))
        message = g.Message(content=content, headers={"mt": "tick"})
        pending = PendingMessage(_put(self.store, message), message)
        self.input = TransitionInput(
            actor=g.object_id(core),
            last_step=None,
            core=core,
            pending={OUTSIDE: (pending,)},
            objects=Overlay(self.store),
        )
        self.cached_input = dataclasses.replace(
            self.input, objects=Overlay(ObjectCache(self.store))
        )
        self.wit = self.wits.wit_for(self.store, g.object_id(wit))
        for out in (self.time_image_step(memory, fill), self.time_image_step_cached(memory, fill)):
            new = [o for o in out.new_objects if isinstance(o, g.Blob) and len(o.data) == 65536]
            assert len(new) == 1  # one changed page, one new chunk

    def teardown(self, memory: int, fill: str) -> None:
        self.store.close()

    def time_image_step(self, memory: int, fill: str) -> Any:
        return self.wit(self.input)

    def time_image_step_cached(self, memory: int, fill: str) -> Any:
        return self.wit(self.cached_input)
