"""Image trees over every input class and both sides of their limits: what a tree holds,
``pages``, chunk names, globals' names, the page bounds (WASM-024, WASM-025.2,
WASM-026.4, WASM-028), planted with an ``update`` (WIT-013) and judged by the
next step.  Helpers: :mod:`._wasm_texts`.
"""

from __future__ import annotations

import struct
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, check_equal, check_type, ok_answer
from .._check_more import check_same, plain
from ._wasm_texts import (
    LINK,
    PAGE,
    TEXT,
    _close,
    _core,
    _genesis,
    _harness_class,
    _name,
    _object,
    _open,
    _path_samples,
    _refused,
    _run,
    _variants,
    _wasm,
)

pytestmark = pytest.mark.profile("wasm")


# --------------------------------------------------------------------------- images

#: An image module's query answers: memory.size (4 bytes), the byte at 65536 (0 when
#: the memory is smaller), then each global as 8 little-endian bytes.
GLOBALS_AT = 8


def _image_module(
    initial: int, maximum: int | None = None, globals_: dict[str, tuple[str, int]] | None = None
) -> bytes:
    """A module whose memory is ``initial`` … ``maximum`` pages, exporting mutable
    ``globals_`` (name → (``i32``/``i64``, initial value)); its step only marks read."""
    patches: dict[str, bytes] = {}
    decls, stores = [], []
    for k, (name, (kind, value)) in enumerate((globals_ or {}).items()):
        text, patch = _name(name)
        patches.update(patch)
        decls.append(f'(global $g{k} (export "{text}") (mut {kind}) ({kind}.const {value}))')
        stores.append(f"({kind}.store (i32.const {GLOBALS_AT + 8 * k}) (global.get $g{k}))")
    size = GLOBALS_AT + 8 * len(globals_ or {})
    limits = f"{initial} {maximum}" if maximum is not None else f"{initial}"
    wat = (
        '(module (import "gritwit" "msg_count" (func $msg_count (result i32))) '
        '(import "gritwit" "mark_read" (func $mark_read (param i32) (result i32))) '
        '(import "gritwit" "answer" (func $answer (param i32 i32 i32 i32) (result i32))) '
        f'(memory (export "memory") {limits}) {" ".join(decls)} '
        '(func (export "step") (if (call $msg_count) '
        "(then (drop (call $mark_read (i32.const 0)))))) "
        '(func (export "query") (i32.store (i32.const 0) (memory.size)) '
        "(if (i32.ge_u (memory.size) (i32.const 2)) (then "
        "(i32.store8 (i32.const 4) (i32.load8_u (i32.const 65536))))) "
        f"{' '.join(stores)} (drop (call $answer (i32.const 0) (i32.const {size}) (i32.const 0) "
        "(i32.const 0)))))"
    )
    return _wasm(wat, patches)


def _blob(data: bytes) -> dict[str, Any]:
    return {"blob": data.hex()}


def _pages(n: int) -> dict[str, Any]:
    return _blob(n.to_bytes(4, "little"))


def _planted(
    impl: Implementation, wasm: bytes, parts: list[dict[str, Any]], *, clause: Clause
) -> tuple[str, list[str], dict[str, str]]:
    """One image actor per part: its genesis step, an update merging ``part`` into its
    image tree (WIT-013: no module call), then a message: (runtime, actors, failures of
    the message's steps by actor).  What comes before the message's steps is checked
    under ``clause``."""
    runtime = _open(impl, clause=clause)
    actors = [
        _genesis(impl, runtime, wasm, {"image": "", "n": f"{j:04x}"}, clause=clause)
        for j in range(len(parts))
    ]
    failures = _run(impl, runtime, 10 * len(parts), clause=clause)["failures"]
    check_equal(clause, [], failures, "the failures of the image actors' genesis steps")
    for actor, part in zip(actors, parts, strict=True):
        update = {"tree": {"image": {"tree": part}}}
        sent = impl.call("wit-send", runtime=runtime, to=actor, mt="update", content=update)
        ok_answer(sent, clause, "an update planting an image tree")
    failures = _run(impl, runtime, 10 * len(parts), clause=clause)["failures"]
    check_equal(clause, [], failures, "the failures of the updates: an update runs no module")
    for actor in actors:
        sent = impl.call("wit-send", runtime=runtime, to=actor, mt="go", content={"blob": "01"})
        ok_answer(sent, clause, "a message to an image actor")
    return runtime, actors, dict(_run(impl, runtime, 10 * len(parts), clause=clause)["failures"])


