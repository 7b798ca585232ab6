"""Hostile modules end in their typed error, with no output, and the engine keeps serving.

Loading (WASM-002 … WASM-004), limits (WASM-016 … WASM-018), fuel (WASM-019,
WASM-020), traps (WASM-015) and the failure policy (WASM-021).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from wasm_support import first_input, load, module, text, wasm_core, wat

import gritwit as g
from gritwit.wasm import WasmLimits, WasmWits, wasm_wit_blob
from gritwit.wasm._abi import ABI_LIMITS
from gritwit.wit import OUTSIDE, Executor, assemble, test_actor_core

SPEC = Path(__file__).resolve().parents[2] / "spec" / "08-wasm.md"
WITS = WasmWits()
SMALL = WasmWits(WasmLimits(fuel=1_000_000, memory_pages=4, output_effects=3))


def _still_serves(wits: WasmWits) -> None:
    """After a hostile module, the same engine still runs the counter correctly."""
    store = g.Store.memory()
    core = wasm_core(store, module("actors", "counter"))
    inp = first_input(store, core, {OUTSIDE: [text(store, "inc", "41"), text(store, "inc", "")]})
    out = load(wits, store, module("actors", "counter"))(inp)
    created = {g.object_id(o): o for o in out.new_objects}
    assert created[out.core.entries["count"]] == g.Blob(data=b"42")


def _fails_at_step(wits: WasmWits, wasm: bytes, error: type[g.GritError]) -> g.GritError:
    """Run one step of ``wasm``: it must raise ``error``; nothing reaches the store."""
    store = g.Store.memory()
    core = wasm_core(store, wasm)
    inp = first_input(store, core, {OUTSIDE: [text(store, "x", "payload")]})
    before = set(store.iter_ids())
    with pytest.raises(error) as info:
        load(wits, store, wasm)(inp)
    assert set(store.iter_ids()) == before  # the host never writes the store
    _still_serves(wits)
    return info.value


def _fails_at_load(wits: WasmWits, wasm: bytes, error: type[g.GritError]) -> None:
    store = g.Store.memory()
    with pytest.raises(error):
        load(wits, store, wasm)
    _still_serves(wits)


# --- loading ---------------------------------------------------------------------------


@pytest.mark.req("WASM-002")
@pytest.mark.parametrize(
    "wasm",
    [b"", b"not wasm", b"\x00asm\x0d\x00\x01\x00", module("actors", "echo")[:20]],
    ids=["empty", "text", "component-layer", "truncated"],
)
def test_bytes_that_are_not_a_module_are_an_invalid_module(wasm: bytes) -> None:
    _fails_at_load(WITS, wasm, g.InvalidModule)


@pytest.mark.req("WASM-002")
def test_the_text_format_is_not_a_module() -> None:
    source = (Path(__file__).resolve().parents[2] / "conformance/wasm/actors/echo.wat").read_bytes()
    _fails_at_load(WITS, source, g.InvalidModule)


def _custom_section(size: int) -> bytes:
    def leb(n: int) -> bytes:
        out = bytearray()
        while True:
            byte, n = n & 0x7F, n >> 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(out)

    name = b"padding"
    body = leb(len(name)) + name + bytes(size)
    return b"\x00" + leb(len(body)) + body


@pytest.mark.req("WASM-002", "WASM-016")
def test_a_module_over_the_size_limit_is_rejected_before_compiling() -> None:
    echo = module("actors", "echo")
    padded = echo + _custom_section(ABI_LIMITS.module_bytes - len(echo) + 1)
    assert len(padded) > ABI_LIMITS.module_bytes
    _fails_at_load(WITS, padded, g.InvalidModule)
    # The same padding below the limit is a valid module: the size alone decided.
    fits = echo + _custom_section(ABI_LIMITS.module_bytes - len(echo) - 64)
    assert len(fits) <= ABI_LIMITS.module_bytes
    load(WITS, g.Store.memory(), fits)


@pytest.mark.req("WASM-002", "WASM-016")
def test_the_size_limit_applies_to_modules_in_the_directory_cache(tmp_path: Path) -> None:
    """A module compiled by an engine with larger limits is no excuse (a cache changes nothing)."""
    echo = module("actors", "echo")
    load(WasmWits(cache_dir=tmp_path), g.Store.memory(), echo)
    assert len(list(tmp_path.iterdir())) == 1  # compiled and kept
    small = WasmWits(WasmLimits(module_bytes=len(echo) - 1), cache_dir=tmp_path)
    with pytest.raises(g.InvalidModule):
        load(small, g.Store.memory(), echo)


@pytest.mark.req("WASM-002")
@pytest.mark.parametrize("name", ["forbidden_import", "wrong_signature"])
def test_imports_outside_the_abi_are_rejected_at_load(name: str) -> None:
    _fails_at_load(WITS, module("hostile", name), g.ForbiddenImport)


@pytest.mark.req("WASM-002")
def test_imports_are_checked_before_exports_and_memory() -> None:
    both = wat(
        '(module (import "env" "f" (func)) (memory (export "memory") 300))'
    )  # no step, memory too large, and a forbidden import: the import decides
    _fails_at_load(WITS, both, g.ForbiddenImport)
    no_step_big = wat('(module (memory (export "memory") 300))')
    _fails_at_load(WITS, no_step_big, g.InvalidModule)


@pytest.mark.req("WASM-003")
@pytest.mark.parametrize(
    "source",
    [
        '(module (memory (export "memory") 1) (memory 1) (func (export "step")))',
        '(module (memory (export "memory") 1 1 shared) (func (export "step")))',
        '(module (memory (export "memory") i64 1) (func (export "step")))',
    ],
    ids=["two-memories", "shared-memory", "memory64"],
)
def test_features_outside_the_abi_do_not_validate(source: str) -> None:
    _fails_at_load(WITS, wat(source), g.InvalidModule)
    assert module("hostile", "two_memories") == wat(
        (
            Path(__file__).resolve().parents[2] / "conformance/wasm/hostile/two_memories.wat"
        ).read_text()
    )
    _fails_at_load(WITS, module("hostile", "two_memories"), g.InvalidModule)


@pytest.mark.req("WASM-004")
@pytest.mark.parametrize(
    "source",
    [
        '(module (memory (export "memory") 1))',
        '(module (memory 1) (func (export "step")))',
        '(module (memory (export "memory") 1) (func (export "step") (param i32)))',
        '(module (memory (export "memory") 1) (func (export "step") (result i32) i32.const 0))',
        '(module (memory (export "memory") 1) (func (export "step")) (global (export "query") i32'
        " (i32.const 0)))",
    ],
    ids=["no-step", "memory-not-exported", "step-param", "step-result", "query-not-a-function"],
)
def test_exports_must_be_as_the_abi_says(source: str) -> None:
    _fails_at_load(WITS, wat(source), g.InvalidModule)


@pytest.mark.req("WASM-001.1", "WASM-001.3")
def test_a_wasm_blob_must_name_abi_1() -> None:
    store = g.Store.memory()
    echo = module("actors", "echo")
    for headers in (
        {"runtime": "wasm"},
        {"runtime": "wasm", "abi": "2"},
        {"runtime": "test-actor"},
    ):
        blob = g.Blob(data=echo, headers=headers)
        store.put_object(blob)
        with pytest.raises(g.UnknownWit):
            WITS.wit_for(store, g.object_id(blob))
    blob = wasm_wit_blob(echo)
    assert dict(blob.headers) == {"runtime": "wasm", "abi": "1"}
    store.put_object(blob)
    WITS.wit_for(store, g.object_id(blob))


@pytest.mark.req("WIT-001", "WASM-001")
def test_the_runner_itself_refuses_an_absent_blob_and_another_runtime_s() -> None:
    """``wit_for`` checks the blob it is given, not only its caller: an id naming no object,
    or an object that is no blob, is no Wit (WIT-001), and a blob whose ``runtime`` is
    another's is not a Wasm Wit even with ``abi: "1"`` and a valid module (WASM-001).  The
    executor reads the ``runtime`` header before it asks the runner, so only a caller of
    the Python API meets these checks; each is its own ``unknown-wit``."""
    store = g.Store.memory()
    echo = module("actors", "echo")
    absent = g.object_id(g.Blob(data=b"never stored"))
    tree = store.put_object(g.Tree(entries={"wit": absent}))
    for oid in (absent, tree):
        with pytest.raises(g.UnknownWit) as info:
            WasmWits().wit_for(store, oid)
        assert info.value.requirement == "WIT-001"
    other = g.Blob(data=echo, headers={"runtime": "test-actor", "abi": "1"})
    with pytest.raises(g.UnknownWit) as info:
        WasmWits().wit_for(store, store.put_object(other))
    assert info.value.requirement == "WASM-001"


# --- limits ----------------------------------------------------------------------------


@pytest.mark.req("WASM-016")
def test_the_default_limits_are_the_spec_table() -> None:
    table = SPEC.read_text(encoding="utf-8").split("| limit | ABI 1 |")[1].split("\n\n")[0]

    def number(row: str) -> int:
        match = re.search(rf"\| {row} [^|]*\| ([\d ]+)", table)
        assert match, row
        return int(match.group(1).replace(" ", ""))

    assert ABI_LIMITS.fuel == number("fuel")
    assert ABI_LIMITS.memory_pages == number("memory")
    assert ABI_LIMITS.table_elements == number("table elements")
    assert (
        ABI_LIMITS.module_bytes
        == 4 * 1024 * 1024
        == int(re.search(r"\(([\d ]+) bytes\)", table).group(1).replace(" ", ""))
    )  # type: ignore[union-attr]
    assert ABI_LIMITS.output_bytes == 1024 * 1024
    assert ABI_LIMITS.output_effects == 1024


@pytest.mark.req("WASM-017")
@pytest.mark.parametrize(("wits", "pages"), [(SMALL, b"4"), (WITS, b"256")], ids=["4", "256"])
def test_memory_grow_stops_exactly_at_the_limit(wits: WasmWits, pages: bytes) -> None:
    store = g.Store.memory()
    core = wasm_core(store, module("hostile", "memory_probe"))
    out = load(wits, store, module("hostile", "memory_probe"))(first_input(store, core))
    created = {g.object_id(o): o for o in out.new_objects}
    assert created[out.core.entries["pages"]] == g.Blob(data=pages)


@pytest.mark.req("WASM-017.1", "WASM-015.1")
def test_a_memory_hog_traps_after_grow_fails() -> None:
    _fails_at_step(SMALL, module("hostile", "memory_hog"), g.WasmTrap)


@pytest.mark.req("WASM-017.3", "WASM-002.1")
def test_a_memory_minimum_over_the_limit_is_a_memory_limit() -> None:
    _fails_at_load(WITS, module("hostile", "big_memory"), g.MemoryLimit)
    exact = wat('(module (memory (export "memory") 256) (func (export "step")))')
    load(WITS, g.Store.memory(), exact)


@pytest.mark.req("WASM-017", "WASM-016")
@pytest.mark.parametrize(
    "tables", ["(table 10001 funcref)", "(table 1 funcref) (table 1 funcref)"], ids=["big", "two"]
)
def test_tables_over_the_limits_are_a_memory_limit(tables: str) -> None:
    source = f'(module (memory (export "memory") 1) {tables} (func (export "step")))'
    _fails_at_step(WITS, wat(source), g.MemoryLimit)
    fits = '(module (memory (export "memory") 1) (table 10000 funcref) (func (export "step")))'
    store = g.Store.memory()
    load(WITS, store, wat(fits))(first_input(store, wasm_core(store, wat(fits))))


@pytest.mark.req("WASM-018.1", "WASM-018.3")
def test_oversized_output_is_output_too_large() -> None:
    _fails_at_step(WITS, module("hostile", "oversized_output"), g.OutputTooLarge)


@pytest.mark.req("WASM-018.2", "WASM-018.3", "WASM-021")
def test_too_many_effects_is_output_too_large() -> None:
    store = g.Store.memory()
    core = wasm_core(store, module("actors", "counter"))
    counter = load(SMALL, store, module("actors", "counter"))
    three = first_input(store, core, {OUTSIDE: [text(store, "get", "")] * 2})
    counter(three)  # 2 replies + the count write: 3 effects, the limit
    four = first_input(store, core, {OUTSIDE: [text(store, "get", "")] * 3})
    with pytest.raises(g.OutputTooLarge):
        counter(four)


# --- fuel ------------------------------------------------------------------------------


@pytest.mark.req("WASM-020.1", "WASM-020.3", "WIT-027")
@pytest.mark.parametrize("name", ["infinite_loop", "host_call_loop"])
def test_an_endless_loop_stops_within_its_fuel(name: str) -> None:
    error = _fails_at_step(SMALL, module("hostile", name), g.FuelExhausted)
    assert isinstance(error, g.FuelExhausted)
    budget = SMALL.engine.limits.fuel
    assert error.fuel_consumed is not None
    # WASM-020: aborted past half the budget and before twice it.  Instructions alone
    # stop at the budget (wasmtime's fuel); host calls are counted on top of them.
    assert budget // 2 < error.fuel_consumed < 2 * budget


@pytest.mark.req("WASM-020.1", "WIT-027")
def test_slow_is_stopped_by_the_abi_budget() -> None:
    error = _fails_at_step(WITS, module("actors", "slow"), g.FuelExhausted)
    assert isinstance(error, g.FuelExhausted)
    assert error.fuel_consumed is not None
    assert ABI_LIMITS.fuel // 2 < error.fuel_consumed <= ABI_LIMITS.fuel


@pytest.mark.req("WASM-020.1", "WASM-020.2", "WASM-019")
def test_the_budget_guarantees_on_both_sides() -> None:
    # 25 000 iterations of a 6-unit loop body, plus entry (1) and setup (2).
    loop = wat(
        """(module (memory (export "memory") 1)
          (func (export "step") (local $n i32)
            (local.set $n (i32.const 25000))
            (loop $l
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (br_if $l (local.get $n)))))"""
    )
    cost = 1 + 2 + 25000 * 6
    store = g.Store.memory()
    core = wasm_core(store, loop)
    at_half = WasmWits(WasmLimits(fuel=2 * cost))  # cost is exactly half the limit
    assert load(at_half, store, loop).run(first_input(store, core)).fuel == cost
    over_double = WasmWits(WasmLimits(fuel=cost // 2 - 1))  # cost exceeds twice the limit
    with pytest.raises(g.FuelExhausted):
        load(over_double, store, loop)(first_input(store, core))


# --- traps -----------------------------------------------------------------------------


@pytest.mark.req("WASM-015.1", "WASM-021")
def test_a_trap_after_effects_leaves_no_output() -> None:
    error = _fails_at_step(WITS, module("hostile", "trap"), g.WasmTrap)
    assert error.error_class == "trap"


@pytest.mark.req("WASM-007.2", "WASM-015.1")
def test_a_buffer_outside_memory_traps() -> None:
    _fails_at_step(WITS, module("hostile", "host_misuse"), g.WasmTrap)


@pytest.mark.req("WASM-015.1", "WASM-015.2")
def test_exhausting_the_call_stack_traps() -> None:
    recurse = wat(
        '(module (memory (export "memory") 1) (func $f (call $f)) (func (export "step") (call $f)))'
    )
    _fails_at_step(WITS, recurse, g.WasmTrap)


@pytest.mark.req("WASM-021", "RUN-004")
@pytest.mark.parametrize(
    ("kind", "name", "error_class"),
    [
        ("hostile", "trap", "trap"),
        ("hostile", "infinite_loop", "fuel-exhausted"),
        ("hostile", "oversized_output", "output-too-large"),
        ("hostile", "forbidden_import", "forbidden-import"),
        ("actors", "failing", "trap"),
    ],
)
def test_a_failed_wasm_step_adopts_nothing_and_keeps_messages_pending(
    kind: str, name: str, error_class: str
) -> None:
    store = g.Store.memory()
    wits = SMALL if name == "infinite_loop" else WITS
    blob = wasm_wit_blob(module(kind, name))
    store.put_object(blob)
    # The executor's hook (test actor name -> Wit): this actor's code is the module.
    ex = Executor(store, actors={"failing": _lazy(wits, store, g.object_id(blob))})
    core, objects = test_actor_core("failing")
    actor = ex.genesis(core, objects)
    ex.inject(actor, g.object_id(g.Blob(data=b"1")), {"mt": "x"}, objects=(g.Blob(data=b"1"),))
    report = ex.run_until_quiescent()
    assert [f.error_class for f in report.failures] == [error_class]
    assert ex.head(actor) is None
    assert [p.mt for p in ex.pending_for(actor)[OUTSIDE]] == ["genesis", "x"]


def _lazy(wits: WasmWits, store: g.Store, blob: g.ObjectId):  # type: ignore[no-untyped-def]
    """A Wit that loads its module when first called (so a load error is a failed step)."""

    def wit(inp):  # type: ignore[no-untyped-def]
        return wits.wit_for(store, blob)(inp)

    return wit


@pytest.mark.req("WASM-013.2", "WIT-007")
def test_linking_an_absent_object_fails_assembly() -> None:
    link = wat(
        """(module (import "gritwit" "core_link" (func $link (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "x")
          (data (i32.const 16) "%s")
          (func (export "step")
            (drop (call $link (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 64)))))"""
        % ("ab" * 32)
    )
    store = g.Store.memory()
    core = wasm_core(store, link)
    inp = first_input(store, core)
    out = load(WITS, store, link)(inp)
    assert out.core.entries["x"] == g.ObjectId.from_hex("ab" * 32)
    with pytest.raises(g.InvalidTransition):
        assemble(inp, out, store)
