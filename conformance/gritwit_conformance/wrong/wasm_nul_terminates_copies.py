"""Wrong adapter: the host NUL-terminates what it copies out (WASM-007.3).

A C habit: after writing ``min(n, cap)`` bytes at ``buf`` the host writes a NUL
byte after them — one byte past the buffer the guest handed it when the value
fills it.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _guest
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-007.3"}),
    "failed",
    "NUL-terminates every value it copies out: one byte past the guest's buffer",
    smoke=True,
)

_real_give = _guest._Guest.give


def give(guest: _guest._Guest, value: bytes | None, buf: int, cap: int) -> int:
    n = _real_give(guest, value, buf, cap)
    if value is not None and buf + min(n, cap) < guest.size():
        guest.write(buf + min(n, cap), b"\0")  # the bug
    return n


def install() -> None:
    patch(_guest._Guest, "give", give)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
