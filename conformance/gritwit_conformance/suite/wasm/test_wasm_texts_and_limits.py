"""The Wasm chapter's texts, names, keys and limits over every input class (issue 24).

Each test feeds one clause the input classes of :mod:`gritwit_conformance.data._classes`
— ASCII, mixed case, the BMP (U+E000–U+FFFF included), astral code points, NUL, the
empty string and lone surrogates — or both sides of its limit, through the host calls
and adapter commands that carry that input:

* texts a guest hands the host (paths, header blocks, ids, header names to look up)
  are UTF-8 bytes in its memory.  A lone surrogate cannot be UTF-8; a guest passes its
  generalized UTF-8 (WTF-8, ``ED A0 80`` for U+D800) instead, which is no text: a host
  that decodes leniently (``surrogatepass``, CESU-8) would take it.  The same text sent
  by the harness (``wit-send`` names, headers, ``mt``) is refused → ``invalid-utf8``
  (ADP-004.8), and a name with NUL, or empty, → ``invalid-name`` (OBJ-011);
* names in a module (imports, exports, exported globals) are the module's bytes: a lone
  surrogate there makes the binary malformed → ``invalid-module`` (WASM-002.1), so it
  never reaches the name checks;
* image trees are planted with an ``update`` (WIT-013) and judged by the next step.

Expected answers are computed here from the clause (exact bytes, ``is_valid_name``,
``is_text_id``, the image rules of WASM-024), never taken from the implementation.
"""

from __future__ import annotations

import struct
from typing import Any

import pytest
import wasmtime

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation

from ._calls import Call, Lowering, module

pytestmark = pytest.mark.profile("wasm")

#: The text classes (``inputs`` markers spell them out: ``trace --inputs`` reads them as text).
TEXT = tc.TEXT_CLASSES
WASM_HEADERS = {"abi": "1", "runtime": "wasm"}
PAGE = 65536
ARITY = {
    "msg_count": 0,
    "msg_sender": 3,
    "msg_header": 5,
    "msg_content": 5,
    "msg_read": 5,
    "mark_read": 1,
    "core_read": 4,
    "core_set": 6,
    "core_link": 4,
    "core_delete": 2,
    "send": 7,
    "send_object": 7,
    "answer": 4,
}
LINK_BLOB = g.Blob(data=b"\x01")
LINK = g.object_id(LINK_BLOB).hex()
ALICE = g.object_id(g.Blob(data=b"alice")).hex().encode()
#: A placeholder in a module's text for a name of invalid UTF-8, patched into the binary.
HOLE = "?"


def _bytes(text: str) -> bytes:
    """``text`` as UTF-8, a lone surrogate as WTF-8 (``ED A0 80`` for U+D800): no text."""
    return text.encode("utf-8", "surrogatepass")


def _esc(raw: bytes) -> str:
    return "".join(f"\\{b:02x}" for b in raw)


def _wasm(wat: str, names: dict[str, bytes] | None = None) -> bytes:
    """The module of ``wat``; each key of ``names`` (a placeholder of ``HOLE``s as long as
    its value) replaced by the value's bytes — the way to get invalid UTF-8 into a name."""
    wasm = bytes(wasmtime.wat2wasm(wat))
    for hole, raw in (names or {}).items():
        assert len(hole) == len(raw) and wasm.count(hole.encode()) == 1, hole
        wasm = wasm.replace(hole.encode(), raw)
    return wasm


def _name(text: str) -> tuple[str, dict[str, bytes]]:
    """A module-text string for the name ``text``, with the patch :func:`_wasm` needs."""
    raw = _bytes(text)
    if tc.is_valid_text(text):
        return _esc(raw), {}
    hole = HOLE * len(raw)
    return hole, {hole: raw}


def _open(impl: Implementation) -> str:
    return str(impl.call("wit-open").expect_ok()["runtime"])


def _genesis(
    impl: Implementation, runtime: str, wasm: bytes, state: dict[str, str] | None = None
) -> str:
    reply = impl.call("wit-genesis", runtime=runtime, module=wasm.hex(), state=state or {})
    return str(reply.expect_ok()["actor"])


def _run(impl: Implementation, runtime: str, max_steps: int = 50) -> dict[str, Any]:
    return impl.call("wit-run", runtime=runtime, max_steps=max_steps).expect_ok()


def _object(impl: Implementation, runtime: str, oid: g.ObjectId | str) -> g.GritObject:
    text = oid if isinstance(oid, str) else oid.hex()
    raw = impl.call("wit-object", runtime=runtime, id=text).expect_ok()["bytes"]
    return g.decode_object(bytes.fromhex(raw))


def _core(impl: Implementation, runtime: str, actor: str) -> g.Tree:
    head = impl.call("wit-head", runtime=runtime, actor=actor).expect_ok()["step"]
    assert head is not None, "the actor has no step"
    step = _object(impl, runtime, head)
    assert isinstance(step, g.Step)
    core = _object(impl, runtime, step.core)
    assert isinstance(core, g.Tree)
    return core


def _data(impl: Implementation, runtime: str, actor: str, name: str) -> bytes:
    blob = _object(impl, runtime, _core(impl, runtime, actor).entries[name])
    assert isinstance(blob, g.Blob)
    return blob.data


def _refused(reply: Any) -> str | None:
    return None if reply.ok else str(reply.error_class)


def _harness_class(text: str) -> str:
    """What ``wit-send`` answers for ``text`` as a tree entry name: lone surrogates first
    (ADP-004.8 pass 2, ``invalid-utf8``), then OBJ-011 (``invalid-name``)."""
    return "invalid-utf8" if not tc.is_valid_text(text) else "invalid-name"


def _actor_id(wasm: bytes, state: dict[str, bytes]) -> str:
    """WIT-002: an actor's id is its first core's (ADP-016 says what that core holds)."""
    entries = {"wit": g.object_id(g.Blob(data=wasm, headers=WASM_HEADERS))}
    entries.update({name: g.object_id(g.Blob(data=data)) for name, data in state.items()})
    return g.object_id(g.Tree(entries=entries)).hex()


