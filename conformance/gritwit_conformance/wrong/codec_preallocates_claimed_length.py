"""Wrong adapter: the decoder allocates what a length claim asks for before reading (ENC-002.2).

Like ``bytearray(n)`` or ``new Array(n)`` sized from the head, it reserves memory in
proportion to a string's length or an array's or map's count before the input has
supplied the bytes. A claim far beyond the input (2⁶³ bytes) then exhausts memory
instead of being rejected as ``truncated``; the adapter reports an internal error.
To keep the machine safe the allocation is modelled: a claim over 2³¹ raises
:class:`MemoryError`, as the real allocation would.
"""

from __future__ import annotations

from gritwit import _cbor
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ENC-002.2"}),
    "failed",
    "allocates what a length or count claims before reading: a 2^63 claim is an internal "
    "error, not truncated",
)

argument = _cbor._Decoder._argument
_AVAILABLE = 1 << 31


def allocating_argument(self: _cbor._Decoder, ai: int, start: int) -> int:
    value = argument(self, ai, start)
    if 2 <= self.data[start] >> 5 <= 5 and value > _AVAILABLE:  # the bug: allocate first
        raise MemoryError(f"cannot allocate {value} items")
    return value


def install() -> None:
    patch(_cbor._Decoder, "_argument", allocating_argument)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