def _answer(impl: Implementation, runtime: str, actor: str, *, clause: Clause) -> bytes:
    reply = impl.call("wit-query", runtime=runtime, actor=actor, name="q")
    return bytes.fromhex(ok_answer(reply, clause, "the query of the restored instance")["data"])


def _refuse_part(impl: Implementation, name: str, part: dict[str, Any], *, clause: Clause) -> None:
    """``wit-send`` of an update holding a tree entry ``name`` that is no valid name."""
    runtime = _open(impl, clause=clause)
    content = {"tree": {"image": {"tree": part}}}
    reply = impl.call(
        "wit-send", check=False, runtime=runtime, to=LINK, mt="update", content=content
    )
    check_equal(
        clause,
        _harness_class(name),
        _refused(reply),
        f"the error of wit-send of an image entry named {name!a}",
    )
    _close(impl, runtime, clause=clause)


def _image_names(cls: str) -> list[str]:
    return [v for base in ("pages", "memory", "globals") for v in _variants(base, cls)]


@pytest.mark.req("WASM-024.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", TEXT)
def test_an_image_tree_holds_pages_memory_and_globals_only(impl: Implementation, cls: str) -> None:
    """An entry beside ``pages`` named near ``pages``, ``memory`` or ``globals`` — other
    case, a look-alike, a suffix — fails the next step → ``invalid-image``; the image
    without it (the control) runs.  A name that is no valid entry name cannot be sent."""
    names = _image_names(cls)
    valid = [n for n in names if tc.is_valid_name(n)]
    for name in names:
        if name not in valid:
            _refuse_part(impl, name, {"pages": _pages(1), name: _blob(b"x")}, clause="WASM-024.2")
    parts = [{"pages": _pages(1), name: _blob(b"x")} for name in valid] + [{"pages": _pages(2)}]
    runtime, actors, failures = _planted(impl, _image_module(1, 4), parts, clause="WASM-024.2")
    expected = dict.fromkeys(actors[:-1], "invalid-image")
    check_equal(
        "WASM-024.2",
        expected,
        failures,
        f"the failures of the steps restoring images with an entry of {valid!a}",
    )
    pages = _answer(impl, runtime, actors[-1], clause="WASM-024.2")[:4]
    check_equal("WASM-024.2", (2).to_bytes(4, "little"), pages, "the pages of the control")
    _close(impl, runtime, clause="WASM-024.2")


@pytest.mark.req("WASM-024.3")
@pytest.mark.inputs("largest", "past-largest")
def test_pages_is_exactly_4_bytes(impl: Implementation) -> None:
    """``pages`` of 0, 3, 5 and 8 bytes → ``invalid-image``; 4 bytes restores that size."""
    sizes = [0, 3, 4, 5, 8]
    parts = [{"pages": _blob((2).to_bytes(8, "little")[:n])} for n in sizes]
    runtime, actors, failures = _planted(impl, _image_module(1, 4), parts, clause="WASM-024.3")
    expected = {a: "invalid-image" for a, n in zip(actors, sizes, strict=True) if n != 4}
    check_equal(
        "WASM-024.3",
        expected,
        failures,
        f"the failures of the steps restoring pages of {sizes} bytes",
    )
    pages = _answer(impl, runtime, actors[sizes.index(4)], clause="WASM-024.3")[:4]
    check_equal("WASM-024.3", (2).to_bytes(4, "little"), pages, "the pages of 4 bytes restored")
    _close(impl, runtime, clause="WASM-024.3")


