"""Wrong adapter (open-loop, written from spec/ alone): the decoder orders map keys of equal
UTF-8 length by UTF-16 code units, not by UTF-8 bytes (ENC-010).

ENC-010 orders keys by the bytes of their encodings: UTF-8 length first, then UTF-8 bytes.
A JavaScript-minded decoder gets the length right (it measures the encoded key) but then
compares the decoded strings with `<`, which compares UTF-16 code units.  The two orders agree
on ASCII and the whole BMP below U+D800, and disagree when a key holds a character above
U+FFFF (a surrogate pair, 0xD8xx) and the other one of U+E000 ... U+FFFF at the same position:
canonical bytes are then refused as `unsorted-keys` and the swapped order is accepted.
"""

from __future__ import annotations

from gritwit import _cbor, _codec
from gritwit._errors import DuplicateKey, NonTextKey, TooDeep, Truncated, UnsortedKeys
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ENC-010"}),
    "failed",
    "the decoder orders keys of equal UTF-8 length by UTF-16 code units: canonical maps "
    "with a key above U+FFFF and one in U+E000-U+FFFF are unsorted-keys, the swap accepted",
)

# {"type": "blob", "data": h'', "headers": {"\ue000a": "", "\U0001f600": ""}}: both header
# names are 4 UTF-8 bytes, and EE 80 80 61 < F0 9F 98 80 (canonical), but in UTF-16
# U+D83D (the high surrogate of U+1F600) < U+E000.
_CANONICAL = "a3646461746140647479706564626c6f626768656164657273a264ee8080616064f09f988060"
_SWAPPED = "a3646461746140647479706564626c6f626768656164657273a264f09f98806064ee80806160"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "decode", "bytes": _CANONICAL},
    {"cmd": "decode", "bytes": _SWAPPED},
    {"cmd": "decode-value", "bytes": "a264ee8080610164f09f988002"},
]


def _key_sort(key: str) -> tuple[int, bytes]:
    """The wrong order: UTF-8 length, then UTF-16 code units (JavaScript's string `<`)."""
    return (len(key.encode("utf-8")), key.encode("utf-16-be", "surrogatepass"))


class _Utf16Decoder(_cbor._Decoder):
    """The reference decoder, except for the key-order comparison of maps."""

    __slots__ = ()

    def item(self, depth: int) -> _cbor.Value:
        start = self.pos
        if start >= len(self.data) or self.data[start] >> 5 != 5 or self.data[start] & 0x1F > 27:
            return super().item(depth)
        self.pos = start + 1
        arg = self._argument(self.data[start] & 0x1F, start)
        if depth >= _cbor.MAX_DEPTH:
            raise TooDeep("ENC-012", "more than 32 nested arrays/maps", offset=start)
        if 2 * arg > self._remaining():
            raise Truncated("ENC-002.1", "map claims too many pairs", offset=start)
        result: dict[str, _cbor.Value] = {}
        previous: str | None = None
        for _ in range(arg):
            key_start = self.pos
            if key_start >= len(self.data):
                raise Truncated("ENC-002.1", "input ends where a map key was expected")
            if self.data[key_start] >> 5 != 3:
                raise NonTextKey("ENC-009", "map keys must be text strings", offset=key_start)
            key = self.item(depth + 1)
            assert isinstance(key, str)
            if previous is not None:
                if key == previous:
                    raise DuplicateKey("ENC-011", f"duplicate map key {key!r:.60}")
                if _key_sort(key) < _key_sort(previous):
                    raise UnsortedKeys("ENC-010", f"map key {key!r:.60} is out of order")
            previous = key
            result[key] = self.item(depth + 1)
        return result


def _in_key_order(mapping: dict[object, object]) -> bool:
    keys = list(mapping)
    if set(map(type, keys)) != {str}:
        return False
    return keys == sorted(keys, key=_key_sort)  # type: ignore[arg-type]


def install() -> None:
    patch(_cbor, "_Decoder", _Utf16Decoder)
    patch(_codec, "_in_key_order", _in_key_order)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
