"""The store clauses over every input class they take.

* REF-001: ref names of every text class (ASCII, mixed case, the BMP, astral, lone
  surrogates, NUL, empty) in every position of a name, segments of 64 and 65
  characters, whole names of 255 and 256 bytes, ``heads/`` with 64 and 65 digits —
  through ``ref-get`` and ``ref-cas``;
* REF-006: ``ref-list`` in plain byte order, against the length-first orders;
* ADP-004.3 / ID-003: id arguments holding astral characters or lone surrogates;
* the codec rules of text through ``put`` (STO-001: the decoder's classes).

Expected answers are the rules, computed here (:mod:`gritwit_conformance.data._classes`),
and for ``put`` the reference's ``decode`` (:func:`~gritwit_conformance.expected.reference_answer`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import blake3
import pytest

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.expected import reference_answer
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import call_ok, check_equal, check_outcome, suite_premise

pytestmark = pytest.mark.profile("store")

ALL = tc.all_samples()
BLOB = g.Blob(data=b"input classes")
BLOB_HEX = g.encode_object(BLOB).hex()
BLOB_ID = g.object_id(BLOB).hex()
ACTOR = "ab" * 32


def _ids(values: list[str]) -> list[str]:
    return [f"{i}-{ascii(v)[:24]}" for i, v in enumerate(values)]


@pytest.fixture
def store(impl: Implementation) -> Iterator[str]:
    handle = str(call_ok(impl, "ADP-010", "store-open", kind="memory")["store"])
    stored = call_ok(impl, "ADP-010", "put", store=handle, bytes=BLOB_HEX)["id"]
    check_equal("ADP-010", BLOB_ID, stored, "the id put answers")
    yield handle
    impl.call("store-close", store=handle, check=False)


# --- REF-001: ref names -------------------------------------------------------------------

_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def is_ref_name(name: str) -> bool:
    """REF-001, computed here: ``heads/<id>`` or ``names/<segment>(/<segment>)*``, ≤ 255 bytes."""
    if not tc.is_valid_text(name) or tc.utf8_len(name) > 255:
        return False
    if name.startswith("heads/"):
        return tc.is_text_id(name[len("heads/") :])
    if name.startswith("names/"):
        return all(_SEGMENT.fullmatch(s) for s in name[len("names/") :].split("/"))
    return False


def _long(total: int) -> str:
    """A valid-looking ``names/`` name of exactly ``total`` bytes, segments of ≤ 64."""
    segments: list[str] = []
    left = total - len("names/")
    while left > 65:
        segments.append(chr(ord("a") + len(segments)) * 64)
        left -= 65
    segments.append("z" * left)
    name = "names/" + "/".join(segments)
    suite_premise(len(name) == total, f"the name is {total} bytes")
    return name


def _ref_names() -> list[str]:
    out: list[str] = []
    for s in ALL:
        out += [s, "names/" + s, "names/x" + s, "names/x/" + s, "names/" + s + "/x", "heads/" + s]
    out += [
        "names/aB", "names/Ab-9._", "names/STRASSE", "names/Stra\u00dfe", "names/\u0130i",
        "names/a/B/c", "names/-a", "names/.a", "names/_a", "names/a..b", "names/a/", "names//a",
        "names/", "names", "Names/a", "NAMES/a", "heads/" + ACTOR, "heads/" + ACTOR.upper(),
        "heads/" + ACTOR + "0", "heads/" + ACTOR[:-1], "heads/" + ACTOR[:-1] + "\U0001d7d8",
        "heads/" + ACTOR + "\x00", "names/" + "a" * 64, "names/" + "a" * 65,
        "names/x/" + "Z" * 64, "names/x/" + "Z" * 65, _long(255), _long(256),
        "names/a" + "\u00e9" * 10, "names/\ufeffa", "names/a\U0001f600", "names/a\x00b",
        "refs/heads/a", "names/a\n", " names/a",
    ]  # fmt: skip
    return list(dict.fromkeys(out))


REF_NAMES = _ref_names()


@pytest.mark.req("REF-001.1", "REF-001.2", "REF-001.3")
@pytest.mark.inputs(
    "ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty", "largest",
    "past-largest",
)  # fmt: skip
@pytest.mark.parametrize("name", REF_NAMES, ids=_ids(REF_NAMES))
@pytest.mark.req("CONV-004")
def test_ref_names_of_every_class(impl: Implementation, store: str, name: str) -> None:
    """A name REF-001 allows is read (``null``) and swapped; any other is
    ``invalid-ref-name`` in ``ref-get`` and ``ref-cas`` — segments of 1–64 characters
    of ``[A-Za-z0-9._-]`` (the first not ``.``, ``_`` or ``-``), at most 255 bytes."""
    valid = is_ref_name(name)
    want = "ok" if valid else "invalid-ref-name"
    # the rule the answer breaks: a name REF-001 allows, or any other (REF-001.3)
    rule = ("REF-001.1", "REF-001.2") if valid else "REF-001.3"
    got = impl.call("ref-get", check=False, store=store, name=name)
    check_outcome(rule, got, want, f"ref-get {name!a:.80} ({len(name)} chars)")
    if valid:
        check_equal(rule, None, got.result.get("id"), f"ref-get {name!a:.80}, never set")
    new = None if name.startswith("heads/") else BLOB_ID
    swap = impl.call("ref-cas", check=False, store=store, name=name, expected=None, new=new)
    check_outcome(rule, swap, want, f"ref-cas {name!a:.80}")
    if valid and new is not None:
        got_id = call_ok(impl, rule, "ref-get", store=store, name=name)["id"]
        check_equal(rule, BLOB_ID, got_id, f"ref-get {name!a:.80} once set")
        listed = call_ok(impl, rule, "ref-list", store=store, prefix="")["names"]
        check_equal(rule, [name], listed, "ref-list of every name")


# --- REF-006: plain byte order, not length first --------------------------------------------

LISTED = [
    "names/b", "names/aa", "names/B", "names/a", "names/Z9", "names/a-", "names/a.b", "names/a/b",
    "names/a_", "names/0", "names/ab/c", "heads/" + ACTOR,
]  # fmt: skip
LENGTH_FIRST = (
    "canonical", "casefold", "length-first-codepoints", "length-first-utf16", "canonical-utf16",
    "canonical-casefold", "canonical-signed-bytes",
)  # fmt: skip


@pytest.mark.req("REF-006")
@pytest.mark.inputs(
    "order:canonical", "order:casefold", "order:length-first-codepoints",
    "order:length-first-utf16", "order:canonical-utf16", "order:canonical-casefold",
    "order:canonical-signed-bytes",
)  # fmt: skip
def test_ref_list_is_in_byte_order_not_length_first(impl: Implementation, store: str) -> None:
    want = tc.sort_by("utf8", LISTED)
    for rule in LENGTH_FIRST:
        suite_premise(tc.sort_by(rule, LISTED) != want, f"the names tell {rule} from bytes")
    step = g.Step(actor=g.ObjectId.from_hex(ACTOR), core=g.object_id(BLOB))
    impl.call("put", store=store, bytes=g.encode_object(step).hex())
    for name in reversed(LISTED):
        target = g.object_id(step).hex() if name.startswith("heads/") else BLOB_ID
        impl.call("ref-cas", store=store, name=name, expected=None, new=target)
    for prefix in ("", "names/", "names/a"):
        got = call_ok(impl, "REF-006", "ref-list", store=store, prefix=prefix)["names"]
        expected = [n for n in want if n.startswith(prefix)]
        check_equal("REF-006", expected, got, f"ref-list {prefix!r}, in bytewise order")


# --- ADP-004.3 / ID-003: id arguments of astral text and lone surrogates ---------------------


def _near(base: str) -> list[str]:
    return [
        base[:-1] + "\U0001d7d8",
        base + "\U00010000",
        "\U0001f600" + base[1:],
        base[:32] + "\U000e0030" + base[33:],
        base[:-1] + "\ud800",
        base + "\udc00",
        "\udfff" + base[1:],
        base[:10] + "\ud83d" + base[11:],
    ]


NEAR = _near(BLOB_ID)


@pytest.mark.req("ADP-004.3", "ID-003")
@pytest.mark.inputs("astral", "lone-surrogate", "largest", "past-largest")
@pytest.mark.parametrize("bad", NEAR, ids=_ids(NEAR))
@pytest.mark.req("CONV-004")
def test_an_id_argument_of_astral_or_surrogate_text_is_invalid_id(
    impl: Implementation, store: str, bad: str
) -> None:
    """A near miss of a stored id — an astral digit or letter, a lone surrogate — is
    ``invalid-id`` in every id argument; the id itself (64 digits) is found, 65 are not."""
    requests: list[tuple[str, dict[str, Any]]] = [
        ("get", {"id": bad}),
        ("has", {"id": bad}),
        ("ref-cas", {"name": "names/x", "expected": bad, "new": None}),
        ("ref-cas", {"name": "names/x", "expected": None, "new": bad}),
    ]
    for cmd, args in requests:
        reply = impl.call(cmd, check=False, store=store, **args)
        check_outcome("ADP-004.3", reply, "invalid-id", f"{cmd} {args!a:.200}")
    present = call_ok(impl, "ADP-004.3", "has", store=store, id=BLOB_ID)["present"]
    check_equal("ADP-004.3", True, present, "has of the stored id itself")
    reply = impl.call("has", check=False, store=store, id=BLOB_ID + "0")
    check_outcome("ID-003", reply, "invalid-id", "has of the stored id and one digit more")
    data = call_ok(impl, "ADP-004.3", "get", store=store, id=BLOB_ID)["bytes"]
    check_equal("ADP-004.3", BLOB_HEX, data, "get of the stored id itself")


# --- text of every class through put (STO-001.2: the decoder's class) -----------------------


def _cbor_text(s: str) -> bytes:
    data = s.encode("utf-8", "surrogatepass")
    n = len(data)
    head = (
        bytes([0x60 | n])
        if n < 24
        else bytes([0x78, n])
        if n < 256
        else bytes([0x79]) + n.to_bytes(2, "big")
    )
    return head + data


def _put_cases(s: str) -> dict[str, bytes]:
    """A blob with ``s`` as header name and as header value, a tree with ``s`` as name."""
    blob_start = (
        bytes.fromhex("a3") + _cbor_text("data") + b"\x40" + _cbor_text("type") + _cbor_text("blob")
    )
    headers = _cbor_text("headers") + b"\xa1"
    tree = bytes.fromhex("a2") + _cbor_text("type") + _cbor_text("tree") + _cbor_text("entries")
    return {
        "header-name": blob_start + headers + _cbor_text(s) + _cbor_text("v"),
        "header-value": blob_start + headers + _cbor_text("h") + _cbor_text(s),
        "tree-name": tree + b"\xa1" + _cbor_text(s) + b"\x58\x20" + bytes(32),
    }


#: The rule each place of :func:`_put_cases` judges its text by.
RULES = {"header-name": "OBJ-006.2", "header-value": "OBJ-006.3", "tree-name": "OBJ-011.1"}


@pytest.mark.req("ENC-008.1", "OBJ-006.2", "OBJ-006.3", "OBJ-011.1", "OBJ-011.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("text", ALL, ids=_ids(ALL))
@pytest.mark.req("CONV-004")
def test_put_judges_text_of_every_class_as_decode_does(
    impl: Implementation, store: str, text: str
) -> None:
    """A lone surrogate is ``invalid-utf8``; an empty header name ``invalid-object``; an
    empty name or one with NUL ``invalid-name``; the rest is stored under its id."""
    for where, data in _put_cases(text).items():
        if not tc.is_valid_text(text):
            want = "invalid-utf8"
        elif where == "header-name" and text == "":
            want = "invalid-object"
        elif where == "tree-name" and not tc.is_valid_name(text):
            want = "invalid-name"
        else:
            want = "ok"
        answer = reference_answer("decode", bytes=data.hex()).outcome()
        suite_premise(answer == want, f"the reference decodes a {where} {text!a} as {want}")
        rule = RULES[where] if want != "invalid-utf8" else "ENC-008.1"
        reply = impl.call("put", check=False, store=store, bytes=data.hex())
        check_outcome(rule, reply, want, f"put of a {where} {text!a}")
        oid = blake3.blake3(data).hexdigest()
        if want == "ok":
            check_equal(rule, oid, reply.result.get("id"), f"the id put of a {where} answers")
        present = call_ok(impl, rule, "has", store=store, id=oid)["present"]
        what = f"has after the put of a {where} {text!a} (stored only if accepted)"
        check_equal(rule, want == "ok", present, what)