CHUNK_NAMES: dict[str, list[str]] = {
    "ascii": ["1", "0001", "000001", " 0001", "00001 ", "+0001", "0x001"],
    "mixed-case": ["0000A", "0000b", "OOOO1", "0000I"],
    "bmp": ["0000\u0661", "\uff10\uff10\uff10\uff10\uff11", "0000\uffff", "0000\u00b9"],
    "astral": ["0000\U0001d7cf", "\U0001d7ce\U0001d7ce\U0001d7ce\U0001d7ce1"],
    "lone-surrogate": ["0000\ud800", "00001\udc00"],
    "nul": ["0000\x00", "00001\x00"],
    "empty": [""],
}


@pytest.mark.req("WASM-024.4")
@pytest.mark.inputs(
    "ascii",
    "mixed-case",
    "bmp",
    "astral",
    "lone-surrogate",
    "nul",
    "empty",
    "largest",
    "past-largest",
)
@pytest.mark.parametrize("cls", TEXT)
def test_chunks_are_five_decimal_digits_below_pages_of_65536_bytes(
    impl: Implementation, cls: str
) -> None:
    """With ``pages`` = 2: chunk ``00001`` of 65 536 bytes restores page 1; a chunk named
    other than five ASCII digits (digits of other scripts, look-alikes, case, spaces)
    → ``invalid-image``, as a chunk of 65 535 or 65 537 bytes and chunk ``00002``; with
    ``pages`` = 4, chunk ``00003`` is the last allowed."""
    names = CHUNK_NAMES[cls]
    valid = [n for n in names if tc.is_valid_name(n)]
    for name in names:
        if name not in valid:
            _refuse_part(
                impl,
                name,
                {"pages": _pages(2), "memory": {"tree": {name: _blob(b"\x01")}}},
                clause="WASM-024.4",
            )
    chunk = b"\x07" * PAGE
    bad = [{"pages": _pages(2), "memory": {"tree": {n: _blob(chunk)}}} for n in valid]
    bad += [
        {"pages": _pages(2), "memory": {"tree": {"00001": _blob(chunk[:-1])}}},
        {"pages": _pages(2), "memory": {"tree": {"00001": _blob(chunk + b"\x07")}}},
        {"pages": _pages(2), "memory": {"tree": {"00002": _blob(chunk)}}},
    ]
    good = [
        {"pages": _pages(2), "memory": {"tree": {"00001": _blob(chunk)}}},
        {"pages": _pages(4), "memory": {"tree": {"00003": _blob(chunk)}}},
    ]
    runtime, actors, failures = _planted(impl, _image_module(1, 4), bad + good, clause="WASM-024.4")
    check_equal(
        "WASM-024.4",
        dict.fromkeys(actors[: len(bad)], "invalid-image"),
        failures,
        f"the failures of the steps restoring chunks named {valid!a}, of 65 535 and "
        "65 537 bytes, and 00002 of 2 pages",
    )
    answer = _answer(impl, runtime, actors[len(bad)], clause="WASM-024.4")
    check_equal(
        "WASM-024.4",
        (2).to_bytes(4, "little") + b"\x07",
        answer[:5],
        "the pages and the first byte of page 1 restored from chunk 00001",
    )
    pages = _answer(impl, runtime, actors[-1], clause="WASM-024.4")[:4]
    check_equal("WASM-024.4", (4).to_bytes(4, "little"), pages, "the pages with chunk 00003")
    _close(impl, runtime, clause="WASM-024.4")


#: Exported mutable globals named in every valid class: name → (type, initial value).
NAMED_GLOBALS: dict[str, tuple[str, int]] = {
    "g": ("i32", 1),
    "G": ("i32", 2),
    "é": ("i32", 3),
    "\uffff": ("i32", 4),
    "\U0001f600": ("i32", 5),
    "w": ("i64", 6),
}


