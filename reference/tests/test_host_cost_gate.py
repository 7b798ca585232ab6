"""CI's host-cost gate: ``asv_bench/tools/host_cost.py`` and its workloads.

The gate counts, under callgrind, a sandboxed program's instructions per unit of fuel
for every WASI call and axis of ``asv_bench/bench_host_cost.py``, over plain bytecode's,
and fails past SBX-006.7's factor.  These tests run its arithmetic and its verdict on
made-up counts (no valgrind), check that each workload's turns make the call it is
named for (natively), and that the host's faster ways of doing a listing's inode
numbers and a read's copies change no figure a program sees.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asv_bench import bench_host_cost as bench
from asv_bench.tools import host_cost as tool
from gritwit.sandbox import INSTALL_HINT, interpreter_path
from gritwit.sandbox.wasi._cost import HOST_FACTOR
from gritwit.sandbox.wasi._fs import Directory, Trail

needs_interpreter = pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)


@pytest.mark.req("SBX-006.7")
def test_the_gate_divides_the_hosts_instructions_by_its_fuel_and_the_spin_loops() -> None:
    """A workload's figure is its host's instructions (all but the guest's compiled code)
    per unit of the fuel the host charged, over the spin loop's instructions per unit of
    fuel; its program's figure, all its instructions over all its fuel."""
    counted = [
        tool.Counted(100, 100),  # the spin loop: all of it the guest's
        tool.Counted(140, 140),
        tool.Counted(1_000, 400),  # a workload: 600 of the host's …
        tool.Counted(1_600, 500),  # … then 1 100, so 500 more, and 100 of the guest's
        tool.Counted(5, 1),
        tool.Counted(8, 1),
    ]
    fuel = {"spin": [10, 30, 0], "a": [100, 300, 125], "b": [7, 8, 1]}
    spin, a, b = tool.ratios(["spin", "a", "b"], counted, fuel)
    assert (spin.fuel, spin.host_fuel, spin.ratio, spin.program) == (20, 0, 0.0, 1.0)
    assert (a.fuel, a.host_fuel, a.ratio, a.program) == (200, 125, 2.0, 1.5)
    assert (b.ratio, b.program) == (1.5, 1.5)
    with pytest.raises(ValueError, match="no more fuel"):
        tool.ratios(["spin", "a"], counted[:4], {"spin": [10, 30, 0], "a": [5, 5, 0]})


def test_the_guests_code_is_what_wasmtime_compiled() -> None:
    annotated = "\n".join(
        [
            "134,607,630 (100.0%)  PROGRAM TOTALS",
            "17,456,472 (12.97%)  Python/ceval.c:_PyEval_EvalFrameDefault [/lib/libpython3.11.so]",
            " 2,043,342 ( 1.52%)  ???:0x000000001506ab20 [???]",
            " 1,000,000 ( 0.70%)  ???:0x0000000000000100 [/home/u/.cache/gritwit/a-b.cwasm]",
            " 3,978,257 ( 2.96%)  ???:0x0000000000006250'2 [/usr/lib/libffi.so.8.1.2]",
        ]
    )
    assert tool.guest_instructions(annotated) == 2_043_342 + 1_000_000


@pytest.mark.req("SBX-006.7")
def test_the_gate_fails_past_the_factor_and_passes_at_it() -> None:
    assert tool.LIMIT == HOST_FACTOR == 4
    at = tool.Ratio("fd_readdir-entries-2000", 10, 5, HOST_FACTOR, 9.0)
    past = tool.Ratio("random_get-bytes-1", 10, 5, HOST_FACTOR + 0.01, 1.0)
    assert tool.check([at]) == []
    (failure,) = tool.check([at, past])
    assert failure.startswith("random_get-bytes-1: 4.01x") and "SBX-006.7" in failure
    missing = tool.Failed("fd_read-bytes-1", "the counted run failed (exit 1):\nTraceback")
    assert tool.check([missing]) == [
        "fd_read-bytes-1: not counted (the counted run failed (exit 1):)"
    ]


def test_every_workload_is_named_for_its_call_and_axis_and_turns_at_least_once() -> None:
    assert len(bench.LOOPS) == len({loop.name for loop in bench.LOOPS.values()})
    for name, loop in bench.LOOPS.items():
        assert name.startswith(loop.call) and loop.n >= 1, name
        program = loop.program()
        compile(program, name, "exec")  # a program, whatever its body
        assert "for _ in range(n + 1):" in program
    assert set(bench.TIMED) <= set(bench.LOOPS)
    deep = [name for name, loop in bench.LOOPS.items() if loop.deep]
    assert all(bench.LOOPS[name].deep for name in deep) and len(deep) < len(bench.LOOPS) / 4


#: Workloads traced in the default run; ``heavy`` traces them all.
SAMPLE = (
    "clock_time_get",
    "fd_read-iovecs-16",
    "path_filestat_get-depth-100",
    "fd_readdir-sorted-2000",
)


def _check_trace(name: str) -> None:
    loop = bench.LOOPS[name]
    pair = bench.loop_pair(loop)
    assert pair.calls.get(loop.call, 0) >= loop.n, (name, pair.calls)
    assert all(count % loop.n == 0 for count in pair.calls.values()), (name, pair.calls)
    assert 0 < pair.host_fuel < pair.extra_fuel, name


@needs_interpreter
@pytest.mark.slow
@pytest.mark.parametrize("name", SAMPLE)
def test_each_turn_makes_the_call_it_is_named_for(name: str) -> None:
    """The extra turns of the longer run make ``n`` calls (or a multiple) of the workload's
    call, and the host's charges are part of what they used, not all of it."""
    _check_trace(name)


@needs_interpreter
@pytest.mark.heavy
@pytest.mark.parametrize("name", [n for n in bench.LOOPS if n not in SAMPLE])
def test_each_turn_of_every_workload_makes_its_call(name: str) -> None:
    _check_trace(name)


# -- the host's work made cheaper, its figures unchanged --------------------------------------

_NAMES = st.text(st.characters(codec="utf-8", exclude_characters="/\0"), min_size=1, max_size=8)


@pytest.mark.req("SBX-005.11")
@settings(max_examples=60, deadline=None)
@given(way=st.lists(_NAMES, max_size=5), kept=st.integers(0, 5), names=st.lists(_NAMES))
def test_a_listings_inode_numbers_are_each_entrys_own(
    way: list[str], kept: int, names: list[str]
) -> None:
    """``Trail.numbers`` (one hash of the way, then each name) gives every entry the number
    ``Trail.number`` gives it, whichever trail above keeps its hash."""
    trail = Trail(Directory(), "/core", None)
    for depth, name in enumerate(way):
        trail = Trail(Directory(), name, trail)
        if depth == kept:
            trail.keep_hash()
    raws = [name.encode() for name in names]
    assert trail.numbers(raws) == [trail.number(name) for name in names]


#: Reads a file of 64 bytes into the buffers of ``sizes`` (from the input), from ``start``.
READV = """\
import json, os
sizes, start = json.load(open('/input/transition.json'))['messages'][0]['readv']
open('f', 'wb').write(bytes(range(64)))
fd = os.open('f', os.O_RDONLY)
os.lseek(fd, start, 0)
parts = [bytearray(size) for size in sizes]
print(os.readv(fd, parts), [bytes(part).hex() for part in parts])
"""


@needs_interpreter
@pytest.mark.slow
@pytest.mark.req("SBX-006.5", "SBX-005.32")
@settings(max_examples=12, deadline=None)
@given(sizes=st.lists(st.integers(0, 40), max_size=6), start=st.integers(0, 70))
def test_a_read_pays_its_bytes_at_once_as_it_paid_them_chunk_by_chunk(
    sizes: list[int], start: int
) -> None:
    """A read into several buffers is paid once for all its bytes, before the first copy
    (a charge per buffer was a ctypes round trip each); the run's output and
    fuel are those of the chunk-by-chunk payment it replaced."""
    from gritwit.sandbox import run_python
    from gritwit.sandbox.wasi import _state
    from gritwit.store import Store

    messages = ({"readv": [sizes, start]},)
    now = run_python(READV, store=Store.memory(), messages=messages)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_state.WasiState, "scatter", _chunk_by_chunk)
        before = run_python(READV, store=Store.memory(), messages=messages)
    assert (now.stdout, now.fuel) == (before.stdout, before.fuel)