#: Near misses of a name the ABI fixes, by class: what a lenient host might take for it.
def _variants(base: str, cls: str) -> list[str]:
    found = {
        "ascii": [base + " ", " " + base, base[:-1], base + "s", base.replace("_", "-") + "\x7f"],
        "mixed-case": [base.upper(), base.capitalize(), base[:-1] + base[-1].upper()],
        "bmp": [
            base[:2] + "\u0456" + base[3:],  # Cyrillic і
            base + "\ufeff",
            base + "\uffff",
            "\uff41" + base[1:],  # a fullwidth letter
            base[:-1] + "\ue000",
        ],
        "astral": [base + "\U0001f600", "\U0001d41a" + base[1:], base[:-1] + "\U0010ffff"],
        "lone-surrogate": [base + "\ud800", "\udc00" + base],
        "nul": [base + "\x00", base[:3] + "\x00" + base[3:], "\x00" + base],
        "empty": [""],
    }[cls]
    assert base not in found
    return found


# --------------------------------------------------------------------------- WASM-001.3

ECHO = _wasm('(module (memory (export "memory") 1) (func (export "step")))')
#: Values of ``abi`` by class, numeric look-alikes of ``1`` among them (``int()`` reads
#: U+0661, U+FF11 and U+1D7CF as 1; U+2160 is the Roman numeral one).
ABI_VALUES: dict[str, list[str]] = {
    "ascii": ["2", "01", "1 ", " 1", "1\n", "+1", "1.0", *tc.TEXT_SAMPLES["ascii"]],
    "mixed-case": ["\u2160", "\u2170", *tc.TEXT_SAMPLES["mixed-case"]],
    "bmp": ["\u0661", "\uff11", "1\ufeff", "1\uffff", *tc.TEXT_SAMPLES["bmp"]],
    "astral": ["\U0001d7cf", "1\U0001f600", *tc.TEXT_SAMPLES["astral"]],
    "lone-surrogate": ["1\ud800", "\udc001", *tc.TEXT_SAMPLES["lone-surrogate"]],
    "nul": ["1\x00", "\x001", *tc.TEXT_SAMPLES["nul"]],
    "empty": [""],
}


@pytest.mark.req("WASM-001.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", TEXT)
def test_an_abi_other_than_exactly_1_is_unknown_wit(impl: Implementation, cls: str) -> None:
    """A core whose ``wit`` blob says ``abi`` = each value of the class: only ``1`` runs,
    every other text fails the genesis → ``unknown-wit``; so does ``ABI``/``Abi`` as the
    header's name (no ``abi``).  A lone surrogate cannot be a header: ``wit-send`` refuses
    it → ``invalid-utf8`` (ADP-004.8)."""
    runtime = _open(impl)
    cases: list[dict[str, str]] = [{"runtime": "wasm", "abi": v} for v in ABI_VALUES[cls]]
    if cls == "mixed-case":
        cases += [{"runtime": "wasm", "ABI": "1"}, {"runtime": "wasm", "Abi": "1"}]
    cases.append(dict(WASM_HEADERS))  # the control: runs
    expected: dict[str, str | None] = {}
    for headers in cases:
        content = {"tree": {"wit": {"blob": ECHO.hex(), "headers": headers}}}
        if not all(tc.is_valid_text(v) for v in headers.values()):
            reply = impl.call(
                "wit-send", check=False, runtime=runtime, to=LINK, mt="genesis", content=content
            )
            assert _refused(reply) == "invalid-utf8", f"abi {headers!a}: {reply}"
            continue
        wit = g.Blob(data=ECHO, headers=headers)
        actor = g.object_id(g.Tree(entries={"wit": g.object_id(wit)})).hex()
        impl.call("wit-send", runtime=runtime, to=actor, mt="genesis", content=content).expect_ok()
        expected[actor] = None if headers == WASM_HEADERS else "unknown-wit"
    run = _run(impl, runtime)
    found: dict[str, str | None] = dict.fromkeys(expected)
    found.update({actor: failed for actor, failed in run["failures"]})
    assert found == expected, (
        f"WASM-001.3: only abi = '1' runs, every other value → unknown-wit: {run['failures']}"
    )
    impl.call("wit-close", runtime=runtime).expect_ok()


# --------------------------------------------------------------------------- WASM-002.1

IMPORT_BASES = {"module": "gritwit", "field": "msg_count"}


@pytest.mark.req("WASM-002.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", TEXT)
def test_imports_are_matched_by_exact_name(impl: Implementation, cls: str) -> None:
    """``msg_count`` imported from a module or under a name near ``gritwit``/``msg_count``:
    ``forbidden-import`` at ``wasm-load`` and at the genesis step; exact names load; a name
    of invalid UTF-8 is no module at all → ``invalid-module`` (checked before imports)."""
    runtime = _open(impl)
    expected: dict[str, str] = {}
    for part, base in IMPORT_BASES.items():
        for variant in _variants(base, cls):
            text, patch = _name(variant)
            other = _esc(IMPORT_BASES["field" if part == "module" else "module"].encode())
            pair = (text, other) if part == "module" else (other, text)
            wat = (
                f'(module (import "{pair[0]}" "{pair[1]}" (func (result i32))) '
                '(memory (export "memory") 1) (func (export "step")))'
            )
            wasm = _wasm(wat, patch)
            want = "forbidden-import" if tc.is_valid_text(variant) else "invalid-module"
            loaded = impl.call("wasm-load", module=wasm.hex())
            assert _refused(loaded) == want, f"import {part} {variant!a}: {loaded}"
            expected[_genesis(impl, runtime, wasm)] = want
    failures = dict(_run(impl, runtime)["failures"])
    assert failures == expected, f"the genesis steps of {cls} imports: {failures}"
    exact = _wasm(
        '(module (import "gritwit" "msg_count" (func (result i32))) '
        '(memory (export "memory") 1) (func (export "step")))'
    )
    assert impl.call("wasm-load", module=exact.hex()).ok
    impl.call("wit-close", runtime=runtime).expect_ok()