def _le(kind: str, value: int) -> bytes:
    return struct.pack("<i" if kind == "i32" else "<q", value)


def _globals_answer(values: dict[str, int]) -> bytes:
    return b"".join(struct.pack("<q", values[n]) for n in NAMED_GLOBALS)


@pytest.mark.req("WASM-024.6")
@pytest.mark.inputs(
    "ascii",
    "mixed-case",
    "bmp",
    "astral",
    "lone-surrogate",
    "nul",
    "empty",
    "largest",
    "past-largest",
)
def test_globals_are_named_by_their_exact_export_names(impl: Implementation) -> None:
    """The image a step saves names each global by its export name, byte for byte (``g``
    and ``G`` both); planted values are restored to exactly the global of that name, a
    decomposed or other-case name is no global's; a global of 4 (``i32``) or 8 (``i64``)
    bytes restores, 3, 5 or 9 bytes → ``invalid-image``.  A name with NUL, empty or with
    a lone surrogate cannot be sent."""
    wasm = _image_module(1, 4, NAMED_GLOBALS)
    for name in ("g\x00", "", "g\ud800"):
        _refuse_part(
            impl, name, {"globals": {"tree": {name: _blob(bytes(4))}}}, clause="WASM-024.6"
        )
    new = {name: 100 + k for k, name in enumerate(NAMED_GLOBALS)}
    parts: list[dict[str, Any]] = [
        {"globals": {"tree": {n: _blob(_le(NAMED_GLOBALS[n][0], new[n])) for n in new}}},
        {"globals": {"tree": {"e\u0301": _blob(bytes(4)), "gG": _blob(bytes(4)),
                              "\U0001f601": _blob(bytes(4))}}},
        {"globals": {"tree": {"g": _blob(bytes(3))}}},
        {"globals": {"tree": {"G": _blob(bytes(5))}}},
        {"globals": {"tree": {"w": _blob(bytes(9))}}},
    ]  # fmt: skip
    runtime, actors, failures = _planted(impl, wasm, parts, clause="WASM-024.6")
    check_equal(
        "WASM-024.6",
        dict.fromkeys(actors[2:], "invalid-image"),
        failures,
        "the failures of the steps restoring globals of 3, 5 and 9 bytes",
    )
    initial = {n: v for n, (_, v) in NAMED_GLOBALS.items()}
    answer = _answer(impl, runtime, actors[0], clause="WASM-024.6")[GLOBALS_AT:]
    check_equal(
        "WASM-024.6", _globals_answer(new), answer, "the globals restored from the planted values"
    )
    answer = _answer(impl, runtime, actors[1], clause="WASM-024.6")[GLOBALS_AT:]
    check_equal(
        "WASM-024.6",
        _globals_answer(initial),
        answer,
        "the globals after an image naming no global's exact name: the initial values",
    )
    core = _core(impl, runtime, actors[0], clause="WASM-024.6")
    image = check_type(
        "WASM-024.6",
        _object(impl, runtime, core.entries["image"], clause="WASM-024.6"),
        g.Tree,
        expected="an image tree",
        what="the image the step saved",
    )
    saved = {
        name: g.object_id(g.Blob(data=_le(kind, new[name])))
        for name, (kind, _) in NAMED_GLOBALS.items()
    }
    check_same(
        "WASM-024.6",
        g.object_id(g.Tree(entries=saved)),
        image.entries.get("globals"),
        f"the saved globals, named by the export names (the image: {plain(image)})",
    )
    _close(impl, runtime, clause="WASM-024.6")


