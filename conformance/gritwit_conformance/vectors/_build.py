"""Hand-crafted CBOR bytes for the golden vectors (spec chapter *encoding*).

The generator does not trust the codec under test to produce its inputs: every
input is assembled here from explicit heads, so a vector can carry exactly the
defect it is about (a non-shortest head, a tag, an unsorted map) and nothing
else.  :func:`encode` is an independent canonical encoder (ENC-007, ENC-010,
ENC-014) used to build the positive vectors; the generator then asserts that
the reference produces the same bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "BREAK",
    "FALSE",
    "NULL",
    "TRUE",
    "UNDEFINED",
    "array",
    "bstr",
    "canonical_map",
    "encode",
    "float16",
    "float32",
    "float64",
    "head",
    "indefinite",
    "key_order",
    "nest",
    "nint",
    "raw_map",
    "simple",
    "tag",
    "tstr",
    "uint",
]

FALSE = b"\xf4"
TRUE = b"\xf5"
NULL = b"\xf6"
UNDEFINED = b"\xf7"
#: The "break" stop code that ends an indefinite-length item.
BREAK = b"\xff"

# Additional-information value for each argument width in bytes (RFC 8949 §3).
_AI_FOR_WIDTH = {1: 24, 2: 25, 4: 26, 8: 27}


def _shortest_width(value: int) -> int:
    if value < 24:
        return 0
    if value <= 0xFF:
        return 1
    if value <= 0xFFFF:
        return 2
    if value <= 0xFFFFFFFF:
        return 4
    return 8


def head(major: int, value: int, width: int | None = None) -> bytes:
    """The head of a data item; ``width`` (0, 1, 2, 4 or 8 bytes) forces a non-shortest form."""
    if not 0 <= major <= 7 or not 0 <= value < 1 << 64:
        raise ValueError(f"no head for major {major}, argument {value}")
    if width is None:
        width = _shortest_width(value)
    if width == 0:
        if value >= 24:
            raise ValueError(f"{value} does not fit in the initial byte")
        return bytes([major << 5 | value])
    if value >= 1 << (8 * width):
        raise ValueError(f"{value} does not fit in {width} bytes")
    return bytes([major << 5 | _AI_FOR_WIDTH[width]]) + value.to_bytes(width, "big")


def uint(value: int, width: int | None = None) -> bytes:
    """Major type 0."""
    return head(0, value, width)


def nint(value: int, width: int | None = None) -> bytes:
    """Major type 1: ``value`` is the negative integer itself (-1 … -2^64)."""
    if value >= 0:
        raise ValueError("nint takes a negative integer")
    return head(1, -1 - value, width)


def bstr(data: bytes, width: int | None = None) -> bytes:
    """A definite-length byte string."""
    return head(2, len(data), width) + data


def tstr(text: str | bytes, width: int | None = None) -> bytes:
    """A definite-length text string; ``bytes`` are taken as raw (possibly invalid) UTF-8."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return head(3, len(raw), width) + raw


def array(items: Sequence[bytes], width: int | None = None) -> bytes:
    """A definite-length array of already encoded items."""
    return head(4, len(items), width) + b"".join(items)


def raw_map(pairs: Sequence[tuple[bytes, bytes]], width: int | None = None) -> bytes:
    """A definite-length map of encoded (key, value) pairs, in exactly the given order."""
    return head(5, len(pairs), width) + b"".join(k + v for k, v in pairs)


def key_order(key: str) -> bytes:
    """Canonical sort key of a text map key: its encoding (ENC-010, bytewise order)."""
    return tstr(key)


def canonical_map(fields: Mapping[str, bytes], width: int | None = None) -> bytes:
    """A map of text keys to encoded values, keys in canonical (bytewise) order."""
    ordered = sorted(fields.items(), key=lambda kv: key_order(kv[0]))
    return raw_map([(tstr(k), v) for k, v in ordered], width)


def tag(number: int, item: bytes, width: int | None = None) -> bytes:
    """Major type 6: ``number`` wrapping an encoded item."""
    return head(6, number, width) + item


def simple(value: int) -> bytes:
    """Major type 7 simple value (0 … 255), in its RFC 8949 form."""
    return head(7, value)


def float16(bits: int) -> bytes:
    """A half-precision float given by its 16 bits."""
    return b"\xf9" + bits.to_bytes(2, "big")


def float32(value: float) -> bytes:
    """A single-precision float."""
    return b"\xfa" + struct.pack(">f", value)


def float64(value: float) -> bytes:
    """A double-precision float."""
    return b"\xfb" + struct.pack(">d", value)


def indefinite(major: int, chunks: Iterable[bytes]) -> bytes:
    """An indefinite-length item of ``major`` (2, 3, 4 or 5): AI 31, the chunks, break."""
    return bytes([major << 5 | 31]) + b"".join(chunks) + BREAK


def nest(levels: int, inner: bytes) -> bytes:
    """``inner`` wrapped in ``levels`` one-element arrays."""
    return b"\x81" * levels + inner


def encode(value: object) -> bytes:
    """Canonical encoding of a Python value of the subset (ENC-014).

    Written independently of the reference: shortest heads (ENC-007), text map
    keys in bytewise order of their encodings (ENC-010).
    """
    if value is False:
        return FALSE
    if value is True:
        return TRUE
    if value is None:
        return NULL
    if isinstance(value, int):
        return uint(value) if value >= 0 else nint(value)
    if isinstance(value, bytes):
        return bstr(value)
    if isinstance(value, str):
        return tstr(value)
    if isinstance(value, list):
        return array([encode(item) for item in value])
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("map keys must be text")
        return canonical_map({key: encode(item) for key, item in value.items()})
    raise TypeError(f"{type(value).__name__} is not in the subset")
