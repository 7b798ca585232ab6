"""Wrong adapter: ``/out`` is one directory per process, not per run (SBX-003.1).

To save work the host keeps the ``/out`` directory between runs: a file a run left
there — its ``sends.json`` above all — is seen by the next run, and answered as that
run's sends.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _fs
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-003.1", "ADP-019.4"}),
    "failed",
    "keeps one /out directory per process: a run sees, and answers as its sends, what an "
    "earlier run left there",
    timeout=STARTUP_TIMEOUT,
)

_real_init = _fs.Filesystem.__init__
_OUT = _fs.Directory()


def init(self: _fs.Filesystem, *args: Any, **kwargs: Any) -> None:
    _real_init(self, *args, **kwargs)
    self.out = _OUT  # the bug: the same directory for every run
    for fd, found in self.descriptors.items():
        if isinstance(found, _fs.DirFd) and found.preopen == "/out":
            self.descriptors[fd] = _fs.DirFd(
                _fs.Trail(_OUT, "/out", None).keep_hash(), "/out", True, preopened=True
            )


def install() -> None:
    patch(_fs.Filesystem, "__init__", init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
