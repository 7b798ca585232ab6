"""Wrong adapter: a map's key order is checked after the whole map is decoded (ENC-016).

Every rule is enforced, but not in one left-to-right pass: the decoder reads all
pairs of a map first and checks ``unsorted-keys`` / ``duplicate-key`` at the end,
so a violation inside a later value wins over an out-of-order key before it.
"""

from __future__ import annotations

import itertools
from typing import Any

from gritwit import _cbor, _errors
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ENC-016"}),
    "failed",
    "checks a map's key order after decoding all its pairs, not in one left-to-right pass",
)

_item = _cbor._Decoder.item


def _late_item(self: Any, depth: int) -> Any:
    start = self.pos
    if start >= len(self.data) or depth >= _cbor.MAX_DEPTH:
        return _item(self, depth)
    major, ai = self.data[start] >> 5, self.data[start] & 0x1F
    if major != 5 or ai >= 28:
        return _item(self, depth)
    self.pos = start + 1
    count = self._argument(ai, start)
    if 2 * count > self._remaining():
        raise _errors.Truncated("ENC-002.1", "map count exceeds the input", offset=start)
    keys: list[tuple[bytes, int]] = []
    result: dict[str, Any] = {}
    for _ in range(count):
        key_start = self.pos
        if key_start >= len(self.data):
            raise _errors.Truncated("ENC-002.1", "input ends where a map key was expected")
        if self.data[key_start] >> 5 != 3:
            raise _errors.NonTextKey("ENC-009", "map keys must be text strings", offset=key_start)
        key = self.item(depth + 1)
        keys.append((self.data[key_start : self.pos], key_start))
        result[key] = self.item(depth + 1)
    for (previous, _), (encoded, offset) in itertools.pairwise(keys):  # the bug: late
        if encoded == previous:
            raise _errors.DuplicateKey("ENC-011", "duplicate map key", offset=offset)
        if encoded < previous:
            raise _errors.UnsortedKeys("ENC-010", "map key out of order", offset=offset)
    return result


def install() -> None:
    patch(_cbor._Decoder, "item", _late_item)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
