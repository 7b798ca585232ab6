"""The host functions of ABI 1, one behaviour at a time (WASM-005 … WASM-014, WASM-019).

Small modules written inline in the text format call the host and record what
they got in their core; the expectations are worked out from the spec, not
from the host's code.
"""

# ruff: noqa: E501 - the inline modules are WebAssembly text, one call per line

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wasm_support import first_input, load, message, module, put, text, wasm_core, wat

import gritwit as g
from gritwit.wasm import WasmWits
from gritwit.wit import OUTSIDE, PendingMessage, QueryInput, TransitionInput, assemble

WITS = WasmWits()

_IMPORTS = {
    "msg_count": 0, "msg_sender": 3, "msg_header": 5, "msg_content": 5, "msg_read": 5,
    "msg_entry": 6, "mark_read": 1, "core_read": 4, "core_set": 6, "core_link": 4,
    "core_delete": 2, "send": 7, "send_object": 7, "query_name": 2, "answer": 4,
    "answer_core": 2,
}  # fmt: skip


def _module(body: str, data: str = "", query: str = "") -> bytes:
    """A module importing every host function as ``$name``, with ``body`` as its step."""
    imports = "\n".join(
        f'(import "gritwit" "{n}" (func ${n} (param{" i32" * k}) (result i32)))'
        for n, k in _IMPORTS.items()
    )
    exports = f'(func (export "query") {query})' if query else ""
    return wat(
        f'(module {imports} (memory (export "memory") 1) {data}'
        f' (func (export "step") (local $a i32) (local $b i32) {body}) {exports})'
    )


def _created(out: object, entry: str) -> bytes:
    """The data of the blob the step put at core entry ``entry``."""
    core = out.core  # type: ignore[attr-defined]
    blobs = {g.object_id(o): o for o in out.new_objects}  # type: ignore[attr-defined]
    blob = blobs[core.entries[entry]]
    assert isinstance(blob, g.Blob)
    return blob.data


def _step(
    wasm: bytes,
    pending: dict[g.ObjectId, list[PendingMessage]] | None = None,
    store: g.Store | None = None,
    **state: g.GritObject,
):  # type: ignore[no-untyped-def]
    store = store or g.Store.memory()
    core = wasm_core(store, wasm, state)
    inp = first_input(store, core, {s: items for s, items in (pending or {}).items()})
    return store, inp, load(WITS, store, wasm)(inp)


# Stores the i32 in $a as 4 little-endian bytes at 1000 + 4 * index.
def _keep(index: int) -> str:
    return f"(i32.store (i32.const {1000 + 4 * index}) (local.get $a))"


def _codes(out: object, n: int) -> list[int]:
    return list(struct.unpack(f"<{n}i", _created(out, "codes")))


_SAVE = "(drop (call $core_set (i32.const 900) (i32.const 5) (i32.const 1000) (i32.const {n}) (i32.const 0) (i32.const 0)))"
_CODES = '(data (i32.const 900) "codes")'


@pytest.mark.req("WASM-005.1")
def test_every_call_gets_a_fresh_instance() -> None:
    # A global incremented by each step: a reused instance would record 2 the second time.
    wasm = wat(
        """(module
          (import "gritwit" "core_set" (func $set (param i32 i32 i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1) (global $n (mut i32) (i32.const 0))
          (data (i32.const 0) "n") (data (i32.const 8) "\\00")
          (func (export "step")
            (global.set $n (i32.add (global.get $n) (i32.const 1)))
            (i32.store8 (i32.const 8) (i32.add (i32.load8_u (i32.const 8)) (global.get $n)))
            (drop (call $set (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 0) (i32.const 0)))))"""
    )
    store = g.Store.memory()
    core = wasm_core(store, wasm)
    wit = load(WITS, store, wasm)
    assert [_created(wit(first_input(store, core)), "n") for _ in range(2)] == [b"\x01", b"\x01"]


