"""Texts a guest hands the host over every input class: core and message paths, ids,
header blocks, header names looked up, and the order senders are seen in (WASM-008,
WASM-009).  Helpers and the input-class rules: :mod:`._wasm_texts`.
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation

from .._check import (
    Clause,
    check,
    check_equal,
    check_in,
    check_type,
    ok_answer,
)
from .._check_more import check_same
from ._calls import Call, Lowering, module
from ._wasm_texts import (
    LINK,
    PAGE,
    TEXT,
    WASM_HEADERS,
    _bytes,
    _close,
    _core,
    _genesis,
    _harness_class,
    _object,
    _open,
    _path_samples,
    _refused,
    _run,
)

pytestmark = pytest.mark.profile("wasm")
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
ALICE = g.object_id(g.Blob(data=b"alice")).hex().encode()


def _data(impl: Implementation, runtime: str, actor: str, name: str, clause: Clause) -> bytes:
    core = _core(impl, runtime, actor, clause=clause)
    blob = check_type(
        clause,
        _object(impl, runtime, core.entries[name], clause=clause),
        g.Blob,
        expected="a blob",
        what=f"the core entry {name!r}",
    )
    return blob.data


def _actor_id(wasm: bytes, state: dict[str, bytes]) -> str:
    """WIT-002: an actor's id is its first core's (ADP-016 says what that core holds)."""
    entries = {"wit": g.object_id(g.Blob(data=wasm, headers=WASM_HEADERS))}
    entries.update({name: g.object_id(g.Blob(data=data)) for name, data in state.items()})
    return g.object_id(g.Tree(entries=entries)).hex()


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
    impl: Implementation, runtime: str, tree: g.Tree, clause: Clause, at: tuple[str, ...] = ()
) -> dict[tuple[str, ...], bytes]:
    """Every blob below ``tree`` by its path of names (``wit``, ``rc``, ``out`` left out)."""
    found: dict[tuple[str, ...], bytes] = {}
    for name, oid in tree.entries.items():
        if not at and name in ("wit", "rc", "out"):
            continue
        obj = _object(impl, runtime, oid, clause=clause)
        if isinstance(obj, g.Tree):
            found.update(_blobs(impl, runtime, obj, clause, (*at, name)))
        elif isinstance(obj, g.Blob):
            found[(*at, name)] = obj.data
    return found


def _path_names(path: str) -> tuple[str, ...] | None:
    """WASM-008.2: one or more valid entry names (OBJ-011) joined by ``/``; else None."""
    names = tuple(path.split("/"))
    return names if all(tc.is_valid_name(n) for n in names) else None


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
    runtime = _open(impl, clause="WASM-008.2")
    actor = _genesis(impl, runtime, _calls_module(calls), clause="WASM-008.2")
    failures = _run(impl, runtime, clause="WASM-008.2")["failures"]
    check_equal("WASM-008.2", [], failures, "the failures of the genesis step")
    rc = _data(impl, runtime, actor, "rc", "WASM-008.2")
    check_equal(
        "WASM-008.2",
        bytes(expected_rc),
        rc,
        f"the return codes of the {cls} paths: 0 and 1 (core_set, core_read) for a "
        "path of valid names, -2 for a malformed one",
    )
    core = _core(impl, runtime, actor, clause="WASM-008.2")
    found = _blobs(impl, runtime, core, "WASM-008.2")
    check_equal(
        "WASM-008.2",
        sorted(expected.items()),
        sorted(found.items()),
        f"the blobs of the core by path after the {cls} paths' core_set",
    )
    _close(impl, runtime, clause="WASM-008.2")


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
    runtime = _open(impl, clause="WASM-008.2")
    actor = _genesis(impl, runtime, _calls_module(calls, on_message=True), clause="WASM-008.2")
    for s in samples:
        if not tc.is_valid_name(s):
            content = {"tree": {s: {"blob": "01"}}}
            reply = impl.call(
                "wit-send", check=False, runtime=runtime, to=actor, mt="m", content=content
            )
            check_equal(
                "WASM-008.2",
                _harness_class(s),
                _refused(reply),
                f"the error of wit-send of a tree entry named {s!a}",
            )
    sent = impl.call("wit-send", runtime=runtime, to=actor, mt="m", content=_content(paths))
    ok_answer(sent, "WASM-008.2", "wit-send of the message of every valid path")
    failures = _run(impl, runtime, clause="WASM-008.2")["failures"]
    check_equal("WASM-008.2", [], failures, "the failures of the runs")
    rc = _data(impl, runtime, actor, "rc", "WASM-008.2")
    out = _data(impl, runtime, actor, "out", "WASM-008.2")
    for j, s in enumerate(samples):
        data = paths.get(f"k{j}/{s}")
        if data is None:
            check_equal(
                "WASM-008.2",
                b"\xfe\xfe",
                rc[2 * j : 2 * j + 2],
                f"the return codes of msg_read, msg_content of the malformed k{j}/{s!a}",
            )
            continue
        check_equal(
            "WASM-008.2",
            [len(data), data],
            [rc[2 * j], _slot(out, 2 * j, len(data))],
            f"msg_read of k{j}/{s!a}: [its return code, its bytes]",
        )
        oid = g.object_id(g.Blob(data=data)).hex().encode()
        check_equal(
            "WASM-008.2",
            [64, oid],
            [rc[2 * j + 1], _slot(out, 2 * j + 1, 64)],
            f"msg_content of k{j}/{s!a}: [its return code, the id it wrote]",
        )
    _close(impl, runtime, clause="WASM-008.2")


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
    runtime = _open(impl, clause="WASM-008.1")
    actor = _genesis(impl, runtime, _calls_module(calls), {"a": "01"}, clause="WASM-008.1")
    failures = _run(impl, runtime, clause="WASM-008.1")["failures"]
    check_equal("WASM-008.1", [], failures, "the failures of the genesis step")
    rc = _data(impl, runtime, actor, "rc", "WASM-008.1")
    for j, raw in enumerate(cases):
        valid = tc.is_valid_text(raw.decode("utf-8", "surrogatepass")) and tc.is_text_id(
            raw.decode("utf-8", "surrogatepass")
        )
        want = b"\x00" * 4 if valid else b"\xfe" * 4
        check_equal(
            "WASM-008.1",
            want,
            rc[4 * j : 4 * j + 4],
            f"the return codes of core_link, send_object (id), send and send_object "
            f"(recipient) given the id {raw!r} ({len(raw)} bytes)",
        )
    _close(impl, runtime, clause="WASM-008.1")


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
    runtime = _open(impl, clause="WASM-008.3")
    actor = _genesis(impl, runtime, step, clause="WASM-008.3")
    asker = _genesis(impl, runtime, answering, clause="WASM-008.3")
    failures = _run(impl, runtime, clause="WASM-008.3")["failures"]
    check_equal("WASM-008.3", [], failures, "the failures of the genesis steps")
    rc = _data(impl, runtime, actor, "rc", "WASM-008.3")
    asked = impl.call("wit-query", runtime=runtime, actor=asker, name="q")
    answered = bytes.fromhex(ok_answer(asked, "WASM-008.3", "the query of answer")["data"])
    core = _core(impl, runtime, actor, clause="WASM-008.3")
    for j, (raw, headers) in enumerate(blocks):
        want = 0 if headers is not None else 0xFE
        check_equal(
            "WASM-008.3",
            [want] * 3,
            [rc[2 * j], rc[2 * j + 1], answered[j]],
            f"the return codes of core_set, send and answer given the block {raw!r}",
        )
        if headers is None:
            check(
                "WASM-008.3",
                f"h{j}" not in core.entries,
                expected=f"no entry h{j}",
                came=f"an entry h{j}",
                what=f"the core after core_set with the malformed {raw!r}",
            )
        else:
            entry = core.entries[f"h{j}"]
            if entry != g.object_id(_blob_with(b"v", headers)):
                check_same(
                    "WASM-008.3",
                    _blob_with(b"v", headers),
                    _object(impl, runtime, entry, clause="WASM-008.3"),
                    f"the blob core_set wrote with the block {raw!r}",
                )
                check_same(
                    "WASM-008.3",
                    g.object_id(_blob_with(b"v", headers)),
                    entry,
                    f"the id of the blob core_set wrote with the block {raw!r}",
                )
    _close(impl, runtime, clause="WASM-008.3")


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
@pytest.mark.req("WIT-002")
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
    runtime = _open(impl, clause="WASM-009.3")
    started = _genesis(impl, runtime, target, clause="WASM-009.3")
    check_equal("WIT-002", target_id, started, "the actor's id: its first core's")
    _genesis(impl, runtime, sender, clause="WASM-009.3")
    failures = _run(impl, runtime, clause="WASM-009.3")["failures"]
    check_equal("WASM-009.3", [], failures, "the failures of the runs")
    rc = _data(impl, runtime, target_id, "rc", "WASM-009.3")
    out = _data(impl, runtime, target_id, "out", "WASM-009.3")
    for i, probe in enumerate(PROBES):
        code, value = rc[i], KEYS.get(probe) if tc.is_valid_text(probe) else None
        if value is not None:
            got = _slot(out, i, len(value.encode()))
            check_equal(
                "WASM-009.3",
                [len(value.encode()), value.encode()],
                [code, got],
                f"msg_header({probe!a}): [its return code, the value it wrote]",
            )
        elif tc.is_valid_text(probe):
            check_equal(
                "WASM-009.3", 0xFF, code, f"msg_header({probe!a}), a name no header has: -1 (255)"
            )
        else:
            check_in(
                "WASM-009.3",
                code,
                (0xFF, 0xFE),
                f"msg_header({probe!a}), no name: -1 (255) or -2 (254)",
            )
    _close(impl, runtime, clause="WASM-009.3")
