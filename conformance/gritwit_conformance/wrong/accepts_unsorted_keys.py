"""Wrong adapter: the decoder accepts map keys in any order (ENC-010).

Where the reference's first complaint is ``unsorted-keys``, this decoder
sorts the keys itself (re-encoding canonically) and carries on.
"""

from __future__ import annotations

import cbor2

from gritwit import decode_value
from gritwit._errors import UnsortedKeys
from gritwit_conformance.wrong import LaxDecoderAdapter, WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ENC-010"}),
    "failed",
    "the decoder accepts map keys in any order (and hashes the sorted re-encoding)",
)


class Adapter(LaxDecoderAdapter):
    def lax(self, data: bytes) -> bytes:
        try:
            decode_value(data)
        except UnsortedKeys:  # the bug: sort instead of reject
            return bytes(cbor2.dumps(cbor2.loads(data), canonical=True))
        return data


if __name__ == "__main__":
    run(Adapter)
