"""The host's share of a call's cost, and what a step writes into its core, at the edges.

WASM-019 charges a host call 10 000 units plus one per byte it copies in or out, and
WASM-020.1 bounds the *whole* cost: instructions and host calls together must not pass
twice the fuel limit.  A check made once per host call, before its copy, bounds a loop
of calls but not the bytes of the last one: a step that spends most of the limit on
instructions and most of it again on host calls, then makes one call copying megabytes
and returns, costs more than twice the limit and MUST end ``fuel-exhausted`` — the
copy itself has to be charged and checked.  The costs below are computed from WASM-019
and stay far beyond twice the limit (WASM-020.3).

A tree a step writes is built by the host; its entries are in canonical order however
the guest wrote them (OBJ-009), which a guest can see: ``msg_entry`` lists a tree's
entries in that order (WASM-009.6).  Actor A writes ``t/c`` before ``t/b`` and sends
``t`` to actor B, which saves the first name it lists — also on the runtime, which may
serve the tree from what it kept in memory rather than from its encoding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import wasmtime

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, check_type, suite_premise
from ._calls import Lowering, module

pytestmark = pytest.mark.profile("wasm")

LIMIT = 100_000_000
TWICE = 2 * LIMIT
HOST_CALL = 10_000
MiB = 1024 * 1024
#: The whole memory a call may have (WASM-016): 256 pages.
MEMORY = 256 * 65536


def _genesis(impl: Implementation, wat: str, state: dict[str, str]) -> tuple[list[Any], str]:
    """The failures of the genesis step of ``wat`` over ``state``, and the actor."""
    clause = "WASM-019"  # both tests judge a cost; a refused command breaks it
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    wasm = bytes(wasmtime.wat2wasm(wat)).hex()
    made = call_ok(impl, clause, "wit-genesis", runtime=runtime, module=wasm, state=state)
    actor = str(made["actor"])
    run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)
    failures: list[Any] = run["failures"]
    call_ok(impl, clause, "wit-close", runtime=runtime)
    return failures, actor


def _spin(iterations: int) -> str:
    """A counted loop: 8 units an iteration (``loop`` and ``end`` are free, WASM-019)."""
    return (
        "(local.set $i (i32.const 0)) "
        "(loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) "
        f"(br_if $l (i32.lt_u (local.get $i) (i32.const {iterations}))))"
    )


def _read(path: int, path_len: int, buf: int, cap: int) -> str:
    return (
        f"(drop (call $core_read (i32.const {path}) (i32.const {path_len}) "
        f"(i32.const {buf}) (i32.const {cap})))"
    )


def _step_module(body: list[str]) -> str:
    return (
        '(module (import "gritwit" "core_read" '
        "(func $core_read (param i32 i32 i32 i32) (result i32))) "
        f'(memory (export "memory") 256) (data (i32.const 0) "b") '
        f'(func (export "step") (local $i i32) {" ".join(body)}))'
    )


@pytest.mark.req("WASM-019", "WASM-020.1", "WASM-011.2")
def test_one_last_copy_in_past_twice_the_limit_is_fuel_exhausted(impl: Implementation) -> None:
    """90 M units of instructions, then ``core_read`` calls whose paths (garbage: each
    returns −2 after the copy) copy in 99.8 M bytes, then one more copying in the whole
    16 MiB memory: more than 206 M units, so the call must end ``fuel-exhausted`` even
    though every host call started within the limit and the step returns normally.
    """
    spin = 11_250_000
    paths = [MEMORY] * 5 + [15_900_000]
    before = sum(HOST_CALL + n for n in paths)  # 99 846 080: the last call starts within it
    suite_premise(before + HOST_CALL <= LIMIT, "the last call starts within the limit")
    cost = 1 + 8 * spin + before + HOST_CALL + MEMORY  # instructions around calls not counted
    suite_premise(cost > TWICE + 6_000_000, "the step costs well past twice the limit")
    body = [_spin(spin), *(_read(0, n, 0, 0) for n in paths), _read(0, MEMORY, 0, 0)]
    failures, actor = _genesis(impl, _step_module(body), {})
    check_equal(
        ("WASM-019", "WASM-020.1", "WASM-011.2"),
        [[actor, "fuel-exhausted"]],
        failures,
        f"the failures of a step whose last copy in brings it past {cost} units, twice "
        "the fuel limit",
    )


@pytest.mark.req("WASM-019", "WASM-020.1", "WASM-007.4", "WASM-011.2")
def test_one_last_copy_out_past_twice_the_limit_is_fuel_exhausted(impl: Implementation) -> None:
    """98 M units of instructions, then ``core_read`` calls of a 4 MiB blob costing
    99.98 M units in all, then one more copying out the whole blob: more than 202 M units.
    """
    blob = 4 * MiB
    spin = 12_250_000
    caps = [blob] * 23 + [3_270_984]
    before = sum(HOST_CALL + 1 + cap for cap in caps)  # the 1-byte path "b" copied in too
    suite_premise(
        before == 99_980_000 and before + HOST_CALL + 1 <= LIMIT,
        "the last call starts within the limit",
    )
    cost = 1 + 8 * spin + before + HOST_CALL + 1 + blob
    suite_premise(cost > TWICE + 2_000_000, "the step costs well past twice the limit")
    body = [_spin(spin), *(_read(0, 1, 65536, cap) for cap in caps), _read(0, 1, 65536, blob)]
    failures, actor = _genesis(impl, _step_module(body), {"b": "5a" * blob})
    check_equal(
        ("WASM-019", "WASM-020.1", "WASM-007.4"),
        [[actor, "fuel-exhausted"]],
        failures,
        f"the failures of a step whose last copy out brings it past {cost} units, twice "
        "the fuel limit",
    )


ONE = g.Blob(data=b"\x01")
#: The tree ``t`` that actor A below writes, ``c`` first: its id, canonical (OBJ-009).
T_ID = g.object_id(g.Tree(entries={"b": g.object_id(ONE), "c": g.object_id(ONE)}))


def _reader() -> bytes:
    """Actor B: on a message, saves the first entry name (WASM-009.6) of its content."""
    lowering = Lowering()
    first = lowering.place(b"first")
    body = [
        "(if (call $msg_count) (then "
        "(drop (call $msg_entry (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) "
        "(i32.const 100) (i32.const 8))) "
        f"(drop (call $core_set (i32.const {first}) (i32.const 5) (i32.const 100) "
        "(i32.const 1) (i32.const 0) (i32.const 0))) "
        "(drop (call $mark_read (i32.const 0)))))"
    ]
    imports = {"msg_count": 0, "mark_read": 1, "core_set": 6, "msg_entry": 6}
    return module(imports, lowering, {"step": body})


def _writer(reader: str) -> bytes:
    """Actor A: on its first message writes ``t/c`` then ``t/b``; on the next one sends
    the tree ``t`` (by the id computed here) to ``reader``."""
    lowering = Lowering()
    one, tb, tc = lowering.place(b"\x01"), lowering.place(b"t/b"), lowering.place(b"t/c")
    to, hdrs, tree = (
        lowering.place(reader.encode()),
        lowering.place(b"mt\0go\0"),
        lowering.place(T_ID.hex().encode()),
    )

    def put(path: int) -> str:
        return (
            f"(drop (call $core_set (i32.const {path}) (i32.const 3) (i32.const {one}) "
            "(i32.const 1) (i32.const 0) (i32.const 0)))"
        )

    send = (
        f"(drop (call $send_object (i32.const {to}) (i32.const 64) (i32.const {hdrs}) "
        f"(i32.const 6) (i32.const {tree}) (i32.const 64) (i32.const 0)))"
    )
    body = [
        "(if (call $msg_count) (then "
        f"(if (i32.eq (call $core_read (i32.const {tb}) (i32.const 3) (i32.const 0) "
        f"(i32.const 0)) (i32.const -1)) (then {put(tc)} {put(tb)}) (else {send})) "
        "(drop (call $mark_read (i32.const 0)))))"
    ]
    imports = {"msg_count": 0, "mark_read": 1, "core_set": 6, "core_read": 4, "send_object": 7}
    return module(imports, lowering, {"step": body})


def _first_entry(impl: Implementation, prefix: str, top: dict[str, Any]) -> bytes:
    """A writes ``t/c`` then ``t/b`` and sends ``t`` to B; B's saved first entry name."""
    clause = "WASM-011.3"
    runtime = str(call_ok(impl, clause, f"{prefix}-open", **top)["runtime"])
    made = call_ok(
        impl, clause, f"{prefix}-genesis", runtime=runtime, module=_reader().hex(), state={}
    )
    reader = str(made["actor"])
    wasm = _writer(reader).hex()
    writer = call_ok(
        impl, clause, f"{prefix}-genesis", runtime=runtime, module=wasm, state={"a": "01"}
    )
    for index in range(3):
        if index:
            content = {"blob": "01"}
            to = writer["actor"]
            call_ok(
                impl, clause, f"{prefix}-send", runtime=runtime, to=to, mt="go", content=content
            )
        run = call_ok(impl, clause, f"{prefix}-run", runtime=runtime, max_steps=10)
        check_equal(
            "WASM-011.3", [], run["failures"], "the failures of the writer's and reader's run"
        )

    def get(oid: str) -> g.GritObject:
        raw = call_ok(impl, clause, f"{prefix}-object", runtime=runtime, id=oid)["bytes"]
        return g.decode_object(bytes.fromhex(raw))

    step = get(call_ok(impl, clause, f"{prefix}-head", runtime=runtime, actor=reader)["step"])
    step = check_type("WASM-011.3", step, g.Step, expected="a step", what="the reader's head")
    core = check_type(
        "WASM-011.3", get(step.core.hex()), g.Tree, expected="a tree", what="the reader's core"
    )
    check(
        "WASM-011.3",
        "first" in core.entries,
        expected="a core with the entry first",
        came=sorted(core.entries),
        what="the entries of the reader's core",
    )
    blob = check_type(
        "WASM-011.3",
        get(core.entries["first"].hex()),
        g.Blob,
        expected="a blob",
        what="the reader's entry first",
    )
    call_ok(impl, clause, f"{prefix}-close", runtime=runtime)
    return blob.data


@pytest.mark.req("WASM-011.3", "WASM-011.7", "WASM-009.6")
def test_a_tree_written_out_of_order_lists_its_entries_in_canonical_order(
    impl: Implementation,
) -> None:
    """A writes ``t/c`` then ``t/b`` and sends ``t`` to B: B's first entry is ``b``."""
    check_equal(
        ("WASM-009.6", "WASM-011.7"),
        "b",
        _first_entry(impl, "wit", {}).decode("utf-8", "replace"),
        "the first entry msg_entry lists of the tree t written c, then b",
    )


@pytest.mark.profile("runtime")
@pytest.mark.req("WASM-011.3", "WASM-011.7", "WASM-009.6")
def test_on_the_runtime_a_tree_written_out_of_order_lists_in_canonical_order(
    impl: Implementation, tmp_path: Path
) -> None:
    """The same on the runtime, which may keep the new objects in memory between steps:
    what it keeps must be the tree the step built, its entries in canonical order."""
    check_equal(
        ("WASM-009.6", "WASM-011.7"),
        "b",
        _first_entry(impl, "rt", {"path": str(tmp_path)}).decode("utf-8", "replace"),
        "the first entry msg_entry lists of the tree t written c, then b, on the runtime",
    )
