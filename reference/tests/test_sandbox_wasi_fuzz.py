"""Every WASI function the sandbox's host implements, fuzzed with hostile numbers.

Each example is a sequence of calls, through :func:`gritwit.sandbox.wasi._linker.serve` (the
path every guest call takes: paid in fuel, an errno or the run's typed end), against
one run's in-memory filesystem and a real guest memory of a wasmtime store.  The
arguments are what a hostile program can pass: pointers and lengths anywhere in
``0 … 2**32 - 1`` (mostly near the memory's end), ``iovec`` arrays listing one buffer
many times, offsets and positions up to ``2**64 - 1``, any ``whence``, flags, rights,
descriptor numbers and paths (random bytes, ``..``, absolute, very long).

Every call must answer a WASI errno, or end the run with ``ProcExit`` or a typed
error — ``fuel-exhausted`` when the fuel cannot pay; a ``trap`` of SBX-005.19 would
mean the host failed on its own and fails the test too — and the host's memory
must stay within :data:`BOUND` (tracemalloc's peak: a copy per call is at most the
guest's memory, the files at most the write budget).  Each function comes first in
25 examples of its own, 1500 under ``GRITWIT_PROFILE=deep`` (``profiles.py``).
"""

from __future__ import annotations

import ctypes
import tracemalloc
from collections.abc import Iterator

import pytest
import wasmtime
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import PROFILE

from gritwit._errors import FuelExhausted, GritError
from gritwit.sandbox.wasi._calls import FUNCTIONS, ProcExit
from gritwit.sandbox.wasi._fs import Directory, File, Filesystem
from gritwit.sandbox.wasi._linker import WasiState, serve

#: Guest memory: two pages.
PAGES = 2
MEMORY = PAGES << 16
#: The write budget and the output limit of the fuzzed run.
BUDGET = 1 << 20
OUTPUT = 1 << 16
#: The host may hold the files (the budget), both streams and a few copies of the memory.
BOUND = BUDGET + 2 * OUTPUT + 8 * MEMORY + (1 << 20)
#: Examples per function: the default run stays quick, ``GRITWIT_PROFILE=deep`` goes further.
EXAMPLES = 25 if PROFILE == "ci" else 1500


class _Sink:
    """A standard stream kept to ``OUTPUT`` bytes, like the run's."""

    def __init__(self) -> None:
        self.data = bytearray()

    def room(self) -> int:
        return max(0, OUTPUT - len(self.data))

    def __call__(self, chunk: bytes) -> int:
        self.data += chunk[: self.room()]
        return len(chunk)


def _engine() -> wasmtime.Engine:
    config = wasmtime.Config()
    config.consume_fuel = True
    return wasmtime.Engine(config)


ENGINE = _engine()


def _run_state(fuel: int) -> tuple[WasiState, wasmtime.Store, wasmtime.Memory]:
    """A run's WASI state over a fresh filesystem and a real guest memory with ``fuel``."""
    core = Directory(
        {
            "a": File(b"hello"),
            "d": Directory({"b": File(b"x" * 100), "e": Directory()}),
            "\u00e9": File(b""),
        }
    )
    fs = Filesystem(
        core,
        {"main.py": b"print(1)", "transition.json": b"{}"},
        budget=BUDGET,
        stdout=_Sink(),
        stderr=_Sink(),
    )
    store = wasmtime.Store(ENGINE)
    store.set_fuel(fuel)
    memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(PAGES, PAGES)))
    state = WasiState(b"seed" * 8, fs)
    state.context = ctypes.cast(store._context(), ctypes.c_void_p).value or 0
    state.memory = memory._memory
    return state, store, memory


# -- arguments a hostile program passes ------------------------------------------------------

_U32_EDGES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 64, 1023, 1024, 4096, 4097, MEMORY - 8, MEMORY - 1]
_U32_EDGES += [MEMORY, MEMORY + 1, 2**31 - 1, 2**31, 2**32 - 8, 2**32 - 1]
_U64_EDGES = [0, 1, 2**31, 2**32 - 1, 2**32, 2**53, 2**63 - 2, 2**63 - 1, 2**63, 2**64 - 1]

U32 = st.one_of(st.sampled_from(_U32_EDGES), st.integers(0, MEMORY + 64), st.integers(0, 2**32 - 1))
U64 = st.one_of(st.sampled_from(_U64_EDGES), st.integers(0, 2**64 - 1), st.integers(0, 1 << 21))
I64 = st.one_of(
    st.sampled_from([-(2**63), -1, 0, 1, 2**62, 2**63 - 1]), st.integers(-(2**63), 2**63 - 1)
)
KINDS = {"i": U32, "I": U64, "q": I64}


