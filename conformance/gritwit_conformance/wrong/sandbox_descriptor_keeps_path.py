"""Wrong adapter: every descriptor keeps a copy of the path it was opened at (SBX-006.14).

The host remembers, beside each open file, its normalised absolute path (to number it,
SBX-005.11), as the reference did before: 1 000 descriptors of a file 2 000
directories down with names of 255 bytes hold 1 000 paths of 512 KB each.
"""

from __future__ import annotations

import struct
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls, _paths
from gritwit.sandbox.wasi._fs import Trail
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-006.14"}),
    "failed",
    "keeps a copy of its whole path beside every open file: 1 000 descriptors deep down "
    "a chain hold 1 000 long paths",
    timeout=STARTUP_TIMEOUT,
)

_OPEN = _paths.path_open
#: Each run's open files' paths, by descriptor number.
_PATHS: dict[int, dict[int, str]] = {}


def _path(place: Any) -> str:
    names: list[str] = []
    trail: Trail | None = place.base
    while trail is not None:
        names.append(trail.name)
        trail = trail.up
    tail = [*place.names, *([] if place.last is None else [place.last])]
    return "/".join([*reversed(names), *tail])


def path_open(state: Any, fd: int, _dirflags: int, path: int, path_len: int, *rest: int) -> int:
    errno = _OPEN(state, fd, _dirflags, path, path_len, *rest)
    if errno == 0:
        opened = struct.unpack("<I", state.read(rest[-1], 4))[0]
        place = state.files.place(fd, state.read(path, path_len))
        _PATHS.setdefault(id(state), {})[opened] = _path(place)  # the bug: a copy per descriptor
    return errno


def install() -> None:
    params, results, old = _calls.FUNCTIONS["path_open"]
    bent = fault("_calls.FUNCTIONS[path_open]", old, path_open)
    _calls.FUNCTIONS["path_open"] = (params, results, bent)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