@pytest.mark.req("WASM-005.2", "WASM-020.1")
def test_the_start_function_runs_under_the_call_limits() -> None:
    wasm = wat(
        '(module (memory (export "memory") 1) (func $s (loop $l (br $l))) (start $s)'
        ' (func (export "step")))'
    )
    store = g.Store.memory()
    core = wasm_core(store, wasm)
    with pytest.raises(g.FuelExhausted):
        load(WasmWits(g_limits(fuel=10_000)), store, wasm)(first_input(store, core))


def g_limits(**kw: int):  # type: ignore[no-untyped-def]
    from gritwit.wasm import WasmLimits

    return WasmLimits(**kw)


@pytest.mark.req("WASM-006.1")
def test_nans_are_canonical() -> None:
    # 0/0 computed from a runtime zero (msg_count of a step without messages): x86
    # hardware gives the negative default NaN; the ABI demands the canonical one.
    body = (
        "(f32.store (i32.const 1000) (f32.div (f32.convert_i32_u (call $msg_count))"
        " (f32.convert_i32_u (call $msg_count))))"
        "(f64.store (i32.const 1004) (f64.div (f64.convert_i32_u (call $msg_count))"
        " (f64.convert_i32_u (call $msg_count))))"
        "(f32.store (i32.const 1012) (f32.sqrt (f32.const -1)))" + _SAVE.format(n=16)
    )
    _, _, out = _step(_module(body, _CODES))
    data = _created(out, "codes")
    assert data[0:4] == struct.pack("<I", 0x7FC00000)
    assert data[4:12] == struct.pack("<Q", 0x7FF8000000000000)
    assert data[12:16] == struct.pack("<I", 0x7FC00000)


@pytest.mark.req("WASM-007")
@given(size=st.integers(0, 300), cap=st.integers(0, 300))
@settings(max_examples=40)
def test_copy_out_writes_at_most_cap_and_returns_the_full_length(size: int, cap: int) -> None:
    value = bytes((i * 7 + 1) % 256 for i in range(size))
    body = (
        f"(local.set $a (call $core_read (i32.const 900) (i32.const 3) (i32.const 2000) (i32.const {cap})))"
        + _keep(0)
        + "(drop (call $core_set (i32.const 904) (i32.const 4) (i32.const 2000) (i32.const 400) (i32.const 0) (i32.const 0)))"
        + _SAVE.format(n=4).replace(
            "(i32.const 900) (i32.const 5)", "(i32.const 910) (i32.const 5)"
        )
    )
    data = (
        '(data (i32.const 900) "big") (data (i32.const 904) "view") (data (i32.const 910) "codes")'
    )
    _, _, out = _step(_module(body, data), big=g.Blob(data=value))
    assert _codes(out, 1) == [size]
    copied = min(size, cap)
    assert _created(out, "view") == value[:copied] + bytes(400 - copied)