#: Where each ``path_*`` function takes its paths: (pointer, length) argument positions.
_PATH_ARGS = {
    "path_create_directory": [(1, 2)],
    "path_filestat_get": [(2, 3)],
    "path_filestat_set_times": [(2, 3)],
    "path_link": [(2, 3), (5, 6)],
    "path_open": [(2, 3)],
    "path_readlink": [(1, 2)],
    "path_remove_directory": [(1, 2)],
    "path_rename": [(1, 2), (4, 5)],
    "path_symlink": [(0, 1), (3, 4)],
    "path_unlink_file": [(1, 2)],
}
#: Where each function that takes an ``iovec`` array has it: (pointer, count) positions.
_IOVEC_ARGS = {"fd_read": (1, 2), "fd_pread": (1, 2), "fd_write": (1, 2), "fd_pwrite": (1, 2)}

PATHS = st.one_of(
    st.sampled_from([b"a", b"d", b"d/b", b"d/e", b"..", b"/etc", b"d/../a", b"\xc3\xa9", b"x/"]),
    st.binary(max_size=40),
    st.builds(lambda n: b"./" * n + b"a", st.integers(0, 3000)),
)
#: The path's bytes are at 0; an ``iovec`` array of one buffer listed many times at 64 KiB.
IOVECS_AT = 1 << 16


