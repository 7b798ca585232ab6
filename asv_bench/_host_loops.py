"""The workloads of ``bench_host_cost`` (SBX-006.7): one sandboxed program per WASI call
and point of one of its axes.

Each :class:`Loop` is a Python program that makes one WASI call (or a pair that undo each
other) ``n`` more times in one run than in the other, over a core (:class:`Core`) that
holds what the call works on — a file of some bytes, a directory of some entries, a chain
of directories of some depth.  :data:`LOOPS` names them all.  Running them and taking
their cost per unit of fuel is ``_host_runs``'s job; this module only says what they are.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Final

import gritwit as g
from gritwit.store import Store

__all__ = ["CHAIN_NAME", "LOOPS", "Core", "Loop"]

#: The name of the chain's directories (a chain of 255-byte names is the deep case).
CHAIN_NAME: Final = "c" * 255


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
