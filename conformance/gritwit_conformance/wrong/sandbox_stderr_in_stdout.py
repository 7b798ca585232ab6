"""Wrong adapter: standard error goes to the answered output too (SBX-007.1, SBX-005.10).

The host connects descriptors 1 and 2 to the same buffer, as a terminal shows them:
``stdout`` holds what the program wrote to standard error as well.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _fs
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-007.1", "SBX-005.10"}),
    "failed",
    "connects descriptor 2 to the answered output as well",
    timeout=STARTUP_TIMEOUT,
)

_real_init = _fs.Filesystem.__init__


def init(self: _fs.Filesystem, *args: Any, **kwargs: Any) -> None:
    _real_init(self, *args, **kwargs)
    self.descriptors[2] = _fs.StreamFd(kwargs["stdout"])  # the bug


def install() -> None:
    patch(_fs.Filesystem, "__init__", init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
