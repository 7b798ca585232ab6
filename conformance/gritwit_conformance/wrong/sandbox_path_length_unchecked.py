"""Wrong adapter: a path argument of any length is copied and looked up (SBX-005.17).

The host copies a path before it looks at its length, so a path of 4097 bytes is no
``ENAMETOOLONG``: it is looked up like any other.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _cost, _state
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.17"}),
    "failed",
    "copies and looks up a path argument of any length: 4097 bytes are no ENAMETOOLONG",
    timeout=STARTUP_TIMEOUT,
)


def path(self: _state.WasiState, ptr: int, length: int) -> bytes:
    self.check(ptr, length)  # the bug: no bound of 4096 bytes
    self.charge(_cost.BYTE_FUEL * length, "a path")
    raw = self.read(ptr, length)
    components = raw.count(b"/") + 1
    self.charge(_cost.PATH_FUEL + _cost.COMPONENT_FUEL * components, "a path's walk")
    return raw


def install() -> None:
    patch(_state.WasiState, "path", path)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