# --------------------------------------------------------------------------- WASM-004


@pytest.mark.req("WASM-004")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", TEXT)
def test_exports_are_found_by_exact_name(impl: Implementation, cls: str) -> None:
    """``memory`` or ``step`` exported only under a near name → ``invalid-module``
    (``wasm-load``, the genesis step); beside the exact names the same export is ignored;
    ``query`` under a near name is no query → ``unknown-query``.  A name of invalid UTF-8
    makes no module → ``invalid-module``."""
    runtime = _open(impl)
    expected: dict[str, str] = {}
    queries: list[tuple[str, str]] = []
    for export in ("memory", "step", "query"):
        for variant in _variants(export, cls):
            text, patch = _name(variant)
            names = {"memory": "memory", "step": "step", "query": "query"}
            alone = dict(names, **{export: text})
            beside = (
                '(memory $m 1) (export "memory" (memory $m)) (func $s) (export "step" (func $s)) '
                "(func $q (drop (call $answer (i32.const 0) (i32.const 0) (i32.const 0) "
                '(i32.const 0)))) (export "query" (func $q))'
            )
            imports = (
                '(import "gritwit" "answer" (func $answer (param i32 i32 i32 i32) (result i32)))'
            )
            body = (
                f'(memory $m 1) (export "{alone["memory"]}" (memory $m)) (func $s) '
                f'(export "{alone["step"]}" (func $s)) (func $q (drop (call $answer '
                "(i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))) "
                f'(export "{alone["query"]}" (func $q))'
            )
            wasm = _wasm(f"(module {imports} {body})", patch)
            valid = tc.is_valid_text(variant)
            if not valid:
                want: str | None = "invalid-module"
            else:
                want = None if export == "query" else "invalid-module"
            assert _refused(impl.call("wasm-load", module=wasm.hex())) == want, (
                f"{export} exported as {variant!a}"
            )
            actor = _genesis(impl, runtime, wasm)
            if want is None:
                queries.append((actor, variant))
            else:
                expected[actor] = want
            if valid:
                extra = (
                    f'(export "{text}" (func $q))'
                    if export == "query"
                    else (
                        f'(export "{text}" (memory $m))'
                        if export == "memory"
                        else f'(export "{text}" (func $s))'
                    )
                )
                both = _wasm(f"(module {imports} {beside} {extra})")
                assert impl.call("wasm-load", module=both.hex()).ok, (
                    f"an export {variant!a} beside {export} is ignored"
                )
    failures = dict(_run(impl, runtime)["failures"])
    assert failures == expected, f"the genesis steps of {cls} export names: {failures}"
    for actor, variant in queries:
        reply = impl.call("wit-query", runtime=runtime, actor=actor, name="q")
        assert _refused(reply) == "unknown-query", (
            f"query exported only as {variant!a} is no query (WASM-014.7): {reply}"
        )
    impl.call("wit-close", runtime=runtime).expect_ok()


# --------------------------------------------------------------------------- WASM-014.2


def _query_name_module() -> bytes:
    lowering = Lowering()
    query = [
        "(drop (call $answer (i32.const 8192) (call $query_name (i32.const 8192) "
        "(i32.const 4096)) (i32.const 0) (i32.const 0)))"
    ]
    return module({"query_name": 2, "answer": 4}, lowering, {"step": [], "query": query})


@pytest.mark.req("WASM-014.2", "ADP-004.11")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", TEXT)
def test_query_name_returns_the_name_byte_for_byte(impl: Implementation, cls: str) -> None:
    """The guest answers what ``query_name`` gave it: the name's UTF-8, NUL and all, the
    empty name as no bytes.  A name with a lone surrogate is no text; no guest may see it:
    the query is a malformed request → ``bad-request`` (ADP-004.11)."""
    runtime = _open(impl)
    actor = _genesis(impl, runtime, _query_name_module())
    assert _run(impl, runtime)["failures"] == []
    for name in tc.TEXT_SAMPLES[cls]:
        reply = impl.call("wit-query", check=False, runtime=runtime, actor=actor, name=name)
        if not tc.is_valid_text(name):
            assert reply.error_class == "bad-request", (
                f"a query named {name!a} (a lone surrogate): expected bad-request "
                f"(ADP-004.11), got {reply}"
            )
            continue
        data = bytes.fromhex(reply.expect_ok()["data"])
        assert data == name.encode(), f"query_name of {name!a} gave {data!r}"
    impl.call("wit-close", runtime=runtime).expect_ok()


# --------------------------------------------------------------------------- host-call helpers

#: Where call ``i`` of a module of :func:`_calls_module` gets its buffer: BUF + SLOT·i.
BUF, SLOT = 65536, 256


