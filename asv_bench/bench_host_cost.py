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

Without the interpreter (``pip install 'gritwit[sandbox]'``) every benchmark here is
skipped (``setup`` raises ``NotImplementedError``).
"""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

import gritwit as g
from gritwit.sandbox import SandboxLimits, interpreter_path, run_python
from gritwit.store import Store

__all__ = [
    "LOOPS",
    "SPIN",
    "TIMED",
    "Core",
    "HostCost",
    "HostMemory",
    "Loop",
    "Pair",
    "loop_pair",
    "spin_pair",
]

#: The name of the chain's directories (a chain of 255-byte names is the deep case).
CHAIN_NAME: Final = "c" * 255
#: A run's limits: fuel enough for any workload's longer run, memory for 1 MiB buffers.
LIMITS: Final = SandboxLimits(fuel=50_000_000_000, memory_bytes=256 << 20)
#: The two fuel limits of the spin loop's runs: their difference is spun in the loop.
SPIN: Final = (5_000_000, 25_000_000)


def _need_interpreter() -> None:
    if interpreter_path() is None:
        raise NotImplementedError("the sandbox needs gritwit[sandbox]")


@dataclass(frozen=True)
class Core:
    """What a workload's core holds, besides its file ``n`` (the loop's turns).

    ``file_bytes``: a file ``f`` of that many bytes (``x``).  ``entries``: a directory
    ``d`` of that many empty files, named by their number, left-padded with ``x`` to
    ``name_bytes``.  ``depth``: a chain of that many directories named
    :data:`CHAIN_NAME`, from the core down, with an empty file ``f`` at its bottom.
    ``subtree``: a directory ``t`` holding a directory ``s`` of that many empty files.
    """

    file_bytes: int = 0
    entries: int = 0
    name_bytes: int = 0
    depth: int = 0
    subtree: int = 0

    def build(self, store: Store, n: int) -> g.ObjectId:
        """The core's tree in ``store``, with ``n`` in its file ``n``."""
        put = store.put_object
        empty = put(g.Blob(data=b""))
        top = {"n": put(g.Blob(data=b"%d" % n)), "f": put(g.Blob(data=b"x" * self.file_bytes))}
        if self.entries:
            top["d"] = put(g.Tree(entries=_files(self.entries, self.name_bytes, empty)))
        if self.depth:
            below = put(g.Tree(entries={"f": empty}))
            for _ in range(self.depth - 1):
                below = put(g.Tree(entries={CHAIN_NAME: below}))
            top[CHAIN_NAME] = below
        if self.subtree:
            inner = put(g.Tree(entries=_files(self.subtree, 0, empty)))
            top["t"] = put(g.Tree(entries={"s": inner}))
        return put(g.Tree(entries=top))


def _files(count: int, width: int, blob: g.ObjectId) -> dict[str, g.ObjectId]:
    return {str(i).rjust(width, "x"): blob for i in range(count)}


@dataclass(frozen=True)
class Loop:
    """One workload: ``body`` turned ``n`` more times in one run than in the other.

    ``call`` is the WASI call measured, ``axis`` and ``value`` the point of its cost
    measured (``flat`` for a call with no axis).  ``setup`` runs before the loop, after
    ``fd`` is opened on ``f`` for reading and writing; with a core of some ``depth``,
    ``deep`` (the variable) is a descriptor of the chain's bottom directory.  A ``deep``
    workload (its cores are large) is counted only in the deep profile.
    """

    call: str
    axis: str
    value: int
    body: str
    n: int
    setup: str = ""
    core: Core = Core()
    deep: bool = False

    @property
    def name(self) -> str:
        return f"{self.call}-{self.axis}-{self.value}" if self.axis != "flat" else self.call

    def program(self) -> str:
        """The program: set-up, one turn as a warm-up, then the core's ``n`` turns."""
        lines = ["import os, time", "n = int(open('n').read())", "fd = os.open('f', os.O_RDWR)"]
        if self.core.depth:  # down the chain, 15 levels (3 840 bytes of path) at a time
            lines += [
                f"deep, left = os.open('.', os.O_RDONLY), {self.core.depth}",
                "while left:",
                "    step = min(15, left)",
                f"    below = os.open('/'.join([{CHAIN_NAME!r}] * step), os.O_RDONLY, dir_fd=deep)",
                "    os.close(deep)",
                "    deep, left = below, left - step",
            ]
        lines += [self.setup] if self.setup else []
        lines += ["for _ in range(n + 1):", textwrap.indent(self.body, "    ")]
        return "\n".join(lines) + "\n"


