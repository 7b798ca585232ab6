"""Wrong adapter (open-loop, written from spec/ alone): the encoder applies the 16 MiB limit
to a blob's data instead of to the whole encoding (ENC-013.2, OBJ-017.2).

ENC-013 bounds the *encoding*; the decoder measures its input, the encoder must measure what
it would produce.  An implementer who puts the encoder's check where the big value enters —
`len(blob.data) > 16 MiB` when a blob is built — forgets the dozen bytes of map, keys and
length head around the data: a blob whose data is 16 MiB, or a few bytes less, is encoded
into more than 16 MiB, which the same implementation's decoder (and `put`) then refuses as
`too-large`.  The limit is enforced on one path (decode) and not on the other (encode).
"""

from __future__ import annotations

import cbor2

from gritwit import _codec
from gritwit._cbor import MAX_SIZE
from gritwit._errors import TooLarge
from gritwit._objects import Blob, GritObject
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ENC-013.2"}),
    "failed",
    "the encoder checks the 16 MiB limit on a blob's data, not on its encoding: a blob of "
    "16 MiB - 8 bytes is encoded into 16 MiB + 9 bytes that decode refuses",
)

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
#: The blob's data is 16 MiB − 8 bytes; its encoding is 16 MiB + 9 bytes.
PROBE = [
    {"cmd": "encode", "object": {"type": "blob", "data": "00" * (MAX_SIZE - 8)}},
]


def _encode_object(obj: GritObject) -> bytes:
    """The reference encoder, with the size limit checked on the blob's data only."""
    if isinstance(obj, Blob) and len(obj.data) > MAX_SIZE:
        raise TooLarge("ENC-013.2", f"blob data exceeds the {MAX_SIZE}-byte limit")
    encoded: bytes = cbor2.dumps(_codec._to_value(obj))
    return encoded


def install() -> None:
    patch(_codec, "encode_object", _encode_object)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
