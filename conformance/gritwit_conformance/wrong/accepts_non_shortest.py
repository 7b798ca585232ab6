"""Wrong adapter: the decoder forgets the shortest-form rule (ENC-007).

``0x18 0x05`` (5 in a one-byte argument) decodes as 5 instead of being
rejected as ``non-shortest``; the same for lengths and counts.
"""

from __future__ import annotations

from gritwit import _cbor
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import run


def install() -> None:
    # The bug: every argument width accepts every value that fits.
    _cbor._MIN_FOR_WIDTH.update(dict.fromkeys(_cbor._MIN_FOR_WIDTH, 0))


if __name__ == "__main__":
    run(ReferenceAdapter, install)
