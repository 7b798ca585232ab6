"""Image persistence: a guest's memory and globals kept in its core (WASM-023 … WASM-029).

Most tests drive ``conformance/wasm/image/image_counter.wasm`` (plain globals and a
data region in memory, never the core API) through the executor or the runtime, and
check what they expect by decoding the image straight from the store with the
layout of WASM-024 — written out here, not taken from the host — or by querying the
guest, which sees only its restored memory.  Inline modules cover the edges.
"""

# ruff: noqa: E501 - the inline modules are WebAssembly text, one call per line

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from aio import run
from hypothesis import given
from hypothesis import strategies as st
from wasm_support import module, wat

import gritwit as g
from gritwit.runtime import Runtime, export_bundle, fork, history, import_bundle
from gritwit.wasm import WasmLimits, WasmWits, wasm_wit_blob
from gritwit.wasm._binary import without_start
from gritwit.wit import Executor, RunReport

PAGE = 65536
DATA = PAGE  # image_counter's data region starts at page 1
IMAGE_COUNTER = module("image", "image_counter")
EMPTY = g.Blob(data=b"")


# --- reading an image back, by WASM-024 ------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    """An image as WASM-024 lays it out: size, memory bytes, chunk ids, global bit patterns."""

    pages: int
    memory: bytes
    chunks: dict[int, g.ObjectId]
    globals: dict[str, bytes]

    def data(self, length: int) -> bytes:
        return self.memory[DATA : DATA + length]


def _get(store: g.Store, oid: g.ObjectId) -> g.GritObject:
    return store.get_object(oid)


def _head_core(store: g.Store, actor: g.ObjectId) -> g.Tree:
    step = _get(store, store.get_ref("heads/" + actor.hex()))  # type: ignore[arg-type]
    assert isinstance(step, g.Step)
    core = _get(store, step.core)
    assert isinstance(core, g.Tree)
    return core


def _blobs(store: g.Store, image: g.Tree, entry: str) -> list[tuple[str, g.ObjectId, bytes]]:
    """The entries of the image's tree ``entry`` (none when it has none): each a blob
    without headers (WASM-024.4, WASM-024.6), with its name, id and data."""
    if entry not in image.entries:
        return []
    tree = _get(store, image.entries[entry])
    assert isinstance(tree, g.Tree)
    found = []
    for name, oid in tree.entries.items():
        blob = _get(store, oid)
        assert isinstance(blob, g.Blob) and not blob.headers
        found.append((name, oid, blob.data))
    return found


def decode(store: g.Store, image_id: g.ObjectId) -> Decoded:
    image = _get(store, image_id)
    assert isinstance(image, g.Tree) and set(image.entries) <= {"pages", "memory", "globals"}
    pages_blob = _get(store, image.entries["pages"])
    assert isinstance(pages_blob, g.Blob) and len(pages_blob.data) == 4
    pages = int.from_bytes(pages_blob.data, "little")
    memory = bytearray(pages * PAGE)
    chunks: dict[int, g.ObjectId] = {}
    for name, oid, chunk in _blobs(store, image, "memory"):
        assert len(name) == 5 and name.isdigit() and len(chunk) == PAGE
        assert chunk != bytes(PAGE)  # zero chunks are omitted
        index = int(name)
        memory[index * PAGE : (index + 1) * PAGE] = chunk
        chunks[index] = oid
    globals_ = {name: data for name, _, data in _blobs(store, image, "globals")}
    return Decoded(pages, bytes(memory), chunks, globals_)


def head_image(store: g.Store, actor: g.ObjectId) -> Decoded:
    return decode(store, _head_core(store, actor).entries["image"])


def counter_globals(image: Decoded) -> tuple[int, int]:
    """image_counter's (count, length) from its globals (i64, i32, little-endian)."""
    assert set(image.globals) == {"count", "length"}
    (count,) = struct.unpack("<q", image.globals["count"])
    (length,) = struct.unpack("<i", image.globals["length"])
    return count, length


# --- driving actors --------------------------------------------------------------------


