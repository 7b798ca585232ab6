"""Wrong adapter: the interpreter module is named by a tree of 1 MiB chunks (SBX-002.3).

The host cuts the module into blobs of 1 MiB instead of 8 MiB before naming it, so
``sandbox-info`` and every ``wit`` blob it writes name the same build by another id.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _interpreter
from gritwit_conformance.wrong import patch, run


def install() -> None:
    patch(_interpreter, "CHUNK_BYTES", 1 << 20)  # the bug


if __name__ == "__main__":
    run(ReferenceAdapter, install)