@pytest.mark.req("WASM-007.5", "WASM-008.1", "WASM-008.2", "WASM-008.3", "WASM-011.6")
def test_absent_and_invalid_results_have_no_effect() -> None:
    calls = [
        # 0: a path through a blob (wit): absent
        '(call $core_set (i32.const 100) (i32.const 5) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0))',
        # 1: an empty path: invalid
        '(call $core_set (i32.const 100) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0))',
        # 2: "a//b": invalid
        '(call $core_set (i32.const 120) (i32.const 4) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0))',
        # 3: a header block without its value: invalid
        '(call $core_set (i32.const 130) (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 140) (i32.const 3))',
        # 4: core_read of an absent entry: absent
        '(call $core_read (i32.const 130) (i32.const 1) (i32.const 0) (i32.const 0))',
        # 5: core_delete of an absent entry: absent
        '(call $core_delete (i32.const 130) (i32.const 1))',
        # 6: send to a malformed id: invalid
        '(call $send (i32.const 150) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0))',
        # 7: send with an unknown flag: invalid
        '(call $send (i32.const 200) (i32.const 64) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 2))',
        # 8: core_link to a malformed id: invalid
        '(call $core_link (i32.const 130) (i32.const 1) (i32.const 150) (i32.const 2))',
        # 9: a header the message does not have: absent
        '(call $msg_header (i32.const 0) (i32.const 130) (i32.const 1) (i32.const 0) (i32.const 0))',
        # 10: an entry of a blob: absent
        '(call $msg_entry (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))',
        # 11: a valid send, for contrast
        '(call $send (i32.const 200) (i32.const 64) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0))',
    ]  # fmt: skip
    body = "".join(f"(local.set $a {c}){_keep(i)}" for i, c in enumerate(calls))
    sender = g.ObjectId(bytes(range(32)))
    data = (
        '(data (i32.const 100) "wit/x") (data (i32.const 120) "a//b") (data (i32.const 130) "q")'
        '(data (i32.const 140) "mt\\00") (data (i32.const 150) "zz")'
        f'(data (i32.const 200) "{sender.hex()}")' + _CODES
    )
    store = g.Store.memory()
    wasm = _module(body + _SAVE.format(n=4 * len(calls)), data)
    core = wasm_core(store, wasm)
    inp = first_input(store, core, {sender: [text(store, "x", "payload")]})
    out = load(WITS, store, wasm)(inp)
    assert _codes(out, len(calls)) == [-1, -2, -2, -2, -1, -1, -2, -2, -2, -1, -1, 0]
    assert set(out.core.entries) == {"wit", "codes"}
    assert [(s.recipient, dict(s.headers)) for s in out.sends] == [(sender, {})]
    assert out.read == {OUTSIDE: 1}  # the genesis only: the guest marked nothing


@pytest.mark.req("WASM-007", "WASM-009")
@pytest.mark.parametrize(
    "call",
    [
        "(call $msg_sender (i32.const 0) (i32.const 65500) (i32.const 64))",
        "(call $msg_sender (i32.const 1) (i32.const 0) (i32.const 64))",
        "(call $mark_read (i32.const -1))",
        "(call $core_read (i32.const 65530) (i32.const 10) (i32.const 0) (i32.const 0))",
    ],
    ids=["buffer-past-end", "index-too-large", "negative-index", "path-past-end"],
)
def test_bad_pointers_and_indexes_trap(call: str) -> None:
    store = g.Store.memory()
    wasm = _module(f"(drop {call})")
    core = wasm_core(store, wasm)
    inp = first_input(store, core, {OUTSIDE: [text(store, "x", "1")]})
    with pytest.raises(g.WasmTrap):
        load(WITS, store, wasm)(inp)


@pytest.mark.req("WASM-009.1", "WASM-010.2", "WASM-012")
def test_messages_are_seen_by_sender_id_then_age_and_genesis_is_hidden() -> None:
    store = g.Store.memory()
    wasm = module("actors", "echo")
    core = wasm_core(store, wasm)
    late, early = g.ObjectId(b"\xff" * 32), g.ObjectId(b"\x01" * 32)
    a1, a2 = text(store, "m", "a1"), text(store, "m", "a2")
    b1 = text(store, "m", "b1")
    inp = first_input(store, core)
    genesis = inp.pending[OUTSIDE][0]
    outside = (text(store, "m", "o1"), genesis, text(store, "m", "o2"), genesis)
    pending = {late: (b1,), OUTSIDE: outside, early: (a1, a2)}  # not in id order
    inp = TransitionInput(
        actor=inp.actor, last_step=None, core=core, pending=pending, objects=inp.objects
    )
    out = load(WITS, store, wasm)(inp)
    got = [(s.recipient, s.content) for s in out.sends]
    expected = [
        (OUTSIDE, outside[0].message.content),
        (OUTSIDE, outside[2].message.content),
        (early, a1.message.content),
        (early, a2.message.content),
        (late, b1.message.content),
    ]
    assert got == expected
    assert all(dict(s.headers) == {"mt": "echo"} and not s.signal for s in out.sends)
    assert out.read == {OUTSIDE: 4, early: 2, late: 1}  # the trailing genesis too