def image_core(wasm: bytes = IMAGE_COUNTER) -> tuple[g.Tree, tuple[g.GritObject, ...]]:
    """A core whose ``wit`` is ``wasm`` and whose ``image`` is the empty image (WASM-023)."""
    wit = wasm_wit_blob(wasm)
    core = g.Tree(entries={"wit": g.object_id(wit), "image": g.object_id(EMPTY)})
    return core, (wit, EMPTY)


def tell(ex: Executor, actor: g.ObjectId, mt: str, data: bytes, **headers: str) -> None:
    blob = g.Blob(data=data)
    ex.inject(actor, g.object_id(blob), {"mt": mt, **headers}, objects=(blob,))


def settle(ex: Executor) -> RunReport:
    report = ex.run_until_quiescent()
    assert not report.failures, report.failures
    return report


def spawn(ex: Executor, wasm: bytes = IMAGE_COUNTER) -> g.ObjectId:
    actor = ex.genesis(*image_core(wasm))
    settle(ex)
    return actor


async def rt_spawn(rt: Runtime) -> g.ObjectId:
    actor = await rt.genesis(*image_core())
    await rt.run_until_quiescent()
    return actor


async def rt_tell(rt: Runtime, actor: g.ObjectId, mt: str, data: bytes, **headers: str) -> None:
    """One message, sent as a signal (its id does not depend on the outside's chain)."""
    blob = g.Blob(data=data)
    await rt.send(actor, g.object_id(blob), {"mt": mt, **headers}, (blob,), signal=True)
    report = await rt.run_until_quiescent()
    assert not report.failures, report.failures


# --- state across steps ----------------------------------------------------------------


@pytest.mark.req("WASM-023", "WASM-025", "WASM-026", "WASM-005")
def test_plain_guest_state_survives_steps() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    actor = spawn(ex)
    tell(ex, actor, "append", b"ab")
    settle(ex)
    tell(ex, actor, "append", b"cd")
    tell(ex, actor, "poke", b"Z", at="3")
    tell(ex, actor, "other", b"ignored")
    settle(ex)
    assert ex.query(actor, "buffer").data == b"abcZ"
    assert ex.query(actor, "count").data == b"3"
    image = head_image(store, actor)
    assert counter_globals(image) == (3, 4)
    assert image.data(4) == b"abcZ"
    assert set(_head_core(store, actor).entries) == {"wit", "image"}  # the guest never wrote


@pytest.mark.req("WASM-025.1", "WASM-025.7", "WASM-005.2")
def test_the_start_function_runs_only_on_the_first_step() -> None:
    ex = Executor(g.Store.memory())
    actor = spawn(ex)
    for text in (b"a", b"b", b"c"):
        tell(ex, actor, "append", text)
        settle(ex)
    # "starts" adds 1 on each step in which the start function had run in the instance.
    assert ex.query(actor, "starts").data == b"1"


@pytest.mark.req("WASM-024.3", "WASM-024.4", "WASM-024.5", "WASM-024.7", "WASM-026.1")
def test_image_layout_pages_and_omitted_zero_chunks() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    actor = spawn(ex)
    first = head_image(store, actor)
    assert first.pages == 1 and set(first.chunks) == {0}
    assert first.globals == {"count": bytes(8), "length": bytes(4)}
    tell(ex, actor, "poke", b"XY", at="200000")  # ends at byte 265538: page 4 of 5
    tell(ex, actor, "poke", bytes(10), at="70000")  # zeros into page 2: stays absent
    settle(ex)
    image = head_image(store, actor)
    assert image.pages == 5
    assert set(image.chunks) == {0, 4}
    assert image.chunks[0] == first.chunks[0]
    assert image.memory[DATA + 200000 : DATA + 200002] == b"XY"
    core = _head_core(store, actor)
    pages = _get(store, _get(store, core.entries["image"]).entries["pages"])  # type: ignore[union-attr]
    assert pages == g.Blob(data=b"\x05\x00\x00\x00")


# The model: image_counter's data region as a bytearray, and its two globals.
_op = st.tuples(
    st.sampled_from(["append", "poke"]),
    st.integers(0, 3 * PAGE),
    st.binary(max_size=300) | st.integers(1, 3000).map(bytes),
)


