"""Wrong adapter: a directory lists its entries in the order they were made (SBX-005.7,
SBX-005.13).

``fd_readdir`` walks the in-memory directory as a host file system would, in its
own order (here: creation order), not by the names' UTF-8 bytes.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _calls
from gritwit_conformance.wrong import patch, run


def readdir(state: Any, fd: int, buf: int, length: int, cookie: int, out: int) -> int:
    directory = state.files.directory(fd)
    entries = directory.chain[-1].entries
    names = list(entries)  # the bug: insertion order
    listing = bytearray()
    for index in range(cookie, len(names)):
        if len(listing) >= length:
            break
        name = names[index]
        raw = name.encode("utf-8")
        kind = _calls._DIRECTORY if isinstance(entries[name], _calls.Directory) else 4
        ino = _calls.path_number(f"{directory.path}/{name}")
        listing += _calls._DIRENT.pack(index + 1, ino, len(raw), kind) + raw
    state.write(buf, bytes(listing[:length]))
    state.u32(out, min(len(listing), length))
    return 0


def install() -> None:
    params, results, _ = _calls.FUNCTIONS["fd_readdir"]
    _calls.FUNCTIONS["fd_readdir"] = (params, results, readdir)
    patch(_calls, "fd_readdir", readdir)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
