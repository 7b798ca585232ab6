"""The canonical CBOR subset: a strict, pure decoder and an encoder (chapter *encoding*).

The decoder here is the *plain* one: a single left-to-right pass that follows
the spec's rules in the spec's order (ENC-016) and reports the first violation
with its error class and requirement ID.  It never allocates in proportion to
a length claim before the input has supplied the bytes (ENC-002.2) and recurses
at most :data:`MAX_DEPTH` levels (ENC-012).

The object codec (:mod:`gritwit._codec`) has a faster path built on cbor2 and
falls back to this decoder to name the violation whenever that path rejects.

Values of the subset map to Python as: unsigned/negative integers → ``int``,
byte strings → ``bytes``, text strings → ``str``, arrays → ``list``, maps →
``dict`` (text keys, in canonical order), ``false``/``true``/``null`` →
``False``/``True``/``None``.
"""

from __future__ import annotations

from typing import TypeAlias

import cbor2

from ._errors import (
    DuplicateKey,
    ForbiddenType,
    IndefiniteLength,
    InvalidUtf8,
    Malformed,
    NonShortest,
    NonTextKey,
    TooDeep,
    TooLarge,
    TrailingBytes,
    Truncated,
    UnsortedKeys,
)

__all__ = ["MAX_DEPTH", "MAX_SIZE", "Value", "decode_value", "encode_value"]

#: Maximum number of nested arrays/maps on any path, the outermost included (ENC-012).
MAX_DEPTH = 32
#: Maximum size of one encoded value in bytes: 16 MiB (ENC-013).
MAX_SIZE = 16 * 1024 * 1024

Value: TypeAlias = "int | bytes | str | bool | list[Value] | dict[str, Value] | None"

_UINT64_MAX = (1 << 64) - 1
_SIMPLE = {20: False, 21: True, 22: None}
# Smallest argument value allowed for each additional-information width (ENC-007.2).
_MIN_FOR_WIDTH = {24: 24, 25: 0x100, 26: 0x10000, 27: 0x100000000}
_WIDTH = {24: 1, 25: 2, 26: 4, 27: 8}


def _integer(major: int, arg: int) -> int:
    """Major type 0 is ``arg``, major type 1 is ``-1 - arg``: all of −2⁶⁴ … 2⁶⁴−1 (ENC-015)."""
    return arg if major == 0 else -1 - arg


