"""Wrong adapter (open-loop, written from spec/ alone): a repeated map key is reported as
`unsorted-keys` instead of `duplicate-key` (ENC-011, ENC-016).

ENC-016 step 10 fixes which class wins for a key that is not greater than the previous one:
equal → `duplicate-key`, smaller → `unsorted-keys`.  An implementer who enforces "strictly
increasing" (ENC-010) with one comparison, `if key <= previous: unsorted-keys`, rejects the
same inputs but reports the wrong class for every duplicate: both rules are broken by a
repeated key (it is not strictly greater either), and the spec says the duplicate rule decides.
"""

from __future__ import annotations

from gritwit import _cbor
from gritwit._errors import UnsortedKeys
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ENC-011"}),
    "failed",
    "a repeated map key fails unsorted-keys (one `key <= previous` check), not duplicate-key",
)

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "decode-value", "bytes": "a2616101616102"},  # {"a": 1, "a": 2}
    # {"data": h'', "data": h'', "type": "blob"}
    {"cmd": "decode", "bytes": "a3646461746140646461746140647479706564626c6f62"},
]


def _not_strictly_greater(
    requirement: str, detail: str, *, offset: int | None = None
) -> UnsortedKeys:
    """What `key <= previous` raises for an equal key: the order rule's class."""
    return UnsortedKeys("ENC-010", detail.replace("duplicate", "out-of-order"), offset=offset)


def install() -> None:
    patch(_cbor, "DuplicateKey", _not_strictly_greater)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