@pytest.mark.req("WASM-025.2")
@pytest.mark.inputs("largest", "past-largest")
def test_pages_from_the_initial_size_up_to_the_declared_maximum(impl: Implementation) -> None:
    """A memory of 2 … 4 pages: ``pages`` 2 and 4 restore that size; 1 (below the
    initial size) and 5 (past the maximum) → ``invalid-image``."""
    sizes = [1, 2, 4, 5]
    runtime, actors, failures = _planted(
        impl, _image_module(2, 4), [{"pages": _pages(n)} for n in sizes], clause="WASM-025.2"
    )
    check_equal(
        "WASM-025.2",
        {actors[0]: "invalid-image", actors[3]: "invalid-image"},
        failures,
        "the failures of the steps restoring pages 1 and 5 of a memory of 2 … 4",
    )
    for actor, n in zip(actors[1:3], sizes[1:3], strict=True):
        pages = _answer(impl, runtime, actor, clause="WASM-025.2")[:4]
        check_equal("WASM-025.2", n.to_bytes(4, "little"), pages, f"the pages restored to {n}")
    _close(impl, runtime, clause="WASM-025.2")


@pytest.mark.req("WASM-028")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("maximum", [None, 300], ids=["no-maximum", "maximum-300"])
def test_an_image_of_at_most_256_pages(impl: Implementation, maximum: int | None) -> None:
    """``pages`` 256 restores 256 pages; 257 and 2³²−1 → ``memory-limit``, also where
    the module's declared maximum would allow them."""
    sizes = [256, 257, 2**32 - 1]
    runtime, actors, failures = _planted(
        impl, _image_module(1, maximum), [{"pages": _pages(n)} for n in sizes], clause="WASM-028"
    )
    check_equal(
        "WASM-028",
        dict.fromkeys(actors[1:], "memory-limit"),
        failures,
        "the failures of the steps restoring 257 and 2³²−1 pages",
    )
    pages = _answer(impl, runtime, actors[0], clause="WASM-028")[:4]
    check_equal("WASM-028", (256).to_bytes(4, "little"), pages, "the pages restored to 256")
    _close(impl, runtime, clause="WASM-028")


@pytest.mark.req("WASM-026.4")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", TEXT)
def test_a_mutable_global_must_be_exported_under_a_valid_entry_name(
    impl: Implementation, cls: str
) -> None:
    """An image actor exporting one mutable global under each sample name: a valid entry
    name (OBJ-011) runs and names the global in the saved image; NUL, empty, ``/``, ``.``,
    256 bytes → ``invalid-image``; a lone surrogate makes the module malformed
    → ``invalid-module``."""
    runtime = _open(impl, clause="WASM-026.4")
    expected: dict[str, str | None] = {}
    for name in _path_samples(cls):
        actor = _genesis(
            impl,
            runtime,
            _image_module(1, None, {name: ("i32", 9)}),
            {"image": ""},
            clause="WASM-026.4",
        )
        if not tc.is_valid_text(name):
            expected[actor] = "invalid-module"
        else:
            expected[actor] = None if tc.is_valid_name(name) else "invalid-image"
    run = _run(impl, runtime, 10 * len(expected), clause="WASM-026.4")
    found: dict[str, str | None] = dict.fromkeys(expected)
    found.update(dict(run["failures"]))
    check_equal(
        "WASM-026.4",
        expected,
        found,
        f"each actor's genesis failure (null: it ran), its global named in {cls}",
    )
    for name, actor in zip(_path_samples(cls), expected, strict=True):
        if expected[actor] is None:
            core = _core(impl, runtime, actor, clause="WASM-026.4")
            image = check_type(
                "WASM-026.4",
                _object(impl, runtime, core.entries["image"], clause="WASM-026.4"),
                g.Tree,
                expected="an image tree",
                what="the image the step saved",
            )
            saved = g.Tree(entries={name: g.object_id(g.Blob(data=_le("i32", 9)))})
            check_same(
                "WASM-026.4",
                g.object_id(saved),
                image.entries.get("globals"),
                f"the saved globals: the one named {name!a} (the image: {plain(image)})",
            )
    _close(impl, runtime, clause="WASM-026.4")
