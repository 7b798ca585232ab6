"""Wrong adapter: ``fd_readdir`` lists its entries free (SBX-006.5).

The sort is paid once per version of a directory, as SBX-006.6 says, and the bytes
written are paid; the entries listed are not: a listing costs the call and its bytes
alone, whatever the number of entries it hands out, so a program listing a large
directory over and over spends host time its fuel does not bound (the reference's
work per entry is a hash of the entry's path and a ``dirent``).
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls
from gritwit_conformance.wrong import patch, run


def install() -> None:
    patch(_calls, "ENTRY_FUEL", 0)  # the bug: nothing per entry listed


if __name__ == "__main__":
    run(ReferenceAdapter, install)
