"""Host calls clause by clause: copy-out, flags, marks, effects, fresh instances, limits.

Each test runs a small generated module (``_calls.py``) on the implementation and on the
in-process reference, requires the same steps and failures from both, and checks the
values the clause fixes (return codes stored as one byte each: 0, ``ff`` for -1, ``fe``
for -2; buffers copied into the core). WASM-007.3 … WASM-018.2, WASM-006.1.
"""

from __future__ import annotations

import struct
from typing import Any

import pytest
import wasmtime

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation, InProcess

from .._check import Clause, call_ok, check, check_equal, check_type, error_answer, ok_answer
from ._calls import Call, Lowering, module

pytestmark = pytest.mark.profile("wasm")

ARITY = {
    "msg_count": 0,
    "msg_sender": 3,
    "msg_header": 5,
    "mark_read": 1,
    "core_set": 6,
    "core_link": 4,
    "core_delete": 2,
    "send": 7,
    "send_object": 7,
    "query_name": 2,
    "answer": 4,
    "answer_core": 2,
}
ALICE = g.object_id(g.Blob(data=b"alice")).hex().encode()
BOB = g.object_id(g.Blob(data=b"bob")).hex().encode()
LINK = g.object_id(g.Blob(data=b"\x01")).hex().encode()
#: Where the modules below keep scratch buffers, pre-filled with 0xaa.
SCRATCH, SCRATCH_LEN = 1000, 300


def _scenario(
    impl: Implementation, wasm: bytes, state: dict[str, str], batches: list[int], clause: Clause
) -> tuple[list[Any], str, str]:
    """Genesis, then one run per batch after sending that many messages: (runs, rt, actor),
    each answer checked to be a value under ``clause``."""
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    genesis = call_ok(impl, clause, "wit-genesis", runtime=runtime, module=wasm.hex(), state=state)
    actor = str(genesis["actor"])
    runs = []
    for count in batches:
        for index in range(count):
            content = {"blob": bytes([index]).hex()}
            call_ok(
                impl, clause, "wit-send", runtime=runtime, to=actor, mt="hello", content=content
            )
        run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)
        runs.append((run["steps"], run["failures"]))
    return runs, runtime, actor


def _run(
    impl: Implementation,
    wasm: bytes,
    batches: list[int],
    clause: Clause,
    state: dict[str, str] | None = None,
) -> tuple[list[Any], str, str]:
    """:func:`_scenario` on ``impl``, whose steps and failures must be the reference's
    (checked under ``clause``)."""
    runs, runtime, actor = _scenario(impl, wasm, state or {}, batches, clause)
    oracle = InProcess()
    try:
        expected, _, _ = _scenario(oracle, wasm, state or {}, batches, clause)
    finally:
        oracle.close()
    check_equal(clause, expected, runs, "the runs' [steps, failures], as the reference's")
    return runs, runtime, actor


def _entry(impl: Implementation, runtime: str, actor: str, name: str, clause: Clause) -> bytes:
    def get(oid: str) -> g.GritObject:
        raw = call_ok(impl, clause, "wit-object", runtime=runtime, id=oid)["bytes"]
        return g.decode_object(bytes.fromhex(raw))

    head = call_ok(impl, clause, "wit-head", runtime=runtime, actor=actor)["step"]
    step = check_type(clause, get(head), g.Step, expected="a step", what="the actor's head")
    core = check_type(clause, get(step.core.hex()), g.Tree, expected="a tree", what="its core")
    blob = check_type(
        clause,
        get(core.entries[name].hex()),
        g.Blob,
        expected="a blob",
        what=f"the core entry {name!r}",
    )
    return blob.data


def _scratch_module(lowering: Lowering, body: list[str]) -> bytes:
    """``body`` in a step, memory at SCRATCH pre-filled with 0xaa, saved as the entry out."""
    fill = f"(memory.fill (i32.const {SCRATCH}) (i32.const 0xaa) (i32.const {SCRATCH_LEN}))"
    save = (
        f"(drop (call $core_set (i32.const {lowering.place(b'out')}) (i32.const 3) "
        f"(i32.const {SCRATCH}) (i32.const {SCRATCH_LEN}) (i32.const 0) (i32.const 0)))"
    )
    rc = (
        f"(drop (call $core_set (i32.const {lowering.place(b'rc')}) (i32.const 2) "
        "(i32.const 0) (i32.const 8) (i32.const 0) (i32.const 0)))"
    )
    inner = " ".join(body)
    lines = [
        f"(if (call $msg_count) (then {fill} {inner} {save} {rc} "
        "(drop (call $mark_read (i32.const 0)))))"
    ]
    return module(ARITY, lowering, {"step": lines})


