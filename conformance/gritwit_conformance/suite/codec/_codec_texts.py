"""Helpers of the codec tests over every input class (``test_encoding_texts_and_bounds``,
``test_object_fields_and_names``, split by behaviour).

Each test feeds one clause of chapters 01–03 the classes of ``conformance/inputs.toml``
— text of every class of :mod:`gritwit_conformance.data._classes` (ASCII, mixed case, the
BMP with U+E000–U+FFFF, astral, lone surrogates, NUL, empty) as text strings, map keys,
``type`` values, header names and values, tree names, mailbox keys and blob data; both
sides of every size and count limit (string lengths and counts against the remaining
input, the widths of a head, 32 levels of nesting, 16 MiB, 32-byte ids, one entry);
and, for an order, inputs that every plausible wrong rule puts the other way — through
``decode``, ``id``, ``decode-value`` and ``encode``.

Expected answers are the rules computed here (a small CBOR writer that keeps the order
and head widths it is given; the orders of :mod:`~gritwit_conformance.data._classes`), checked
against the reference (:func:`~gritwit_conformance.expected.reference_answer`) where a
class is not fixed by the rule alone.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

import blake3

from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._messages import Response
from gritwit_conformance.suite._check import Clause, check_equal, check_outcome

ALL = tc.all_samples()
VALID = tc.samples()
ID_A = "a1" * 32
ID_B = "0b" * 32
ZERO = "00" * 32
LIMIT = 16 * 1024 * 1024


def _ids(values: Iterable[str]) -> list[str]:
    return [ascii(v) for v in values]


# --- a CBOR writer that keeps the order and head widths it is given -------------------------


class Raw(bytes):
    """Bytes written as they are (an item encoded by hand)."""


def _head(major: int, n: int, width: int | None = None) -> bytes:
    """The head of ``n``: shortest, or with ``width`` argument bytes (0 = in the byte)."""
    if width is None:
        width = 0 if n < 24 else next(w for w in (1, 2, 4, 8) if n < 1 << (8 * w))
    if width == 0:
        return bytes([major << 5 | n])
    ai = {1: 24, 2: 25, 4: 26, 8: 27}[width]
    return bytes([major << 5 | ai]) + n.to_bytes(width, "big")


def _key(k: Any) -> Any:
    return tc.ORDER_RULES["canonical"](k) if isinstance(k, str) else (0, b"")


def cbor(value: Any, *, sort: bool = True) -> bytes:
    """``value`` with shortest heads; dict keys in canonical order unless ``sort`` is False
    (then in the order the dict holds them).  Text is written as UTF-8, lone surrogates
    as UTF-8 would write them (surrogatepass); a ``bytes`` dict key is a byte-string key."""
    if isinstance(value, Raw):
        return bytes(value)
    if value is None:
        return b"\xf6"
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        return _head(3, len(data)) + data
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(cbor(v, sort=sort) for v in value)
    if isinstance(value, dict):
        keys = sorted(value, key=_key) if sort else list(value)
        body = b"".join(cbor(k, sort=sort) + cbor(value[k], sort=sort) for k in keys)
        return _head(5, len(value)) + body
    raise TypeError(value)


def _check_bytes(
    clause: Clause, impl: Implementation, data: bytes, want: str, cmds: Iterable[str], what: str
) -> None:
    """``decode``/``id``/``decode-value`` of ``data`` answer ``want`` (an object's id when ok)."""
    for cmd in cmds:
        reply = impl.call(cmd, check=False, bytes=data.hex())
        said = f"{cmd} of {what} ({data.hex()[:120]})"
        check_outcome(clause, reply, want, said)
        if want == "ok" and cmd in ("decode", "id"):
            check_equal(clause, blake3.blake3(data).hexdigest(), reply.result.get("id"), said)
        if want == "ok" and cmd == "decode-value":
            check_equal(
                clause, data.hex(), reply.result.get("bytes"), f"{said} re-encoded as given"
            )


def _check_encode(
    clause: Clause, impl: Implementation, description: Any, want: str, what: str
) -> Response:
    reply = impl.call("encode", check=False, object=description)
    check_outcome(clause, reply, want, f"encode of {what} {description!a:.300}")
    return reply


def _blob(headers: dict[Any, Any] | None = None, data: bytes = b"", **more: Any) -> dict[Any, Any]:
    value: dict[Any, Any] = {"type": "blob", "data": data, **more}
    if headers is not None:
        value["headers"] = headers
    return value


def _lone(s: str) -> bool:
    return not tc.is_valid_text(s)


# --- ENC-008.2: text is never normalised ---------------------------------------------------


def _variants(s: str) -> list[str]:
    """``s`` and the texts a normalising or case-folding reader would take for it."""
    out: list[str] = []
    for form in (
        s,
        unicodedata.normalize("NFC", s),
        unicodedata.normalize("NFD", s),
        unicodedata.normalize("NFKC", s),
        s.casefold(),
        s.upper(),
        s.lower(),
        s.replace("\x00", ""),
        s.split("\x00")[0],
    ):
        if form not in out:
            out.append(form)
    return out


# --- ENC-014: round trips of every class of text --------------------------------------------

NAMES = [s for s in VALID if tc.is_valid_name(s)]
