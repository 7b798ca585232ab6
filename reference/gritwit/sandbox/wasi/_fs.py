"""The sandbox's filesystem: a tree in memory, as WASI preview 1 sees it (SBX-004, SBX-005).

Nothing here touches the host's disk (SBX-005.1): the three preopened
directories ``/core`` (read-write), ``/input`` (read-only) and ``/out``
(read-write) are :class:`Directory` objects, and a path can only name what lies
under one of them — a ``..`` that would climb out of its preopen fails with
``ENOTCAPABLE`` and is a forbidden operation (SBX-005.8).  There are no links
(SBX-004.6).  What a program reads about a file depends on its path alone
(SBX-005.7, :func:`path_number`), and every byte written to a file is counted
against the run's write budget at the write (SBX-007.4, SBX-007.5).

The state is plain Python — the tree, the descriptor table and the counters —
so a run's filesystem is built fresh, the same way every time; descriptors 0, 1
and 2 are the standard streams, 3, 4 and 5 the preopens, and a new descriptor
takes the lowest free number (SBX-005.10).

Nothing the host holds grows with a path's depth but the tree itself (SBX-006.14): the
way to a directory is a :class:`Trail`, one node per directory reached, shared by every
descriptor and every path reached through it; a file's descriptor keeps its inode number,
not its path; and an inode number is SHA-256 of the path, carried on from the
directory's trail (made once per node) instead of hashing the whole path again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "FIXED_TIME_NS",
    "MAX_DESCRIPTORS",
    "PREOPENS",
    "Directory",
    "Trail",
    "DirFd",
    "File",
    "FileFd",
    "Filesystem",
    "Place",
    "StreamFd",
    "WasiError",
    "path_number",
]

#: The time every clock and every timestamp reads: 2000-01-01T00:00:00Z, in ns (SBX-005.4).
FIXED_TIME_NS: Final = 946_684_800 * 10**9

# WASI preview 1 ``errno`` values (wasi_snapshot_preview1.witx).
EBADF: Final = 8
EBUSY: Final = 10
EEXIST: Final = 20
EILSEQ: Final = 25
EINVAL: Final = 28
EISDIR: Final = 31
EMFILE: Final = 33
EFAULT: Final = 21
ENAMETOOLONG: Final = 37
ENOENT: Final = 44
ENOSPC: Final = 51
ENOTDIR: Final = 54
ENOTEMPTY: Final = 55
ENOTSUP: Final = 58
EROFS: Final = 69
ESPIPE: Final = 70
EXDEV: Final = 75
ENOTCAPABLE: Final = 76
EOVERFLOW: Final = 61

# ``fdflags``, ``oflags`` and the ``rights`` this filesystem looks at.
FDFLAG_APPEND: Final = 1
#: Every ``fdflags`` bit WASI defines (append, dsync, nonblock, rsync, sync), and ``oflags``.
FDFLAGS: Final = 0x1F
OFLAGS: Final = 0xF
OFLAG_CREAT: Final = 1
OFLAG_DIRECTORY: Final = 2
OFLAG_EXCL: Final = 4
OFLAG_TRUNC: Final = 8
RIGHT_FD_READ: Final = 1 << 1
RIGHT_FD_WRITE: Final = 1 << 6
ALL_RIGHTS: Final = (1 << 30) - 1

#: The preopened directories, in descriptor order 3, 4, 5, and whether each is writable (SBX-005.1).
PREOPENS: Final = (("/core", True), ("/input", False), ("/out", True))
#: The most descriptors open at once (``EMFILE`` beyond), so the table stays small.
MAX_DESCRIPTORS: Final = 1024
#: The longest entry name, in UTF-8 bytes: a tree's (OBJ-011.1).
MAX_NAME_BYTES: Final = 255


class WasiError(Exception):
    """A WASI call fails with ``errno``; ``forbidden`` names a forbidden attempt (SBX-008.2)."""

    def __init__(self, errno: int, forbidden: str | None = None) -> None:
        super().__init__(errno, forbidden)
        self.errno, self.forbidden = errno, forbidden


@dataclass(slots=True, eq=False)
class File:
    """A regular file; ``data`` stays the mounted blob's own ``bytes`` until first changed."""

    data: bytes | bytearray = b""

    def buffer(self) -> bytearray:
        """The data, made writable (copied once, on the first change)."""
        if not isinstance(self.data, bytearray):
            self.data = bytearray(self.data)
        return self.data