@pytest.mark.smoke
@pytest.mark.req("WASM-009.2", "WASM-009.3", "WASM-007.3", "WASM-007.4")
def test_copy_out_writes_min_n_cap_bytes_and_returns_n(impl: Implementation) -> None:
    """msg_sender/msg_header write the first min(n, cap) bytes at buf, nothing more."""
    lowering = Lowering()
    calls: list[Call] = [
        ("msg_sender", [0, SCRATCH, 64]),  # the whole id
        ("msg_sender", [0, SCRATCH + 100, 10]),  # 10 of its 64 bytes
        ("msg_header", [0, b"mt", SCRATCH + 200, 2]),  # "he" of "hello"
        ("msg_header", [0, b"zz", SCRATCH + 250, 8]),  # absent: nothing written
        ("msg_header", [0, b"mt", SCRATCH + 260, 0]),  # cap 0: nothing written
    ]
    wasm = _scratch_module(lowering, lowering.calls(calls))
    _, runtime, actor = _run(impl, wasm, [0, 1], "WASM-007.4")
    rc = _entry(impl, runtime, actor, "rc", "WASM-007.4")
    out = _entry(impl, runtime, actor, "out", "WASM-007.4")
    check_equal(
        "WASM-007.4",
        bytes([64, 64, 5, 0xFF, 5]),
        rc[:5],
        "the return codes: the sender's 64 twice, 5 for hello, -1 absent, 5",
    )
    sender = out[:64]
    check(
        "WASM-009.2",
        all(c in b"0123456789abcdef" for c in sender),
        expected="the sender's id, 64 lowercase hex digits",
        came=sender,
        what="what msg_sender wrote",
    )
    aa = b"\xaa"
    check_equal("WASM-007.3", aa * 36, out[64:100], "the buffer past msg_sender's cap 64")
    check_equal("WASM-007.4", sender[:10], out[100:110], "msg_sender with cap 10: 10 bytes")
    check_equal("WASM-007.3", aa * 90, out[110:200], "the buffer past msg_sender's cap 10")
    check_equal("WASM-007.4", b"he", out[200:202], "msg_header mt with cap 2: 'he' of 'hello'")
    check_equal("WASM-007.3", aa * 48, out[202:250], "the buffer past msg_header's cap 2")
    check_equal(
        "WASM-007.3",
        aa * 50,
        out[250:300],
        "the buffers of an absent header and of a cap of 0: nothing written",
    )


INVALID_FLAGS = [2, 3, 0x80000000, 0xFFFFFFFF]


@pytest.mark.req("WASM-008.4", "WASM-012.4", "WASM-012.3", "WASM-007.5")
@pytest.mark.parametrize("flags", INVALID_FLAGS)
@pytest.mark.parametrize("function", ["send", "send_object"])
def test_a_flags_bit_other_than_bit_0_is_invalid(
    impl: Implementation, function: str, flags: int
) -> None:
    """-2 and no message for any other bit; bit 0 alone (a signal) and 0 work."""
    content: bytes = b"hi" if function == "send" else LINK
    calls: list[Call] = [
        (function, [ALICE, b"", content, 0]),
        (function, [BOB, b"", content, 1]),
        (function, [ALICE, b"", content, flags]),
        (function, [BOB, b"", content, flags]),
    ]
    lowering = Lowering()
    wasm = _scratch_module(lowering, lowering.calls(calls))
    runs, runtime, actor = _run(impl, wasm, [0, 1], "WASM-008.4", {"l": "01"})
    check_equal("WASM-008.4", [], runs[1][1], "the failures of the message's step")
    rc = _entry(impl, runtime, actor, "rc", "WASM-008.4")
    check_equal(
        "WASM-008.4",
        b"\x00\x00\xfe\xfe",
        rc[:4],
        f"the return codes of {function} with flags 0, 1, {flags:#x} twice",
    )


@pytest.mark.req("WASM-010.4", "WASM-009.7")
@pytest.mark.parametrize("index", [0, 1, 0xFFFFFFFF])
def test_mark_read_traps_when_no_message_is_visible(impl: Implementation, index: int) -> None:
    """The genesis step sees no message (genesis is hidden): every index traps."""
    lowering = Lowering()
    wasm = module(ARITY, lowering, {"step": lowering.calls([("mark_read", [index])])})
    runs, _, actor = _run(impl, wasm, [0], "WASM-010.4")
    check_equal(
        "WASM-010.4",
        [[actor, "trap"]],
        runs[0][1],
        f"the failures of mark_read({index}) with no message visible",
    )


