"""Wrong adapter (open-loop, written from spec/ alone): the nesting limit lets a 33rd level
of arrays and maps through (ENC-012).

ENC-012 counts the outermost array or map as level 1 and rejects level 33.  A decoder that
numbers the outermost container 0 and checks `depth > 32` (a natural `if depth > MAX_DEPTH`
with a zero-based counter) is off by one: it accepts 33 nested containers and rejects only
the 34th.  The encoder shares the constant, so `decode-value` answers the 33-level input as
valid and re-encodes it instead of failing `too-deep`.
"""

from __future__ import annotations

from gritwit import _cbor
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ENC-012"}),
    "failed",
    "the nesting limit is off by one: 33 nested arrays/maps decode (and re-encode), only "
    "the 34th level is too-deep",
)

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "decode-value", "bytes": "81" * 31 + "80"},  # 32 levels: both accept
    {"cmd": "decode-value", "bytes": "81" * 32 + "80"},  # 33 levels: too-deep
    {"cmd": "decode-value", "bytes": "a1" + "6161" + "81" * 31 + "a0"},  # a map outermost, 33
]


def install() -> None:
    # A zero-based level checked with `>`: the same as a limit of 33 with `>=`.
    patch(_cbor, "MAX_DEPTH", _cbor.MAX_DEPTH + 1)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