def _chunk_by_chunk(state: object, ptr: int, count: int, source: bytes, start: int) -> int:
    """``WasiState.scatter`` as it was: each chunk paid, then copied, one after the other."""
    import ctypes

    from gritwit.sandbox.wasi import _state

    assert isinstance(state, _state.WasiState)
    done, base = 0, state._where()[0]
    left = min(max(0, len(source) - start), state.size)
    kept = ctypes.create_string_buffer(bytes(source), max(1, len(source)))
    address = ctypes.addressof(kept)
    for buf, length in state.iovecs(ptr, count):
        step = min(length, left - done)
        if step > 0:
            state.charge(step, "the bytes of a read")
            ctypes.memmove(base + buf, address + start + done, step)
            done += step
        if step < length:
            break
    return done


_ENTRIES = st.lists(st.tuples(st.integers(0, 300), st.integers(0, 80)), max_size=6)


@pytest.mark.req("SBX-006.5", "SBX-005.15", "SBX-005.32")
@settings(max_examples=200, deadline=None)
@given(entries=_ENTRIES, source=st.binary(max_size=90), start=st.integers(0, 100))
def test_a_reads_chunks_paid_at_once_fill_and_fail_as_they_did_one_by_one(
    entries: list[tuple[int, int]], source: bytes, start: int
) -> None:
    """The same bytes paid (before any copy, in one charge), the same memory filled, the
    same ``EFAULT`` where an entry lies outside memory (once the entries before it are
    filled: the call's chunks up to there), as the chunk-by-chunk payment."""
    import ctypes
    import struct

    from gritwit.sandbox.wasi import _state
    from gritwit.sandbox.wasi._fs import WasiError

    def run(scatter: object) -> tuple[object, list[int], bytes]:
        memory = ctypes.create_string_buffer(256)
        array = b"".join(struct.pack("<II", buf, length) for buf, length in entries)
        ctypes.memmove(memory, array, len(array))
        paid: list[int] = []

        class Counted(_state.WasiState):
            __slots__ = ()

            def charge(self, fuel: int, what: str) -> None:
                paid.append(fuel)

        state = Counted(b"")
        state.span = (ctypes.addressof(memory), 256)
        try:
            result: object = scatter(state, 0, len(entries), source, start)  # type: ignore[operator]
        except WasiError as error:
            result = ("errno", error.errno)
        return result, [sum(paid[1:])], memory.raw  # paid[0]: the iovec array, alike

    now = run(_state.WasiState.scatter)
    before = run(_chunk_by_chunk)
    assert now == before