@pytest.mark.req("WASM-024", "WASM-025", "WASM-026")
@given(steps=st.lists(st.lists(_op, min_size=1, max_size=4), min_size=1, max_size=4))
def test_restored_memory_equals_a_bytearray_model(
    steps: list[list[tuple[str, int, bytes]]],
) -> None:
    store = g.Store.memory()
    ex = Executor(store)
    actor = spawn(ex)
    page0 = head_image(store, actor).memory[:PAGE]
    model, length, count, end = bytearray(), 0, 0, 0
    for ops in steps:
        for kind, at, data in ops:
            offset = length if kind == "append" else at
            tell(ex, actor, kind, data, at=str(at))
            model.extend(bytes(max(0, offset + len(data) - len(model))))
            model[offset : offset + len(data)] = data
            end = max(end, offset + len(data))
            length += len(data) if kind == "append" else 0
            count += 1
        settle(ex)
        image = head_image(store, actor)
        assert image.pages == 1 + (end + PAGE - 1) // PAGE
        assert image.memory[:PAGE] == page0  # constants only: scratch is cleared
        assert image.memory[DATA : DATA + len(model)] == bytes(model)
        assert not any(image.memory[DATA + len(model) :])
        assert counter_globals(image) == (count, length)
        nonzero = {i for i in range(image.pages) if any(image.memory[i * PAGE : (i + 1) * PAGE])}
        assert set(image.chunks) == nonzero
    assert ex.query(actor, "buffer").data == bytes(model[:length])


@pytest.mark.req("WASM-026.3")
def test_unchanged_chunks_keep_their_ids() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    actor = spawn(ex)
    seen = set(head_image(store, actor).chunks.values())
    previous = head_image(store, actor).chunks
    pokes = [(3, 1), (5, 2), (3, 3), (1, 4), (5, 5)]  # (page, distinct byte value)
    for page, value in pokes:
        tell(ex, actor, "poke", bytes([value]), at=str((page - 1) * PAGE + 7))
        settle(ex)
        chunks = head_image(store, actor).chunks
        changed = {i for i in chunks if previous.get(i) != chunks[i]}
        assert changed == {page}
        assert all(chunks[i] == previous[i] for i in previous if i != page)
        seen |= set(chunks.values())
        previous = chunks
    assert len(seen) == 1 + len(pokes)  # page 0, then one new chunk per changed page


@pytest.mark.req("WASM-027.1", "WASM-027.2", "WIT-017")
def test_a_query_sees_the_image_and_its_changes_are_discarded() -> None:
    ex = Executor(g.Store.memory())
    actor = spawn(ex)
    tell(ex, actor, "append", b"q")
    settle(ex)
    head = ex.head(actor)
    assert ex.query(actor, "bump").data == b"2"
    assert ex.query(actor, "bump").data == b"2"
    assert ex.query(actor, "count").data == b"1"
    assert ex.head(actor) == head


@pytest.mark.req("WASM-023.2")
def test_an_update_to_the_empty_image_restarts_the_guest_state() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    actor = spawn(ex)
    tell(ex, actor, "append", b"old")
    settle(ex)
    update = g.Tree(entries={"image": g.object_id(EMPTY)})
    ex.inject(actor, g.object_id(update), {"mt": "update"}, objects=(update, EMPTY))
    settle(ex)
    tell(ex, actor, "append", b"new")
    settle(ex)
    assert ex.query(actor, "buffer").data == b"new"
    assert ex.query(actor, "starts").data == b"1"  # started afresh, once


@pytest.mark.req("WASM-023.2", "WASM-005.1")
def test_a_core_without_image_keeps_no_guest_state() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    wit = wasm_wit_blob(IMAGE_COUNTER)
    actor = ex.genesis(g.Tree(entries={"wit": g.object_id(wit)}), (wit,))
    tell(ex, actor, "append", b"lost")
    settle(ex)
    assert set(_head_core(store, actor).entries) == {"wit"}
    assert ex.query(actor, "buffer").data == b""
    assert ex.query(actor, "count").data == b"0"


# --- inline modules: globals, data segments, the guest's own writes --------------------

