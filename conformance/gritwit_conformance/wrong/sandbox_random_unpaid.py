"""Wrong adapter: ``random_get`` charges the call but not its bytes (SBX-006.5).

A program asks for a MiB of random bytes at a time for the price of one call: the
host's SHA-256 work is not bounded by the run's fuel.
"""

from __future__ import annotations

import wasmtime

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _snapshot
from gritwit.sandbox.wasi import _calls, _cost
from gritwit_conformance.wrong import patch, run


def random_get(self: _snapshot.Point, caller: wasmtime.Caller, ptr: int, length: int) -> int:
    stream = self.state if self.reached else self.startup
    memory = self._memory(caller)
    if ptr + length > memory.data_len(caller):
        return 21  # EFAULT
    self._charge(caller, _cost.CALL_FUEL, "random_get")  # the bug: not 256 fuel a byte
    for at in range(0, length, _calls.RANDOM_CHUNK):
        memory.write(caller, stream.random(min(_calls.RANDOM_CHUNK, length - at)), ptr + at)
    return 0


def install() -> None:
    patch(_snapshot.Point, "_random_get", random_get)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