def _marking(mark: int | None) -> bytes:
    """Saves msg_count() as the entry n; marks message ``mark`` when it is visible."""
    lowering = Lowering()
    lines = [
        "(i32.store8 (i32.const 0) (call $msg_count))",
        f"(drop (call $core_set (i32.const {lowering.place(b'n')}) (i32.const 1) "
        "(i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0)))",
    ]
    if mark is not None:
        lines.append(
            f"(if (i32.gt_u (call $msg_count) (i32.const {mark})) "
            f"(then (drop (call $mark_read (i32.const {mark})))))"
        )
    return module(ARITY, lowering, {"step": lines})


@pytest.mark.req("WASM-010.1", "WASM-010.2", "WASM-010.3")
@pytest.mark.parametrize("mark", [None, 0, 1, 2])
def test_marking_message_i_reads_the_prefix_up_to_it(
    impl: Implementation, mark: int | None
) -> None:
    """Three messages follow the genesis; marking i reads 0 … i, and nothing else is read.

    One more message is sent, and the next step sees it and the messages left:
    3 - (i + 1), or all 3 when none was marked.
    """
    _, runtime, actor = _run(impl, _marking(mark), [3, 1], "WASM-010.1")
    seen = _entry(impl, runtime, actor, "n", "WASM-010.1")
    left = 1 + (3 if mark is None else 2 - mark)
    rule = "WASM-010.3" if mark is None else "WASM-010.1"
    check_equal(
        rule,
        bytes([left]),
        seen,
        f"msg_count() of the step after marking {mark}: the messages left and the new one",
    )


#: One failing call of each kind: (call, its return code).
FAILING: dict[str, tuple[Call, int]] = {
    "core_delete-absent": (("core_delete", [b"nope"]), 0xFF),
    "core_delete-malformed": (("core_delete", [b"a//b"]), 0xFE),
    "core_set-through-a-blob": (("core_set", [b"a/b", b"x", b""]), 0xFF),
    "core_set-bad-headers": (("core_set", [b"h", b"x", b"mt"]), 0xFE),
    "core_link-through-a-blob": (("core_link", [b"a/b", LINK]), 0xFF),
    "core_link-malformed-id": (("core_link", [b"l", b"0" * 63]), 0xFE),
    "send-bad-flags": (("send", [ALICE, b"", b"x", 2]), 0xFE),
    "send_object-malformed-id": (("send_object", [ALICE, b"", b"x" * 64, 0]), 0xFE),
}


@pytest.mark.req("WASM-018.2", "WASM-007.5")
@pytest.mark.parametrize("name", sorted(FAILING))
def test_calls_that_fail_are_not_effects(impl: Implementation, name: str) -> None:
    """1025 failing calls and one core_set: over 1024 calls, but one effect."""
    call, code = FAILING[name]
    lowering = Lowering()
    lines = lowering.calls([call] * 1025)
    lines.append(
        f"(drop (call $core_set (i32.const {lowering.place(b'rc')}) (i32.const 2) "
        "(i32.const 0) (i32.const 1025) (i32.const 0) (i32.const 0)))"
    )
    wasm = module(ARITY, lowering, {"step": lines})
    runs, runtime, actor = _run(impl, wasm, [0], "WASM-018.2", {"a": "01"})
    check_equal("WASM-018.2", [], runs[0][1], f"the failures of a step of 1025 failing {name}")
    check_equal(
        "WASM-007.5",
        bytes([code]) * 1025,
        _entry(impl, runtime, actor, "rc", "WASM-018.2"),
        f"the return codes of 1025 calls of {name}",
    )


def _query(
    impl: Implementation, wasm: bytes, state: dict[str, str], clause: Clause
) -> tuple[Any, Any]:
    """The query ``q`` of the module's actor, on ``impl`` and on the reference; the
    genesis before it checked under ``clause``."""
    replies = []
    for target in (impl, InProcess()):
        runtime = str(call_ok(target, clause, "wit-open")["runtime"])
        actor = call_ok(
            target, clause, "wit-genesis", runtime=runtime, module=wasm.hex(), state=state
        )["actor"]
        ran = call_ok(target, clause, "wit-run", runtime=runtime, max_steps=1)
        check_equal(clause, [], ran["failures"], "the failures of the genesis step")
        replies.append(target.call("wit-query", runtime=runtime, actor=actor, name="q"))
        if target is not impl:
            target.close()
    return replies[0], replies[1]


