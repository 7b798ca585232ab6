"""The five object types: shapes, canonical forms, validation order, ids."""

from __future__ import annotations

from typing import Any

import blake3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import encode as oracle_encode

import gritwit as g

A = g.ObjectId(bytes(range(32)))
B = g.ObjectId(bytes(range(1, 33)))
RA, RB = A.digest, B.digest


def raw_object(**fields: Any) -> bytes:
    """Bytes of a map built by the independent encoder, bypassing the reference."""
    return oracle_encode(fields)


def rejects(data: bytes, cls: type[g.GritError], requirement: str) -> None:
    for decode in (g.decode_object, g.decode_object_plain):
        with pytest.raises(cls) as info:
            decode(data)
        assert info.value.requirement == requirement, info.value


@pytest.mark.req(
    "OBJ-003.2",
    "OBJ-004.1",
    "OBJ-008",
    "OBJ-009",
    "OBJ-012",
    "OBJ-013",
    "OBJ-015",
    "ENC-014.1",
    "ENC-014.2",
    "ID-001",
)
@pytest.mark.parametrize(
    ("obj", "fields"),
    [
        (g.Blob(data=b""), {"type": "blob", "data": b""}),
        (
            g.Blob(data=b"x", headers={"k": ""}),
            {"type": "blob", "data": b"x", "headers": {"k": ""}},
        ),
        (g.Tree(entries={"a": A}), {"type": "tree", "entries": {"a": RA}}),
        (g.Message(content=A), {"type": "message", "content": RA}),
        (
            g.Message(content=A, previous=B, headers={"mt": "x"}),
            {"type": "message", "content": RA, "previous": RB, "headers": {"mt": "x"}},
        ),
        (g.Mailbox(entries={A: B}), {"type": "mailbox", "entries": {A.hex(): RB}}),
        (
            g.Mailbox(entries={A: B}, base=A),
            {"type": "mailbox", "entries": {A.hex(): RB}, "base": RA},
        ),
        (g.Step(actor=A, core=B), {"type": "step", "actor": RA, "core": RB}),
        (
            g.Step(actor=A, core=B, previous=A, inbox=B, outbox=A),
            {"type": "step", "actor": RA, "core": RB, "previous": RA, "inbox": RB, "outbox": RA},
        ),
    ],
)
def test_each_type_encodes_to_the_specified_map(obj: g.GritObject, fields: dict[str, Any]) -> None:
    expected = oracle_encode(fields)
    assert g.encode_object(obj) == expected
    assert g.decode_object(expected) == obj
    assert g.object_id(obj) == g.ObjectId(blake3.blake3(expected).digest())
    assert g.object_from_json(g.object_to_json(obj)) == obj


@pytest.mark.req("OBJ-007.1", "OBJ-007.2")
def test_no_headers_has_one_encoding() -> None:
    absent, empty = g.Blob(data=b"d"), g.Blob(data=b"d", headers={})
    assert absent == empty and g.encode_object(absent) == g.encode_object(empty)
    assert b"headers" not in g.encode_object(empty)
    assert g.object_id(g.Message(content=A, headers={})) == g.object_id(g.Message(content=A))
    rejects(raw_object(type="blob", data=b"d", headers={}), g.InvalidObject, "OBJ-007.2")
    rejects(raw_object(type="message", content=RA, headers={}), g.InvalidObject, "OBJ-007.2")


@pytest.mark.req("ENC-010", "OBJ-009")
@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.text(alphabet=st.characters(max_codepoint=127), min_size=1), st.text()),
        unique=True,
        max_size=40,
    )
)
def test_tree_names_are_sorted_by_their_encoding_ascii_or_not(names: list[str]) -> None:
    """A tree's names come out in the bytewise order of their encodings (ENC-010): the
    order of (UTF-8 length, UTF-8 bytes), computed here from the bytes, whether the names
    are all ASCII (sorted by the text, then its length) or not."""
    text = [n for n in names if n not in ("", ".", "..") and "/" not in n and "\x00" not in n]
    valid = [n for n in text if _utf8(n) is not None and len(_utf8(n) or b"") <= 255]
    if not valid:
        return
    tree = g.Tree(entries=dict.fromkeys(valid, A))
    expected = sorted(valid, key=lambda n: (len(n.encode()), n.encode()))
    assert list(tree.entries) == expected


def _utf8(name: str) -> bytes | None:
    try:
        return name.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no tree name
        return None


