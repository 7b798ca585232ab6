"""Wrong adapter: ``utime`` sets a file's times (SBX-005.12).

``path_filestat_set_times`` stores the times given and ``stat`` answers them, as a
host file system does, instead of succeeding and changing nothing.
"""

from __future__ import annotations

import struct
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls, _paths
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.12"}),
    "failed",
    "utime sets a file's times, and stat answers them",
    timeout=STARTUP_TIMEOUT,
)

_TIMES: dict[int, tuple[int, int]] = {}
_real_stat = _paths.filestat
#: ``filestat``: dev, ino, filetype, nlink, size, atim, mtim, ctim (WASI preview 1).
_FILESTAT = struct.Struct("<QQB7xQQQQQ")


def filestat(node: Any, ino: int, device: int) -> bytes:
    packed = bytes(_real_stat(node, ino, device))
    if ino not in _TIMES:
        return packed
    fields = list(_FILESTAT.unpack(packed))
    fields[5], fields[6] = _TIMES[ino]  # the bug: atim, mtim as set
    return _FILESTAT.pack(*fields)


def path_set_times(
    state: Any, fd: int, _flags: int, path: int, length: int, atim: int, mtim: int, _fst: int
) -> int:
    place, _node = state.files.lookup(fd, state.read(path, length))
    _TIMES[place.number()] = (atim, mtim)
    return 0


def install() -> None:
    patch(_calls, "filestat", filestat)
    patch(_paths, "filestat", filestat)
    params, results, _ = _calls.FUNCTIONS["path_filestat_set_times"]
    _calls.FUNCTIONS["path_filestat_set_times"] = (params, results, path_set_times)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