@dataclass(slots=True, eq=False)
class Directory:
    """A directory: its entries by name (text; the guest's UTF-8 bytes, decoded)."""

    entries: dict[str, File | Directory] = field(default_factory=dict)
    #: The entries' names and their UTF-8 bytes, in the order of those bytes: sorted once per
    #: version of the directory (SBX-006.6); every change of ``entries`` goes through
    #: :meth:`put` or :meth:`remove`, which drop it.
    listing: tuple[tuple[str, bytes], ...] | None = field(default=None, repr=False)

    def put(self, name: str, node: File | Directory) -> None:
        """Make ``name`` hold ``node``: a new version of the directory."""
        self.entries[name] = node
        self.listing = None

    def remove(self, name: str) -> None:
        """Remove ``name``: a new version of the directory."""
        del self.entries[name]
        self.listing = None


def path_number(path: str) -> int:
    """A device or inode number: the first 8 bytes of SHA-256 of ``path`` (UTF-8), read
    little-endian, with the top bit cleared (a positive signed 64-bit number too).

    The device of a file is the number of its preopen's name (``/core``), its
    inode the number of its normalised absolute path (SBX-005.7).
    """
    return _number(hashlib.sha256(path.encode("utf-8")))


def _number(hashed: Any) -> int:
    """N of the path whose SHA-256 ``hashed`` holds (SBX-005.11)."""
    return int.from_bytes(hashed.digest()[:8], "little") & ((1 << 63) - 1)


class Trail:
    """The way a path reached a directory from its preopen's root (SBX-005.33): the
    directory, the name it was reached by (the preopen's own name at the root) and the
    trail of the directory above, ``None`` at the root.

    Trails share what they have in common: a descriptor ``n`` levels deep holds one node
    of its own, the rest being its parent's (SBX-006.14).  ``..`` is the trail above, as
    the path reached it (a rename since may have moved the directory: SBX-005.20 copes).
    """

    __slots__ = ("depth", "directory", "hashed", "name", "up")

    def __init__(self, directory: Directory, name: str, up: Trail | None) -> None:
        self.directory, self.name, self.up = directory, name, up
        #: Levels below the preopen's root: 0 at the root.
        self.depth: int = 0 if up is None else up.depth + 1
        #: SHA-256 of the directory's normalised absolute path, kept by a descriptor's
        #: trail (:meth:`keep_hash`), ``None`` elsewhere.
        self.hashed: Any = None

    def hashed_with(self, names: list[str]) -> Any:
        """A fresh SHA-256 of this directory's path followed by ``/name`` for each of ``names``.

        It carries on from the nearest trail above that keeps its hash (a descriptor's, at
        most the names one path walked away, SBX-005.17), so no path is hashed whole.
        """
        node: Trail = self
        above: list[bytes] = []
        while node.hashed is None and node.up is not None:
            above.append(node.name.encode("utf-8"))
            node = node.up
        hashed = node.hashed.copy() if node.hashed is not None else hashlib.sha256()
        tail = [*reversed(above), *(name.encode("utf-8") for name in names)]
        if node.hashed is None:  # the preopen's root: its name is the path's start
            hashed.update(node.name.encode("utf-8"))
        if tail:
            hashed.update(b"/" + b"/".join(tail))
        return hashed

    def keep_hash(self) -> Trail:
        """Keep this directory's hash, as a descriptor's trail does; the trail itself."""
        if self.hashed is None:
            self.hashed = self.hashed_with([])
        return self

    def number(self, name: str | None = None) -> int:
        """N of this directory's normalised absolute path, or of ``name`` in it (SBX-005.11):
        :func:`path_number` of ``"/".join((preopen, *names, name))``, without making it."""
        return _number(self.hashed_with([] if name is None else [name]))

    def numbers(self, names: list[bytes]) -> list[int]:
        """:meth:`number` of each of ``names`` (UTF-8) in this directory, from one hash of the
        way to it: a listing hashes each entry's name, not its whole way."""
        above = self.hashed_with([])
        found = []
        for raw in names:
            hashed = above.copy()
            hashed.update(b"/" + raw)
            found.append(_number(hashed))
        return found


@dataclass(slots=True, eq=False)
class StreamFd:
    """A standard stream: ``write`` takes the bytes (bounded, SBX-007.2); ``None`` is stdin."""

    write: Callable[[bytes], int] | None

    def room(self) -> int | None:
        """The bytes the stream can still keep (its sink's ``room()``, SBX-007.2); ``None``
        when the sink does not say."""
        room = getattr(self.write, "room", None)
        return int(room()) if callable(room) else None


@dataclass(slots=True, eq=False)
class FileFd:
    """An open regular file, with the inode number of the path it was opened at
    (SBX-005.7): the number, not the path (SBX-006.14)."""

    file: File
    ino: int
    device: int
    rights: int
    inheriting: int
    flags: int
    position: int = 0

    @property
    def readable(self) -> bool:
        return bool(self.rights & RIGHT_FD_READ)

    @property
    def writable(self) -> bool:
        return bool(self.rights & RIGHT_FD_WRITE)