@pytest.mark.req("ENC-010", "OBJ-009")
def test_tree_names_sort_by_encoding_not_code_point() -> None:
    tree = g.Tree(entries={"aa": A, "b": B, "é": A, "z": B})
    assert list(tree.entries) == ["b", "z", "aa", "é"]
    assert g.encode_object(tree) == raw_object(
        type="tree", entries={"aa": RA, "b": RB, "é": RA, "z": RB}
    )
    code_point_order = b"".join(
        oracle_encode(k) + oracle_encode(v) for k, v in sorted({"aa": RA, "b": RB}.items())
    )
    unsorted = b"\xa2" + oracle_encode("type") + oracle_encode("tree") + oracle_encode("entries")
    unsorted += b"\xa2" + code_point_order
    with pytest.raises(g.UnsortedKeys):
        g.decode_object(unsorted)


@pytest.mark.req(
    "OBJ-001",
    "OBJ-002",
    "OBJ-003.1",
    "OBJ-003.3",
    "OBJ-004.2",
    "OBJ-005",
    "OBJ-006.1",
    "OBJ-006.2",
    "OBJ-006.3",
    "OBJ-008",
)
@pytest.mark.parametrize(
    ("data", "cls", "requirement"),
    [
        (oracle_encode([1]), g.InvalidObject, "OBJ-001"),
        (oracle_encode("blob"), g.InvalidObject, "OBJ-001"),
        (raw_object(data=b""), g.InvalidObject, "OBJ-002"),
        (raw_object(type="commit", data=b""), g.InvalidObject, "OBJ-002"),
        (raw_object(type=b"blob", data=b""), g.InvalidObject, "OBJ-002"),
        (raw_object(type="Blob", data=b""), g.InvalidObject, "OBJ-002"),
        (raw_object(type="blob"), g.InvalidObject, "OBJ-003.1"),
        (raw_object(type="blob", data=b"", extra=1), g.InvalidObject, "OBJ-003.3"),
        (raw_object(type="tree", entries={"a": RA}, data=b""), g.InvalidObject, "OBJ-003.3"),
        (raw_object(type="step", actor=RA), g.InvalidObject, "OBJ-003.1"),
        (raw_object(type="step", actor=RA, core=RB, previous=None), g.InvalidObject, "OBJ-004.2"),
        (raw_object(type="message", content=RA, headers=None), g.InvalidObject, "OBJ-004.2"),
        (raw_object(type="step", actor=RA, core=RB[:31]), g.InvalidId, "OBJ-005"),
        (raw_object(type="step", actor=RA, core=RB + b"\x00"), g.InvalidId, "OBJ-005"),
        (raw_object(type="step", actor=RA.hex(), core=RB), g.InvalidId, "OBJ-005"),
        (raw_object(type="message", content=5), g.InvalidId, "OBJ-005"),
        (raw_object(type="tree", entries={"a": RA[:1]}), g.InvalidId, "OBJ-005"),
        (raw_object(type="mailbox", entries={A.hex(): b""}), g.InvalidId, "OBJ-005"),
        (raw_object(type="blob", data=b"", headers=[]), g.InvalidObject, "OBJ-006.1"),
        (raw_object(type="blob", data=b"", headers={"": "v"}), g.InvalidObject, "OBJ-006.2"),
        (raw_object(type="blob", data=b"", headers={"k": 1}), g.InvalidObject, "OBJ-006.3"),
        (raw_object(type="blob", data=b"", headers={"k": b"v"}), g.InvalidObject, "OBJ-006.3"),
        (raw_object(type="blob", data="text"), g.InvalidObject, "OBJ-008"),
    ],
)
def test_object_rules(data: bytes, cls: type[g.GritError], requirement: str) -> None:
    rejects(data, cls, requirement)


