"""Paths paid by their walk, and nothing the host holds grows with a path's depth.

* SBX-006.13: a path costs 20 000 and 2 000 per component (its parts between ``/``),
  paid from its bytes before it is walked, whatever the walk meets, and the same from
  ``/core`` as from a directory 3 000 levels down; a rename of a directory pays the levels
  above its target.  Called here as every guest call is (:func:`~gritwit.sandbox.wasi.
  _linker.serve`) on a real guest memory, so the fuel each call takes is exact.
* SBX-005.11 through the trails: the inode number a deep descriptor, a path from it or a
  listing answers is N of the whole normalised path, though the host never makes it.
* SBX-006.14: the host's peak memory over a warm baseline, in a fresh process, for the
  issue's programs: a chain of 8 000 directories with names of 255 bytes (before: past
  4 GB), 1 000 descriptors of a file 5 000 such directories down (before: 1.4 GB), and
  1 015 descriptors each opened through a path of 2 047 components.
"""

from __future__ import annotations

import ctypes
import itertools
import json
import struct
import subprocess
import sys
import textwrap

import pytest
import wasmtime
from hypothesis import given
from hypothesis import strategies as st
from test_core_walks import _CHAIN  # the deep chain of directories, one program for both

import gritwit as g
from gritwit._errors import FuelExhausted
from gritwit.sandbox import INSTALL_HINT, interpreter_path
from gritwit.sandbox.wasi._calls import FUNCTIONS
from gritwit.sandbox.wasi._cost import (
    BYTE_FUEL,
    CALL_FUEL,
    COMPONENT_FUEL,
    PATH_FUEL,
    WALK_FUEL,
)
from gritwit.sandbox.wasi._fs import Directory, File, Filesystem, path_number
from gritwit.sandbox.wasi._linker import WasiState, serve

ENOENT, ENOTDIR, ENOTCAPABLE = 44, 54, 76
#: Where the first path, the second path and what a call writes go in the guest's memory.
PATH_AT, OTHER_AT, OUT_AT = 0, 8192, 16384
FUEL = 10**12

_CONFIG = wasmtime.Config()
_CONFIG.consume_fuel = True
FUELLED = wasmtime.Engine(_CONFIG)


def _chain(depth: int, name: str = "d") -> Directory:
    """A core holding a chain of ``depth`` directories named ``name``, with a file ``f`` and a
    directory ``e`` in each."""
    core = node = Directory()
    for _ in range(depth):
        below = Directory()
        node.entries.update({name: below, "f": File(b"1"), "e": Directory()})
        node = below
    node.entries.update({"f": File(b"1"), "e": Directory()})
    return core


class Guest:
    """One run's WASI state on a real, fuelled guest memory of one page."""

    def __init__(self, core: Directory) -> None:
        self.fs = Filesystem(core, {}, budget=1 << 20, stdout=len, stderr=len)
        self.store = wasmtime.Store(FUELLED)
        self.store.set_fuel(FUEL)
        self.memory = wasmtime.Memory(self.store, wasmtime.MemoryType(wasmtime.Limits(1, 1)))
        self.state = WasiState(b"seed" * 8, self.fs)
        self.state.context = ctypes.cast(self.store._context(), ctypes.c_void_p).value or 0
        self.state.memory = self.memory._memory

    def call(self, name: str, *args: int) -> tuple[int, int]:
        """WASI function ``name`` called as the guest calls it: its errno and the fuel it took."""
        before = self.store.get_fuel()
        result = serve(self.state, name, FUNCTIONS[name][2], args)
        assert isinstance(result, int)
        return result, before - self.store.get_fuel()

    def put(self, at: int, data: bytes) -> tuple[int, int]:
        self.memory.write(self.store, data, at)
        return at, len(data)

    def stat(self, fd: int, path: bytes) -> tuple[int, int, int]:
        """``path_filestat_get``: its errno, fuel and the inode number it answered."""
        self.memory.write(self.store, bytes(64), OUT_AT)
        errno, fuel = self.call("path_filestat_get", fd, 0, *self.put(PATH_AT, path), OUT_AT)
        ino = struct.unpack_from("<Q", self.memory.read(self.store, OUT_AT + 8, OUT_AT + 16))[0]
        return errno, fuel, ino

    def descend(self, fd: int, depth: int, name: bytes = b"d") -> int:
        """A descriptor ``depth`` levels below ``fd``, opened one level at a time (as a
        program with ``dir_fd`` does), each one closed once the next is open."""
        for _ in range(depth):
            errno, _ = self.call("path_open", fd, 0, *self.put(PATH_AT, name), 2, 2, 0, 0, OUT_AT)
            assert errno == 0
            opened = int.from_bytes(self.memory.read(self.store, OUT_AT, OUT_AT + 4), "little")
            if fd > 5:
                assert self.call("fd_close", fd)[0] == 0
            fd = opened
        return fd


