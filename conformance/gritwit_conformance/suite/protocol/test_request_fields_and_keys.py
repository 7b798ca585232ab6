"""Requests and answers over every input class: answers are one line of UTF-8, unknown
fields and foreign members are ignored, byte strings of astral or surrogate text and
repeated keys are bad requests (ADP-001.3, ADP-002, ADP-004.5, ADP-004.7, ADP-004.9,
OBJ-018.10).  Helpers: :mod:`._protocol_texts`.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from typing import Any

import blake3
import pytest

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._transport import AdapterProcess
from gritwit_conformance.suite._check import (
    call_ok,
    check,
    check_equal,
    check_outcome,
    check_type,
    describe,
    fail,
    ok_answer,
)
from gritwit_conformance.suite.protocol._raw import assert_still_serving, send_raw, separate_process

from ._protocol_texts import ALL, _lone, _message_id, _send, _to

VALID = tc.samples()


def _ids(values: list[str]) -> list[str]:
    return [f"{i}-{ascii(v)[:24]}" for i, v in enumerate(values)]


def _variants(s: str) -> list[str]:
    out: list[str] = []
    for form in (s, unicodedata.normalize("NFD", s), unicodedata.normalize("NFKC", s),
                 s.casefold(), s.upper(), s.lower(), s.replace("\x00", "")):  # fmt: skip
        if form not in out:
            out.append(form)
    return out


@pytest.fixture
def runtime(impl: Implementation) -> Iterator[str]:
    handle = str(call_ok(impl, "ADP-004.9", "wit-open")["runtime"])
    yield handle
    impl.call("wit-close", runtime=handle, check=False)


# --- ADP-001.3: what the adapter answers stays one line of UTF-8 JSON -----------------------


def _assert_one_line(process: AdapterProcess, raw: bytes, what: str) -> dict[str, Any]:
    one = raw.endswith(b"\n") and raw.count(b"\n") == 1
    check("ADP-001.3", one, expected="one line", came=lambda: describe(raw[:200]), what=what)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        fail("ADP-001.3", expected="UTF-8", came=f"{exc}: {describe(raw[:200])}", what=what)
    answer = process.answer_json(raw, what)  # no JSON: the adapter's break (ADP-001.4)
    found: dict[str, Any] = check_type(
        "ADP-001.3", answer, dict, expected=f"a JSON object, not {text[:200]}", what=what
    )
    return found


def _blob_bytes(headers: dict[str, str]) -> str:
    return str(g.encode_object(g.Blob(data=b"", headers=headers)).hex())


@pytest.mark.profile("codec")  # its vehicles are codec commands (ADP-006)
@pytest.mark.req("ADP-001.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_answers_holding_text_of_every_class_are_one_line_of_utf8(impl: Implementation) -> None:
    """``decode`` answers the text back (control characters and NUL escaped, astral text
    whole); errors that may quote the input — a lone surrogate included — stay UTF-8."""
    with separate_process(impl) as process:
        seq = 100
        for text in ALL:
            requests: list[tuple[dict[str, Any], str | None]] = [
                ({"cmd": "encode", "object": {"type": text}}, None),
                ({"cmd": "encode", "object": {"type": "blob", "data": "", text: text}}, None),
                ({"cmd": "encode", "object": {"type": "blob", "data": "", "headers": {"h": text}}},
                 None),
            ]  # fmt: skip
            if not _lone(text):
                requests.append(({"cmd": "decode", "bytes": _blob_bytes({"h": text})}, text))
            else:
                raw = (
                    b"\xa1" + b"\x61h" + bytes([0x60 | len(text.encode("utf-8", "surrogatepass"))])
                )
                raw += text.encode("utf-8", "surrogatepass")
                requests.append(({"cmd": "decode-value", "bytes": raw.hex()}, None))
            for request, echoed in requests:
                for ascii_only in (True, False) if not _lone(text) else (True,):
                    seq += 1
                    line = json.dumps({"seq": seq, **request}, ensure_ascii=ascii_only)
                    what = f"{request['cmd']} with {text!a}"
                    answer = _assert_one_line(
                        process, process.exchange_raw(line.encode() + b"\n", what, seq), what
                    )
                    check_equal("ADP-001.3", seq, answer.get("seq"), f"the seq of {what}")
                    if echoed is not None:
                        got = (answer.get("object") or {}).get("headers")
                        check_equal("ADP-001.3", {"h": echoed}, got, f"the headers of {what}")


# --- ADP-002 / ADP-004.9: names that are ignored ---------------------------------------------

FIELD_LIKE = [
    "Bytes",
    "BYTES",
    "bytes\x00",
    "\uff42ytes",
    "bytes ",
    "Cmd",
    "SEQ",
    "Object",
    "stor\u0435",
]


@pytest.mark.profile("codec")
@pytest.mark.req("ADP-002")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("name", ALL + FIELD_LIKE, ids=_ids(ALL + FIELD_LIKE))
def test_unknown_request_fields_of_every_class_are_ignored(impl: Implementation, name: str) -> None:
    """A field of any name the command does not know — one that only looks like a known
    field, or holds a lone surrogate — is ignored whole, whatever its value."""
    for value in ("zz", 1, {"bytes": "ZZ", name: [name]}, name):
        reply = impl.call("hash", check=False, bytes="00", **{name: value})
        what = f"hash with the unknown field {name!a}: {value!a:.60} (ignored)"
        digest = ok_answer(reply, "ADP-002", what)["digest"]
        check_equal("ADP-002", blake3.blake3(b"\x00").hexdigest(), digest, what)
        reply = impl.call(
            "encode", check=False, object={"type": "blob", "data": ""}, **{name: value}
        )
        what = f"encode with the unknown field {name!a} (ignored)"
        check_equal("ADP-002", _blob_bytes({}), ok_answer(reply, "ADP-002", what)["bytes"], what)


@pytest.mark.profile("store")
@pytest.mark.req("ADP-002")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_unknown_put_fields_of_every_class_are_ignored(impl: Implementation) -> None:
    store = str(call_ok(impl, "ADP-002", "store-open", kind="memory")["store"])
    data = _blob_bytes({"k": "v"})
    for name in ALL + FIELD_LIKE:
        reply = impl.call("put", check=False, store=store, bytes=data, **{name: "zz"})
        what = f"put with the unknown field {name!a} (ignored)"
        stored = ok_answer(reply, "ADP-002", what)["id"]
        check_equal("ADP-002", blake3.blake3(bytes.fromhex(data)).hexdigest(), stored, what)
    impl.call("store-close", store=store, check=False)


BLOB_LIKE = ["Blob", "BLOB", "Tree", "Headers", "headers\x00", "\uff42lob", "blob ", "tre\u0435"]


@pytest.mark.profile("wit")
@pytest.mark.req("ADP-004.9", "ADP-002")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.req("CONV-004")
def test_foreign_members_of_every_class_are_ignored(impl: Implementation, runtime: str) -> None:
    """In a blob or tree description, and in the request, a member of any other name is
    ignored (whatever its value: bad hex, a number, a nested description); a lone
    surrogate in a member's name is still ``invalid-utf8`` inside a description (pass 2)
    and ignored in the request (ADP-002)."""
    for i, name in enumerate(ALL + BLOB_LIKE):
        bases: list[dict[str, Any]] = [{"blob": "00"}, {"tree": {"a": {"blob": ""}}}]
        for j, base in enumerate(bases):
            for v, value in enumerate(("zz", 1, {"blob": "zz"})):
                content = {**base, name: value}
                reply = _send(impl, runtime, 1000 * i + 10 * j + v, content, "m")
                if _lone(name):
                    check_outcome("ADP-004.9", reply, "invalid-utf8")
                    continue
                want = _message_id(base, "m")
                what = f"wit-send of {content!a}: the member {name!a} ignored"
                got = ok_answer(reply, "ADP-004.9", what)["message"]
                check_equal("ADP-004.9", want, got, what)
        reply = impl.call("wit-send", check=False, runtime=runtime, to=_to(-1 - i), mt="m",
                          content={"blob": "00"}, **{name: "zz"})  # fmt: skip
        ok_answer(reply, "ADP-002", f"wit-send with the unknown field {name!a} (ignored)")


# --- ADP-004.5: byte-string arguments --------------------------------------------------------

BAD_BYTES = [
    "00\U00010000",
    "\U0001d7d8\U0001d7d8",
    "0\U0001f600",
    "00\ud800",
    "\udc00ff",
    "a\udfffb",
]


@pytest.mark.profile("codec")
@pytest.mark.req("ADP-004.5")
@pytest.mark.inputs("astral", "lone-surrogate", "empty")
@pytest.mark.parametrize("cmd", ["hash", "decode", "id", "decode-value"])
@pytest.mark.req("CONV-004")
def test_byte_strings_of_astral_or_surrogate_text_are_bad_requests(
    impl: Implementation, cmd: str
) -> None:
    """Astral digits and lone surrogates are no hex digits: ``bad-request``; the empty
    string is hex of no bytes: the command runs (``truncated`` for the decoders)."""
    for bad in BAD_BYTES:
        reply = impl.call(cmd, check=False, bytes=bad)
        check_outcome("ADP-004.5", reply, "bad-request", f"{cmd} bytes={bad!a}")
    empty = impl.call(cmd, check=False, bytes="")
    if cmd == "hash":
        digest = ok_answer(empty, "ADP-004.5", "hash of no bytes")["digest"]
        check_equal("ADP-004.5", blake3.blake3(b"").hexdigest(), digest, "hash of no bytes")
    else:
        check_outcome("ADP-004.5", empty, "truncated", f"{cmd} of no bytes")


@pytest.mark.profile("store")
@pytest.mark.req("ADP-004.5")
@pytest.mark.inputs("astral", "lone-surrogate", "empty")
@pytest.mark.req("CONV-004")
def test_put_bytes_of_astral_or_surrogate_text_are_bad_requests(impl: Implementation) -> None:
    store = str(call_ok(impl, "ADP-004.5", "store-open", kind="memory")["store"])
    for bad in BAD_BYTES:
        check_outcome(
            "ADP-004.5", impl.call("put", check=False, store=store, bytes=bad), "bad-request"
        )
    check_outcome("ADP-004.5", impl.call("put", check=False, store=store, bytes=""), "truncated")
    impl.call("store-close", store=store, check=False)


# --- ADP-004.7 / OBJ-018.10: a repeated key of any class -------------------------------------


def _key_forms(s: str) -> list[bytes]:
    forms = [json.dumps(s).encode()]
    if not _lone(s):
        forms.append(json.dumps(s, ensure_ascii=False).encode())
    return list(dict.fromkeys(forms))


_ENCODE = b'{"seq": 1, "cmd": "encode", "object": {"type": "blob", "data": "", '
LINES = {
    "request": b'{"seq": 1, "cmd": "hash", "bytes": "", %s: 1, %s: 2}',
    "object-field": _ENCODE + b"%s: 1, %s: 1}}",
    "header": _ENCODE + b'"headers": {%s: "v", %s: "v"}}}',
    "nested": b'{"seq": 1, "cmd": "hash", "bytes": "", "x": [{"k": {%s: null, %s: null}}]}',
}


@pytest.mark.profile("codec")  # its vehicles are codec commands (ADP-006)
@pytest.mark.req("ADP-004.7", "OBJ-018.10")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("where", list(LINES))
@pytest.mark.req("CONV-004")
def test_a_key_of_any_class_repeated_is_a_bad_request(impl: Implementation, where: str) -> None:
    """The same key twice — written alike, or once escaped and once as raw UTF-8 — in the
    request, a description or any object within: ``seq`` null and ``bad-request``."""
    with separate_process(impl) as process:
        for text in ALL:
            forms = _key_forms(text)
            for first in forms:
                for second in forms:
                    line = LINES[where] % (first, second)
                    what = f"a line repeating {text!a} ({where})"
                    answer = process.answer_json(send_raw(process, line, what), what)
                    got = [
                        answer.get("seq"),
                        answer.get("ok"),
                        (answer.get("error") or {}).get("class"),
                    ]
                    what = f"[seq, ok, error class] of the answer to {what}"
                    check_equal("ADP-004.7", [None, False, "bad-request"], got, what)
                    assert_still_serving(process, "ADP-004.7")


@pytest.mark.profile("codec")
@pytest.mark.req("ADP-004.7", "OBJ-018.10")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "nul", "empty")
@pytest.mark.parametrize("text", VALID, ids=_ids(VALID))
def test_keys_that_differ_in_their_bytes_are_no_repeats(impl: Implementation, text: str) -> None:
    """Keys equal only after normalisation, case folding or dropping NUL are different
    keys: the request and the description are read, every header kept."""
    names = _variants(text)
    reply = impl.call("hash", check=False, bytes="", x={n: 1 for n in names})
    ok_answer(reply, "ADP-004.7", f"hash with the keys {names!a} (no repeats)")
    headers = {n: n for n in names if n}
    if headers:
        reply = impl.call("encode", object={"type": "blob", "data": "", "headers": headers})
        what = f"encode of the headers {sorted(headers)!a} (no repeats)"
        data = ok_answer(reply, "OBJ-018.10", what)["bytes"]
        check_equal("OBJ-018.10", _blob_bytes(headers), data, what)
