"""Wrong adapter: an uncaught ``MemoryError`` is a ``program-exit`` (SBX-006.2).

The host does not know the prelude's exit status for ``MemoryError`` (121): a program
that cannot get more memory ends as a non-zero exit, not ``memory-limit``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import patch, run


def install() -> None:
    patch(_run, "EXIT_MEMORY", -1)  # the bug: no status means memory-limit


if __name__ == "__main__":
    run(ReferenceAdapter, install)