@pytest.mark.req("WASM-010")
@pytest.mark.parametrize(
    ("marks", "expected"),
    [((), 1), ((0,), 3), ((1,), 4), ((0, 1), 4)],
)
def test_mark_read_reads_a_prefix_and_the_genesis_after_it(
    marks: tuple[int, ...], expected: int
) -> None:
    # Outside's pending list: genesis, x, genesis, y, z — visible: x (0), y (1), z (2).
    store = g.Store.memory()
    body = "".join(f"(drop (call $mark_read (i32.const {i})))" for i in marks)
    wasm = _module(body)
    core = wasm_core(store, wasm)
    inp = first_input(store, core)
    genesis = inp.pending[OUTSIDE][0]
    items = (genesis, text(store, "x", ""), genesis, text(store, "y", ""), text(store, "z", ""))
    inp = TransitionInput(
        actor=inp.actor, last_step=None, core=core, pending={OUTSIDE: items}, objects=inp.objects
    )
    out = load(WITS, store, wasm)(inp)
    assert out.read == {OUTSIDE: expected}


@pytest.mark.req("WASM-009.4", "WASM-009.5", "WASM-009.6")
def test_message_content_paths_and_entries() -> None:
    store = g.Store.memory()
    leaf = g.Blob(data=b"deep", headers={"k": "v"})
    inner = g.Tree(entries={"leaf": put(store, leaf)})
    top = g.Tree(entries={"bb": put(store, inner), "a": put(store, g.Blob(data=b"A"))})
    msg = message(store, "m", top)
    body = (
        # 0,1: the entries of the content in canonical order ("a" before "bb")
        "(local.set $a (call $msg_entry (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1100) (i32.const 8)))" + _keep(0)
        + "(local.set $a (call $msg_entry (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 1108) (i32.const 8)))" + _keep(1)
        # 2: past the last entry: absent
        + "(local.set $a (call $msg_entry (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 2) (i32.const 0) (i32.const 0)))" + _keep(2)
        # 3: the data at bb/leaf
        + "(local.set $a (call $msg_read (i32.const 0) (i32.const 100) (i32.const 7) (i32.const 1116) (i32.const 8)))" + _keep(3)
        # 4: the id at bb/leaf, text form
        + "(local.set $a (call $msg_content (i32.const 0) (i32.const 100) (i32.const 7) (i32.const 1200) (i32.const 64)))" + _keep(4)
        # 5: reading a tree as data: absent
        + "(local.set $a (call $msg_read (i32.const 0) (i32.const 100) (i32.const 2) (i32.const 0) (i32.const 0)))" + _keep(5)
        # 6: the entries of another tree in the same call: bb's only entry
        + "(local.set $a (call $msg_entry (i32.const 0) (i32.const 100) (i32.const 2) (i32.const 0) (i32.const 1124) (i32.const 8)))" + _keep(6)
        + "(drop (call $core_set (i32.const 900) (i32.const 5) (i32.const 1000) (i32.const 264) (i32.const 0) (i32.const 0)))"
    )  # fmt: skip
    wasm = _module(body, '(data (i32.const 100) "bb/leaf")' + _CODES)
    _, _, out = _step(wasm, {g.ObjectId(b"\x05" * 32): [msg]}, store)
    data = _created(out, "codes")
    assert list(struct.unpack("<7i", data[:28])) == [1, 2, -1, 4, 64, -1, 4]
    assert data[100:101] == b"a" and data[108:110] == b"bb" and data[116:120] == b"deep"
    assert data[124:128] == b"leaf"
    assert data[200:264] == g.object_id(leaf).hex().encode()