def walk_fuel(path: bytes) -> int:
    """What SBX-006.5 and SBX-006.13 say a ``path_*`` call of one path costs."""
    return CALL_FUEL + BYTE_FUEL * len(path) + PATH_FUEL + COMPONENT_FUEL * (path.count(b"/") + 1)


# -- the rate (SBX-006.13) --------------------------------------------------------------------


@pytest.mark.req("SBX-006.13", "SBX-006.5")
@pytest.mark.parametrize(
    ("path", "errno"),
    [
        (b"f", 0),
        (b"d/d/d/f", 0),
        (b"d//./d/../d/f", 0),
        (b"x/d/d/f", ENOENT),  # the walk stops at the first component: paid whole
        (b"f/d/d/d", ENOTDIR),
        (b"../../../../../../../../f", ENOTCAPABLE),
        (b"/".join([b"d"] * 2047) + b"/", 0),  # 2 048 components, the most 4 096 bytes hold
    ],
)
def test_a_path_pays_each_of_its_components_whatever_the_walk_meets(
    path: bytes, errno: int
) -> None:
    guest = Guest(_chain(2050))
    got, fuel, _ = guest.stat(3, path)
    assert (got, fuel) == (errno, walk_fuel(path))


@pytest.mark.req("SBX-006.13", "SBX-006.5")
def test_one_component_more_costs_exactly_the_rate_more_at_any_depth() -> None:
    guest = Guest(_chain(3010))
    deep = guest.descend(3, 3000)
    for start in (3, deep):
        costs = [guest.stat(start, b"d/" * k + b"f")[1] for k in range(6)]
        steps = {b - a for a, b in itertools.pairwise(costs)}
        assert steps == {COMPONENT_FUEL + 2 * BYTE_FUEL}  # one more name: "d/" more
        same_length = [guest.stat(start, p)[1] for p in (b"ddd/f", b"d/d/f", b"./d/f")]
        assert same_length[1] - same_length[0] == COMPONENT_FUEL == same_length[2] - same_length[0]
    from_core = guest.stat(3, b"d/d/f")[1]
    assert guest.stat(deep, b"d/d/f")[1] == from_core  # the start's depth costs nothing


@pytest.mark.req("SBX-006.13", "SBX-006.5")
def test_a_walk_the_fuel_cannot_pay_is_not_walked() -> None:
    path = b"d/d/d/new"
    for short in (0, 1):
        guest = Guest(_chain(3))
        guest.store.set_fuel(walk_fuel(path) - short)
        if short:
            with pytest.raises(FuelExhausted, match=r"SBX-006\.5"):
                guest.call("path_create_directory", 3, *guest.put(PATH_AT, path))
        else:
            assert guest.call("path_create_directory", 3, *guest.put(PATH_AT, path)) == (
                0,
                walk_fuel(path),
            )
        node = guest.fs.core
        for _ in range(3):
            below = node.entries["d"]
            assert isinstance(below, Directory)
            node = below
        assert ("new" in node.entries) is not short  # paid exactly: made; one short: not


