"""Lean Wasm calls: a kept instance, reset between calls, is a fresh one (WASM-005.1).

The engine keeps one instance per module that holds all its state in its memory
(no globals, tables, start function, element segments or data count) and, before
each later call, puts back the memory's bytes right after instantiation and
refills the fuel.  These tests run such modules several times on one engine and
compare every call with the same call on a new engine, whose instance is new:
whatever a reset forgets — a byte, the size, the fuel — makes them differ.
"""

# ruff: noqa: E501 - the inline modules are WebAssembly text, one call per line

from __future__ import annotations

import gc
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wasm_support import first_input, load, module, text, wasm_core, wat

import gritwit as g
from gritwit.wasm import WasmLimits, WasmWits
from gritwit.wasm._binary import memory_only
from gritwit.wasm._engine import KEPT_PAGES, KEPT_SIZE
from gritwit.wasm._guest import _Active, _Guest
from gritwit.wasm._host import StepHost
from gritwit.wit import QueryInput

_SET = '(import "gritwit" "core_set" (func $set (param i32 i32 i32 i32 i32 i32) (result i32)))'
_READ = '(import "gritwit" "core_read" (func $read (param i32 i32 i32 i32) (result i32)))'
_NAME = '(data (i32.const 0) "m")'


def _dirtying(pages: int = 1) -> bytes:
    """A step that saves its whole initial memory as ``m``, then writes over every byte of it.

    Data segments give the memory known bytes at its start and at its very end.
    """
    size = pages * 65536
    return wat(
        f"""(module {_SET} (memory (export "memory") {pages}) {_NAME}
          (data (i32.const 16) "fresh") (data (i32.const {size - 4}) "end!")
          (func (export "step")
            (drop (call $set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const {size}) (i32.const 0) (i32.const 0)))
            (memory.fill (i32.const 0) (i32.const 171) (i32.const {size}))))"""
    )


def _saved(out: object, entry: str = "m") -> bytes:
    core = out.core  # type: ignore[attr-defined]
    blobs = {g.object_id(o): o for o in out.new_objects}  # type: ignore[attr-defined]
    blob = blobs[core.entries[entry]]
    assert isinstance(blob, g.Blob)
    return blob.data


def _runs(wasm: bytes, times: int, wits: WasmWits | None = None) -> list[object]:
    """``times`` first steps of ``wasm``'s actor, on one engine."""
    store = g.Store.memory()
    core = wasm_core(store, wasm)
    wit = load(wits or WasmWits(), store, wasm)
    return [wit.run(first_input(store, core)) for _ in range(times)]


@pytest.mark.req("WASM-005.1")
def test_memory_only_modules_are_the_ones_kept() -> None:
    body = '(memory (export "memory") 1) (func (export "step"))'
    assert memory_only(wat(f"(module {body})"))
    assert memory_only(module("actors", "counter"))
    for extra in (
        "(global $g (mut i32) (i32.const 0))",
        "(global $g i32 (i32.const 0))",  # an immutable one too: no global section at all
        "(table 1 funcref)",
        "(func $s) (start $s)",
        '(data "passive") (func $d (data.drop 0))',
    ):
        assert not memory_only(wat(f"(module {extra} {body})")), extra
    wasm = wat(f"(module {body})")
    assert not memory_only(wasm[:-1])  # cut short
    assert not memory_only(b"\x00asn" + wasm[4:])  # not the magic


@pytest.mark.req("WASM-005.1")
@pytest.mark.parametrize("pages", [1, 3])
def test_a_kept_instance_starts_with_every_byte_fresh(pages: int) -> None:
    runs = _runs(_dirtying(pages), 3)
    fresh = _runs(_dirtying(pages), 1)[0]
    first = _saved(fresh.output)  # type: ignore[attr-defined]
    assert first[16:21] == b"fresh" and first[-4:] == b"end!" and first.count(171) == 0
    assert [_saved(run.output) for run in runs] == [_saved(fresh.output)] * 3  # type: ignore[attr-defined]