class _Decoder:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _argument(self, ai: int, start: int) -> int:
        if ai < 24:
            return ai
        width = _WIDTH[ai]
        end = self.pos + width
        if end > len(self.data):
            raise Truncated("ENC-002.1", "input ends inside an argument", offset=start)
        value = int.from_bytes(self.data[self.pos : end], "big")
        self.pos = end
        if value < _MIN_FOR_WIDTH[ai]:
            raise NonShortest(
                "ENC-007.2", f"argument {value} is not in its shortest form", offset=start
            )
        return value

    def _remaining(self) -> int:
        return len(self.data) - self.pos

    def item(self, depth: int) -> Value:
        """One data item at nesting ``depth``: the checks run in the order ENC-016 fixes."""
        start = self.pos
        if start >= len(self.data):
            raise Truncated("ENC-002.1", "input ends where a data item was expected", offset=start)
        initial = self.data[start]
        major, ai = initial >> 5, initial & 0x1F
        self.pos = start + 1
        if 28 <= ai <= 30:
            raise Malformed("ENC-005", f"reserved additional information {ai}", offset=start)
        if major == 7:
            if ai in _SIMPLE:
                return _SIMPLE[ai]
            if ai == 31:
                raise Malformed(
                    "ENC-005", "break stop code outside an indefinite item", offset=start
                )
            what = (
                "floating-point number"
                if 25 <= ai <= 27
                else "simple value other than false/true/null"
            )
            raise ForbiddenType("ENC-004", f"{what} (initial byte 0x{initial:02x})", offset=start)
        if major == 6:
            if ai == 31:
                raise Malformed("ENC-005", "additional information 31 on a tag", offset=start)
            raise ForbiddenType("ENC-003.1", "tags are not allowed", offset=start)
        if ai == 31:
            if major <= 1:
                raise Malformed("ENC-005", "additional information 31 on an integer", offset=start)
            raise IndefiniteLength("ENC-006", "indefinite-length item", offset=start)
        arg = self._argument(ai, start)
        if major <= 1:
            return _integer(major, arg)
        if major in (2, 3):
            if arg > self._remaining():
                raise Truncated(
                    "ENC-002.1",
                    f"string claims {arg} bytes, {self._remaining()} remain",
                    offset=start,
                )
            raw = self.data[self.pos : self.pos + arg]
            self.pos += arg
            if major == 2:
                return raw
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidUtf8(
                    "ENC-008.1", f"text string is not UTF-8: {exc.reason}", offset=start
                ) from None
        if depth >= MAX_DEPTH:
            raise TooDeep("ENC-012", f"more than {MAX_DEPTH} nested arrays/maps", offset=start)
        if major == 4:
            if arg > self._remaining():
                raise Truncated(
                    "ENC-002.1",
                    f"array claims {arg} items, {self._remaining()} bytes remain",
                    offset=start,
                )
            return [self.item(depth + 1) for _ in range(arg)]
        # major == 5
        if 2 * arg > self._remaining():
            raise Truncated(
                "ENC-002.1",
                f"map claims {arg} pairs, {self._remaining()} bytes remain",
                offset=start,
            )
        result: dict[str, Value] = {}
        previous: bytes | None = None
        for _ in range(arg):
            key_start = self.pos
            if key_start >= len(self.data):
                raise Truncated(
                    "ENC-002.1", "input ends where a map key was expected", offset=key_start
                )
            if self.data[key_start] >> 5 != 3:
                raise NonTextKey("ENC-009", "map keys must be text strings", offset=key_start)
            key = self.item(depth + 1)
            assert isinstance(key, str)
            encoded_key = self.data[key_start : self.pos]
            if previous is not None:
                if encoded_key == previous:
                    raise DuplicateKey(
                        "ENC-011", f"duplicate map key {key!r:.60}", offset=key_start
                    )
                if encoded_key < previous:
                    raise UnsortedKeys(
                        "ENC-010",
                        f"map key {key!r:.60} is out of canonical order",
                        offset=key_start,
                    )
            previous = encoded_key
            result[key] = self.item(depth + 1)
        return result


def decode_value(data: bytes) -> Value:
    """Decode exactly one canonical data item of the subset, or raise a DecodeError.

    Implements ENC-001 … ENC-013 in the order fixed by ENC-016; the input is
    measured before anything is decoded (ENC-013.1).
    """
    if type(data) is not bytes:
        data = bytes(data)
    if len(data) > MAX_SIZE:
        raise TooLarge("ENC-013.1", f"{len(data)} bytes exceeds the {MAX_SIZE}-byte limit")
    decoder = _Decoder(data)
    value = decoder.item(0)
    if decoder.pos != len(data):
        raise TrailingBytes(
            "ENC-001", f"{len(data) - decoder.pos} bytes after the data item", offset=decoder.pos
        )
    return value


def _check_encodable(value: object, depth: int) -> None:
    if value is None or isinstance(value, bool | bytes):
        return
    if isinstance(value, int):
        if not -_UINT64_MAX - 1 <= value <= _UINT64_MAX:
            raise ForbiddenType("ENC-003.2", f"integer {value} needs a bignum tag")
        return
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidUtf8("ENC-008.1", "text contains lone surrogates") from None
        return
    if isinstance(value, list | dict):
        if depth >= MAX_DEPTH:
            raise TooDeep("ENC-012", f"more than {MAX_DEPTH} nested arrays/maps")
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise NonTextKey("ENC-009", f"map key {key!r:.40} is not a text string")
                _check_encodable(key, depth + 1)
                _check_encodable(item, depth + 1)
        else:
            for item in value:
                _check_encodable(item, depth + 1)
        return
    raise ForbiddenType("ENC-003", f"{type(value).__name__} is not in the CBOR subset")


def encode_value(value: Value) -> bytes:
    """Encode ``value`` canonically (ENC-007.1, ENC-014.1); refuse what it would not decode.

    cbor2's ``canonical=True`` orders map keys length-first, which equals the
    RFC 8949 bytewise order because every key is a text string (ENC-009/010).
    """
    _check_encodable(value, 0)
    encoded: bytes = cbor2.dumps(value, canonical=True)
    if len(encoded) > MAX_SIZE:
        raise TooLarge("ENC-013.2", f"{len(encoded)} bytes exceeds the {MAX_SIZE}-byte limit")
    return encoded
