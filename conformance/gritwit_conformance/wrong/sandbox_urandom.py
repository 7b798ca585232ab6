"""Wrong adapter: ``random_get`` fills from the host's ``os.urandom`` (SBX-005.5, SBX-009.1).

Randomness, hash seeds and ``os.urandom`` differ from run to run: the same program,
core and input no longer give the same answer.
"""

from __future__ import annotations

import os

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _wasi
from gritwit_conformance.wrong import patch, run


def random(self: _wasi.WasiState, length: int) -> bytes:
    return os.urandom(length)  # the bug


def install() -> None:
    patch(_wasi.WasiState, "random", random)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