@pytest.mark.req("WASM-005.1", "WASM-019")
def test_every_call_of_a_kept_instance_costs_the_same_fuel() -> None:
    wasm = _dirtying()
    fuel = [run.fuel for run in _runs(wasm, 4)]  # type: ignore[attr-defined]
    assert len(set(fuel)) == 1 and fuel[0] == _runs(wasm, 1)[0].fuel  # type: ignore[attr-defined]
    # The fuel is refilled for every call: a budget for one call is enough for each.
    limits = WasmLimits(fuel=fuel[0] - 65536 + 10)  # the fill costs 65536; the step fits
    assert len(_runs(wasm, 3, WasmWits(limits))) == 3


@pytest.mark.req("WASM-005.1", "WASM-017.1")
def test_a_memory_that_grew_is_not_kept() -> None:
    # Traps unless the memory has its initial size, then grows it and writes into the new page.
    wasm = wat(
        f"""(module {_SET} (memory (export "memory") 1) {_NAME}
          (func (export "step")
            (if (i32.ne (memory.size) (i32.const 1)) (then unreachable))
            (drop (memory.grow (i32.const 1)))
            (i32.store8 (i32.const 70000) (i32.const 7))
            (drop (call $set (i32.const 0) (i32.const 1) (i32.const 70000) (i32.const 1) (i32.const 0) (i32.const 0)))))"""
    )
    assert [_saved(run.output) for run in _runs(wasm, 3)] == [b"\x07"] * 3  # type: ignore[attr-defined]


@pytest.mark.req("WASM-007.2", "WASM-017")
def test_host_calls_see_the_memory_grown_between_them() -> None:
    # core_read, then memory.grow, then core_set of bytes from the new page: the host must
    # see the grown memory (and where it now lives), not the one of the first host call.
    wasm = wat(
        f"""(module {_SET} {_READ} (memory (export "memory") 1) {_NAME}
          (func (export "step")
            (drop (call $read (i32.const 0) (i32.const 1) (i32.const 100) (i32.const 8)))
            (drop (memory.grow (i32.const 3)))
            (i32.store (i32.const 200000) (i32.const 0x64636261))
            (drop (call $set (i32.const 0) (i32.const 1) (i32.const 200000) (i32.const 4) (i32.const 0) (i32.const 0)))))"""
    )
    assert [_saved(run.output) for run in _runs(wasm, 2)] == [b"abcd"] * 2  # type: ignore[attr-defined]


@pytest.mark.req("WASM-005.1")
def test_a_failed_call_leaves_nothing_to_the_next() -> None:
    # Saves byte 16, writes 9 there, then traps when the content of message 0 says so.
    wasm = wat(
        f"""(module {_SET} (import "gritwit" "msg_count" (func $n (result i32)))
          (memory (export "memory") 1) {_NAME} (data (i32.const 16) "\\01")
          (func (export "step")
            (drop (call $set (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 0) (i32.const 0)))
            (i32.store8 (i32.const 16) (i32.const 9))
            (if (i32.eqz (call $n)) (then unreachable))))"""
    )
    store = g.Store.memory()
    core = wasm_core(store, wasm)
    wit = load(WasmWits(), store, wasm)
    ok = first_input(store, core, {g.ObjectId(bytes(32)): [text(store, "x", "")]})
    assert _saved(wit(ok)) == b"\x01"
    with pytest.raises(g.WasmTrap):
        wit(first_input(store, core))  # no message the guest sees: traps after writing
    assert _saved(wit(ok)) == b"\x01"


@pytest.mark.req("WASM-005.1", "WASM-014.1")
def test_queries_of_a_kept_instance_start_fresh() -> None:
    imports = '(import "gritwit" "answer" (func $answer (param i32 i32 i32 i32) (result i32)))'
    wasm = wat(
        f"""(module {imports} (memory (export "memory") 1) (data (i32.const 16) "a")
          (func (export "step"))
          (func (export "query")
            (drop (call $answer (i32.const 16) (i32.const 1) (i32.const 0) (i32.const 0)))
            (i32.store8 (i32.const 16) (i32.add (i32.load8_u (i32.const 16)) (i32.const 1)))))"""
    )
    store = g.Store.memory()
    core = wasm_core(store, wasm)
    wit = load(WasmWits(), store, wasm)
    step = g.Step(actor=g.object_id(core), core=g.object_id(core))
    inp = QueryInput(actor=g.object_id(core), step=step, core=core, objects=store)
    assert [wit.query("q", inp).data for _ in range(3)] == [b"a"] * 3