_GLOBALS = """
(module
  (memory (export "memory") 1)
  (global $f (export "f") (mut f32) (f32.const 1.5))
  (global $d (export "d") (mut f64) (f64.const 2.5))
  (global $i (export "i") (mut i32) (i32.const 7))
  (global $l (export "l") (mut i64) (i64.const 9))
  (global (export "k") i32 (i32.const 3))
  (global $hidden (mut i32) (i32.const 0))
  (func (export "step")
    (if (i32.eq (global.get $i) (i32.const 7))
      (then
        (global.set $f (f32.reinterpret_i32 (i32.const 0x7FA00001)))
        (global.set $d (f64.const -0))
        (global.set $i (i32.const -1))
        (global.set $l (i64.const 0x0102030405060708))
        (global.set $hidden (i32.const 5)))
      (else
        (global.set $i (i32.add (global.get $i) (i32.const 1)))
        (global.set $l (i64.add (global.get $l) (i64.add (i64.const 1) (i64.extend_i32_u (global.get $hidden)))))
        (global.set $d (f64.mul (global.get $d) (f64.const 2)))))))
"""


@pytest.mark.req("WASM-024.6", "WASM-025.4", "WASM-006.1")
def test_global_bit_patterns_little_endian_nan_canonical() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    actor = spawn(ex, wat(_GLOBALS))
    globals_ = head_image(store, actor).globals
    assert globals_ == {
        "f": bytes.fromhex("0000c07f"),  # the NaN 7FA00001 stored as the canonical NaN
        "d": bytes.fromhex("0000000000000080"),  # -0.0 keeps its sign
        "i": bytes.fromhex("ffffffff"),
        "l": bytes.fromhex("0807060504030201"),
    }  # "k" is immutable, $hidden not exported: neither is kept
    tell(ex, actor, "x", b"")
    settle(ex)
    globals_ = head_image(store, actor).globals
    assert globals_["i"] == bytes(4)  # -1 + 1
    assert globals_["l"] == bytes.fromhex("0907060504030201")  # $hidden restarted at 0
    assert globals_["d"] == bytes.fromhex("0000000000000080")
    assert math.isnan(struct.unpack("<f", globals_["f"])[0])


_SEGMENT = """
(module
  (memory (export "memory") 2)
  (global $seen (export "seen") (mut i32) (i32.const -1))
  (data (i32.const 65540) "hello")
  (func (export "step")
    (global.set $seen (i32.load8_u (i32.const 65540)))
    (memory.fill (i32.const 65540) (i32.const 0) (i32.const 5))))
"""


@pytest.mark.req("WASM-025.3", "WASM-024.5")
def test_restore_zeroes_pages_the_image_omits_despite_data_segments() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    actor = spawn(ex, wat(_SEGMENT))
    assert head_image(store, actor).globals["seen"] == struct.pack("<i", ord("h"))
    assert head_image(store, actor).chunks == {}  # both pages are zero again
    tell(ex, actor, "x", b"")
    settle(ex)
    assert head_image(store, actor).globals["seen"] == bytes(4)  # not the segment's "h"


_WRITES_IMAGE = """
(module
  (import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "image")
  (func (export "step")
    (drop (call $core_set (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 0)))))
"""


@pytest.mark.req("WASM-026.1")
def test_the_host_sets_the_image_entry_whatever_the_guest_wrote() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    actor = spawn(ex, wat(_WRITES_IMAGE))
    image = head_image(store, actor)
    assert image.pages == 1 and image.memory[:5] == b"image"


@pytest.mark.req("WASM-026.2", "WASM-018.1")
def test_image_objects_are_not_output() -> None:
    wits = WasmWits(WasmLimits(output_bytes=16, output_effects=1))
    store = g.Store.memory()
    ex = Executor(store, wasm=wits)
    actor = spawn(ex)
    tell(ex, actor, "poke", b"\x01" * 1000, at=str(2 * PAGE - 500))  # two changed pages
    settle(ex)
    assert len(head_image(store, actor).chunks) == 3


