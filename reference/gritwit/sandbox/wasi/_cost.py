"""Host work paid in fuel (SBX-006.5 … SBX-006.7), and the bounds every host call checks first.

The fuel of a run counts the interpreter's instructions (SBX-006.1); the work the
host does for it — copying bytes in and out of guest memory, walking paths
component by component, producing random bytes, listing and sorting directories,
and the call itself — is charged to the
same fuel, *before* it is done, so that a run's host time is bounded by its fuel
too.  A charge the remaining fuel cannot pay ends the run → ``fuel-exhausted``
(SBX-006.5), with the work not done.

The rates are fixed by the spec, so every host runs out of fuel at the same point.
The reference counts its host's instructions per unit of fuel for every call at
every point of its axes against plain bytecode's (``while True: pass``), under
callgrind (``asv_bench/tools/host_cost.py``, CI's host-cost gate), and sets the rates
so that none costs more than :data:`HOST_FACTOR` times as much (SBX-006.7).
"""

from __future__ import annotations

import ctypes
from typing import Final

from ..._errors import FuelExhausted
from ...wasm._raw import context_get_fuel, context_set_fuel

__all__ = [
    "BYTE_FUEL",
    "CALL_FUEL",
    "COMPONENT_FUEL",
    "ENTRY_FUEL",
    "HOST_FACTOR",
    "IOVEC_FUEL",
    "MAX_PATH_BYTES",
    "MAX_POSITION",
    "PATH_FUEL",
    "RANDOM_FUEL",
    "SORT_FUEL",
    "WALK_FUEL",
    "charge_context",
    "fuel_left",
]

#: Every call of a WASI function (SBX-006.5).
CALL_FUEL: Final = 20_000
#: Every byte a call moves between guest memory and the host: written out of the guest,
#: read into it, a path's bytes (SBX-006.5).
BYTE_FUEL: Final = 1
#: Every path a call is given: its walk's fixed work (SBX-006.5, SBX-006.13).
PATH_FUEL: Final = 20_000
#: Every component of a path a call is given (its parts between ``/``: empty ones, ``.`` and
#: ``..`` included), and every level above a directory rename's target climbed to check it
#: (SBX-006.5, SBX-006.13).
COMPONENT_FUEL: Final = 2_000
#: Every byte ``random_get`` produces (SBX-006.5).
RANDOM_FUEL: Final = 256
#: Every entry of an ``iovec`` array a call reads (SBX-006.5): reading, checking and copying
#: it, some 6 500 instructions of the reference's host (500 until the host-cost gate counted
#: 1 024 one-byte entries at 9.5 × plain bytecode's instructions per unit of fuel).
IOVEC_FUEL: Final = 2_000
#: Every entry ``fd_readdir`` lists (SBX-006.5): a hash of its path, a ``dirent`` and its
#: name on the host, some 20 000 instructions of the reference's (2 000 until the host-cost
#: gate counted them: 7.1 × plain bytecode's instructions per unit of fuel).
ENTRY_FUEL: Final = 5_000
#: Every entry walked to check a directory's rename (SBX-005.20, SBX-006.5).
WALK_FUEL: Final = 2_000
#: Every entry of a directory sorted for a listing, once per version of it (SBX-006.6).
SORT_FUEL: Final = 500
#: The reference's host instructions per unit of fuel are at most this many times plain
#: bytecode's, for every call and axis (SBX-006.7).
HOST_FACTOR: Final = 4

#: The longest path a ``path_*`` function takes, in bytes (SBX-005.17): ``ENAMETOOLONG`` beyond.
MAX_PATH_BYTES: Final = 4096
#: The largest file position or size: a signed 64-bit number (SBX-005.18).
MAX_POSITION: Final = (1 << 63) - 1


def fuel_left(context: int) -> int:
    """The fuel left in the store of ``context`` (none without one)."""
    remaining = ctypes.c_uint64(0)
    if not context or context_get_fuel(context, ctypes.addressof(remaining)):
        return 0
    return remaining.value


def charge_context(context: int, fuel: int, what: str) -> None:
    """Take ``fuel`` from the store of ``context``; ``fuel-exhausted`` if it has less (SBX-006.5).

    The remaining fuel is then 0, so the run's fuel used is its whole fuel.
    """
    if fuel <= 0 or not context:
        return
    remaining = ctypes.c_uint64(0)
    if context_get_fuel(context, ctypes.addressof(remaining)):  # pragma: no cover - fuel is on
        return
    if remaining.value < fuel:
        context_set_fuel(context, 0)
        raise FuelExhausted("SBX-006.5", f"the run's fuel cannot pay for {what} ({fuel} fuel)")
    context_set_fuel(context, remaining.value - fuel)
