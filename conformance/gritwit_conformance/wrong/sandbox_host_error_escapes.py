"""Wrong adapter: a host function's own error escapes the run as the host's (SBX-005.19).

The WASI dispatcher turns ``WasiError`` into its errno and hands every other exception
on as it is, as the reference did before: a host function that fails on the guest's
arguments ends the run with an error of the host's language instead of ``trap``.  Here
``fd_seek`` checks a new position by packing it as a signed 64-bit number, so a seek
past 2**63 - 1 raises ``struct.error`` in the host.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls, _cost, _fs, _linker, _state
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.19"}),
    "failed",
    "a host function's own exception escapes the WASI dispatcher as the host's error, "
    "not trap; fd_seek raises struct.error packing a position past 2**63 - 1",
    timeout=STARTUP_TIMEOUT,
    copied_from=(("gritwit.sandbox.wasi._readwrite:fd_seek", "d4bb7d1c82147238"),),
)

_I64 = struct.Struct("<q")


def fd_seek(state: _state.WasiState, fd: int, offset: int, whence: int, out: int) -> int:
    handle = state.files.file(fd)
    bases = {0: 0, 1: handle.position, 2: len(handle.file.data)}
    if whence not in bases or bases[whence] + offset < 0:
        raise _fs.WasiError(_fs.EINVAL)
    packed = _I64.pack(bases[whence] + offset)  # struct.error past 2**63 - 1
    handle.position = bases[whence] + offset
    state.write(out, packed)
    return 0


def serve(
    state: _state.WasiState,
    name: str,
    function: Callable[..., int | None],
    args: tuple[int, ...],
) -> int | None:
    try:
        state.charge(_cost.CALL_FUEL, name)
        return function(state, *args)
    except _fs.WasiError as error:  # the bug: no catch-all turning the rest into trap
        if error.forbidden is not None:
            state.forbidden.append(error.forbidden)
        return error.errno


def install() -> None:
    params, results, _ = _calls.FUNCTIONS["fd_seek"]
    _calls.FUNCTIONS["fd_seek"] = (params, results, fd_seek)
    patch(_linker, "serve", serve)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