#: The spin loop the ratios are taken against (SBX-006.7).
SPIN_PROGRAM: Final = "while True:\n    pass\n"

K, M = 1 << 10, 1 << 20
_DEEP_FILE = "os.stat('f', dir_fd=deep)"
_OPEN_CLOSE = "os.close(os.open({path!r}, os.O_RDONLY, dir_fd={fd}))"
_LISTDIR = "os.listdir('d')"
#: ``./`` components before ``f``: a path of ``c`` components walks ``c - 1`` of them.
_DOTS = "os.stat('{path}')"

#: Every workload, by name (see :class:`Loop`).  ``n`` keeps each longer run's extra fuel
#: near 2-12 million (a turn of the largest is more), so that callgrind counts each in a
#: second or two; the ``deep`` ones (cores of 20 000 entries) only with ``--deep``.
LOOPS: Final[dict[str, Loop]] = {
    loop.name: loop
    for loop in [
        # -- calls with nothing to scale: the call's own charge -----------------------------
        Loop("clock_time_get", "flat", 0, "time.time()", 100),
        Loop("clock_res_get", "flat", 0, "time.clock_getres(time.CLOCK_MONOTONIC)", 100),
        Loop("sched_yield", "flat", 0, "os.sched_yield()", 100),
        Loop("poll_oneoff", "flat", 0, "time.sleep(0)", 100),
        Loop("fd_fdstat_get", "flat", 0, "os.get_blocking(fd)", 100),
        Loop("fd_fdstat_set_flags", "flat", 0, "os.set_blocking(fd, True)", 50),
        Loop("fd_filestat_get", "flat", 0, "os.fstat(fd)", 100),
        Loop("fd_filestat_set_times", "flat", 0, "os.utime(fd)", 100),
        Loop("fd_sync", "flat", 0, "os.fsync(fd)", 100),
        Loop("fd_datasync", "flat", 0, "os.fdatasync(fd)", 100),
        Loop("fd_advise", "flat", 0, "os.posix_fadvise(fd, 0, 0, 0)", 100),
        Loop("fd_seek", "flat", 0, "os.lseek(fd, 0, 0)", 100),
        Loop("fd_write", "stream", 1, "os.write(1, b'x')", 100),
        # -- bytes moved, iovec entries -------------------------------------------------------
        *(
            Loop(
                "fd_read",
                "bytes",
                size,
                f"os.lseek(fd, 0, 0)\nos.read(fd, {size})",
                n,
                core=Core(file_bytes=size),
            )
            for size, n in ((1, 50), (64 * K, 30), (M, 4))
        ),
        *(
            Loop(
                "fd_pread", "bytes", size, f"os.pread(fd, {size}, 0)", n, core=Core(file_bytes=size)
            )
            for size, n in ((1, 50), (M, 4))
        ),
        *(
            Loop(
                "fd_write",
                "bytes",
                size,
                "os.lseek(fd, 0, 0)\nos.write(fd, data)",
                n,
                setup=f"data = b'y' * {size}",
            )
            for size, n in ((1, 50), (64 * K, 30), (M, 4))
        ),
        *(
            Loop(
                "fd_pwrite",
                "bytes",
                size,
                "os.pwrite(fd, data, 0)",
                n,
                setup=f"data = b'y' * {size}",
            )
            for size, n in ((1, 50), (M, 4))
        ),
        *(
            Loop(
                "fd_write",
                "iovecs",
                count,
                "os.lseek(fd, 0, 0)\nos.writev(fd, parts)",
                n,
                setup=f"parts = [b'y'] * {count}",
            )
            for count, n in ((16, 40), (1024, 4))
        ),
        *(
            Loop(
                "fd_read",
                "iovecs",
                count,
                "os.lseek(fd, 0, 0)\nos.readv(fd, parts)",
                n,
                setup=f"parts = [bytearray(1) for _ in range({count})]",
                core=Core(file_bytes=count),
            )
            for count, n in ((16, 40), (1024, 4))
        ),
        *(
            Loop(
                "fd_filestat_set_size",
                "bytes",
                size,
                f"os.ftruncate(fd, 0)\nos.ftruncate(fd, {size})",
                n,
            )
            for size, n in ((1, 30), (M, 4))
        ),
        *(
            Loop(
                "fd_allocate",
                "bytes",
                size,
                f"os.ftruncate(fd, 0)\nos.posix_fallocate(fd, 0, {size})",
                n,
            )
            for size, n in ((1, 30), (M, 4))
        ),
        *(
            Loop("random_get", "bytes", size, f"os.urandom({size})", n, deep=size > 4 * K)
            for size, n in ((1, 160), (256, 50), (4 * K, 3), (64 * K, 1))
        ),
        # -- paths: the depth a path starts from, its components, its names -----------------
        *(
            Loop("path_filestat_get", "depth", depth, _DEEP_FILE, 50, core=Core(depth=depth))
            for depth in (1, 100, 3000)
        ),
        *(
            Loop(
                "path_filestat_get",
                "components",
                count,
                _DOTS.format(path="./" * (count - 1) + "f"),
                n,
            )
            for count, n in ((1, 50), (64, 20), (2048, 1))
        ),
        Loop(
            "path_filestat_get",
            "name_bytes",
            255,
            "os.stat(name)",
            40,
            setup="name = %r" % ("d/" + "0".rjust(255, "x")),
            core=Core(entries=1, name_bytes=255),
        ),
        *(
            Loop(
                "path_open",
                "depth",
                depth,
                _OPEN_CLOSE.format(path="f", fd="deep"),
                25,
                core=Core(depth=depth),
                deep=depth > 100,
            )
            for depth in (1, 100, 3000)
        ),
        Loop(
            "path_open",
            "components",
            2048,
            _OPEN_CLOSE.format(path="./" * 2047 + "f", fd="None"),
            1,
        ),
        *(
            Loop(
                "fd_filestat_get",
                "depth",
                depth,
                "os.fstat(deep)",
                60,
                core=Core(depth=depth),
                deep=depth > 100,
            )
            for depth in (100, 3000)
        ),
        *(
            Loop(
                "path_unlink_file",
                "entries",
                count,
                "os.close(os.open('d/new', os.O_CREAT | os.O_WRONLY))\nos.unlink('d/new')",
                15,
                core=Core(entries=count),
                deep=count > 2000,
            )
            for count in (1, 2000, 20000)
        ),
        *(
            Loop(
                "path_create_directory",
                "entries",
                count,
                "os.mkdir('d/new')\nos.rmdir('d/new')",
                20,
                core=Core(entries=count),
                deep=count > 2000,
            )
            for count in (1, 2000, 20000)
        ),
        Loop("path_rename", "flat", 0, "os.rename('f', 'g')\nos.rename('g', 'f')", 20),
        *(
            Loop(
                "path_rename",
                "subtree",
                count,
                "os.rename('t', 'u')\nos.rename('u', 't')",
                n,
                core=Core(subtree=count),
                deep=count > 2000,
            )
            for count, n in ((1, 20), (2000, 1), (20000, 1))
        ),
        *(
            Loop(
                "path_rename",
                "depth",
                depth,
                "os.rename('x', 'y', src_dir_fd=deep, dst_dir_fd=deep)\n"
                "os.rename('y', 'x', src_dir_fd=deep, dst_dir_fd=deep)",
                n,
                setup="os.mkdir('x', dir_fd=deep)",
                core=Core(depth=depth),
                deep=depth > 100,
            )
            for depth, n in ((100, 10), (3000, 1))
        ),
        Loop(
            "path_readlink", "flat", 0, "try:\n    os.readlink('f')\nexcept OSError:\n    pass", 40
        ),
        Loop("path_filestat_set_times", "flat", 0, "os.utime('f')", 40),
        # -- listings: entries, names, and the sort of a changed directory ------------------
        *(
            Loop(
                "fd_readdir",
                "entries",
                count,
                _LISTDIR,
                n,
                core=Core(entries=count),
                deep=count > 2000,
            )
            for count, n in ((1, 20), (100, 6), (2000, 1), (20000, 1))
        ),
        Loop("fd_readdir", "name_bytes", 255, _LISTDIR, 2, core=Core(entries=200, name_bytes=255)),
        *(
            Loop(
                "fd_readdir",
                "sorted",
                count,
                "os.close(os.open('d/new', os.O_CREAT | os.O_WRONLY))\nos.unlink('d/new')\n"
                + _LISTDIR,
                1,
                core=Core(entries=count),
                deep=count > 2000,
            )
            for count in (2000, 20000)
        ),
    ]
}


