"""Wrong adapter: ``fd_readdir`` lists its entries free (SBX-006.5).

The sort is paid once per version of a directory, as SBX-006.6 says, and the bytes
written are paid; the entries listed are not: a listing costs the call and its bytes
alone, whatever the number of entries it hands out, so a program listing a large
directory over and over spends host time its fuel does not bound (the reference's
work per entry is a hash of the entry's path and a ``dirent``).
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls
from gritwit.sandbox.wasi._cost import BYTE_FUEL
from gritwit.sandbox.wasi._fs import Directory
from gritwit.sandbox.wasi._linker import WasiState
from gritwit.sandbox.wasi._paths import DIRECTORY, REGULAR_FILE
from gritwit_conformance.wrong import run


def fd_readdir(state: WasiState, fd: int, buf: int, length: int, cookie: int, out: int) -> int:
    directory = state.files.directory(fd)
    state.check(buf, length)
    node = directory.node
    listing = _calls.sorted_listing(node.entries, node, state.charge)  # the sort: paid
    chunks, size = [], 0
    for index in range(min(cookie, len(listing)), len(listing)):
        if size >= length:
            break
        name, raw = listing[index]
        kind = DIRECTORY if isinstance(node.entries[name], Directory) else REGULAR_FILE
        ino = directory.trail.number(name)
        chunks.append(_calls._DIRENT.pack(index + 1, ino, len(raw), kind) + raw)
        size += _calls._DIRENT.size + len(raw)
    state.charge(BYTE_FUEL * min(size, length), "a listing")  # the bug: no ENTRY_FUEL
    state.write(buf, b"".join(chunks)[:length])
    state.u32(out, min(size, length))
    return 0


def install() -> None:
    params, results, _ = _calls.FUNCTIONS["fd_readdir"]
    _calls.FUNCTIONS["fd_readdir"] = (params, results, fd_readdir)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
