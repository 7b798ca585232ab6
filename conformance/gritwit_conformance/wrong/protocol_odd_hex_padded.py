"""Wrong adapter: a byte-string argument of an odd number of hex digits is padded with a
leading zero (ADP-004.5).

``hash`` of ``"abc"`` answers the digest of ``0a bc``, where odd-length hex MUST be
``bad-request``.
"""

from __future__ import annotations

import re
from typing import Any

from gritwit.adapter import ReferenceAdapter, _handler
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-004.5"}),
    "failed",
    "byte-string arguments of an odd number of hex digits are padded with a leading zero",
)

_HEX = re.compile(r"[0-9a-f]+")
_strict = _handler._hex


def _padded(args: dict[str, Any], key: str) -> bytes:
    value = args.get(key)
    if isinstance(value, str) and len(value) % 2 and _HEX.fullmatch(value):
        return bytes.fromhex("0" + value)  # the bug
    return _strict(args, key)


if __name__ == "__main__":
    run(ReferenceAdapter, lambda: patch(_handler, "_hex", _padded))