@dataclass(frozen=True)
class Pair:
    """The two runs of a workload: ``call(0)`` the shorter, ``call(1)`` the longer.

    ``fuel``: the fuel each used; their difference is what the extra turns cost.
    ``host_fuel``: what the host charged the extra turns (SBX-006.5), and ``calls`` the
    WASI calls they made, by name (both counted in the runs that found ``fuel``).
    """

    call: Callable[[int], Any]
    fuel: tuple[int, int]
    host_fuel: int = 0
    calls: dict[str, int] = field(default_factory=dict)

    @property
    def extra_fuel(self) -> int:
        return self.fuel[1] - self.fuel[0]


def loop_pair(loop: Loop, store: Store | None = None) -> Pair:
    """``loop``'s two runs, ready to call: cores of 0 and ``n`` turns (after the warm-up).

    Each is run once here, with the host's calls and charges counted (:func:`_counting`).
    """
    store = store or Store.memory()
    program = loop.program()
    cores = (loop.core.build(store, 0), loop.core.build(store, loop.n))

    def call(which: int) -> Any:
        result = run_python(program, store=store, core=cores[which], limits=LIMITS)
        if result.stderr:
            raise AssertionError(f"{loop.name}: {result.stderr[-500:]!r}")
        return result

    _snapshot_taken(store)  # the start-up's calls and charges are no run's
    runs = []
    for which in (0, 1):
        with _counting() as counted:
            fuel = call(which).fuel
        runs.append((fuel, counted))
    (short, (short_calls, short_host)), (long, (long_calls, long_host)) = runs
    calls = {k: v - short_calls.get(k, 0) for k, v in long_calls.items()}
    extra = {k: v for k, v in calls.items() if v}
    return Pair(call, (short, long), long_host[0] - short_host[0], extra)


