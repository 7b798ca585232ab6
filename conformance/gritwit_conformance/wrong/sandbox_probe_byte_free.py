"""Wrong adapter: the byte that shows the output limit passed is not paid (SBX-006.5).

A write to standard output or error past its limit copies the room left and one byte
more (SBX-005.16), but pays only the room: the host moves a byte it does not charge,
where a file write's is paid.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _readwrite
from gritwit.sandbox.wasi._fs import StreamFd
from gritwit.sandbox.wasi._state import WasiState
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-006.5"}),
    "failed",
    "copies the byte that shows the output limit passed but pays only the room left",
    timeout=STARTUP_TIMEOUT,
)


def _stream_write(state: WasiState, stream: StreamFd, iovs: int, count: int) -> int:
    if stream.write is None:
        raise _readwrite.WasiError(_readwrite.EBADF)
    total = state.measure(iovs, count)
    room = stream.room()
    take = min(total, state.size if room is None else room + 1)
    if room is not None and take > room:
        data = state.gather(iovs, count, room) + b"\0"  # the bug: the probe byte is free
    else:
        data = state.gather(iovs, count, take)
    kept = stream.write(data)
    return min(total, _readwrite.MAX_SIZE) if kept >= len(data) else kept


def install() -> None:
    patch(_readwrite, "_stream_write", _stream_write)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
