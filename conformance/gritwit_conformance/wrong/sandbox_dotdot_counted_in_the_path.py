"""Wrong adapter: a ``..`` is counted against the path alone, not its directory (SBX-005.33).

The host refuses a relative path whose ``..`` outnumber the names before them, as a
check of the path's text alone would (``os.path.normpath(path).startswith("..")``):
``../../y`` from a descriptor of ``/core/a/b`` is ``/core/y``, inside the core, yet it
ends the run as a forbidden operation.  Paths that start at a preopen are judged right.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _fs
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.33", "SBX-005.6"}),
    "failed",
    "refuses a relative path whose .. outnumber the names before them, whatever the "
    "directory it starts from: ../../y from /core/a/b is forbidden",
    timeout=STARTUP_TIMEOUT,
)

_real = _fs.Filesystem.place


def place(self: _fs.Filesystem, fd: int, raw: bytes) -> _fs.Place:
    depth = 0
    for part in raw.split(b"/"):
        if part == b"..":
            depth -= 1
        elif part not in (b"", b"."):
            depth += 1
        if depth < 0:  # the bug: the directory fd names is not counted
            raise _fs.WasiError(_fs.ENOTCAPABLE, f"the path {raw[:200]!r} climbs above its start")
    return _real(self, fd, raw)


def install() -> None:
    patch(_fs.Filesystem, "place", place)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
