"""Wrong adapter: ``fd_readdir`` sorts on every call and charges neither the sort nor the entries
(SBX-006.6, SBX-006.5).

The listing of the reference before: each call sorts the directory afresh and lists
its entries for the price of the call alone, so a program listing a large directory
over and over spends host time its fuel does not bound.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls
from gritwit.sandbox.wasi._fs import Directory
from gritwit.sandbox.wasi._linker import WasiState
from gritwit.sandbox.wasi._paths import DIRECTORY, REGULAR_FILE
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-006.6"}),
    "failed",
    "fd_readdir sorts the directory on every call and charges neither the sort nor the "
    "entries listed",
    timeout=STARTUP_TIMEOUT,
)


def fd_readdir(state: WasiState, fd: int, buf: int, length: int, cookie: int, out: int) -> int:
    directory = state.files.directory(fd)
    state.check(buf, length)
    entries = directory.node.entries
    names = sorted(entries)  # the bug: sorted per call, nothing charged
    listing = bytearray()
    for index in range(cookie, len(names)):
        if len(listing) >= length:
            break
        name = names[index]
        raw = name.encode("utf-8")
        kind = DIRECTORY if isinstance(entries[name], Directory) else REGULAR_FILE
        ino = directory.trail.number(name)
        listing += _calls._DIRENT.pack(index + 1, ino, len(raw), kind) + raw
    state.write(buf, bytes(listing[:length]))
    state.u32(out, min(len(listing), length))
    return 0


def install() -> None:
    params, results, old = _calls.FUNCTIONS["fd_readdir"]
    bent = fault("_calls.FUNCTIONS[fd_readdir]", old, fd_readdir)
    _calls.FUNCTIONS["fd_readdir"] = (params, results, bent)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
