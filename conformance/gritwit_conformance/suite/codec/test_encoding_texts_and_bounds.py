"""The encoding over every input class and both sides of its bounds (chapter 01): text
strings and their bytes, keys, duplicates, the end of the input, head widths, nesting,
the object size limit and round trips (ENC-002 … ENC-014).  Helpers and
the classes: :mod:`._codec_texts`.
"""

from __future__ import annotations

from typing import Any

import pytest

from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import check_equal, ok_answer, suite_premise

from ._codec_texts import (
    ALL,
    ID_A,
    ID_B,
    LIMIT,
    VALID,
    Raw,
    _blob,
    _check_bytes,
    _check_encode,
    _head,
    _ids,
    _lone,
    _variants,
    cbor,
)

pytestmark = pytest.mark.profile("codec")


# --- ENC-008.1: text strings of every class -------------------------------------------------


@pytest.mark.req("ENC-008.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("text", ALL, ids=_ids(ALL))
@pytest.mark.req("CONV-004")
def test_text_strings_of_every_class(impl: Implementation, text: str) -> None:
    """Valid UTF-8 of any class is accepted as it is; a surrogate written as UTF-8 would
    write it is ``invalid-utf8``, as a generic value and as a header value of an object."""
    want = "invalid-utf8" if _lone(text) else "ok"
    _check_bytes("ENC-008.1", impl, cbor(text), want, ["decode-value"], "a text string")
    _check_bytes(
        "ENC-008.1", impl, cbor([1, {"k": text}]), want, ["decode-value"], "a nested text string"
    )
    _check_bytes(
        "ENC-008.1", impl, cbor(_blob({"h": text})), want, ["decode", "id"], "a header value"
    )


@pytest.mark.req("ENC-008.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "nul", "empty")
@pytest.mark.parametrize("text", VALID, ids=_ids(VALID))
@pytest.mark.req("CONV-004")
def test_text_is_compared_by_its_bytes(impl: Implementation, text: str) -> None:
    """Texts that differ only in normalisation, case or past a NUL are different keys;
    each comes back from ``decode`` byte for byte."""
    keys = _variants(text)
    generic = {k: i for i, k in enumerate(keys)}
    _check_bytes(
        "ENC-008.2", impl, cbor(generic), "ok", ["decode-value"], f"a map with keys {_ids(keys)}"
    )
    names = [k for k in keys if k]
    headers = {k: text for k in names} if names else {"h": text}
    data = cbor(_blob(headers))
    _check_bytes("ENC-008.2", impl, data, "ok", ["decode", "id"], "a blob")
    reply = impl.call("decode", bytes=data.hex())
    got = ok_answer(reply, "ENC-008.2", "decode of a blob")["object"]
    check_equal("ENC-008.2", headers, got.get("headers"), "the headers decode gives (as sent)")
    encoded = impl.call("encode", object={"type": "blob", "data": "", "headers": headers})
    what = f"encode of headers {_ids(headers)}"
    check_equal("ENC-008.2", data.hex(), ok_answer(encoded, "ENC-008.2", what)["bytes"], what)


# --- ENC-009 / ENC-011: map keys ------------------------------------------------------------


@pytest.mark.req("ENC-009")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("text", ALL, ids=_ids(ALL))
@pytest.mark.req("CONV-004")
def test_a_key_must_be_a_text_string(impl: Implementation, text: str) -> None:
    """The key as text is accepted (``invalid-utf8`` for a lone surrogate); the same bytes
    as a byte string are ``non-text-key`` — before their UTF-8 is ever looked at."""
    as_text = "invalid-utf8" if _lone(text) else "ok"
    raw = text.encode("utf-8", "surrogatepass")
    _check_bytes("ENC-009", impl, cbor({text: 0}), as_text, ["decode-value"], "a text key")
    _check_bytes(
        "ENC-009", impl, cbor({raw: 0}), "non-text-key", ["decode-value"], "a byte-string key"
    )
    _check_bytes(
        "ENC-009", impl, cbor([{"a": {raw: 0}}]), "non-text-key", ["decode-value"], "a nested key"
    )
    blob = Raw(cbor({"data": b"", "type": "blob"})[1:])
    headers = Raw(b"\xa1" + cbor(raw) + cbor("v"))
    data = b"\xa3" + bytes(blob) + cbor("headers") + bytes(headers)
    _check_bytes(
        "ENC-009", impl, data, "non-text-key", ["decode", "id"], "a byte-string header name"
    )


@pytest.mark.req("ENC-011")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("text", ALL, ids=_ids(ALL))
@pytest.mark.req("CONV-004")
def test_a_key_twice_is_a_duplicate(impl: Implementation, text: str) -> None:
    """The same key twice is ``duplicate-key`` (before any object rule, so an empty header
    name twice too); a lone surrogate fails ``invalid-utf8`` on the first key; keys that
    differ only in normalisation or case are no duplicates."""
    twice = "invalid-utf8" if _lone(text) else "duplicate-key"
    pair = Raw(cbor(text) + b"\x00")
    _check_bytes("ENC-011", impl, b"\xa2" + pair + pair, twice, ["decode-value"], "a key twice")
    header = cbor(text) + cbor("v")
    blob = cbor({"data": b"", "type": "blob"})[1:]
    data = b"\xa3" + blob + cbor("headers") + b"\xa2" + header + header
    _check_bytes("ENC-011", impl, data, twice, ["decode", "id"], "a header name twice")
    if not _lone(text):
        keys = _variants(text)
        _check_bytes(
            "ENC-011", impl, cbor(dict.fromkeys(keys, 0)), "ok", ["decode-value"], "near keys"
        )


# --- ENC-002.1, ENC-007, ENC-012, ENC-013.1: limits on both sides ----------------------------


@pytest.mark.req("ENC-002.1")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("remaining", [0, 1, 23, 24, 300])
@pytest.mark.req("CONV-004")
def test_a_claim_may_reach_the_end_of_the_input_and_no_further(
    impl: Implementation, remaining: int
) -> None:
    """A string claiming exactly the bytes that remain, an array of as many items as bytes
    remain, a map of half as many pairs: accepted; one more claimed: ``truncated``."""
    body = b"\x00" * remaining
    cases = [
        (_head(2, remaining) + body, _head(2, remaining + 1) + body),
        (_head(3, remaining) + b"a" * remaining, _head(3, remaining + 1) + b"a" * remaining),
        (_head(4, remaining) + body, _head(4, remaining + 1) + body),
    ]
    for good, bad in cases:
        _check_bytes("ENC-002.1", impl, good, "ok", ["decode-value"], "an exact claim")
        _check_bytes(
            "ENC-002.1", impl, bad, "truncated", ["decode-value"], "a claim one past the input"
        )
    if remaining == 1:  # the one map 2 × count = remaining allows with distinct text keys
        _check_bytes(
            "ENC-002.1", impl, bytes.fromhex("a16000"), "ok", ["decode-value"], "a map of 1 pair"
        )
        _check_bytes(
            "ENC-002.1", impl, bytes.fromhex("a26000"), "truncated", ["decode-value"], "2 pairs"
        )
        _check_bytes(
            "ENC-002.1", impl, bytes.fromhex("a260"), "truncated", ["decode-value"], "half a pair"
        )
    data = cbor(_blob(data=body))
    _check_bytes("ENC-002.1", impl, data, "ok", ["decode", "id"], "a blob")
    rest = body + cbor("type") + cbor("blob")
    longer = b"\xa2" + cbor("data") + _head(2, len(rest) + 1) + rest
    _check_bytes(
        "ENC-002.1", impl, longer, "truncated", ["decode", "id"], "blob data claiming one more"
    )


BOUNDARIES = [(23, 0), (255, 1), (65535, 2), (2**32 - 1, 4)]


@pytest.mark.req("ENC-007.1")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize(("largest", "width"), BOUNDARIES, ids=[str(b) for b, _ in BOUNDARIES])
@pytest.mark.req("CONV-004")
def test_an_encoder_writes_the_shortest_head_on_both_sides_of_each_width(
    impl: Implementation, largest: int, width: int
) -> None:
    """Integers, and (below 2³²) lengths of blob data and header text and array counts,
    at the largest value of each head width and the first of the next."""
    for n in (largest, largest + 1):
        for value in (n, -1 - n):
            data = cbor(value)
            size = 1 + (width if n == largest else {0: 1, 1: 2, 2: 4, 4: 8}[width])
            suite_premise(len(data) == size, f"the integer {value} is written in {size} bytes")
            _check_bytes("ENC-007.1", impl, data, "ok", ["decode-value"], f"the integer {value}")
        if n > 65536:
            continue
        long: list[Any] = [[0] * n, {"k": "x" * n}]
        for item in long:
            _check_bytes(
                "ENC-007.1", impl, cbor(item), "ok", ["decode-value"], f"{n} items or bytes"
            )
        header = "é" * (n // 2) + "x" * (n % 2)
        blob = {"type": "blob", "data": "ab" * n, "headers": {"h": header}}
        want = cbor(_blob({"h": header}, data=b"\xab" * n))
        reply = _check_encode("ENC-007.1", impl, blob, "ok", f"a blob of {n} bytes")
        what = f"encode of a blob of {n} bytes (the shortest heads)"
        check_equal("ENC-007.1", want.hex(), ok_answer(reply, "ENC-007.1", what)["bytes"], what)


@pytest.mark.req("ENC-007.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize(("largest", "width"), BOUNDARIES, ids=[str(b) for b, _ in BOUNDARIES])
@pytest.mark.req("CONV-004")
def test_a_decoder_refuses_a_head_one_width_too_wide(
    impl: Implementation, largest: int, width: int
) -> None:
    """The largest value of a width written one width wider is ``non-shortest``; the first
    value of that wider width is accepted — in integers, lengths and counts."""
    wider = {0: 1, 1: 2, 2: 4, 4: 8}[width]
    for major in (0, 1):
        _check_bytes(
            "ENC-007.2",
            impl,
            _head(major, largest, wider),
            "non-shortest",
            ["decode-value"],
            "wide",
        )
        _check_bytes(
            "ENC-007.2", impl, _head(major, largest + 1, wider), "ok", ["decode-value"], "shortest"
        )
    if largest > 255:
        return
    for n, want in ((largest, "non-shortest"), (largest + 1, "ok")):
        for head in (_head(2, n, wider) + b"\x00" * n, _head(4, n, wider) + b"\x00" * n):
            _check_bytes("ENC-007.2", impl, head, want, ["decode-value"], f"a length or count {n}")
        data = cbor(_blob(data=b"\x00" * n))
        at = data.index(_head(2, n) + b"\x00" * n)
        widened = data[:at] + _head(2, n, wider) + data[at + len(_head(2, n)) :]
        _check_bytes("ENC-007.2", impl, widened, want, ["decode", "id"], f"blob data of {n} bytes")


def _nested(depth: int, kind: str) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value] if kind == "array" else {"k": value}
    return value


@pytest.mark.req("ENC-012")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("kind", ["array", "map"])
@pytest.mark.req("CONV-004")
def test_nesting_of_32_levels_is_read_and_33_is_too_deep(impl: Implementation, kind: str) -> None:
    """32 nested arrays or maps (the outermost counted) decode; 33 are ``too-deep``; inside
    an object (the object's map is level 1) the 32nd level is judged by the object rules
    (an unknown field, ``invalid-object``) and the 33rd is ``too-deep``."""
    _check_bytes("ENC-012", impl, cbor(_nested(32, kind)), "ok", ["decode-value"], "32 levels")
    _check_bytes(
        "ENC-012", impl, cbor(_nested(33, kind)), "too-deep", ["decode-value"], "33 levels"
    )
    _check_bytes(
        "ENC-012", impl, cbor(_blob(x=_nested(31, kind))), "invalid-object", ["decode", "id"], "32"
    )
    _check_bytes(
        "ENC-012", impl, cbor(_blob(x=_nested(32, kind))), "too-deep", ["decode", "id"], "33"
    )


@pytest.mark.req("ENC-013.1")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("CONV-004")
def test_an_object_of_exactly_16_mib_is_read_and_one_byte_more_is_too_large(
    impl: Implementation,
) -> None:
    around = len(cbor(_blob(data=b"\x00" * 65536))) - 65536
    at_limit = cbor(_blob(data=b"\x00" * (LIMIT - around)))
    suite_premise(len(at_limit) == LIMIT, "the blob is exactly 16 MiB")
    _check_bytes("ENC-013.1", impl, at_limit, "ok", ["id"], "a blob of exactly 16 MiB")
    over = cbor(_blob(data=b"\x00" * (LIMIT - around + 1)))
    _check_bytes("ENC-013.1", impl, over, "too-large", ["id"], "a blob of 16 MiB + 1")


@pytest.mark.req("ENC-014.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "nul", "empty")
@pytest.mark.parametrize("text", VALID, ids=_ids(VALID))
@pytest.mark.req("CONV-004")
def test_encode_then_decode_gives_the_same_text(impl: Implementation, text: str) -> None:
    """As a header value, a header name (not empty) and a tree name (a valid one)."""
    descriptions = [{"type": "blob", "data": "00", "headers": {"h": text}}]
    if text:
        descriptions.append({"type": "message", "content": ID_A, "headers": {text: text}})
    if tc.is_valid_name(text):
        descriptions.append({"type": "tree", "entries": {text: ID_B, "x": ID_A}})
    for description in descriptions:
        encoded = _check_encode("ENC-014.2", impl, description, "ok", "text of every class")
        data = ok_answer(encoded, "ENC-014.2", "encode of text of every class")["bytes"]
        got = ok_answer(impl.call("decode", bytes=data), "ENC-014.2", "decode(encode(v))")
        for field in ("headers", "entries"):
            if field in description:
                what = f"the {field} of decode(encode(v)) {_ids(description[field])}"
                check_equal("ENC-014.2", description[field], got["object"].get(field), what)


@pytest.mark.req("ENC-014.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "nul", "empty")
@pytest.mark.parametrize("text", VALID, ids=_ids(VALID))
@pytest.mark.req("CONV-004")
def test_decode_then_encode_gives_the_same_bytes(impl: Implementation, text: str) -> None:
    generic = cbor([text, {text: text, "k": [text]}])
    _check_bytes("ENC-014.3", impl, generic, "ok", ["decode-value"], "a value holding the text")
    objects = [cbor(_blob({"h": text}))]
    if text:
        objects.append(cbor(_blob({text: "v", "z": text})))
    if tc.is_valid_name(text):
        objects.append(cbor({"type": "tree", "entries": {text: bytes.fromhex(ID_A)}}))
    for data in objects:
        decoded = impl.call("decode", bytes=data.hex())
        got = ok_answer(decoded, "ENC-014.3", f"decode of an object holding {text!a}")
        again = impl.call("encode", object=got["object"])
        what = f"encode(decode(b)) for {text!a}"
        check_equal("ENC-014.3", data.hex(), ok_answer(again, "ENC-014.3", what)["bytes"], what)
