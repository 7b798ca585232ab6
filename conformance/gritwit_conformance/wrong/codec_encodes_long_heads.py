"""Wrong adapter: the encoder writes short string lengths in a following byte (ENC-007.1).

Lengths 0–23 of byte and text strings belong in the initial byte; this encoder
always uses additional information 24 and one length byte for them (``78 01 61``
for ``"a"`` instead of ``61 61``). Its ``encode`` and ``decode-value`` answers are
therefore not the shortest form; its decoder is the reference's.
"""

from __future__ import annotations

from typing import Any

import blake3
import cbor2

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ENC-007.1"}),
    "failed",
    "the encoder writes string lengths 0-23 with a following byte (additional information 24)",
)


def _head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for ai, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * width):
            return bytes([major << 5 | ai]) + arg.to_bytes(width, "big")
    raise ValueError(arg)


def _encode(value: Any) -> bytes:
    if value is False or value is True or value is None:
        return {False: b"\xf4", True: b"\xf5", None: b"\xf6"}[value]
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes | str):
        raw = value if isinstance(value, bytes) else value.encode("utf-8")
        major = 2 if isinstance(value, bytes) else 3
        head = bytes([major << 5 | 24, len(raw)]) if len(raw) < 24 else _head(major, len(raw))
        return head + raw  # the bug: lengths 0–23 take a following byte
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(item) for item in value)
    return _head(5, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value.items())


class Adapter(ReferenceAdapter):
    def cmd_encode(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super().cmd_encode(args)
        data = _encode(cbor2.loads(bytes.fromhex(answer["bytes"])))
        return {"bytes": data.hex(), "id": blake3.blake3(data).hexdigest()}

    def cmd_decode_value(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super().cmd_decode_value(args)
        return {"bytes": _encode(cbor2.loads(bytes.fromhex(answer["bytes"]))).hex()}


if __name__ == "__main__":
    run(Adapter)