@pytest.mark.req(
    "OBJ-009", "OBJ-010", "OBJ-011.1", "OBJ-011.2", "OBJ-011.3", "OBJ-013", "OBJ-014", "OBJ-017.1"
)
@pytest.mark.parametrize(
    ("kind", "entries", "cls", "requirement"),
    [
        ("tree", {}, g.InvalidObject, "OBJ-010"),
        ("tree", [], g.InvalidObject, "OBJ-009"),
        ("tree", {"": A}, g.InvalidName, "OBJ-011.1"),
        ("tree", {".": A}, g.InvalidName, "OBJ-011.3"),
        ("tree", {"..": A}, g.InvalidName, "OBJ-011.3"),
        ("tree", {"a/b": A}, g.InvalidName, "OBJ-011.2"),
        ("tree", {"a\x00": A}, g.InvalidName, "OBJ-011.2"),
        ("tree", {"é" * 128: A}, g.InvalidName, "OBJ-011.1"),
        ("tree", {"x" * 256: A}, g.InvalidName, "OBJ-011.1"),
        ("mailbox", {}, g.InvalidObject, "OBJ-013"),
        ("mailbox", [], g.InvalidObject, "OBJ-013"),
        ("mailbox", {A.hex().upper(): B}, g.InvalidId, "OBJ-014"),
        ("mailbox", {A.hex()[:63]: B}, g.InvalidId, "OBJ-014"),
        ("mailbox", {"g" * 64: B}, g.InvalidId, "OBJ-014"),
    ],
)
def test_construction_and_decoding_reject_alike(
    kind: str, entries: Any, cls: type[g.GritError], requirement: str
) -> None:
    raw = {k: v.digest for k, v in entries.items()} if isinstance(entries, dict) else entries
    rejects(raw_object(type=kind, entries=raw), cls, requirement)
    if isinstance(entries, dict):  # the same rule on the in-memory path
        description = {"type": kind, "entries": {k: v.hex() for k, v in entries.items()}}
        with pytest.raises(cls):
            g.object_from_json(description)


@pytest.mark.req("OBJ-011.1", "OBJ-011.2", "OBJ-011.3", "OBJ-011.4", "ENC-008.2")
def test_names_at_the_limits_are_accepted() -> None:
    for name in ["x" * 255, "é" * 127 + "x", "...", ".a", "a.", " ", "\t", "😀", "e\u0301"]:
        tree = g.Tree(entries={name: A})
        assert g.decode_object(g.encode_object(tree)) == tree
    assert g.object_id(g.Tree(entries={"é": A})) != g.object_id(g.Tree(entries={"e\u0301": A}))


@pytest.mark.req("OBJ-016.2")
@pytest.mark.parametrize(
    ("fields", "cls", "requirement"),
    [
        ({"type": "nope", "zzz": 1}, g.InvalidObject, "OBJ-002"),  # type before fields
        ({"type": "step", "zzz": 1}, g.InvalidObject, "OBJ-003.3"),  # unknown before missing
        (
            {"type": "step", "actor": RA[:3], "core": None},
            g.InvalidObject,
            "OBJ-004.2",
        ),  # core < actor
        ({"type": "step", "actor": RA[:3], "inbox": None, "core": RB}, g.InvalidId, "OBJ-005"),
        ({"type": "blob", "data": 1, "headers": {}}, g.InvalidObject, "OBJ-008"),  # data < headers
    ],
)
def test_object_rule_precedence(
    fields: dict[str, Any], cls: type[g.GritError], requirement: str
) -> None:
    rejects(oracle_encode(fields), cls, requirement)


@pytest.mark.req("OBJ-016.1", "ENC-016")
def test_encoding_errors_precede_object_errors() -> None:
    # An unknown type *and* a non-shortest length: the encoding rule wins.
    data = oracle_encode({"type": "nope"}).replace(b"\x64nope", b"\x78\x04nope")
    rejects(data, g.NonShortest, "ENC-007.2")
    # A float inside headers: forbidden-type, not invalid-object, on both paths.
    data = raw_object(type="blob", data=b"", headers={"k": "v"}).replace(b"\x61v", b"\xf9\x00\x00")
    rejects(data, g.ForbiddenType, "ENC-004")
    # A tag that cbor2 would decode to a datetime and re-encode identically.
    data = raw_object(type="blob", data=b"", headers={"k": "v"}).replace(b"\x61v", b"\xc1\x00")
    rejects(data, g.ForbiddenType, "ENC-003.1")


@pytest.mark.req("ID-002.2", "ID-003")
@pytest.mark.parametrize(
    "text", ["", "0" * 63, "0" * 65, "A" * 64, "g" * 64, " " + "0" * 63, "0x" + "0" * 62, "٠" * 64]
)
def test_malformed_text_ids_are_rejected(text: str) -> None:
    with pytest.raises(g.InvalidId) as info:
        g.ObjectId.from_hex(text)
    assert info.value.requirement == "ID-003"


@pytest.mark.req("ID-002.2")
@pytest.mark.parametrize("raw", [b"", bytes(31), bytes(33), bytearray(32), "0" * 32])
def test_binary_ids_are_exactly_32_bytes(raw: Any) -> None:
    with pytest.raises(g.InvalidId):
        g.ObjectId(raw)