#: A query's calls that are effects without output bytes (WASM-018.2).
QUERY_EFFECTS: dict[str, Call] = {
    "answer_core": ("answer_core", [b"a"]),  # the empty blob a
    "answer": ("answer", [0, 0, 0, 0]),  # no data, no headers
}


@pytest.mark.req("WASM-018.2", "WASM-018.3", "WASM-014.4", "WASM-014.5")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("kind", sorted(QUERY_EFFECTS))
@pytest.mark.parametrize(("count", "fails"), [(1024, False), (1025, True)])
@pytest.mark.req("CONV-004")
def test_answers_are_effects(impl: Implementation, kind: str, count: int, fails: bool) -> None:
    """An empty answer adds no output bytes, but each call is one effect."""
    lowering = Lowering()
    query = lowering.calls([QUERY_EFFECTS[kind]] * count)
    wasm = module(ARITY, lowering, {"step": [], "query": query})
    reply, expected = _query(impl, wasm, {"a": ""}, "WASM-018.2")
    if fails:
        error_answer(reply, "WASM-018.3", "output-too-large", f"a query of {count} {kind} calls")
    else:
        data = ok_answer(reply, "WASM-018.2", f"a query of {count} {kind} calls")["data"]
        check_equal("WASM-014.4", "", data, f"the answer of {count} empty {kind} calls")
    check_equal("WASM-018.2", expected.ok, reply.ok, "whether the query answered, as the reference")


@pytest.mark.req("WASM-018.2", "WASM-007.5", "WASM-014.4", "WASM-014.5")
def test_failing_answers_are_not_effects(impl: Implementation) -> None:
    """1025 answers with a malformed header block, 1025 absent answer_core, then one."""
    lowering = Lowering()
    bad_answer: Call = ("answer", [b"x", b"mt"])
    absent: Call = ("answer_core", [b"nope"])
    calls = [bad_answer] * 1025 + [absent] * 1025
    lines = lowering.calls(calls)
    lines.append("(drop (call $answer (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 0)))")
    wasm = module(ARITY, lowering, {"step": [], "query": lines}, pages=1)
    reply, _ = _query(impl, wasm, {"a": ""}, "WASM-018.2")
    data = ok_answer(reply, "WASM-018.2", "a query of 2050 failing answers, then one")["data"]
    check_equal(
        "WASM-007.5",
        b"\xfe\xfe\xfe\xfe",
        bytes.fromhex(data),
        "the last answer: the first four return codes, -2 each",
    )


def _fresh_module() -> bytes:
    """A mutable global incremented by every step and query; steps save it as g."""
    lowering = Lowering()
    bump = (
        "(global.set $g (i32.add (global.get $g) (i32.const 1))) "
        "(i32.store8 (i32.const 0) (global.get $g))"
    )
    step = [
        bump,
        f"(drop (call $core_set (i32.const {lowering.place(b'g')}) (i32.const 1) "
        "(i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0)))",
        "(if (call $msg_count) (then (drop (call $mark_read (i32.const 0)))))",
    ]
    query = [bump, "(drop (call $answer (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0)))"]
    imports = " ".join(
        f'(import "gritwit" "{n}" (func ${n} (param{" i32" * a}) (result i32)))'
        for n, a in ARITY.items()
    )
    data = " ".join(
        f'(data (i32.const {at}) "{"".join(chr(92) + format(b, "02x") for b in const)}")'
        for const, at in lowering.placed.items()
    )
    wat = (
        f'(module {imports} (memory (export "memory") 1) (global $g (mut i32) (i32.const 0)) '
        f'{data} (func (export "step") {" ".join(step)}) (func (export "query") {" ".join(query)}))'
    )
    return bytes(wasmtime.wat2wasm(wat))


@pytest.mark.smoke
@pytest.mark.req("WASM-005.1", "WASM-014.1")
def test_every_step_and_query_gets_a_fresh_instance(impl: Implementation) -> None:
    """A global a call increments is 1 in every call: nothing survives the call."""
    runs, runtime, actor = _run(impl, _fresh_module(), [0, 1, 1], "WASM-005.1")
    check_equal(
        "WASM-005.1", [[]] * len(runs), [failures for _, failures in runs], "the runs' failures"
    )
    check_equal(
        "WASM-005.1",
        b"\x01",
        _entry(impl, runtime, actor, "g", "WASM-005.1"),
        "the global the last step saw: 1, nothing of an earlier call",
    )
    for _ in range(2):
        answer = call_ok(impl, "WASM-014.1", "wit-query", runtime=runtime, actor=actor, name="q")
        check_equal(
            "WASM-014.1",
            "01",
            answer["data"],
            "the global the query saw: 1, nothing of an earlier call",
        )


