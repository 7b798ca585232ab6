"""Wrong adapter: an absent value never looks at its buffer (WASM-007.2).

The copy-out returns -1 for an absent value before it checks ``(buf, cap)``, so a
guest whose buffer lies (partly) outside its memory is told *absent* instead of
trapping: a host that checks a buffer only where it writes into it.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.wasm import _guest
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wasm",),
    frozenset({"WASM-007.2"}),
    "failed",
    "a copy-out answers -1 for an absent value before it checks its buffer: a buffer "
    "outside the memory is absent instead of a trap",
)

_real = _guest._Guest.give


def gives_absent_first(guest: _guest._Guest, value: bytes | None, buf: int, cap: int) -> int:
    if value is None:
        return -1  # the bug: the buffer is not checked for an absent value
    return _real(guest, value, buf, cap)


def install() -> None:
    patch(_guest._Guest, "give", gives_absent_first)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
