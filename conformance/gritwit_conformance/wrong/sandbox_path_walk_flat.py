"""Wrong adapter: a path's walk costs a flat rate, however many components it has (SBX-006.13).

The host charges every path the same, as a per-call price would: the 20 000 of a path,
but not its 2 000 a component.  A path of 300 components costs what one of a single
name does, so a program walking long paths spends host time its fuel does not pay for.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _cost, _state
from gritwit.sandbox.wasi._fs import ENAMETOOLONG, WasiError
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-006.13"}),
    "failed",
    "charges a path's walk a flat rate, 20 000 and one component's 2 000, however many "
    "components the path has",
    timeout=STARTUP_TIMEOUT,
)


def path(self: _state.WasiState, ptr: int, length: int) -> bytes:
    if length > _cost.MAX_PATH_BYTES:
        raise WasiError(ENAMETOOLONG)
    self.check(ptr, length)
    self.charge(_cost.BYTE_FUEL * length, "a path")
    raw = self.read(ptr, length)
    self.charge(_cost.PATH_FUEL + _cost.COMPONENT_FUEL, "a path's walk")  # the bug: flat
    return raw


def install() -> None:
    patch(_state.WasiState, "path", path)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