def _grow_module(kind: str) -> bytes:
    """Grows a table from 9999 (or memory from 255 pages) by 1 twice; saves results as t."""
    if kind == "table":
        decl = '(memory (export "memory") 1) (table $t 9999 funcref)'
        grow = "(table.grow $t (ref.null func) (i32.const 1))"
        size = "(table.size $t)"
    else:
        decl = '(memory (export "memory") 255)'
        grow = "(memory.grow (i32.const 1))"
        size = "(memory.size)"
    wat = (
        '(module (import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) '
        f'(result i32))) {decl} (data (i32.const 100) "t") (func (export "step") '
        f"(i32.store (i32.const 0) {grow}) (i32.store (i32.const 4) {grow}) "
        f"(i32.store (i32.const 8) {size}) "
        "(drop (call $core_set (i32.const 100) (i32.const 1) (i32.const 0) (i32.const 12) "
        "(i32.const 0) (i32.const 0)))))"
    )
    return bytes(wasmtime.wat2wasm(wat))


@pytest.mark.smoke
@pytest.mark.req("WASM-017.1", "WASM-017.2", "WASM-016")
@pytest.mark.parametrize("kind", ["table", "memory"])
def test_growing_beyond_the_limit_returns_minus_1_and_changes_nothing(
    impl: Implementation, kind: str
) -> None:
    """Up to the limit (10 000 elements, 256 pages, WASM-016's) grows; one more returns -1."""
    rule = ("WASM-017.2" if kind == "table" else "WASM-017.1", "WASM-016")
    runs, runtime, actor = _run(impl, _grow_module(kind), [0], rule)
    check_equal(rule, [], runs[0][1], "the failures of the growing step")
    old, refused, size = struct.unpack("<iii", _entry(impl, runtime, actor, "t", rule))
    limit = 10_000 if kind == "table" else 256
    check_equal(
        rule,
        [limit - 1, -1, limit],
        [old, refused, size],
        f"the {kind}'s [old size, second grow, size after]",
    )


F32_NAN, F64_NAN = b"\x00\x00\xc0\x7f", b"\x00" * 6 + b"\xf8\x7f"
#: f32/f64 computations whose result is a NaN; its bits must be the canonical NaN.
NANS: dict[str, str] = {
    "f32-0/0": "(f32.div (f32.const 0) (f32.const 0))",
    "f32-sqrt-neg": "(f32.sqrt (f32.const -1))",
    "f32-payload": "(f32.add (f32.reinterpret_i32 (i32.const 0x7fc00001)) (f32.const 1))",
    "f32-negative": "(f32.mul (f32.reinterpret_i32 (i32.const 0xffc00000)) (f32.const 1))",
    "f64-0/0": "(f64.div (f64.const 0) (f64.const 0))",
    "f64-payload": "(f64.sub (f64.reinterpret_i64 (i64.const 0xfff8000000000001)) (f64.const 1))",
}


@pytest.mark.smoke
@pytest.mark.req("WASM-006.1")
@pytest.mark.parametrize("name", sorted(NANS))
def test_every_nan_an_instruction_produces_is_canonical(impl: Implementation, name: str) -> None:
    expression = NANS[name]
    if name.startswith("f32"):
        store, bits = f"(i32.store (i32.const 0) (i32.reinterpret_f32 {expression}))", F32_NAN
    else:
        store, bits = f"(i64.store (i32.const 0) (i64.reinterpret_f64 {expression}))", F64_NAN
    wat = (
        '(module (import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) '
        '(result i32))) (memory (export "memory") 1) (data (i32.const 100) "nan") '
        f'(func (export "step") {store} (drop (call $core_set (i32.const 100) (i32.const 3) '
        f"(i32.const 0) (i32.const {len(bits)}) (i32.const 0) (i32.const 0)))))"
    )
    _, runtime, actor = _run(impl, bytes(wasmtime.wat2wasm(wat)), [0], "WASM-006.1")
    found = _entry(impl, runtime, actor, "nan", "WASM-006.1")
    check_equal("WASM-006.1", bits, found, f"the bits (little-endian) of {name}: the canonical NaN")