@pytest.mark.req("ID-003", "ID-005")
def test_id_text_form_and_order() -> None:
    ids = [g.ObjectId(bytes([b]) * 32) for b in (0, 1, 9, 10, 15, 16, 160, 255)]
    for oid in ids:
        assert g.ObjectId.from_hex(oid.hex()) == oid
        assert oid.hex() == oid.hex().lower() and len(oid.hex()) == 64
    assert sorted(ids) == sorted(ids, key=lambda i: i.hex()) == sorted(ids, key=lambda i: i.digest)
    mailbox = g.Mailbox(entries={oid: A for oid in reversed(ids)})
    assert list(mailbox.entries) == sorted(ids)


@pytest.mark.req("ID-004")
def test_ids_are_never_computed_for_non_canonical_bytes() -> None:
    canonical = g.encode_object(g.Blob(data=b"x"))
    padded = canonical.replace(b"\x41x", b"\x58\x01x")
    with pytest.raises(g.NonShortest):
        g.decode_object(padded)
    assert g.compute_id(canonical) == g.object_id(g.decode_object(canonical))


@pytest.mark.req("OBJ-016.3")
@pytest.mark.parametrize(
    ("entries", "cls"),
    [
        ({".": RA, "a": RA[:31]}, g.InvalidName),  # "." sorts first: its name fails first
        ({"a": RA[:31], "..": RA}, g.InvalidId),  # "a" sorts first: its id fails first
        ({"a": RA, "b/": RA[:5]}, g.InvalidName),  # within one entry: name before id
    ],
)
def test_entries_are_checked_one_by_one_in_key_order(
    entries: dict[str, bytes], cls: type[g.GritError]
) -> None:
    rejects(
        raw_object(type="tree", entries=entries),
        cls,
        "OBJ-005" if cls is g.InvalidId else "OBJ-011.3" if "." in entries else "OBJ-011.2",
    )


@pytest.mark.req("ID-002.1", "ID-005")
def test_an_id_is_its_digest_and_nothing_else() -> None:
    """Equal, hashed and ordered by its 32 bytes; never equal to the bytes themselves; a copy
    or a pickle is the same id."""
    import copy
    import pickle

    low, high = g.ObjectId(bytes(32)), g.ObjectId(b"\x01" + bytes(31))
    assert low == g.ObjectId(bytes(32)) and hash(low) == hash(g.ObjectId(bytes(32)))
    assert low != bytes(32) and low != high and low < high
    assert low.digest == bytes(32) and type(low.digest) is bytes
    for same in (copy.copy(high), copy.deepcopy(high), pickle.loads(pickle.dumps(high))):
        assert same == high and type(same) is g.ObjectId and same.digest == high.digest


# --- the fast paths (gritwit._codec._decode_step and _decode_fast) ---------------------
#
# The fast paths answer no error: they accept, or decline (None or an exception) and the
# plain path decides.  So they must accept every canonical object (else decoding silently
# takes the slow path) and must never accept anything the plain path rejects.


def _fast(data: bytes) -> g.GritObject | None:
    """What the step template, else the cbor2 fast path, makes of ``data``."""
    from gritwit._codec import _decode_fast, _decode_step

    step = _decode_step(data)
    if step is not None:
        return step
    try:
        return _decode_fast(data)
    except Exception:
        return None


_ACCEPTED = [
    g.Blob(data=b""),
    g.Blob(data=b"x", headers={"b": "", "aa": "1", "é": "2", "z": "3"}),
    g.Tree(entries={"aa": A, "b": B, "é": A, "z": B, "ab": A, "😀": B}),
    g.Tree(entries={"x" * 255: A, "a": B}),
    g.Tree(entries={"é" * 127 + "x": A, "y" * 254: B}),
    g.Tree(entries={"...": A, ".a": B, "e\u0301": A}),
    g.Message(content=A),
    g.Message(content=A, previous=B, headers={"mt": "x", "k": "é"}),
    g.Mailbox(entries={A: B, B: A}),
    *(
        g.Step(actor=A, core=B, **{name: A for name in optional})
        for optional in (
            (),
            ("previous",),
            ("inbox",),
            ("outbox",),
            ("previous", "inbox"),
            ("previous", "outbox"),
            ("inbox", "outbox"),
            ("previous", "inbox", "outbox"),
        )
    ),
]