@pytest.mark.req("WASM-028", "WASM-017.1")
def test_a_restored_memory_grows_only_up_to_the_limit() -> None:
    ex = Executor(g.Store.memory(), wasm=WasmWits(WasmLimits(memory_pages=4)))
    actor = spawn(ex)
    tell(ex, actor, "poke", b"ok", at=str(2 * PAGE))  # needs 4 pages
    settle(ex)
    tell(ex, actor, "poke", b"no", at=str(3 * PAGE))  # needs 5
    report = ex.run_until_quiescent()
    assert [f.error_class for f in report.failures] == ["trap"]


# --- restart, eviction, transfer, fork (WASM-029) --------------------------------------


async def _workload(rt: Runtime, actor: g.ObjectId, texts: Iterable[bytes]) -> None:
    for text in texts:
        await rt_tell(rt, actor, "append", text)


@pytest.mark.req("WASM-029.1", "RUN-007")
def test_state_survives_a_restart(tmp_path: Path) -> None:
    directory = tmp_path / "store"

    async def before() -> g.ObjectId:
        with g.Store.open(directory) as store:
            rt = Runtime(store)
            actor = await rt_spawn(rt)
            await _workload(rt, actor, [b"one ", b"two "])
            return actor

    async def after(actor: g.ObjectId) -> tuple[g.ObjectId | None, bytes]:
        with g.Store.open(directory) as store:
            rt = Runtime(store)
            await _workload(rt, actor, [b"three"])
            return rt.head(actor), rt.query(actor, "buffer").data

    async def uninterrupted() -> tuple[g.ObjectId | None, bytes]:
        rt = Runtime(g.Store.memory())
        actor = await rt_spawn(rt)
        await _workload(rt, actor, [b"one ", b"two ", b"three"])
        return rt.head(actor), rt.query(actor, "buffer").data

    actor = run(before())
    assert run(after(actor)) == run(uninterrupted())
    assert run(uninterrupted())[1] == b"one two three"


@pytest.mark.req("WASM-029.1", "RUN-012")
def test_state_survives_eviction() -> None:
    async def scenario(max_resident: int | None) -> tuple[g.ObjectId | None, bytes, bool]:
        rt = Runtime(g.Store.memory(), max_resident=max_resident)
        actor = await rt_spawn(rt)
        await _workload(rt, actor, [b"a", b"b", b"c"])
        resident = rt.resident(actor)
        return rt.head(actor), rt.query(actor, "buffer").data, resident

    evicting, keeping = run(scenario(0)), run(scenario(None))
    assert evicting[2] is False  # it really was evicted between steps
    assert evicting[:2] == keeping[:2]
    assert keeping[1] == b"abc"


@pytest.mark.req("WASM-029.1", "RUN-009")
def test_state_survives_a_bundle_transfer() -> None:
    a, b = g.Store.memory(), g.Store.memory()
    rt_a, rt_b = Runtime(a), Runtime(b)

    async def start() -> g.ObjectId:
        actor = await rt_spawn(rt_a)
        await _workload(rt_a, actor, [b"here, "])
        return actor

    actor = run(start())
    import_bundle(b, export_bundle(a, actor))

    async def go_on(rt: Runtime) -> tuple[g.ObjectId | None, bytes]:
        await _workload(rt, actor, [b"then ", b"there"])
        return rt.head(actor), rt.query(actor, "buffer").data

    moved, stayed = run(go_on(rt_b)), run(go_on(rt_a))
    assert moved == stayed
    assert moved[1] == b"here, then there"
    assert head_image(a, actor) == head_image(b, actor)


@pytest.mark.req("WASM-029.2", "RUN-008")
def test_a_fork_starts_from_the_parents_memory_and_they_diverge() -> None:
    store = g.Store.memory()
    rt = Runtime(store)

    async def scenario() -> tuple[g.ObjectId, g.ObjectId, Decoded]:
        parent = await rt_spawn(rt)
        await _workload(rt, parent, [b"shared"])
        at_step = history(store, parent)[-1][0]
        at_image = head_image(store, parent)
        child = fork(store, parent, at_step)
        assert head_image(store, child) == at_image  # the child's core holds the image
        await rt_tell(rt, parent, "append", b"+P")
        await rt_tell(rt, child, "append", b"+C")
        await rt_tell(rt, parent, "poke", b"p", at="0")  # same page in both
        await rt_tell(rt, child, "poke", b"c", at="1")
        return parent, child, at_image

    parent, child, at_image = run(scenario())
    p, c = head_image(store, parent), head_image(store, child)
    assert p.data(8) == b"phared+P"
    assert c.data(8) == b"scared+C"
    assert counter_globals(p) == counter_globals(c) == (3, 8)
    assert rt.query(parent, "buffer").data == b"phared+P"
    assert rt.query(child, "buffer").data == b"scared+C"
    assert at_image.data(6) == b"shared"  # the fork point's image is unchanged
    assert p.chunks[0] == c.chunks[0] == at_image.chunks[0]  # page 0 still shared