@pytest.mark.req("WASM-011.1", "WASM-011.3", "WASM-011.5")
def test_core_paths_write_read_back_and_delete_empty_trees() -> None:
    body = (
        # a/b/c := "xyz" (creating a and a/b), read it back into "echo"
        "(drop (call $core_set (i32.const 100) (i32.const 5) (i32.const 120) (i32.const 3) (i32.const 130) (i32.const 4)))"
        "(local.set $a (call $core_read (i32.const 100) (i32.const 5) (i32.const 1000) (i32.const 16)))"
        "(drop (call $core_set (i32.const 140) (i32.const 4) (i32.const 1000) (local.get $a) (i32.const 0) (i32.const 0)))"
        # delete d/e, the only entry of d: d disappears; keep/f stays
        "(drop (call $core_delete (i32.const 150) (i32.const 3)))"
        "(drop (call $core_delete (i32.const 160) (i32.const 6)))"
    )
    data = (
        '(data (i32.const 100) "a/b/c") (data (i32.const 120) "xyz") (data (i32.const 130) "h\\00v\\00")'
        '(data (i32.const 140) "echo") (data (i32.const 150) "d/e") (data (i32.const 160) "keep/g")'
    )
    store = g.Store.memory()
    blob = g.Blob(data=b"e")
    d = g.Tree(entries={"e": put(store, blob)})
    keep = g.Tree(entries={"f": put(store, blob), "g": put(store, blob)})
    _, inp, out = _step(_module(body, data), store=store, d=d, keep=keep)
    assert set(out.core.entries) == {"wit", "a", "echo", "keep"}
    objects = {g.object_id(o): o for o in out.new_objects}
    a = objects[out.core.entries["a"]]
    b = objects[a.entries["b"]]  # type: ignore[union-attr]
    assert objects[b.entries["c"]] == g.Blob(data=b"xyz", headers={"h": "v"})  # type: ignore[union-attr]
    assert objects[out.core.entries["echo"]] == g.Blob(data=b"xyz")
    assert objects[out.core.entries["keep"]] == g.Tree(entries={"f": g.object_id(blob)})
    assemble(inp, out, inp.objects)  # and the output assembles into a valid step (WASM-013)


@pytest.mark.req("WASM-007", "WASM-011")
def test_a_path_of_any_depth_creates_its_trees() -> None:
    """A path deeper than Python's recursion limit; an edited tree on it reads as absent."""
    depth = 3000
    size = 2 * depth - 1  # "a/a/…/a" at 10000
    body = (
        "(loop $l (i32.store8 (i32.add (i32.const 10000) (local.get $b))"
        " (select (i32.const 47) (i32.const 97) (i32.and (local.get $b) (i32.const 1))))"
        f" (local.set $b (i32.add (local.get $b) (i32.const 1))) (br_if $l (i32.lt_u (local.get $b) (i32.const {size}))))"
        # 0: set the whole path to "leaf"; 1: read "a", a tree being edited: absent; 2: read the leaf
        f"(local.set $a (call $core_set (i32.const 10000) (i32.const {size}) (i32.const 120) (i32.const 4) (i32.const 0) (i32.const 0)))" + _keep(0)
        + "(local.set $a (call $core_read (i32.const 10000) (i32.const 1) (i32.const 0) (i32.const 0)))" + _keep(1)
        + f"(local.set $a (call $core_read (i32.const 10000) (i32.const {size}) (i32.const 0) (i32.const 0)))" + _keep(2)
        + _SAVE.format(n=12)
    )  # fmt: skip
    _, _, out = _step(_module(body, '(data (i32.const 120) "leaf")' + _CODES))
    assert _codes(out, 3) == [0, -1, 4]
    expected = [g.object_id(g.Blob(data=b"leaf"))]
    for _ in range(depth - 1):
        expected.append(g.object_id(g.Tree(entries={"a": expected[-1]})))
    assert out.core.entries["a"] == expected[-1]
    assert set(expected) <= {g.object_id(o) for o in out.new_objects}


@pytest.mark.req("WASM-012.2", "WASM-012.3", "WASM-013.1")
def test_signals_and_forwarded_objects() -> None:
    target = g.ObjectId(b"\x07" * 32)
    body = (
        "(drop (call $send_object (i32.const 100) (i32.const 64) (i32.const 180) (i32.const 8)"
        " (i32.const 100) (i32.const 64) (i32.const 1)))"
    )
    data = f'(data (i32.const 100) "{target.hex()}") (data (i32.const 180) "mt\\00ping\\00")'
    _, _inp, out = _step(_module(body, data))
    (send,) = out.sends
    assert (send.recipient, send.content, dict(send.headers), send.signal) == (
        target, target, {"mt": "ping"}, True,
    )  # fmt: skip