@pytest.mark.req("ENC-014.2", "ENC-014.3")
@pytest.mark.parametrize("obj", _ACCEPTED, ids=repr)
def test_the_fast_path_accepts_every_canonical_object(obj: g.GritObject) -> None:
    from gritwit._codec import _decode_step

    data = g.encode_object(obj)
    assert _fast(data) == obj
    assert (_decode_step(data) is not None) == (type(obj) is g.Step)  # steps by template
    assert g.decode_object(data) == obj == g.decode_object_plain(data)


def _map(*entries: bytes) -> bytes:
    """A map of encoded entries (key and value), in the order given (not sorted)."""
    assert len(entries) < 24
    return bytes([0xA0 + len(entries)]) + b"".join(entries)


_E = oracle_encode


def _tree(entries: bytes) -> bytes:
    return _map(_E("type") + _E("tree"), _E("entries") + entries)


def _entry(name: Any, raw: Any = RA) -> bytes:
    return _E(name) + _E(raw)


def _step(*entries: tuple[str, Any]) -> bytes:
    return _map(*(_entry(name, raw) for name, raw in entries))


@pytest.mark.req(
    "ENC-001",
    "ENC-003.1",
    "OBJ-008",
    "ENC-006",
    "ENC-007.2",
    "ENC-009",
    "ENC-010",
    "ENC-011",
    "OBJ-004.2",
    "OBJ-005",
    "OBJ-011.1",
    "OBJ-011.2",
    "OBJ-011.3",
)
@pytest.mark.parametrize(
    ("data", "cls", "requirement"),
    [
        # key order inside entries: ASCII, then by UTF-8 length, not by code points
        (_tree(_map(_entry("b"), _entry("a"))), g.UnsortedKeys, "ENC-010"),
        (_tree(_map(_entry("aa"), _entry("b"))), g.UnsortedKeys, "ENC-010"),
        (_tree(_map(_entry("é"), _entry("ab"))), g.UnsortedKeys, "ENC-010"),
        (_tree(_map(_entry("é"), _entry("z"))), g.UnsortedKeys, "ENC-010"),
        (_tree(_map(_entry("😀"), _entry("é"))), g.UnsortedKeys, "ENC-010"),
        (_tree(_map(_entry("a"), _entry("a", RB))), g.DuplicateKey, "ENC-011"),
        (_tree(_map(_entry("a"), _entry(1))), g.NonTextKey, "ENC-009"),
        (_tree(_map(_entry(b"a"))), g.NonTextKey, "ENC-009"),
        (_tree(b"\xbf" + _entry("a") + b"\xff"), g.IndefiniteLength, "ENC-006"),
        (_tree(_map(b"\x78\x01a" + _E(RA))), g.NonShortest, "ENC-007.2"),
        (_tree(_map(_entry("a"), b"\x78\x01b" + _E(RA))), g.NonShortest, "ENC-007.2"),
        (_tree(_map(_entry("a", "x" * 32))), g.InvalidId, "OBJ-005"),
        (_tree(_map(_entry("a"), _entry("b", RB[:31]))), g.InvalidId, "OBJ-005"),
        (_tree(_map(_entry("a"), _entry("b", RB + b"!"))), g.InvalidId, "OBJ-005"),
        (_tree(_map(_entry("a"), _entry("b", None))), g.InvalidId, "OBJ-005"),
        (_tree(_map(_entry("a"), _entry("b", {"c": RA}))), g.InvalidId, "OBJ-005"),
        # the longest name decides the limit, whatever its code points
        (_tree(_map(_entry("a"), _entry("é" * 128))), g.InvalidName, "OBJ-011.1"),
        (_tree(_map(_entry("a"), _entry("x" * 256))), g.InvalidName, "OBJ-011.1"),
        (_tree(_map(_entry("a"), _entry("x" * 254 + "é"))), g.InvalidName, "OBJ-011.1"),
        (_tree(_map(_entry(""), _entry("a"))), g.InvalidName, "OBJ-011.1"),
        (_tree(_map(_entry("a"), _entry("b/c"))), g.InvalidName, "OBJ-011.2"),
        (_tree(_map(_entry("a"), _entry("b\x00"))), g.InvalidName, "OBJ-011.2"),
        (_tree(_map(_entry("."), _entry("a"))), g.InvalidName, "OBJ-011.3"),
        (_tree(_map(_entry("a"), _entry(".."))), g.InvalidName, "OBJ-011.3"),
        # blobs: data that is not a byte string, tagged data, a non-shortest length
        (raw_object(type="blob", data="x"), g.InvalidObject, "OBJ-008"),
        (raw_object(type="blob", data=None), g.InvalidObject, "OBJ-004.2"),
        (raw_object(type="blob", data=[b"x"]), g.InvalidObject, "OBJ-008"),
        (
            _map(_E("data") + b"\xd8\x40" + _E(b"x"), _entry("type", "blob")),
            g.ForbiddenType,
            "ENC-003.1",
        ),
        (_map(_E("data") + b"\x58\x01x", _entry("type", "blob")), g.NonShortest, "ENC-007.2"),
        # the key order of headers and of mailbox entries
        (
            _map(
                _entry("data", b""),
                _entry("type", "blob"),
                _E("headers") + _map(_entry("b", "1"), _entry("a", "2")),
            ),
            g.UnsortedKeys,
            "ENC-010",
        ),
        (
            _map(
                _entry("type", "mailbox"),
                _E("entries") + _map(_entry(B.hex()), _entry(A.hex())),
            ),
            g.UnsortedKeys,
            "ENC-010",
        ),
        # steps: null, text and short ids, duplicate and unsorted keys, a tag, a tail
        (raw_object(type="step", actor=RA, core=RB, inbox=None), g.InvalidObject, "OBJ-004.2"),
        (raw_object(type="step", actor=RA, core="x" * 32), g.InvalidId, "OBJ-005"),
        (raw_object(type="step", actor=RA, core=RB, outbox=RA[:31]), g.InvalidId, "OBJ-005"),
        (
            _step(("core", RB), ("type", "step"), ("actor", RA), ("actor", RA)),
            g.DuplicateKey,
            "ENC-011",
        ),
        (_step(("type", "step"), ("core", RB), ("actor", RA)), g.UnsortedKeys, "ENC-010"),
        (
            _map(_E("core") + b"\xd8\x40" + _E(RB), _entry("type", "step"), _entry("actor", RA)),
            g.ForbiddenType,
            "ENC-003.1",
        ),
        (g.encode_object(g.Step(actor=A, core=B)) + b"\x00", g.TrailingBytes, "ENC-001"),
    ],
)
def test_the_fast_path_declines_what_the_plain_path_rejects(
    data: bytes, cls: type[g.GritError], requirement: str
) -> None:
    assert _fast(data) is None
    rejects(data, cls, requirement)