# --- restoring without the start function (the binary format) ------------------------

_STARTED = '(module (memory (export "memory") 1) (global $g (mut i32) (i32.const 0)) (func $init (global.set $g (i32.const 1))) (func (export "step")) {})'


@pytest.mark.req("WASM-025.1")
def test_without_start_drops_exactly_the_start_section() -> None:
    assert without_start(wat(_STARTED.format("(start $init)"))) == wat(_STARTED.format(""))
    assert without_start(wat(_STARTED.format(""))) is None  # nothing to drop


_HEADER = b"\x00asm\x01\x00\x00\x00"


@pytest.mark.req("WASM-025")
@pytest.mark.parametrize(
    "tail",
    [
        b"\x08",
        b"\x08\x80",
        b"\x08\x05\x00",
        b"\x08\x80\x80\x80\x80\x10",
        b"\x08\xff\xff\xff\xff\x7f",
    ],
    ids=["no-size", "truncated-leb", "past-the-end", "leb-over-32-bits", "leb-huge"],
)
def test_without_start_leaves_malformed_sections_to_the_engine(tail: bytes) -> None:
    assert without_start(_HEADER + tail) is None


@pytest.mark.req("WASM-025")
@given(st.binary(max_size=64))
def test_without_start_survives_any_bytes(tail: bytes) -> None:
    found = without_start(_HEADER + tail)
    assert found is None or (found.startswith(_HEADER) and len(found) < len(_HEADER + tail))


# --- hostile images: typed errors, no step adopted -------------------------------------


def _chunk(fill: int, size: int = PAGE, headers: dict[str, str] | None = None) -> g.Blob:
    return g.Blob(data=bytes([fill]) * size, headers=headers or {})


def _image(
    pages: bytes = b"\x02\x00\x00\x00",
    chunks: dict[str, g.GritObject] | None = None,
    globals_: dict[str, g.GritObject] | None = None,
    extra: dict[str, g.GritObject] | None = None,
) -> tuple[g.GritObject, list[g.GritObject]]:
    objects: list[g.GritObject] = []

    def tree(entries: dict[str, g.GritObject]) -> g.Tree:
        objects.extend(entries.values())
        made = g.Tree(entries={n: g.object_id(o) for n, o in entries.items()})
        objects.append(made)
        return made

    entries: dict[str, g.GritObject] = {"pages": g.Blob(data=pages), **(extra or {})}
    if chunks:
        entries["memory"] = tree(chunks)
    if globals_:
        entries["globals"] = tree(globals_)
    return tree(entries), objects


_GROWS_TO_ONE = wat('(module (memory (export "memory") 1 1) (func (export "step")))')
_V128 = wat(
    '(module (memory (export "memory") 1) (global (export "v") (mut v128) (v128.const i64x2 0 0)) (func (export "step")))'
)
_BAD_NAME = wat(
    '(module (memory (export "memory") 1) (global (export "a/b") (mut i32) (i32.const 0)) (func (export "step")))'
)