@pytest.mark.req("WASM-014.8", "WASM-014.9")
def test_query_functions_and_step_functions_are_separate() -> None:
    answer = "(drop (call $answer (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))"
    with pytest.raises(g.WasmTrap):
        _step(_module(answer))
    store = g.Store.memory()
    sends = "(drop (call $core_delete (i32.const 0) (i32.const 1)))"
    wasm = _module("", query=sends)
    core = wasm_core(store, wasm)
    step = g.Step(actor=g.object_id(core), core=g.object_id(core))
    q = QueryInput(actor=g.object_id(core), step=step, core=core, objects=store)
    with pytest.raises(g.WasmTrap):
        load(WITS, store, wasm).query("x", q)
    silent = _module("", query="(drop (call $msg_count))")
    with pytest.raises(g.WasmTrap):
        load(WITS, store, silent).query("x", q)
    unanswered = _module("", query="(drop (call $query_name (i32.const 0) (i32.const 0)))")
    with pytest.raises(g.UnknownQuery):
        load(WITS, store, unanswered).query("x", q)
    with pytest.raises(g.UnknownQuery):
        load(WITS, store, module("hostile", "infinite_loop")).query("wut", q)


@pytest.mark.req("WASM-019")
@pytest.mark.parametrize(
    ("body", "cost"),
    [
        ("", 1),  # entering step
        ("(nop) (drop (i32.const 1)) (block (loop))", 2),  # only the const costs
        # the spec's host-call cost is 10 000 units (WASM-019)
        ("(drop (call $msg_count)) (drop (call $msg_count))", 1 + 2 * (1 + 10_000)),
        # 3-byte path in, 1 of the blob's 5 data bytes out (cap 1): 10 000 + 4 bytes
        (
            "(drop (call $core_read (i32.const 100) (i32.const 3) (i32.const 200) (i32.const 1)))",
            1 + 4 + 1 + 10_000 + 4,
        ),
        ("(memory.fill (i32.const 0) (i32.const 7) (i32.const 100))", 1 + 3 + 1 + 100),
    ],
    ids=["entry", "free", "host-calls", "host-bytes", "bulk"],
)
def test_fuel_follows_the_cost_model(body: str, cost: int) -> None:
    wasm = _module(body, '(data (i32.const 100) "big")')
    store = g.Store.memory()
    core = wasm_core(store, wasm, {"big": g.Blob(data=b"12345")})
    assert load(WITS, store, wasm).run(first_input(store, core)).fuel == cost


@pytest.mark.req("WASM-002.2", "WASM-006.1", "WIT-011")
def test_fresh_engines_and_the_cache_give_identical_steps(tmp_path: Path) -> None:
    def steps(wits: WasmWits) -> list[bytes]:
        store = g.Store.memory()
        wasm = module("actors", "budget")
        core = wasm_core(store, wasm, {"budget": g.Blob(data=b"9")})
        inp = first_input(
            store, core, {OUTSIDE: [text(store, "spend", n) for n in ("4", "6", "x", "5")]}
        )
        wit = load(wits, store, wasm)
        return [
            b"".join(map(g.encode_object, assemble(inp, wit(inp), store).objects)) for _ in range(2)
        ]

    first = WasmWits(cache_dir=tmp_path)
    reference = steps(first)
    assert reference[0] == reference[1]
    assert first.engine.hits == {"memory": 0, "directory": 0, "compiled": 1}
    assert steps(first) == reference  # the memory cache
    assert first.engine.hits == {"memory": 1, "directory": 0, "compiled": 1}
    from_disk = WasmWits(cache_dir=tmp_path)
    assert steps(from_disk) == reference  # the directory cache
    assert from_disk.engine.hits == {"memory": 0, "directory": 1, "compiled": 0}
    assert steps(WasmWits()) == reference  # a fresh engine, no cache