@pytest.mark.req("SBX-006.13", "SBX-005.20")
@pytest.mark.parametrize("depth", [0, 3, 3000])
def test_a_directory_rename_pays_each_level_above_its_target(depth: int) -> None:
    guest = Guest(_chain(depth + 2))
    start = guest.descend(3, depth) if depth > 3 else 3
    prefix = b"" if depth > 3 else b"d/" * depth
    level = depth
    costs = {}
    for moved, kind in ((b"e", "directory"), (b"f", "file")):
        old = guest.put(PATH_AT, prefix + moved)
        new = guest.put(OTHER_AT, prefix + moved + b"2")
        errno, costs[kind] = guest.call("path_rename", start, *old, start, *new)
        assert errno == 0
    # the same paths, so the same walks: what differs is the climb, and the empty
    # directory's walk (SBX-005.20) lists no entry
    assert costs["directory"] - costs["file"] == COMPONENT_FUEL * (level + 1) + WALK_FUEL * 0


# -- inode numbers through the trails (SBX-005.11) ----------------------------------------------

_PARTS = st.sampled_from(["d", "d", "d", "f", "e", "x", ".", "..", ""])


def _model(down: int, raw: str) -> tuple[int, str | None]:
    """What ``raw`` names from the directory ``down`` levels down the chain of ``_chain(5)``:
    its errno and its normalised absolute path (SBX-005.8, SBX-005.27, SBX-005.33)."""
    if not raw:
        return ENOENT, None
    if raw.startswith("/"):
        return ENOTCAPABLE, None
    names = ["d"] * down
    kept = [part for part in raw.split("/") if part not in ("", ".")]

    def entries() -> set[str]:  # in the chain: d (above the bottom), e, f; e is empty
        if names and names[-1] == "e":
            return set()
        return {"e", "f"} | ({"d"} if len(names) < 5 else set())

    for index, part in enumerate(kept):
        if part == "..":
            if not names:
                return ENOTCAPABLE, None
            names.pop()
        elif index == len(kept) - 1:
            if part not in entries():
                return ENOENT, None
            if raw.endswith("/") and part == "f":
                return ENOTDIR, None
            return 0, "/".join(["/core", *names, part])
        elif part not in entries():
            return ENOENT, None
        elif part == "f":
            return ENOTDIR, None
        else:
            names.append(part)
    return 0, "/".join(["/core", *names])


@pytest.mark.req("SBX-005.11", "SBX-005.27", "SBX-005.33", "SBX-006.13")
@given(st.lists(_PARTS, min_size=1, max_size=12), st.integers(0, 3))
def test_a_path_from_a_deep_descriptor_is_numbered_and_paid_as_its_whole_path(
    parts: list[str], down: int
) -> None:
    guest = Guest(_chain(5))
    start = guest.descend(3, down)
    raw = "/".join(parts).encode()
    errno, fuel, ino = guest.stat(start, raw)
    expected, path = _model(down, raw.decode())
    assert fuel == walk_fuel(raw)
    assert errno == expected, (raw, down)
    if errno == 0:
        assert path is not None and ino == path_number(path)


@pytest.mark.req("SBX-005.11", "SBX-005.13", "SBX-006.14")
def test_a_descriptor_3000_levels_down_answers_the_numbers_of_its_whole_path() -> None:
    guest = Guest(_chain(3001))
    deep = guest.descend(3, 3000)
    where = "/".join(["/core", *["d"] * 3000])
    guest.call("fd_filestat_get", deep, OUT_AT)
    ino = struct.unpack_from("<Q", guest.memory.read(guest.store, OUT_AT + 8, OUT_AT + 16))[0]
    assert ino == path_number(where)
    assert guest.stat(deep, b"../d/f")[2] == path_number(f"{where}/f")
    errno, _ = guest.call("fd_readdir", deep, OUT_AT, 4096, 0, OTHER_AT)
    assert errno == 0
    raw = guest.memory.read(guest.store, OUT_AT, OUT_AT + 4096)
    numbers, at = {}, 0
    for _ in range(3):  # d, e, f
        _, ino, length, _ = struct.unpack_from("<QQIB", raw, at)
        numbers[raw[at + 24 : at + 24 + length].decode()] = ino
        at += 24 + length
    assert numbers == {name: path_number(f"{where}/{name}") for name in ("d", "e", "f")}
    # a file's descriptor keeps its number, not its path
    errno, _ = guest.call("path_open", deep, 0, *guest.put(PATH_AT, b"f"), 0, 2, 0, 0, OUT_AT)
    opened = int.from_bytes(guest.memory.read(guest.store, OUT_AT, OUT_AT + 4), "little")
    assert errno == 0 and not hasattr(guest.fs.get(opened), "path")
    guest.call("fd_filestat_get", opened, OUT_AT)
    ino = struct.unpack_from("<Q", guest.memory.read(guest.store, OUT_AT + 8, OUT_AT + 16))[0]
    assert ino == path_number(f"{where}/f")


