"""Wrong adapter: the decoder reads one data item and ignores what follows (ENC-001).

Like a streaming reader that stops after the first item, it never reports
``trailing-bytes``.
"""

from __future__ import annotations

from gritwit._cbor import _Decoder
from gritwit_conformance.wrong import LaxDecoderAdapter, run


class Adapter(LaxDecoderAdapter):
    def lax(self, data: bytes) -> bytes:
        decoder = _Decoder(data)
        decoder.item(0)
        return data[: decoder.pos]  # the bug: the rest is dropped unchecked


if __name__ == "__main__":
    run(Adapter)