def _snapshot_taken(store: Store) -> None:
    """Take the process's snapshot of the interpreter (SBX-003.4), if no run did yet."""
    if not _TAKEN:
        run_python("pass", store=store)
        _TAKEN.append(True)


_TAKEN: list[bool] = []


@contextlib.contextmanager
def _counting() -> Iterator[tuple[dict[str, int], list[int]]]:
    """Count the WASI calls the host serves, by name, and the fuel it charges, meanwhile.

    The calls are counted where the host serves them: :func:`~gritwit.sandbox.wasi._linker.serve`,
    and the snapshot point's own ``random_get`` and ``clock_res_get``
    (:class:`~gritwit.sandbox._snapshot.Point`); the charges where they are taken.
    """
    from gritwit.sandbox import _snapshot
    from gritwit.sandbox.wasi import _linker, _state

    calls: dict[str, int] = {}
    host = [0]

    def count(name: str) -> None:
        calls[name] = calls.get(name, 0) + 1

    def serving(state: Any, name: str, function: Any, args: tuple[int, ...]) -> Any:
        count(name)
        return serve(state, name, function, args)

    def charging(context: int, fuel: int, what: str) -> None:
        if context:
            host[0] += max(0, fuel)
        charge(context, fuel, what)

    def point(name: str, method: Any) -> Any:
        def call(self: Any, state: Any, caller: int, *args: int) -> int:
            count(name)
            result: int = method(self, state, caller, *args)
            return result

        return call

    serve, charge = _linker.serve, _state.charge_context
    point_calls = (_snapshot.Point._random_get, _snapshot.Point._clock_res_get)
    _linker.serve = serving  # type: ignore[assignment]
    _state.charge_context = charging  # type: ignore[assignment]
    _snapshot.Point._random_get = point("random_get", point_calls[0])  # type: ignore[method-assign]
    _snapshot.Point._clock_res_get = point("clock_res_get", point_calls[1])  # type: ignore[method-assign]
    try:
        yield calls, host
    finally:
        _linker.serve = serve
        _state.charge_context = charge
        _snapshot.Point._random_get, _snapshot.Point._clock_res_get = point_calls  # type: ignore[method-assign]


