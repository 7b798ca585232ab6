"""Wrong adapter: a blob's data in upper-case hex is taken (HTTP-002.2).

The service reads byte strings with ``bytes.fromhex``, which takes either case, so
``"ABCD"`` is the bytes ``ab cd`` instead of a refusal.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-002.2"}),
    "failed",
    "byte strings are read in either case of hex digits, not lowercase alone",
)


def install() -> None:
    from gritwit.serve import _content

    original = _content.hex_bytes

    def hex_bytes(value: object, what: str) -> bytes:
        if isinstance(value, str):
            return original(value.lower(), what)  # the bug: any case
        return original(value, what)

    patch(_content, "hex_bytes", hex_bytes)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
