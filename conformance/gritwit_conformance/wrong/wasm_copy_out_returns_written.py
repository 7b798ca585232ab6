"""Wrong adapter: a copy-out returns the bytes it wrote, not the value's length (WASM-007.4).

With a buffer too small the guest is told ``cap`` instead of ``n``, so it never learns
how large a buffer to retry with.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _guest
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-007.4"}),
    "failed",
    "a copy-out returns min(n, cap), the bytes written, instead of the value's length n",
)

_real = _guest._Guest.give


def gives_written(guest: _guest._Guest, value: bytes | None, buf: int, cap: int) -> int:
    n = _real(guest, value, buf, cap)
    return min(n, cap) if n >= 0 else n  # the bug: what was written, not n


def install() -> None:
    patch(_guest._Guest, "give", gives_written)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