@dataclass(slots=True, eq=False)
class DirFd:
    """An open directory: the way from its preopen's root down to it (SBX-006.14)."""

    trail: Trail
    preopen: str
    writable: bool
    rights: int = ALL_RIGHTS
    inheriting: int = ALL_RIGHTS
    #: One of the preopens of the run, as listed by ``fd_prestat_get``.
    preopened: bool = False

    @property
    def node(self) -> Directory:
        return self.trail.directory


Descriptor = StreamFd | FileFd | DirFd


@dataclass(slots=True, eq=False)
class Place:
    """Where a path leads: from the trail ``base`` (the directory it starts from, or one above
    it after ``..``) down through ``names`` (each with its directory in ``below``) to the
    parent, and ``last`` the name in it, or ``None`` when the path names the parent itself
    (``.``, ``a/..``).  No trail is made for a place no descriptor keeps."""

    start: DirFd
    base: Trail
    names: list[str]
    below: list[Directory]
    last: str | None
    #: The path ended with ``/``: it must name a directory.
    slash: bool

    @property
    def parent(self) -> Directory:
        return self.below[-1] if self.below else self.base.directory

    @property
    def depth(self) -> int:
        """The parent's levels below its preopen's root, as the path reached it."""
        return self.base.depth + len(self.names)

    def node(self) -> File | Directory | None:
        parent = self.parent
        return parent if self.last is None else parent.entries.get(self.last)

    def holds(self, directory: Directory) -> bool:
        """Whether the path reached the parent through ``directory`` (or at it)."""
        if any(step is directory for step in self.below):
            return True
        trail: Trail | None = self.base
        while trail is not None and trail.directory is not directory:
            trail = trail.up
        return trail is not None

    def number(self) -> int:
        """The inode number of the normalised absolute path (SBX-005.7, SBX-005.11)."""
        names = self.names if self.last is None else [*self.names, self.last]
        return _number(self.base.hashed_with(names))

    def as_dir(self, directory: Directory) -> DirFd:
        """A descriptor for ``directory``, found at this place: a trail node for each name
        walked below ``base``, its hash kept."""
        trail = self.base
        for name, step in zip(self.names, self.below, strict=True):
            trail = Trail(step, name, trail)
        if self.last is not None:
            trail = Trail(directory, self.last, trail)
        return DirFd(trail.keep_hash(), self.start.preopen, self.start.writable)


