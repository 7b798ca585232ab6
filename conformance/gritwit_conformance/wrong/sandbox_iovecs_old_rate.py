"""Wrong adapter: every ``iovec`` entry costs 500, the rate before issue 34's gate (SBX-006.5).

An implementation one spec version behind: it charges an ``iovec`` array's entries at
a quarter of the rate, so a program writing and reading through long arrays of
one-byte buffers gets about four times the host work its fuel should bound (the
reference's host reads, checks and copies each entry: some 6 500 instructions).
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _state
from gritwit_conformance.wrong import patch, run


def install() -> None:
    patch(_state, "IOVEC_FUEL", 500)  # the bug: the old rate


if __name__ == "__main__":
    run(ReferenceAdapter, install)