@pytest.mark.req("WASM-005.1")
def test_the_lean_path_reuses_the_instance() -> None:
    """The point of keeping an instance: a cached step makes no new store."""
    wits = WasmWits()
    _runs(_dirtying(), 2, wits)
    (kept,) = wits.engine._kept.values()
    store = kept.store
    _runs(_dirtying(), 2, wits)
    assert next(iter(wits.engine._kept.values())).store is store


@pytest.mark.req("WASM-005.1")
def test_kept_instances_are_bounded() -> None:
    wits = WasmWits()
    for index in range(KEPT_SIZE + 2):
        wasm = wat(
            f'(module (memory (export "memory") 1) (data (i32.const 0) "{index}") (func (export "step")))'
        )
        _runs(wasm, 1, wits)
    assert len(wits.engine._kept) == KEPT_SIZE


@pytest.mark.req("WASM-005.1")
def test_only_small_memories_are_kept() -> None:
    store = g.Store.memory()
    for pages, kept in ((KEPT_PAGES, True), (KEPT_PAGES + 1, False)):
        wasm = wat(f'(module (memory (export "memory") {pages}) (func (export "step")))')
        assert load(WasmWits(), store, wasm).loaded.reusable is kept


@pytest.mark.req("WASM-005.1")
@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 65535), st.integers(1, 255)), max_size=8))
def test_any_writes_are_undone(writes: list[tuple[int, int]]) -> None:
    # The first call writes bytes anywhere; the second saves the memory it starts with.
    stores = "".join(f"(i32.store8 (i32.const {a}) (i32.const {v}))" for a, v in writes)
    wasm = wat(
        f"""(module {_SET} (import "gritwit" "msg_count" (func $n (result i32)))
          (memory (export "memory") 1) {_NAME} (data (i32.const 300) "seg")
          (func (export "step")
            (if (call $n) (then {stores} (return)))
            (drop (call $set (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 65536) (i32.const 0) (i32.const 0)))))"""
    )
    store = g.Store.memory()
    core = wasm_core(store, wasm)
    wits = WasmWits()
    wit = load(wits, store, wasm)
    wit(first_input(store, core, {g.ObjectId(bytes(32)): [text(store, "x", "")]}))
    memory = _saved(wit(first_input(store, core)))
    expected = bytearray(65536)
    expected[0:1], expected[300:303] = b"m", b"seg"
    assert memory == bytes(expected)


@pytest.mark.req("WASM-007.2")
@pytest.mark.parametrize(
    "call",
    [
        "(call $set (i32.const 0) (i32.const 1) (i32.const -16) (i32.const 4) (i32.const 0) (i32.const 0))",
        "(call $read (i32.const 0) (i32.const 1) (i32.const -16) (i32.const 8))",
        "(call $set (i32.const -2147483648) (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0))",
    ],
)
def test_pointers_are_unsigned(call: str) -> None:
    # -16 is 4294967280: far outside the memory, so the call traps (never reads below it).
    wasm = wat(
        f"""(module {_SET} {_READ} (memory (export "memory") 1) {_NAME}
          (func (export "step") (drop {call})))"""
    )
    for _ in range(2):
        with pytest.raises(g.WasmTrap, match=r"WASM-007\.2"):
            _runs(wasm, 1)


@pytest.mark.req("WASM-005.1")
def test_a_call_leaves_no_cycle_behind() -> None:
    """A call's host is freed as soon as the call returns, without waiting for the cyclic GC."""
    store = g.Store.memory()
    wasm = _dirtying()
    core = wasm_core(store, wasm)
    wit = load(WasmWits(), store, wasm)
    wit(first_input(store, core))  # the instance is kept from here on
    host = StepHost(first_input(store, core), wit.engine.limits)
    freed = weakref.ref(host)
    gc.disable()
    try:
        wit.engine.call(wit.loaded, "step", host)
        del host
        assert freed() is None
    finally:
        gc.enable()


