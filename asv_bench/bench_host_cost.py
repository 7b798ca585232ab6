"""The host's work per unit of fuel for every WASI call a sandboxed run makes (SBX-006.7).

SBX-006.5 charges host work to the run's fuel so that fuel bounds the host's time too:
SBX-006.7 states that the reference's host time per unit of fuel stays within
:data:`~gritwit.sandbox.wasi._cost.HOST_FACTOR` times that of plain bytecode
(``while True: pass``).  Each workload here (:data:`LOOPS`) is a sandboxed Python
program that makes one WASI call (or a pair that undo each other) in a loop, at one
point of one axis — bytes moved, entries listed, a path's components, the depth it
starts from —, and its cost per unit of fuel is the difference of two runs that differ
only in how many times the loop turns (its ``n``, read from the core's file ``n``):
what the extra turns cost, over the fuel they used.  Plain bytecode's is measured the
same way (:data:`SPIN`: the spin loop run to two fuel limits), side by side, and the
ratio of the two is the workload's figure.  Set-up, start-up, the snapshot's restore
and the read-back of the core cancel out in each difference.

* :class:`HostCost` reports each workload's ratio in CPU time
  (``track_host_over_spin``, rounds interleaved with the spin loop);
* ``asv_bench/tools/host_cost.py`` counts the same runs' instructions under callgrind,
  which do not move with the machine's load: CI's gate (``--check``);
* :class:`HostMemory` reports the host's peak resident size per entry of a core
  (SBX-006.14), at several sizes, each in a fresh process.

This module holds the benchmarks alone (asv keys their history by its name): the
workloads are ``_host_loops``'s, their runs and ratios ``_host_runs``'s, and the memory
measure ``_host_memory``'s, each re-exported here for ``tools/host_cost`` and the tests.

Without the interpreter (``pip install 'gritwit[sandbox]'``) every benchmark here is
skipped (``setup`` raises ``NotImplementedError``).
"""

from __future__ import annotations

from typing import ClassVar, Final

from gritwit.sandbox import interpreter_path
from gritwit.store import Store

from ._host_loops import CHAIN_NAME, LOOPS, Core, Loop
from ._host_memory import host_memory
from ._host_runs import LIMITS, SPIN, SPIN_PROGRAM, Pair, cpu_ratio, loop_pair, spin_pair

__all__ = [
    "CHAIN_NAME",
    "LIMITS",
    "LOOPS",
    "SPIN",
    "SPIN_PROGRAM",
    "TIMED",
    "Core",
    "HostCost",
    "HostMemory",
    "Loop",
    "Pair",
    "cpu_ratio",
    "host_memory",
    "loop_pair",
    "spin_pair",
]


def _need_interpreter() -> None:
    if interpreter_path() is None:
        raise NotImplementedError("the sandbox needs gritwit[sandbox]")


#: The workloads :class:`HostCost` times: those once over the factor or near it, and a
#: plain call (asv starts a process for each; the tool times or counts them all).
TIMED: Final = (
    "clock_time_get",
    "clock_res_get",
    "random_get-bytes-1",
    "random_get-bytes-256",
    "fd_write-bytes-1048576",
    "fd_read-iovecs-1024",
    "fd_write-iovecs-1024",
    "path_filestat_get-depth-100",
    "path_filestat_get-components-2048",
    "path_rename-subtree-2000",
    "fd_readdir-entries-2000",
    "fd_readdir-sorted-2000",
)


class HostCost:
    """A program's CPU time per unit of fuel over plain bytecode's (SBX-006.7), for the
    workloads of :data:`TIMED`."""

    timeout = 600
    params: ClassVar = list(TIMED)
    param_names: ClassVar = ["workload"]

    def setup(self, workload: str) -> None:
        _need_interpreter()
        self.store = Store.memory()
        self.loop = loop_pair(LOOPS[workload], self.store)
        self.spin = spin_pair(self.store)

    def teardown(self, workload: str) -> None:
        if hasattr(self, "store"):  # asv tears down a skipped setup too
            self.store.close()

    def track_host_over_spin(self, workload: str) -> float:
        return cpu_ratio(self.loop, self.spin, rounds=3)

    track_host_over_spin.unit = "ratio"  # type: ignore[attr-defined]


class HostMemory:
    """The host's peak resident bytes per core entry, at several counts (SBX-006.14).

    Measured in a fresh process (:func:`host_memory`): the core is built and stored
    first, so the growth is the run's — its mount, the program's one new file, the read
    back —, over a warm run that mounted nothing; less the same over a core of one entry
    (a run's own, some 3 MiB), per entry more.  A figure linear in the core's size stays
    about the same per entry at every count.
    """

    timeout = 600
    params: ClassVar = (["files", "directories", "chain"], [1000, 10000])
    param_names: ClassVar = ["kind", "count"]

    def setup(self, kind: str, count: int) -> None:
        _need_interpreter()

    def track_bytes_per_entry(self, kind: str, count: int) -> float:
        return (host_memory(kind, count) - host_memory(kind, 1)) / (count - 1)

    track_bytes_per_entry.unit = "bytes"  # type: ignore[attr-defined]
