"""Wrong adapter: the decoder reads one data item and ignores what follows (ENC-001).

Like a streaming reader that stops after the first item, it never reports
``trailing-bytes``.
"""

from __future__ import annotations

from gritwit._cbor import _Decoder
from gritwit_conformance.wrong import LaxDecoderAdapter, WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ENC-001"}),
    "failed",
    "the decoder reads the first data item and ignores the bytes after it",
)


class Adapter(LaxDecoderAdapter):
    def lax(self, data: bytes) -> bytes:
        decoder = _Decoder(data)
        decoder.item(0)
        return data[: decoder.pos]  # the bug: the rest is dropped unchecked


if __name__ == "__main__":
    run(Adapter)
