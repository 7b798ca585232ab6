"""Wrong adapter: ``fd_seek`` takes a position past 2**63 - 1 (SBX-005.18).

The seek checks only that the new position is not below 0, as a host that keeps
positions as Python integers (or unsigned 64-bit ones) would: seeking one past
2**63 - 1 succeeds and the program sees a negative ``off_t``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls, _fs
from gritwit.sandbox.wasi._linker import WasiState
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.18"}),
    "failed",
    "fd_seek checks only that a position is not below 0: a seek past 2**63 - 1 succeeds",
    timeout=STARTUP_TIMEOUT,
)


def fd_seek(state: WasiState, fd: int, offset: int, whence: int, out: int) -> int:
    handle = state.files.file(fd)
    bases = {0: 0, 1: handle.position, 2: len(handle.file.data)}
    if whence not in bases or bases[whence] + offset < 0:
        raise _fs.WasiError(_fs.EINVAL)
    handle.position = bases[whence] + offset  # the bug: no EOVERFLOW past 2**63 - 1
    state.u64(out, handle.position)
    return 0


def install() -> None:
    params, results, old = _calls.FUNCTIONS["fd_seek"]
    bent = fault("_calls.FUNCTIONS[fd_seek]", old, fd_seek)
    _calls.FUNCTIONS["fd_seek"] = (params, results, bent)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
