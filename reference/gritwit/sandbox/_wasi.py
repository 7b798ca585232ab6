"""The WASI subset a sandboxed program gets (SBX-005).

wasmtime's WASI preview 1 serves the filesystem (only the preopened mount, input
and output directories), arguments and standard streams; the functions that would
let the world in are replaced in the linker:

* ``clock_time_get`` / ``clock_res_get`` answer a fixed time (SBX-005.4);
* ``random_get`` fills from a deterministic stream seeded by the transition
  (SBX-005.5), so ``os.urandom``, ``random`` and the hash seed repeat;
* ``poll_oneoff`` (sleeping, waiting) and the ``sock_*`` functions count as a
  forbidden operation and answer ``ENOTSUP`` (SBX-005.3, SBX-008.2).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Final

import wasmtime

__all__ = ["FIXED_TIME_NS", "WasiState", "linker"]

WASI: Final = "wasi_snapshot_preview1"
#: The time every clock reads: 2000-01-01T00:00:00Z, in nanoseconds (SBX-005.4).
FIXED_TIME_NS: Final = 946_684_800 * 10**9
_ENOTSUP: Final = 58
_FORBIDDEN_SOCKETS: Final = {
    "sock_accept": 3,
    "sock_recv": 6,
    "sock_send": 5,
    "sock_shutdown": 2,
}


@dataclass(slots=True)
class WasiState:
    """What one run's replaced functions need: the seed, and what the program attempted."""

    seed: bytes
    counter: int = 0
    forbidden: list[str] = field(default_factory=list)
    #: Bytes of the stream made but not handed out yet.
    pending: bytearray = field(default_factory=bytearray)

    def random(self, length: int) -> bytes:
        """The next ``length`` bytes of the run's stream: SHA-256 in counter mode (SBX-005.5)."""
        while len(self.pending) < length:
            self.pending += hashlib.sha256(self.seed + self.counter.to_bytes(8, "little")).digest()
            self.counter += 1
        out = bytes(self.pending[:length])
        del self.pending[:length]
        return out


def _memory(caller: wasmtime.Caller) -> wasmtime.Memory:
    memory = caller.get("memory")
    assert isinstance(memory, wasmtime.Memory)
    return memory


def linker(engine: wasmtime.Engine, state: WasiState) -> wasmtime.Linker:
    """A linker with WASI preview 1, its clocks, randomness, polling and sockets replaced."""
    link = wasmtime.Linker(engine)
    link.define_wasi()
    link.allow_shadowing = True
    i32, i64 = wasmtime.ValType.i32(), wasmtime.ValType.i64()

    def clock_time_get(caller: wasmtime.Caller, _id: int, _precision: int, ptr: int) -> int:
        _memory(caller).write(caller, FIXED_TIME_NS.to_bytes(8, "little"), ptr)
        return 0

    def clock_res_get(caller: wasmtime.Caller, _id: int, ptr: int) -> int:
        _memory(caller).write(caller, (1).to_bytes(8, "little"), ptr)
        return 0

    def random_get(caller: wasmtime.Caller, ptr: int, length: int) -> int:
        _memory(caller).write(caller, state.random(length), ptr)
        return 0

    def refuse(name: str) -> Any:
        def call(*_args: int) -> int:
            state.forbidden.append(name)
            return _ENOTSUP

        return call

    define = link.define_func
    define(WASI, "clock_time_get", wasmtime.FuncType([i32, i64, i32], [i32]), clock_time_get, True)
    define(WASI, "clock_res_get", wasmtime.FuncType([i32, i32], [i32]), clock_res_get, True)
    define(WASI, "random_get", wasmtime.FuncType([i32, i32], [i32]), random_get, True)
    define(WASI, "poll_oneoff", wasmtime.FuncType([i32] * 4, [i32]), refuse("poll_oneoff"))
    for name, arity in _FORBIDDEN_SOCKETS.items():
        define(WASI, name, wasmtime.FuncType([i32] * arity, [i32]), refuse(name))
    return link