def _calls_module(calls: list[Call], *, on_message: bool = False) -> bytes:
    """A step making ``calls`` (on a message's step only, if ``on_message``), their return
    codes saved as ``rc`` (one byte each) and their buffers (SLOT bytes each) as ``out``."""
    lowering = Lowering()
    lines = lowering.calls(calls)
    n = len(calls)
    lines += [
        f"(drop (call $core_set (i32.const {lowering.place(b'rc')}) (i32.const 2) "
        f"(i32.const 0) (i32.const {n}) (i32.const 0) (i32.const 0)))",
        f"(drop (call $core_set (i32.const {lowering.place(b'out')}) (i32.const 3) "
        f"(i32.const {BUF}) (i32.const {n * SLOT}) (i32.const 0) (i32.const 0)))",
    ]
    if on_message:
        lines = [
            f"(if (call $msg_count) (then {' '.join(lines)} "
            "(drop (call $mark_read (i32.const 0)))))"
        ]
    return module(ARITY, lowering, {"step": lines}, pages=2 + n * SLOT // PAGE)


def _slot(out: bytes, i: int, n: int) -> bytes:
    return out[i * SLOT : i * SLOT + n]


def _blobs(
    impl: Implementation, runtime: str, tree: g.Tree, at: tuple[str, ...] = ()
) -> dict[tuple[str, ...], bytes]:
    """Every blob below ``tree`` by its path of names (``wit``, ``rc``, ``out`` left out)."""
    found: dict[tuple[str, ...], bytes] = {}
    for name, oid in tree.entries.items():
        if not at and name in ("wit", "rc", "out"):
            continue
        obj = _object(impl, runtime, oid)
        if isinstance(obj, g.Tree):
            found.update(_blobs(impl, runtime, obj, (*at, name)))
        elif isinstance(obj, g.Blob):
            found[(*at, name)] = obj.data
    return found


def _path_names(path: str) -> tuple[str, ...] | None:
    """WASM-008.2: one or more valid entry names (OBJ-011) joined by ``/``; else None."""
    names = tuple(path.split("/"))
    return names if all(tc.is_valid_name(n) for n in names) else None


#: Extra names at the size limit of a name (255 UTF-8 bytes, OBJ-011) and one past it.
LONG_NAMES = {"ascii": ["a" * 255, "a" * 256], "bmp": ["é" * 127 + "a", "é" * 128]}


def _path_samples(cls: str) -> list[str]:
    return [*tc.TEXT_SAMPLES[cls], *LONG_NAMES.get(cls, [])]


# --------------------------------------------------------------------------- WASM-008.2


@pytest.mark.req("WASM-008.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", TEXT)
def test_core_paths_of_every_class(impl: Implementation, cls: str) -> None:
    """``core_set`` then ``core_read`` of ``k<j>/<s>`` and ``<s>/k<j>`` for each sample
    ``s``: a path of valid names (``a/b`` is two) writes and reads back, and the core holds
    exactly those names; any other (NUL, empty, lone surrogate as WTF-8, too long) → -2
    and no effect."""
    calls: list[Call] = []
    expected_rc = bytearray()
    expected: dict[tuple[str, ...], bytes] = {}
    for j, s in enumerate(_path_samples(cls)):
        for path in (f"k{j}/{s}", f"{s}/k{j}"):
            names = _path_names(path)
            at = BUF + SLOT * (len(calls) + 1)
            calls += [("core_set", [_bytes(path), b"v", b""]), ("core_read", [_bytes(path), at, 8])]
            expected_rc += b"\x00\x01" if names else b"\xfe\xfe"
            if names:
                expected[names] = b"v"
    runtime = _open(impl)
    actor = _genesis(impl, runtime, _calls_module(calls))
    assert _run(impl, runtime)["failures"] == []
    rc = _data(impl, runtime, actor, "rc")
    assert rc == bytes(expected_rc), (
        f"{cls} paths: return codes {rc.hex()}, expected {bytes(expected_rc).hex()} "
        "(0 and 1 for a path of valid names, -2 for a malformed one, WASM-008.2)"
    )
    found = _blobs(impl, runtime, _core(impl, runtime, actor))
    assert found == expected, f"{cls} paths: the core holds {sorted(found)}"
    impl.call("wit-close", runtime=runtime).expect_ok()


def _content(paths: dict[str, bytes]) -> dict[str, Any]:
    """The content description of a tree holding each path's blob."""
    root: dict[str, Any] = {}
    for path, data in paths.items():
        node = root
        names = path.split("/")
        for name in names[:-1]:
            node = node.setdefault(name, {"tree": {}})["tree"]
        node[names[-1]] = {"blob": data.hex()}
    return {"tree": root}


@pytest.mark.req("WASM-008.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", TEXT)
def test_message_paths_of_every_class(impl: Implementation, cls: str) -> None:
    """A message's content holds ``k<j>/<s>`` for each sample that makes a valid path;
    ``msg_read`` and ``msg_content`` of every sample's path give its data and id, or -2
    for a malformed path.  ``wit-send`` itself refuses a tree entry named by a sample that
    is no valid name: ``invalid-utf8`` for a lone surrogate, else ``invalid-name``."""
    samples = _path_samples(cls)
    paths = {f"k{j}/{s}": s.encode() for j, s in enumerate(samples) if _path_names(f"k{j}/{s}")}
    paths["x"] = b"x"  # the content is never an empty tree (OBJ-010)
    calls: list[Call] = []
    for j, s in enumerate(samples):
        raw = _bytes(f"k{j}/{s}")
        calls.append(("msg_read", [0, raw, BUF + SLOT * len(calls), SLOT]))
        calls.append(("msg_content", [0, raw, BUF + SLOT * len(calls), 64]))
    runtime = _open(impl)
    actor = _genesis(impl, runtime, _calls_module(calls, on_message=True))
    for s in samples:
        if not tc.is_valid_name(s):
            content = {"tree": {s: {"blob": "01"}}}
            reply = impl.call(
                "wit-send", check=False, runtime=runtime, to=actor, mt="m", content=content
            )
            assert _refused(reply) == _harness_class(s), f"an entry named {s!a}: {reply}"
    impl.call("wit-send", runtime=runtime, to=actor, mt="m", content=_content(paths)).expect_ok()
    assert _run(impl, runtime)["failures"] == []
    rc, out = _data(impl, runtime, actor, "rc"), _data(impl, runtime, actor, "out")
    for j, s in enumerate(samples):
        data = paths.get(f"k{j}/{s}")
        if data is None:
            assert rc[2 * j : 2 * j + 2] == b"\xfe\xfe", f"path k{j}/{s!a} is malformed: -2"
            continue
        assert rc[2 * j] == len(data) and _slot(out, 2 * j, len(data)) == data, (
            f"msg_read of k{j}/{s!a}: {rc[2 * j]}, {_slot(out, 2 * j, len(data))!r}"
        )
        oid = g.object_id(g.Blob(data=data)).hex().encode()
        assert rc[2 * j + 1] == 64 and _slot(out, 2 * j + 1, 64) == oid, (
            f"msg_content of k{j}/{s!a}"
        )
    impl.call("wit-close", runtime=runtime).expect_ok()


# --------------------------------------------------------------------------- WASM-008.1


def _id_cases() -> list[bytes]:
    """Text-form ids and near misses of every class, 64 bytes long where one can be."""
    texts = [LINK, *tc.bad_text_ids(LINK).values()]
    texts += [
        "é" + LINK[2:],  # 64 bytes, two of them one BMP character
        "\uffff" + LINK[3:],
        "\U0001f600" + LINK[4:],  # 64 bytes, four of them one astral character
        "\x00" + LINK[1:],
        LINK[:-1] + "\x00",
        LINK[:32] + LINK[32:].upper(),
        "\ud800" + LINK[3:],  # as WTF-8: 64 bytes
        LINK[:-3] + "\udfff",
        LINK[:-1],  # 63
        LINK + "a",  # 65
    ]
    return list(dict.fromkeys(_bytes(t) for t in texts))


@pytest.mark.req("WASM-008.1")
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
def test_ids_at_the_boundary_are_64_lowercase_hex_bytes(impl: Implementation) -> None:
    """Each case as the id of ``core_link`` and ``send_object`` and as the recipient of
    ``send`` and ``send_object``: 0 for a text-form id (64 bytes, ``0-9a-f``), -2 for
    anything else — upper case, 63 or 65 bytes, NUL, a BMP, astral or surrogate character
    in 64 bytes, whitespace, the empty string."""
    cases = _id_cases()
    calls: list[Call] = []
    for j, raw in enumerate(cases):
        calls += [
            ("core_link", [f"l{j}".encode(), raw]),
            ("send_object", [ALICE, b"", raw, 0]),
            ("send", [raw, b"", b"x", 0]),
            ("send_object", [raw, b"", LINK.encode(), 0]),
        ]
    runtime = _open(impl)
    actor = _genesis(impl, runtime, _calls_module(calls), {"a": "01"})
    assert _run(impl, runtime)["failures"] == []
    rc = _data(impl, runtime, actor, "rc")
    for j, raw in enumerate(cases):
        valid = tc.is_valid_text(raw.decode("utf-8", "surrogatepass")) and tc.is_text_id(
            raw.decode("utf-8", "surrogatepass")
        )
        want = b"\x00" * 4 if valid else b"\xfe" * 4
        assert rc[4 * j : 4 * j + 4] == want, (
            f"id {raw!r} ({len(raw)} bytes): core_link, send_object (id), send and "
            f"send_object (recipient) returned {rc[4 * j : 4 * j + 4].hex()}, expected "
            f"{want.hex()} (WASM-008.1)"
        )
    impl.call("wit-close", runtime=runtime).expect_ok()


# --------------------------------------------------------------------------- WASM-008.3

SURROGATE = _bytes("\ud800")
#: Header blocks by class: (block, the headers it means, or None when malformed).
BLOCKS: dict[str, list[tuple[bytes, dict[str, str] | None]]] = {
    "ascii": [
        (b"mt\0echo\0", {"mt": "echo"}),
        (b"b\x001\0a\x002\0", {"a": "2", "b": "1"}),
        (b"content-type\0hello world\0", {"content-type": "hello world"}),
        (b"\x7f\0\x01\0", {"\x7f": "\x01"}),
    ],
    "mixed-case": [
        (b"mt\0x\0MT\0y\0", {"mt": "x", "MT": "y"}),
        (_bytes("Éé\0ΣσΣ\0éÉ\0Straße\0"), {"Éé": "ΣσΣ", "éÉ": "Straße"}),
    ],
    "bmp": [
        (_bytes("é\0\uffff\0"), {"é": "\uffff"}),
        (_bytes("\ue000\0中文\0\ufeff\0\ufffd\0"), {"\ue000": "中文", "\ufeff": "\ufffd"}),
    ],
    "astral": [
        (_bytes("\U0001f600\0\U00010000\0"), {"\U0001f600": "\U00010000"}),
        (_bytes("𝄞\0a\U0010ffff\0"), {"𝄞": "a\U0010ffff"}),
    ],
    "lone-surrogate": [
        (SURROGATE + b"\0v\0", None),
        (b"mt\0a" + _bytes("\udfff") + b"\0", None),
        (b"mt\0" + _bytes("\ud83d\ude00") + b"\0", None),  # CESU-8 of U+1F600
    ],
    "nul": [
        (b"mt\0echo", None),  # the last value not terminated
        (b"mt\0echo\0\0", None),  # an odd number of strings
        (b"\0", None),
        (b"mt\0a\0b\0", None),
        (b"mt\0\0", {"mt": ""}),
    ],
    "empty": [
        (b"", {}),
        (b"\0v\0", None),  # an empty name (OBJ-006.2)
        (b"\0\0", None),
        (b"a\0\0b\0\0", {"a": "", "b": ""}),
    ],
}


def _blob_with(data: bytes, headers: dict[str, str]) -> g.Blob:
    return g.Blob(data=data, headers=headers) if headers else g.Blob(data=data)


@pytest.mark.req("WASM-008.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", TEXT)
def test_header_blocks_of_every_class(impl: Implementation, cls: str) -> None:
    """Each block through ``core_set`` and ``send`` (a step) and ``answer`` (a query):
    0 for a block of NUL-terminated UTF-8 names and values — the blob then has exactly
    those headers, names case-sensitive, the empty block none —, -2 for any other."""
    blocks = BLOCKS[cls]
    calls: list[Call] = []
    for j, (raw, _) in enumerate(blocks):
        calls += [("core_set", [f"h{j}".encode(), b"v", raw]), ("send", [ALICE, raw, b"v", 0])]
    step = _calls_module(calls)
    lowering = Lowering()
    query = lowering.calls([("answer", [b"v", raw]) for raw, _ in blocks])
    query.append(
        f"(drop (call $answer (i32.const 0) (i32.const {len(blocks)}) (i32.const 0) (i32.const 0)))"
    )
    answering = module(ARITY, lowering, {"step": [], "query": query})
    runtime = _open(impl)
    actor = _genesis(impl, runtime, step)
    asker = _genesis(impl, runtime, answering)
    assert _run(impl, runtime)["failures"] == []
    rc = _data(impl, runtime, actor, "rc")
    answered = bytes.fromhex(
        impl.call("wit-query", runtime=runtime, actor=asker, name="q").expect_ok()["data"]
    )
    core = _core(impl, runtime, actor)
    for j, (raw, headers) in enumerate(blocks):
        want = 0 if headers is not None else 0xFE
        assert (rc[2 * j], rc[2 * j + 1], answered[j]) == (want, want, want), (
            f"header block {raw!r}: core_set, send and answer returned "
            f"{rc[2 * j]:#x}, {rc[2 * j + 1]:#x}, {answered[j]:#x}; expected {want:#x}"
        )
        if headers is None:
            assert f"h{j}" not in core.entries, f"a malformed block {raw!r} wrote h{j}"
        else:
            assert core.entries[f"h{j}"] == g.object_id(_blob_with(b"v", headers)), (
                f"core_set with {raw!r}: the blob must have the headers {headers!a}: "
                f"{_object(impl, runtime, core.entries[f'h{j}'])}"
            )
    impl.call("wit-close", runtime=runtime).expect_ok()


# --------------------------------------------------------------------------- WASM-009.3

#: The headers a sender's message carries, names of every valid class.
KEYS = {
    "mt": "m",
    "a": "1",
    "A": "2",
    "Éé": "3",
    "éÉ": "4",
    "é": "5",
    "\uffff": "6",
    "\ue000": "7",
    "\U0001f600": "8",
    "\U00010000a": "9",
    "ß": "10",
}
#: Names looked up: every key, and near misses of each class that no key equals.
PROBES = [
    *KEYS,
    "MT",
    "Mt",
    "ÉÉ",
    "éé",
    "e\u0301",  # é decomposed
    "É",
    "ss",
    "SS",
    "m",
    "mt ",
    "\uffff\ufeff",
    "\U0001f601",
    "\U00010000",
    "mt\0",
    "\0mt",
    "a\0",
    "",
    "\ud800",
    "\ud83d\ude00",  # as WTF-8: the CESU-8 of U+1F600
    "\ue000\udfff",
]


@pytest.mark.req("WASM-009.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_header_names_are_looked_up_by_exact_bytes(impl: Implementation) -> None:
    """An actor sends a message whose header block holds names of every class; the
    recipient looks each probe up with ``msg_header``: a name equal byte for byte gives
    its value, any other — other case, decomposed, with NUL, empty — is absent (-1); a
    lone surrogate (WTF-8, CESU-8) is no name: absent or invalid (-1 or -2), never a
    value."""
    calls: list[Call] = [
        ("msg_header", [0, _bytes(p), BUF + SLOT * i, SLOT]) for i, p in enumerate(PROBES)
    ]
    target = _calls_module(calls, on_message=True)
    target_id = _actor_id(target, {})
    block = b"".join(_bytes(k) + b"\0" + _bytes(v) + b"\0" for k, v in KEYS.items())
    lowering = Lowering()
    sender = module(
        ARITY, lowering, {"step": lowering.calls([("send", [target_id.encode(), block, b"x", 0])])}
    )
    runtime = _open(impl)
    assert _genesis(impl, runtime, target) == target_id, "WIT-002: the id of the first core"
    _genesis(impl, runtime, sender)
    assert _run(impl, runtime)["failures"] == []
    rc, out = _data(impl, runtime, target_id, "rc"), _data(impl, runtime, target_id, "out")
    for i, probe in enumerate(PROBES):
        code, value = rc[i], KEYS.get(probe) if tc.is_valid_text(probe) else None
        if value is not None:
            got = _slot(out, i, len(value.encode()))
            assert (code, got) == (len(value.encode()), value.encode()), (
                f"msg_header({probe!a}) must give {value!a}: {code}, {got!r}"
            )
        elif tc.is_valid_text(probe):
            assert code == 0xFF, f"msg_header({probe!a}): no header has that name, -1: {code:#x}"
        else:
            assert code in (0xFF, 0xFE), f"msg_header({probe!a}) is no name: {code:#x}"
    impl.call("wit-close", runtime=runtime).expect_ok()


# --------------------------------------------------------------------------- WASM-009.1

#: Each visible message's record: the sender's text id (64 bytes), then its 2 data bytes.
RECORD = 66


def _recorder() -> bytes:
    """Saves, for each message it sees, the sender and the data as ``seen``; marks all."""
    step = f"""
    (local $i i32) (local $n i32)
    (local.set $n (call $msg_count))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (drop (call $msg_sender (local.get $i)
        (i32.add (i32.const {BUF}) (i32.mul (local.get $i) (i32.const {RECORD}))) (i32.const 64)))
      (drop (call $msg_read (local.get $i) (i32.const 0) (i32.const 0)
        (i32.add (i32.const {BUF + 64}) (i32.mul (local.get $i) (i32.const {RECORD})))
        (i32.const 2)))
      (drop (call $mark_read (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (if (local.get $n) (then (drop (call $core_set (i32.const 16) (i32.const 4) (i32.const {BUF})
      (i32.mul (local.get $n) (i32.const {RECORD})) (i32.const 0) (i32.const 0)))))
    """
    imports = " ".join(
        f'(import "gritwit" "{n}" (func ${n} (param{" i32" * ARITY[n]}) (result i32)))'
        for n in ("msg_count", "msg_sender", "msg_read", "mark_read", "core_set")
    )
    return _wasm(
        f'(module {imports} (memory (export "memory") 2) (data (i32.const 16) "seen") '
        f'(func (export "step") {step}))'
    )


def _sender(to: str, n: int) -> bytes:
    """On its genesis step: two messages to ``to``, data ``n 0`` and ``n 1``."""
    lowering = Lowering()
    calls: list[Call] = [("send", [to.encode(), b"mt\0m\0", bytes([n, k]), 0]) for k in (0, 1)]
    return module(ARITY, lowering, {"step": lowering.calls(calls)})


@pytest.mark.req("WASM-009.1")
@pytest.mark.inputs("order:signed-bytes", "order:canonical-signed-bytes")
def test_senders_are_seen_in_unsigned_byte_order_of_their_ids(impl: Implementation) -> None:
    """Senders whose ids start with bytes below and above 0x80 (chosen here from their
    cores, WIT-002), and the outside (32 zero bytes), message an actor before its genesis;
    its genesis step sees them in the bytewise order of the ids (ID-005) — not as signed
    bytes (C ``char``) order them —, each sender's oldest first."""
    target = _recorder()
    target_id = _actor_id(target, {})
    low: list[tuple[str, int]] = []
    high: list[tuple[str, int]] = []
    for n in range(64):
        sid = _actor_id(_sender(target_id, n), {})
        (high if int(sid[:2], 16) >= 0x80 else low).append((sid, n))
        if len(low) >= 2 and len(high) >= 2:
            break
    senders = low[:2] + high[:2]
    ids = [bytes.fromhex(sid) for sid, _ in senders]
    signed = sorted(ids, key=lambda b: tuple(x - 256 if x >= 128 else x for x in b))
    assert sorted(ids) != signed, "the senders must tell signed from unsigned bytes"
    runtime = _open(impl)
    for sid, n in reversed(senders):
        assert _genesis(impl, runtime, _sender(target_id, n)) == sid
    impl.call(
        "wit-send", runtime=runtime, to=target_id, mt="o", content={"blob": "ff00"}
    ).expect_ok()
    assert _run(impl, runtime)["failures"] == []
    assert _genesis(impl, runtime, target) == target_id
    assert _run(impl, runtime)["failures"] == []
    seen = _data(impl, runtime, target_id, "seen")
    expected = ("00" * 32).encode() + b"\xff\x00"
    for sid, n in sorted(senders, key=lambda s: bytes.fromhex(s[0])):
        expected += sid.encode() + bytes([n, 0]) + sid.encode() + bytes([n, 1])
    records = [seen[i : i + RECORD] for i in range(0, len(seen), RECORD)]
    assert seen == expected, (
        "WASM-009.1: senders in id order (bytewise, ID-005), each sender's oldest first: "
        f"saw {[(r[:8].decode(), r[64:].hex()) for r in records]}"
    )
    impl.call("wit-close", runtime=runtime).expect_ok()


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
    impl: Implementation, wasm: bytes, parts: list[dict[str, Any]]
) -> tuple[str, list[str], dict[str, str]]:
    """One image actor per part: its genesis step, an update merging ``part`` into its
    image tree (WIT-013: no module call), then a message: (runtime, actors, failures of
    the message's steps by actor)."""
    runtime = _open(impl)
    actors = [
        _genesis(impl, runtime, wasm, {"image": "", "n": f"{j:04x}"}) for j in range(len(parts))
    ]
    assert _run(impl, runtime, 10 * len(parts))["failures"] == []
    for actor, part in zip(actors, parts, strict=True):
        update = {"tree": {"image": {"tree": part}}}
        impl.call("wit-send", runtime=runtime, to=actor, mt="update", content=update).expect_ok()
    assert _run(impl, runtime, 10 * len(parts))["failures"] == [], "an update runs no module"
    for actor in actors:
        impl.call(
            "wit-send", runtime=runtime, to=actor, mt="go", content={"blob": "01"}
        ).expect_ok()
    return runtime, actors, dict(_run(impl, runtime, 10 * len(parts))["failures"])


def _answer(impl: Implementation, runtime: str, actor: str) -> bytes:
    reply = impl.call("wit-query", runtime=runtime, actor=actor, name="q")
    return bytes.fromhex(reply.expect_ok()["data"])


def _refuse_part(impl: Implementation, name: str, part: dict[str, Any]) -> None:
    """``wit-send`` of an update holding a tree entry ``name`` that is no valid name."""
    runtime = _open(impl)
    content = {"tree": {"image": {"tree": part}}}
    reply = impl.call(
        "wit-send", check=False, runtime=runtime, to=LINK, mt="update", content=content
    )
    assert _refused(reply) == _harness_class(name), f"an image entry named {name!a}: {reply}"
    impl.call("wit-close", runtime=runtime).expect_ok()


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
            _refuse_part(impl, name, {"pages": _pages(1), name: _blob(b"x")})
    parts = [{"pages": _pages(1), name: _blob(b"x")} for name in valid] + [{"pages": _pages(2)}]
    runtime, actors, failures = _planted(impl, _image_module(1, 4), parts)
    expected = dict.fromkeys(actors[:-1], "invalid-image")
    assert failures == expected, f"image entries {valid!a}: {failures}"
    assert _answer(impl, runtime, actors[-1])[:4] == (2).to_bytes(4, "little")
    impl.call("wit-close", runtime=runtime).expect_ok()


@pytest.mark.req("WASM-024.3")
@pytest.mark.inputs("largest", "past-largest")
def test_pages_is_exactly_4_bytes(impl: Implementation) -> None:
    """``pages`` of 0, 3, 5 and 8 bytes → ``invalid-image``; 4 bytes restores that size."""
    sizes = [0, 3, 4, 5, 8]
    parts = [{"pages": _blob((2).to_bytes(8, "little")[:n])} for n in sizes]
    runtime, actors, failures = _planted(impl, _image_module(1, 4), parts)
    expected = {a: "invalid-image" for a, n in zip(actors, sizes, strict=True) if n != 4}
    assert failures == expected, f"pages of {sizes} bytes: {failures}"
    assert _answer(impl, runtime, actors[sizes.index(4)])[:4] == (2).to_bytes(4, "little")
    impl.call("wit-close", runtime=runtime).expect_ok()


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
                impl, name, {"pages": _pages(2), "memory": {"tree": {name: _blob(b"\x01")}}}
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
    runtime, actors, failures = _planted(impl, _image_module(1, 4), bad + good)
    assert failures == dict.fromkeys(actors[: len(bad)], "invalid-image"), (
        f"chunks named {valid!a}, of 65 535 and 65 537 bytes, and 00002 of 2 pages: {failures}"
    )
    answer = _answer(impl, runtime, actors[len(bad)])
    assert answer[:5] == (2).to_bytes(4, "little") + b"\x07", f"chunk 00001: {answer.hex()}"
    assert _answer(impl, runtime, actors[-1])[:4] == (4).to_bytes(4, "little")
    impl.call("wit-close", runtime=runtime).expect_ok()


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
        _refuse_part(impl, name, {"globals": {"tree": {name: _blob(bytes(4))}}})
    new = {name: 100 + k for k, name in enumerate(NAMED_GLOBALS)}
    parts: list[dict[str, Any]] = [
        {"globals": {"tree": {n: _blob(_le(NAMED_GLOBALS[n][0], new[n])) for n in new}}},
        {"globals": {"tree": {"e\u0301": _blob(bytes(4)), "gG": _blob(bytes(4)),
                              "\U0001f601": _blob(bytes(4))}}},
        {"globals": {"tree": {"g": _blob(bytes(3))}}},
        {"globals": {"tree": {"G": _blob(bytes(5))}}},
        {"globals": {"tree": {"w": _blob(bytes(9))}}},
    ]  # fmt: skip
    runtime, actors, failures = _planted(impl, wasm, parts)
    assert failures == dict.fromkeys(actors[2:], "invalid-image"), failures
    initial = {n: v for n, (_, v) in NAMED_GLOBALS.items()}
    assert _answer(impl, runtime, actors[0])[GLOBALS_AT:] == _globals_answer(new)
    assert _answer(impl, runtime, actors[1])[GLOBALS_AT:] == _globals_answer(initial)
    image = _object(impl, runtime, _core(impl, runtime, actors[0]).entries["image"])
    assert isinstance(image, g.Tree)
    saved = {
        name: g.object_id(g.Blob(data=_le(kind, new[name])))
        for name, (kind, _) in NAMED_GLOBALS.items()
    }
    assert image.entries.get("globals") == g.object_id(g.Tree(entries=saved)), (
        f"the saved globals must be named by the export names: {image}"
    )
    impl.call("wit-close", runtime=runtime).expect_ok()


@pytest.mark.req("WASM-025.2")
@pytest.mark.inputs("largest", "past-largest")
def test_pages_from_the_initial_size_up_to_the_declared_maximum(impl: Implementation) -> None:
    """A memory of 2 … 4 pages: ``pages`` 2 and 4 restore that size; 1 (below the
    initial size) and 5 (past the maximum) → ``invalid-image``."""
    sizes = [1, 2, 4, 5]
    runtime, actors, failures = _planted(
        impl, _image_module(2, 4), [{"pages": _pages(n)} for n in sizes]
    )
    assert failures == {actors[0]: "invalid-image", actors[3]: "invalid-image"}, failures
    for actor, n in zip(actors[1:3], sizes[1:3], strict=True):
        assert _answer(impl, runtime, actor)[:4] == n.to_bytes(4, "little")
    impl.call("wit-close", runtime=runtime).expect_ok()


@pytest.mark.req("WASM-028")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("maximum", [None, 300], ids=["no-maximum", "maximum-300"])
def test_an_image_of_at_most_256_pages(impl: Implementation, maximum: int | None) -> None:
    """``pages`` 256 restores 256 pages; 257 and 2³²−1 → ``memory-limit``, also where
    the module's declared maximum would allow them."""
    sizes = [256, 257, 2**32 - 1]
    runtime, actors, failures = _planted(
        impl, _image_module(1, maximum), [{"pages": _pages(n)} for n in sizes]
    )
    assert failures == dict.fromkeys(actors[1:], "memory-limit"), failures
    assert _answer(impl, runtime, actors[0])[:4] == (256).to_bytes(4, "little")
    impl.call("wit-close", runtime=runtime).expect_ok()


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
    runtime = _open(impl)
    expected: dict[str, str | None] = {}
    for name in _path_samples(cls):
        actor = _genesis(impl, runtime, _image_module(1, None, {name: ("i32", 9)}), {"image": ""})
        if not tc.is_valid_text(name):
            expected[actor] = "invalid-module"
        else:
            expected[actor] = None if tc.is_valid_name(name) else "invalid-image"
    run = _run(impl, runtime, 10 * len(expected))
    found: dict[str, str | None] = dict.fromkeys(expected)
    found.update(dict(run["failures"]))
    assert found == expected, f"{cls} global names: {run['failures']}"
    for name, actor in zip(_path_samples(cls), expected, strict=True):
        if expected[actor] is None:
            image = _object(impl, runtime, _core(impl, runtime, actor).entries["image"])
            assert isinstance(image, g.Tree)
            saved = g.Tree(entries={name: g.object_id(g.Blob(data=_le("i32", 9)))})
            assert image.entries.get("globals") == g.object_id(saved), (name, image)
    impl.call("wit-close", runtime=runtime).expect_ok()