@pytest.mark.req("OBJ-010", "OBJ-011.1", "OBJ-011.2", "OBJ-005", "ENC-008.1")
@pytest.mark.parametrize(
    ("raw", "cls", "requirement"),
    [
        ({}, g.InvalidObject, "OBJ-010"),
        ({"a/b": bytes(32)}, g.InvalidName, "OBJ-011.2"),
        ({"": bytes(32)}, g.InvalidName, "OBJ-011.1"),
        ({"a": bytes(31)}, g.InvalidId, "OBJ-005"),
        ({"\ud800": bytes(32)}, g.InvalidUtf8, "ENC-008.1"),
    ],
)
def test_a_read_back_directory_is_checked_like_any_tree(
    raw: dict[str, bytes], cls: type[g.GritError], requirement: str
) -> None:
    """OBJ-010, OBJ-011.1, OBJ-011.2, OBJ-005: the sandbox's read-back of a run's directories
    (``tree_entries_of_digests``) refuses what a decoded tree would, though the WASI file
    system cannot make such names: the check is the tree's, not the file system's."""
    from gritwit._objects import tree_entries_of_digests

    with pytest.raises(cls) as info:
        tree_entries_of_digests(raw)
    assert info.value.requirement == requirement, info.value


@pytest.mark.req("OBJ-005")
@pytest.mark.parametrize("base", [A.digest, A.hex(), b"", 0])
def test_a_mailbox_base_must_be_an_id(base: Any) -> None:
    """OBJ-005 on the Python API: a mailbox built with a base that is no ObjectId (its
    digest, its text form) is refused; the protocol only ever hands it decoded ids."""
    with pytest.raises(g.InvalidId) as info:
        g.Mailbox(entries={A: B}, base=base)
    assert info.value.requirement == "OBJ-005", info.value


@pytest.mark.req("OBJ-006")
def test_the_remembered_headers_stay_bounded() -> None:
    """Headers made from text-to-text items are remembered (OBJ-017.1), at most
    HEADERS_KEPT of them: more distinct header maps than that do not grow the memory."""
    from gritwit._objects import _HEADERS_MADE, HEADERS_KEPT

    for n in range(HEADERS_KEPT + 10):
        g.Blob(data=b"", headers={"bounded": str(n)})
        assert len(_HEADERS_MADE) <= HEADERS_KEPT