class Filesystem:
    """One run's filesystem: the tree under the preopens, the descriptors, the write budget."""

    def __init__(
        self,
        core: Directory,
        inputs: Mapping[str, bytes],
        *,
        budget: int,
        stdout: Callable[[bytes], int],
        stderr: Callable[[bytes], int],
    ) -> None:
        self.core, self.out = core, Directory()
        self.input = Directory({name: File(data) for name, data in inputs.items()})
        roots = {"/core": self.core, "/input": self.input, "/out": self.out}
        self.descriptors: dict[int, Descriptor] = {
            0: StreamFd(None),
            1: StreamFd(stdout),
            2: StreamFd(stderr),
        }
        for number, (name, writable) in enumerate(PREOPENS, start=3):
            root = Trail(roots[name], name, None).keep_hash()
            self.descriptors[number] = DirFd(root, name, writable, preopened=True)
        #: The write budget (SBX-007.4): bytes that may still be written, and whether a write
        #: went past it.
        self.budget, self.overflow = budget, False

    # -- descriptors ---------------------------------------------------------------------

    def get(self, fd: int) -> Descriptor:
        """The open descriptor ``fd``: ``EBADF`` for a number that is none (SBX-005.25)."""
        try:
            return self.descriptors[fd]
        except KeyError:
            raise WasiError(EBADF) from None

    def directory(self, fd: int) -> DirFd:
        """The directory ``fd``: ``ENOTDIR`` for a file or a stream (SBX-005.26)."""
        found = self.get(fd)
        if not isinstance(found, DirFd):
            raise WasiError(ENOTDIR)
        return found

    def file(self, fd: int) -> FileFd:
        """The file ``fd``: ``EISDIR`` for a directory, ``ESPIPE`` for a stream (SBX-005.26)."""
        found = self.get(fd)
        if isinstance(found, FileFd):
            return found
        raise WasiError(EISDIR if isinstance(found, DirFd) else ESPIPE)

    def add(self, descriptor: Descriptor) -> int:
        """The lowest free descriptor number, now ``descriptor`` (SBX-005.10).

        At most :data:`MAX_DESCRIPTORS` are open at once, ``EMFILE`` beyond (SBX-005.25).
        """
        self.check_room()
        number = 0
        while number in self.descriptors:
            number += 1
        self.descriptors[number] = descriptor
        return number

    def check_room(self) -> None:
        """``EMFILE`` when the table is full (SBX-005.25): a call that would open one more
        checks it before it makes or changes anything."""
        if len(self.descriptors) >= MAX_DESCRIPTORS:
            raise WasiError(EMFILE)

    def close(self, fd: int) -> None:
        self.get(fd)
        del self.descriptors[fd]

    # -- paths ---------------------------------------------------------------------------

    def place(self, fd: int, raw: bytes) -> Place:
        """Where ``raw``, relative to directory ``fd``, leads (SBX-005.1, SBX-005.8).

        No path leaves its preopen: an absolute path, or a ``..`` above the
        preopen's root, fails with ``ENOTCAPABLE`` and is a forbidden attempt.  Each
        ``..`` is the parent of the directory reached so far, from the one ``fd`` names
        (SBX-005.33): ``../../y`` from ``/core/a/b`` is ``/core/y``.

        Components resolve one by one: ``ENOENT``, ``ENOTDIR`` as SBX-005.27 says.
        """
        start = self.directory(fd)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise WasiError(EILSEQ) from None
        if not text:
            raise WasiError(ENOENT)
        if "\x00" in text:  # no tree name holds NUL (OBJ-011.2)
            raise WasiError(EINVAL)
        if text.startswith("/"):
            raise WasiError(ENOTCAPABLE, f"the absolute path {text[:200]!r} under a directory")
        parts = [part for part in text.split("/") if part and part != "."]
        base, last = start.trail, None
        names: list[str] = []
        below: list[Directory] = []
        final = len(parts) - 1
        for index, part in enumerate(parts):
            if part == "..":
                if below:
                    names.pop()
                    below.pop()
                elif base.up is not None:
                    base = base.up
                else:
                    depth, preopen = start.trail.depth, start.preopen
                    source = f"{preopen}/… ({depth} levels down)" if depth else preopen
                    where = f"from {source} leaves {preopen} (SBX-005.8, SBX-005.33)"
                    raise WasiError(ENOTCAPABLE, f"the path {text[:200]!r} {where}")
            elif index == final:
                last = part
            else:
                node = (below[-1] if below else base.directory).entries.get(part)
                if node is None:
                    raise WasiError(ENOENT)
                if not isinstance(node, Directory):
                    raise WasiError(ENOTDIR)
                names.append(part)
                below.append(node)
        return Place(start, base, names, below, last, text.endswith("/"))

    def lookup(self, fd: int, raw: bytes) -> tuple[Place, File | Directory]:
        """The file or directory ``raw`` names; ``ENOENT`` if none.

        ``ENOTDIR`` for a file named with a trailing ``/`` (SBX-005.27).
        """
        place = self.place(fd, raw)
        node = place.node()
        if node is None:
            raise WasiError(ENOENT)
        if place.slash and not isinstance(node, Directory):
            raise WasiError(ENOTDIR)
        return place, node

    def new_entry(self, place: Place) -> str:
        """The name of an entry about to be made at ``place`` (SBX-005.9, OBJ-011).

        A name over 255 UTF-8 bytes is ``ENAMETOOLONG`` (SBX-005.28, OBJ-011.1).
        """
        if not place.start.writable:
            raise WasiError(EROFS)
        if place.last is None:
            raise WasiError(EEXIST)
        if len(place.last.encode("utf-8")) > MAX_NAME_BYTES:
            raise WasiError(ENAMETOOLONG)
        return place.last

    # -- the write budget ----------------------------------------------------------------

    def charge(self, count: int) -> None:
        """Count ``count`` bytes written; past the budget, ``ENOSPC`` (SBX-007.4, SBX-007.5)."""
        if count > self.budget:
            self.overflow = True
            raise WasiError(ENOSPC)
        self.budget -= count

    def write_at(self, handle: FileFd, offset: int, data: bytes) -> None:
        """Write ``data`` at ``offset``, the bytes and any gap before them charged first."""
        buffer = handle.file.buffer()
        end = offset + len(data)
        self.charge(len(data) + max(0, offset - len(buffer)))
        if offset > len(buffer):
            buffer.extend(bytes(offset - len(buffer)))
        buffer[offset:end] = data

    def resize(self, handle: FileFd, size: int) -> None:
        """Truncate or extend to ``size``; the bytes added are charged (SBX-007.5)."""
        buffer = handle.file.buffer()
        if size > len(buffer):
            self.charge(size - len(buffer))
            buffer.extend(bytes(size - len(buffer)))
        else:
            del buffer[size:]

    # -- after the run -------------------------------------------------------------------

    def out_bytes(self, name: str) -> bytes | None:
        """The bytes of the regular file ``/out/<name>``, if there is one (SBX-004.5)."""
        node = self.out.entries.get(name)
        return bytes(node.data) if isinstance(node, File) else None
