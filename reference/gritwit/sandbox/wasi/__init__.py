"""The sandbox's WASI layer: a small POSIX of its own, served to the interpreter (SBX-005).

Everything a sandboxed program reaches outside its own memory goes through here, one
module per job, each layer importing only the ones below it:

* :mod:`._linker` — binds every WASI preview 1 import to a host function and hands
  each call its run's state (wasmtime's unchecked C API);
* :mod:`._calls` — the functions themselves: arguments, clock, random, descriptors;
* :mod:`._paths` and :mod:`._readwrite` — the calls on paths, and reads and writes;
* :mod:`._state` — one run's state: seed and random stream, filesystem, guest memory;
* :mod:`._fs` — the run's in-memory filesystem (SBX-005.7, SBX-007.4);
* :mod:`._cost` — the fuel host work costs (SBX-006.5).

It knows nothing of actors, snapshots or the interpreter: the rest of
:mod:`gritwit.sandbox` builds on it, never the reverse (the ``sandbox-wasi`` import
contract in ``pyproject.toml``).
"""

from __future__ import annotations

from ._calls import ARGV, FUNCTIONS, PRELUDE_NAME, ProcExit
from ._fs import FIXED_TIME_NS, Filesystem, WasiError
from ._linker import host_trap, linker, serve
from ._state import WasiState

__all__ = [
    "ARGV",
    "FIXED_TIME_NS",
    "FUNCTIONS",
    "PRELUDE_NAME",
    "Filesystem",
    "ProcExit",
    "WasiError",
    "WasiState",
    "host_trap",
    "linker",
    "serve",
]