# fmt: off
_HOSTILE: list[tuple[str, tuple[g.GritObject, list[g.GritObject]], str, bytes]] = [
    ("too many pages", _image(pages=(257).to_bytes(4, "little")), "memory-limit", IMAGE_COUNTER),
    ("chunk too short", _image(chunks={"00001": _chunk(1, PAGE - 1)}), "invalid-image", IMAGE_COUNTER),
    ("chunk too long", _image(chunks={"00001": _chunk(1, PAGE + 1)}), "invalid-image", IMAGE_COUNTER),
    ("zero chunk", _image(chunks={"00001": _chunk(0)}), "invalid-image", IMAGE_COUNTER),
    ("chunk beyond pages", _image(chunks={"00002": _chunk(1)}), "invalid-image", IMAGE_COUNTER),
    ("chunk name", _image(chunks={"1": _chunk(1)}), "invalid-image", IMAGE_COUNTER),
    ("chunk headers", _image(chunks={"00001": _chunk(1, headers={"a": "b"})}), "invalid-image", IMAGE_COUNTER),
    ("chunk is a tree", _image(chunks={"00001": g.Tree(entries={"x": g.object_id(_chunk(1))})}), "invalid-image", IMAGE_COUNTER),
    ("pages width", _image(pages=b"\x02\x00\x00"), "invalid-image", IMAGE_COUNTER),
    ("unknown entry", _image(extra={"tables": g.Blob(data=b"x")}), "invalid-image", IMAGE_COUNTER),
    ("memory is a blob", _image(extra={"memory": g.Blob(data=b"x")}), "invalid-image", IMAGE_COUNTER),
    ("chunk name in other digits", _image(chunks={"\u0660\u0660\u0660\u0660\u0661": _chunk(1)}), "invalid-image", IMAGE_COUNTER),
    ("most pages a u32 holds", _image(pages=b"\xff\xff\xff\xff"), "memory-limit", IMAGE_COUNTER),
    ("global width", _image(globals_={"count": g.Blob(data=bytes(4))}), "invalid-image", IMAGE_COUNTER),
    ("global odd width", _image(globals_={"zzz": g.Blob(data=bytes(3))}), "invalid-image", IMAGE_COUNTER),
    ("below the initial size", _image(pages=bytes(4)), "invalid-image", IMAGE_COUNTER),
    ("beyond the module maximum", _image(), "invalid-image", _GROWS_TO_ONE),
    ("non-empty blob", (g.Blob(data=b"x"), []), "invalid-image", IMAGE_COUNTER),
    ("blob with headers", (g.Blob(data=b"", headers={"a": "b"}), []), "invalid-image", IMAGE_COUNTER),
    ("v128 global", (EMPTY, []), "invalid-image", _V128),
    ("global name", (EMPTY, []), "invalid-image", _BAD_NAME),
]
# fmt: on


@pytest.mark.req("WASM-023", "WASM-024", "WASM-025", "WASM-026", "WASM-028", "WASM-021")
@pytest.mark.parametrize(
    ("image", "error", "wasm"), [case[1:] for case in _HOSTILE], ids=[case[0] for case in _HOSTILE]
)
def test_a_hostile_image_fails_with_its_class_and_adopts_no_step(
    image: tuple[g.GritObject, list[g.GritObject]], error: str, wasm: bytes
) -> None:
    store = g.Store.memory()
    ex = Executor(store)
    root, objects = image
    wit = wasm_wit_blob(wasm)
    core = g.Tree(entries={"wit": g.object_id(wit), "image": g.object_id(root)})
    actor = ex.genesis(core, (wit, root, *objects))
    report = ex.run_until_quiescent()
    assert [f.error_class for f in report.failures] == [error]
    assert report.steps == () and ex.head(actor) is None


@pytest.mark.req("WASM-027", "WASM-024")
def test_a_query_of_a_hostile_image_fails_with_its_class() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    actor = spawn(ex)
    good = _head_core(store, actor)
    root, objects = _image(chunks={"00001": _chunk(1, 10)})
    for obj in (*objects, root):
        store.put_object(obj)
    bad = g.Tree(entries={**good.entries, "image": g.object_id(root)})
    store.put_object(bad)
    step = _get(store, ex.head(actor))  # type: ignore[arg-type]
    assert isinstance(step, g.Step)
    forged = g.Step(actor=actor, core=g.object_id(bad), previous=ex.head(actor), inbox=step.inbox)
    store.cas_ref("heads/" + actor.hex(), ex.head(actor), store.put_object(forged))
    with pytest.raises(g.GritError) as info:
        ex.query(actor, "count")
    assert info.value.error_class == "invalid-image"