# -- what the host holds (SBX-006.14), in a fresh process ---------------------------------------

_MEASURE = textwrap.dedent(
    """\
    import json, resource, sys
    from gritwit.sandbox import SandboxLimits, run_python
    from gritwit.store import Store
    program, again = json.loads(sys.stdin.read())
    store = Store.memory()
    limits = SandboxLimits(fuel=50_000_000_000)
    run_python("print(1)", store=store)  # the snapshot, compiled module: the baseline
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = run_python(program, store=store, limits=limits)
    if again:  # mounted and read back again, as the actor's next transition does
        assert run_python("pass", store=store, core=result.core, limits=limits).core == result.core
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps([result.stdout.decode(), before * 1024, after * 1024]))
    """
)


def _growth(program: str, *, again: bool = False) -> tuple[str, int]:
    """What ``program`` printed and how much its run grew the host's peak resident size."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE],
        input=json.dumps([program, again]),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    printed, before, after = json.loads(done.stdout.splitlines()[-1])
    return printed, after - before


MIB = 1 << 20


@pytest.mark.slow
@pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)
@pytest.mark.req("SBX-006.14", "SBX-004.1", "SBX-004.2")
def test_a_chain_of_8000_directories_comes_back_and_mounts_again_in_linear_memory() -> None:
    _, grown = _growth(_CHAIN.format(depth=8000), again=True)
    assert grown < 64 * MIB, f"the host grew by {grown >> 20} MiB (before the fix: past 4 GB)"


@pytest.mark.slow
@pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)
@pytest.mark.req("SBX-006.14")
def test_a_thousand_descriptors_5000_levels_down_pin_no_path() -> None:
    program = _CHAIN.format(depth=5000) + (
        "files = [os.open('f', os.O_RDONLY, dir_fd=fd) for _ in range(1000)]\n"
        "print(len({os.fstat(f).st_ino for f in files}))\n"
    )
    printed, grown = _growth(program)
    assert printed == "1\n"  # one file, one number
    assert grown < 64 * MIB, f"the host grew by {grown >> 20} MiB (before the fix: 1.4 GB)"


@pytest.mark.slow
@pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)
@pytest.mark.req("SBX-006.14")
def test_descriptors_opened_through_the_longest_paths_hold_a_bounded_part_each() -> None:
    program = (
        "import os\nroot = os.open('.', os.O_RDONLY)\nfd = os.open('.', os.O_RDONLY)\n"
        "for i in range(2047):\n    os.mkdir('a', dir_fd=fd)\n"
        "    below = os.open('a', os.O_RDONLY, dir_fd=fd)\n    os.close(fd)\n    fd = below\n"
        "os.close(fd)\npath = 'a/' * 2047\n"
        "fds = [os.open(path, os.O_RDONLY, dir_fd=root) for _ in range(1015)]\nprint(len(fds))\n"
    )
    printed, grown = _growth(program)
    assert printed == "1015\n"
    assert grown < 256 * MIB, f"the host grew by {grown >> 20} MiB"


def test_the_chain_program_makes_what_it_says() -> None:
    """The programs above are what they claim: a chain one ``dir_fd`` level at a time."""
    if interpreter_path() is None:
        pytest.skip(INSTALL_HINT)
    from gritwit.sandbox import run_python

    store = g.Store.memory()
    node = run_python(_CHAIN.format(depth=3), store=store).core
    for _ in range(3):
        tree = store.get_object(node) if node is not None else None
        assert isinstance(tree, g.Tree) and list(tree.entries) == ["a" * 255]
        node = tree.entries["a" * 255]
    assert store.get_object(node) == g.Tree(entries={"f": g.object_id(g.Blob(data=b""))})
