"""Wrong adapter: a fourth preopened directory, ``/tmp`` (SBX-005.1).

For the interpreter's ``tempfile`` module the host preopens a writable ``/tmp``
(in memory) beside ``/core``, ``/input`` and ``/out``: a program reaches a
directory the chapter does not give it.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _fs
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.1"}),
    "failed",
    "preopens a fourth directory, a writable /tmp in memory",
    timeout=STARTUP_TIMEOUT,
)

_real_init = _fs.Filesystem.__init__


def init(self: _fs.Filesystem, *args: Any, **kwargs: Any) -> None:
    _real_init(self, *args, **kwargs)
    self.descriptors[6] = _fs.DirFd(
        _fs.Trail(_fs.Directory(), "/tmp", None), "/tmp", True, preopened=True
    )


def install() -> None:
    patch(_fs.Filesystem, "__init__", init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