@st.composite
def _scenario(
    draw: st.DrawFn, first: str
) -> tuple[list[tuple[int, bytes]], list[tuple[str, tuple[int, ...]]]]:
    """Bytes written into guest memory first (a path, an ``iovec`` array), then the calls:
    ``first``, then others."""
    path = draw(PATHS)
    buf, length = draw(st.integers(0, MEMORY)), draw(st.sampled_from([0, 1, 100, 4096, MEMORY]))
    entry = buf.to_bytes(4, "little") + length.to_bytes(4, "little")
    count = draw(st.integers(0, (MEMORY - IOVECS_AT) // 8))
    image = [(0, path), (IOVECS_AT, entry * count)]
    calls = []
    for turn in range(draw(st.integers(1, 12))):
        name = first if turn == 0 else draw(st.sampled_from(sorted(FUNCTIONS)))
        args = []
        for index, kind in enumerate(FUNCTIONS[name][0]):
            real_fd = index == 0 and name.startswith(("fd_", "path_")) and kind == "i"
            args.append(draw(st.one_of(st.integers(0, 9), U32) if real_fd else KINDS[kind]))
        for at, size in _PATH_ARGS.get(name, []):
            if draw(st.booleans()):
                args[at], args[size] = 0, len(path)
        if name in _IOVEC_ARGS and draw(st.booleans()):
            at, size = _IOVEC_ARGS[name]
            args[at], args[size] = IOVECS_AT, draw(st.integers(0, count + 1))
        calls.append((name, tuple(args)))
    return image, calls


def _write(memory: wasmtime.Memory, store: wasmtime.Store, at: int, data: bytes) -> None:
    if at >= 0 and at + len(data) <= MEMORY:
        memory.write(store, data, at)


def _play(
    calls: list[tuple[str, tuple[int, ...]]], image: list[tuple[int, bytes]], fuel: int
) -> Iterator[str]:
    """Play ``calls``; yield how each ended, failing on anything untyped."""
    state, store, memory = _run_state(fuel)
    for at, data in image:
        _write(memory, store, at, data)
    for name, args in calls:
        try:
            result = serve(state, name, FUNCTIONS[name][2], args)
        except ProcExit:
            yield "exit"
            return
        except FuelExhausted:
            yield "fuel"
            return
        except GritError as exc:  # pragma: no cover - a host failure: reported below
            raise AssertionError(f"{name}{args}: the host failed ({exc})") from None
        assert result is None or 0 <= result < 1 << 16, f"{name}{args} answered {result!r}"
        yield f"errno {result}"
    store.close()


@pytest.mark.req("SBX-005.15", "SBX-005.16", "SBX-005.17", "SBX-005.18", "SBX-005.19")
@pytest.mark.parametrize("first", sorted(FUNCTIONS))
@settings(max_examples=EXAMPLES)
@given(data=st.data(), fuel=st.sampled_from([10**12, 10**7, 30_000]))
def test_every_wasi_function_answers_an_errno_or_a_typed_end_within_its_memory(
    first: str, data: st.DataObject, fuel: int
) -> None:
    image, calls = data.draw(_scenario(first))
    tracemalloc.start()
    try:
        ends = list(_play(calls, image, fuel))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ends
    assert peak <= BOUND, f"the host held {peak} bytes for {calls} (bound {BOUND})"


# -- the findings of the issue, one call each --------------------------------------------------


def test_seek_past_2_63_is_eoverflow_and_keeps_the_position() -> None:
    state, store, _ = _run_state(10**12)
    fd = state.files.add(state.files.descriptors[3])  # a second /core: not a file
    assert serve(state, "fd_seek", FUNCTIONS["fd_seek"][2], (fd, 0, 0, 0)) == 31  # EISDIR
    handle = _open_file(state, b"a")
    seek = FUNCTIONS["fd_seek"][2]
    assert serve(state, "fd_seek", seek, (handle, 2**63 - 1, 0, 16)) == 0
    assert serve(state, "fd_seek", seek, (handle, 2**63 - 1, 1, 16)) == 61  # EOVERFLOW
    assert serve(state, "fd_seek", seek, (handle, 0, 1, 16)) == 0
    assert state.read(16, 8) == (2**63 - 1).to_bytes(8, "little")
    store.close()


def _open_file(state: WasiState, path: bytes) -> int:
    state.write(1000, path)
    rights = (1 << 1) | (1 << 6)
    result = serve(
        state,
        "path_open",
        FUNCTIONS["path_open"][2],
        (3, 0, 1000, len(path), 0, rights, rights, 0, 2000),
    )
    assert result == 0
    return int.from_bytes(state.read(2000, 4), "little")


def test_one_buffer_listed_many_times_is_copied_once_at_most() -> None:
    state, store, memory = _run_state(10**12)
    entry = (0).to_bytes(4, "little") + MEMORY.to_bytes(4, "little")  # the whole memory
    memory.write(store, entry * 4096, MEMORY - 8 * 4096)
    tracemalloc.start()
    try:
        result = serve(state, "fd_write", FUNCTIONS["fd_write"][2], (1, MEMORY - 8 * 4096, 4096, 8))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result == 0
    assert int.from_bytes(state.read(8, 4), "little") == 4096 * MEMORY  # all of it, "written"
    stdout = state.files.descriptors[1].write
    assert isinstance(stdout, _Sink) and len(stdout.data) == OUTPUT
    assert peak < 4 * MEMORY, f"the host held {peak} bytes for a 512 MiB write of one buffer"
    store.close()


def test_an_iovec_array_outside_memory_is_efault_before_any_copy() -> None:
    state, store, memory = _run_state(10**12)
    entry = (MEMORY - 4).to_bytes(4, "little") + (8).to_bytes(4, "little")  # past the end
    memory.write(store, (0).to_bytes(4, "little") + (4).to_bytes(4, "little") + entry, 64)
    assert serve(state, "fd_write", FUNCTIONS["fd_write"][2], (1, 64, 2, 8)) == 21  # EFAULT
    stdout = state.files.descriptors[1].write
    assert isinstance(stdout, _Sink) and stdout.data == b"", "nothing is written on EFAULT"
    assert serve(state, "fd_write", FUNCTIONS["fd_write"][2], (1, MEMORY - 4, 1, 8)) == 21
    store.close()


@pytest.mark.req("SBX-005.32")
def test_a_read_fills_the_buffers_before_an_entry_out_of_memory_then_is_efault() -> None:
    """``fd_read`` fills an ``iovec`` array's buffers in order (SBX-005.32): where an entry
    lies outside memory, the buffers before it are filled, then the call answers ``EFAULT``
    (21); it does not give up the filled buffers."""
    state, store, memory = _run_state(10**12)
    fd = _open_file(state, b"a")  # "hello"
    valid = (4000).to_bytes(4, "little") + (3).to_bytes(4, "little")
    past = (MEMORY - 4).to_bytes(4, "little") + (8).to_bytes(4, "little")
    memory.write(store, valid + past, 64)
    memory.write(store, b"...", 4000)
    assert serve(state, "fd_read", FUNCTIONS["fd_read"][2], (fd, 64, 2, 8)) == 21  # EFAULT
    assert state.read(4000, 3) == b"hel", "the buffer before the faulting entry is filled first"
    store.close()


def test_host_work_that_the_fuel_cannot_pay_is_not_done() -> None:
    state, store, _ = _run_state(20_000 + 256 * 1000 - 1)
    with pytest.raises(FuelExhausted, match=r"SBX-006\.5"):
        serve(state, "random_get", FUNCTIONS["random_get"][2], (0, 1000))
    assert state.counter == 0, "no random byte was made"
    assert store.get_fuel() == 0
    state, store, _ = _run_state(20_000 + 256 * 1000)
    assert serve(state, "random_get", FUNCTIONS["random_get"][2], (0, 1000)) == 0
    assert store.get_fuel() == 0
    store.close()


def test_a_listing_is_sorted_once_per_version_of_its_directory() -> None:
    state, store, _ = _run_state(10**12)
    readdir = FUNCTIONS["fd_readdir"][2]
    core = state.files.core

    def cost() -> int:
        before = store.get_fuel()
        assert serve(state, "fd_readdir", readdir, (3, 0, 4096, 0, 8192)) == 0
        return before - store.get_fuel()

    first, second = cost(), cost()
    assert first - second == 500 * len(core.entries), "the sort is paid once (SBX-006.6)"
    core.put("z", File(b""))
    assert cost() - cost() == 500 * len(core.entries), "a change makes a new version"
    store.close()