@pytest.mark.req("WASM-005.1", "WASM-007.2")
@pytest.mark.parametrize("memory_only", [True, False], ids=["kept-instance", "fresh-instance"])
def test_a_call_failing_in_a_host_function_leaves_no_cycle_behind(memory_only: bool) -> None:
    """A host function's error reaches the caller through wasmtime-py, which re-raises it
    from a frame that keeps it in a local: a cycle through the traceback that held the
    host, the call's store and its memory until the next collection.  The engine clears
    the frames (``frames_cleared``): they go with the exception."""
    store = g.Store.memory()
    extra = "" if memory_only else "(global $g (mut i32) (i32.const 0))"
    wasm = wat(
        f"""(module {_SET} {_READ} (memory (export "memory") 1) {_NAME} {extra}
          (func (export "step") (drop (call $read (i32.const 0) (i32.const 1)
            (i32.const -16) (i32.const 8)))))"""
    )
    assert memory_only == g.wasm._binary.memory_only(wasm)  # type: ignore[attr-defined]
    core = wasm_core(store, wasm)
    wit = load(WasmWits(), store, wasm)
    host = StepHost(first_input(store, core), wit.engine.limits)
    freed = weakref.ref(host)
    gc.collect()
    gc.disable()
    try:
        raised = ""
        try:
            wit.engine.call(wit.loaded, "step", host)
        except g.WasmTrap as exc:
            raised = str(exc)
        del host
        assert "WASM-007.2" in raised
        assert freed() is None
    finally:
        gc.enable()


def _memory_guest(size: int, budget: int) -> tuple[_Guest, _Active, bytearray]:
    """A guest over a plain byte array, its view known: the copies without an instance."""
    memory = bytearray(range(256)) * (size // 256)
    active = _Active.__new__(_Active)
    active.budget, active.host_fuel = budget, 0
    guest = _Guest.__new__(_Guest)
    guest._active, guest._view = active, memoryview(memory)
    return guest, active, memory


@pytest.mark.req("WASM-007.4", "WASM-007.5", "WASM-019")
@given(
    st.none() | st.binary(max_size=40),
    st.integers(0, 1024),
    st.integers(0, 64),
    st.integers(0, 64),
)
def test_copy_in_and_out_are_the_plain_copies(
    value: bytes | None, budget: int, buf: int, cap: int
) -> None:
    """``give`` writes ``min(n, cap)`` bytes and returns ``n`` (``-1``, nothing, for none),
    ``take`` copies in: each byte costing a unit of fuel, past the budget an exhausted call
    (the trimmed copies of the kept path against the plain rule)."""
    guest, active, memory = _memory_guest(256, budget)
    before = bytes(memory)
    part = None if value is None else value[:cap]
    cost = 0 if part is None else len(part)
    if cost > budget:
        with pytest.raises(g.FuelExhausted, match=r"WASM-020\.1"):
            guest.give(value, buf, cap)
        assert bytes(memory) == before
    else:
        assert guest.give(value, buf, cap) == (-1 if value is None else len(value))
        expected = bytearray(before)
        if part is not None:
            expected[buf : buf + len(part)] = part
        assert memory == expected and active.host_fuel == cost
    active.host_fuel = 0
    if cap > budget:
        with pytest.raises(g.FuelExhausted, match=r"WASM-020\.1"):
            guest.take(buf, cap)
    else:
        assert guest.take(buf, cap) == bytes(memory[buf : buf + cap])
        assert active.host_fuel == cap


@pytest.mark.req("WASM-005.1", "WASM-020.1")
@pytest.mark.parametrize("memory_only", [True, False], ids=["kept-instance", "fresh-instance"])
def test_a_call_out_of_fuel_leaves_no_cycle_behind(memory_only: bool) -> None:
    """A call that runs out of fuel ends with :class:`~gritwit.FuelExhausted`, whose frames
    the engine clears as it does a host function's error: the host, the call's store and
    its memory go with the exception, without waiting for the cyclic collector."""
    store = g.Store.memory()
    extra = "" if memory_only else "(global $g (mut i32) (i32.const 0))"
    wasm = wat(
        f"""(module (memory (export "memory") 1) {_NAME} {extra}
          (func (export "step") (loop $l (br $l))))"""
    )
    core = wasm_core(store, wasm)
    wit = load(WasmWits(WasmLimits(fuel=10_000)), store, wasm)
    host = StepHost(first_input(store, core), wit.engine.limits)
    freed = weakref.ref(host)
    gc.collect()
    gc.disable()
    try:
        with pytest.raises(g.FuelExhausted):
            wit.engine.call(wit.loaded, "step", host)
        del host
        assert freed() is None
    finally:
        gc.enable()