def spin_pair(store: Store | None = None) -> Pair:
    """The spin loop's two runs, to :data:`SPIN`'s two fuel limits (each ends out of fuel)."""
    from gritwit._errors import GritError

    store = store or Store.memory()
    limits = [SandboxLimits(fuel=fuel, memory_bytes=LIMITS.memory_bytes) for fuel in SPIN]

    def call(which: int) -> None:
        try:
            run_python(SPIN_PROGRAM, store=store, limits=limits[which])
        except GritError as error:
            if error.error_class != "fuel-exhausted":
                raise
        else:  # pragma: no cover - the loop never ends
            raise AssertionError("the spin loop ended")

    return Pair(call, SPIN)


def cpu_ratio(loop: Pair, spin: Pair, *, rounds: int = 5) -> float:
    """The loop's CPU time per unit of fuel over the spin loop's, rounds interleaved.

    Each side's time per unit of fuel is the difference of its two runs' median times
    over the difference of their fuel.
    """
    times: list[list[float]] = [[], [], [], []]
    for _ in range(rounds):
        for index, (pair, which) in enumerate(((loop, 0), (loop, 1), (spin, 0), (spin, 1))):
            started = time.thread_time()
            pair.call(which)
            times[index].append(time.thread_time() - started)
    short, long, spin_short, spin_long = (statistics.median(t) for t in times)
    return ((long - short) / loop.extra_fuel) / ((spin_long - spin_short) / spin.extra_fuel)


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


# -- the host's memory per core entry (SBX-006.14) ---------------------------------------------

#: What :class:`HostMemory` measures in a fresh process: a run over a core of ``count``
#: entries of one ``kind``, its peak resident size over what the process held before it
#: (Linux: the peak is reset by ``/proc/self/clear_refs`` after a warm run).
_MEMORY = textwrap.dedent(
    """\
    import sys
    import gritwit as g
    from gritwit.sandbox import run_python
    from gritwit.store import Store
    kind, count = sys.argv[1], int(sys.argv[2])
    store = Store.memory()
    put = store.put_object
    empty = put(g.Blob(data=b""))
    if kind == "files":
        core = put(g.Tree(entries={str(i): empty for i in range(count)}))
    elif kind == "directories":
        inner = put(g.Tree(entries={"f": empty}))
        core = put(g.Tree(entries={str(i): inner for i in range(count)}))
    else:
        core = put(g.Tree(entries={"f": empty}))
        for _ in range(count):
            core = put(g.Tree(entries={"c" * 255: core}))
    run_python("pass", store=store)  # the snapshot, the compiled module: the baseline
    def status(field):
        with open("/proc/self/status") as lines:
            return next(int(line.split()[1]) for line in lines if line.startswith(field))
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # the peak starts again from here
    before = status("VmRSS:")
    run_python("open('new', 'w').close()", store=store, core=core)
    print((status("VmHWM:") - before) * 1024)
    """
)


def host_memory(kind: str, count: int) -> int:
    """The host's peak resident growth, in bytes, for a run over ``count`` entries of ``kind``
    (``files``, ``directories`` or ``chain``), mounted and read back, in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", _MEMORY, kind, str(count)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return int(done.stdout.split()[-1])


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
