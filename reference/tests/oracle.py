"""An independent, deliberately naive canonical encoder written from the spec text.

Tests compare the reference's output with this one, so that expected bytes never
come from the code under test.  It follows ENC-007 (shortest heads) and ENC-010
(map keys ordered bytewise by their encodings) literally, with no library.
"""

from __future__ import annotations

from typing import Any


def head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for ai, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * width):
            return bytes([major << 5 | ai]) + arg.to_bytes(width, "big")
    raise ValueError("argument too large")


def encode(value: Any) -> bytes:
    if value is False:
        return b"\xf4"
    if value is True:
        return b"\xf5"
    if value is None:
        return b"\xf6"
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return head(3, len(raw)) + raw
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        pairs = sorted((encode(k), encode(v)) for k, v in value.items())
        return head(5, len(pairs)) + b"".join(k + v for k, v in pairs)
    raise TypeError(type(value))


def long_head(major: int, arg: int, ai: int) -> bytes:
    """A head for ``arg`` with a forced (possibly non-shortest) width ``ai`` in 24..27."""
    width = {24: 1, 25: 2, 26: 4, 27: 8}[ai]
    return bytes([major << 5 | ai]) + arg.to_bytes(width, "big")
