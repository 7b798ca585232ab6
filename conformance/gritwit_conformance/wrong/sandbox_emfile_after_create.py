"""Wrong adapter: a ``path_open`` that fails with ``EMFILE`` has made its file (SBX-005.25).

The descriptor table is checked only when the new descriptor is added, after
``O_CREAT`` made the file and ``O_TRUNC`` emptied it: the failed call leaves both.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _fs
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.25"}),
    "failed",
    "checks the descriptor table only when it adds the descriptor: a path_open failing "
    "EMFILE has made its O_CREAT file or emptied its O_TRUNC one",
    timeout=STARTUP_TIMEOUT,
)

_add = _fs.Filesystem.add


def check_room(self: _fs.Filesystem) -> None:
    """No check before the call changes anything (the bug)."""


def add(self: _fs.Filesystem, descriptor: _fs.Descriptor) -> int:
    if len(self.descriptors) >= _fs.MAX_DESCRIPTORS:
        raise _fs.WasiError(_fs.EMFILE)  # only here, once the file is made
    return _add(self, descriptor)


def install() -> None:
    patch(_fs.Filesystem, "check_room", check_room)
    patch(_fs.Filesystem, "add", add)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
