"""Wrong adapter: ``/input`` is preopened writable (SBX-005.9).

The host gives all three preopens the same rights: a program can change, create and
remove files in ``/input``, its own source included.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _fs
from gritwit_conformance.wrong import patch, run


def install() -> None:
    patch(_fs, "PREOPENS", tuple((name, True) for name, _ in _fs.PREOPENS))  # the bug


if __name__ == "__main__":
    run(ReferenceAdapter, install)
