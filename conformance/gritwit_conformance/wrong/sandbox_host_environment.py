"""Wrong adapter: the program sees the host's environment variables (SBX-005.2).

The host passes its own environment through ``environ_get``, as a WASI host does by
default when told to inherit it.
"""

from __future__ import annotations

import os

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _calls
from gritwit_conformance.wrong import patch, run


def install() -> None:
    env = tuple(f"{k}={v}" for k, v in sorted(os.environ.items()))
    patch(_calls, "_ENV", env or ("HOME=/root",))  # the bug


if __name__ == "__main__":
    run(ReferenceAdapter, install)
