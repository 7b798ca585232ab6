"""Large buffers given back to the system when freed, in ``gritwit serve``'s process
(HTTP-013: a bounded body is bounded in resident memory too).

glibc's allocator maps a large block on its own and unmaps it when freed, but it raises
that threshold to the size of each such block freed, up to 32 MiB: after the first
15 MiB body, the next ones came from the heap, whose freed space the process keeps, so
three 15 MiB sends at once left the service 230 MB resident and peaked higher than the
copies they held at once.  Fixing the threshold keeps every body-sized block a mapping
of its own, freed to the system as soon as it is released.  Elsewhere (another C
library, no ``mallopt``) nothing changes.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Final

__all__ = ["LARGE_BLOCK", "free_large_blocks_to_the_system"]

#: ``M_MMAP_THRESHOLD`` of glibc's ``mallopt``.
_M_MMAP_THRESHOLD: Final = -3
#: Blocks of this many bytes or more are mappings of their own: far above what a
#: request's small objects take, far below a body's copies.
LARGE_BLOCK: Final = 256 << 10


def free_large_blocks_to_the_system() -> bool:
    """Fix glibc's mapping threshold at :data:`LARGE_BLOCK`; whether it was set.  For a
    process of its own (``gritwit serve``), not a host that imports the package."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK))
