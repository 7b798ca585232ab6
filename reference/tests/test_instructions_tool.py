"""``asv_bench/tools/instructions.py``: callgrind's totals read right, the arithmetic that
cancels set-up, and the ``pingpong-minimal`` yardstick doing the minimum work it claims.

The counted runs themselves need valgrind and take tens of seconds: one workload is
counted twice under the ``heavy`` marker, and must give the same figure.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType

import cbor2
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    path = ROOT / "asv_bench/tools/instructions.py"
    spec = importlib.util.spec_from_file_location("instructions_tool", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tool = _load()


def test_collected_reads_the_one_total_callgrind_prints() -> None:
    stderr = "==41== Callgrind, a call-graph profiler\n==41== Collected : 1,044,445,367\n"
    assert tool.collected(stderr) == 1_044_445_367
    with pytest.raises(ValueError):
        tool.collected("==41== Callgrind\n")  # no total: the run did not finish
    with pytest.raises(ValueError):
        tool.collected(stderr + "==42== Collected : 5\n")  # a child process counted too


def test_copy_instructions_sums_the_byte_copy_functions_only() -> None:
    annotated = "\n".join(
        [
            "1,109,709,144 (100.0%)  PROGRAM TOTALS",
            "   69,409 (21.3%)  ./string/memcpy.S:__memcpy_avx_unaligned_erms [libc.so.6]",
            "    2,332 ( 0.7%)  ./string/memset.S:__memset_avx2_unaligned_erms [libc.so.6]",
            "      100 ( 0.0%)  ./string/memmove.S:__memmove_sse2 [libc.so.6]",
            "   75,834 (23.2%)  Python/ceval.c:_PyEval_EvalFrameDefault [libpython3.11.so]",
            "      512 ( 0.1%)  Objects/bytesobject.c:bytes_memcpy_like [libpython3.11.so]",
        ]
    )
    assert tool.copy_instructions(annotated) == 69_409 + 2_332 + 100


def test_per_operation_cancels_what_both_runs_share() -> None:
    setup, per_call = 900_000_000, 400_000  # 2 operations per call: 200,000 each
    short, long = setup + 10 * per_call, setup + 30 * per_call
    assert tool.per_operation(short, long, calls=10, operations=2) == 200_000
    with pytest.raises(ValueError):
        tool.per_operation(long, short, calls=10, operations=2)


def test_report_prints_each_count_and_the_ratios_whose_sides_were_counted() -> None:
    counts = [
        tool.Count("wasm-kept", 300_000, 240_000),
        tool.Count("wasm-twin", 150_000, 120_000),
        tool.Count("counter", 700_000, 690_000),
    ]
    lines = tool.report(counts)
    assert any(line.startswith("wasm-kept") and "300,000" in line for line in lines)
    (ratio,) = [line for line in lines if line.startswith("wasm-kept / wasm-twin")]
    assert "2.00" in ratio and ratio.endswith("2.00")
    assert not any(line.startswith("counter /") for line in lines)  # its floor was not counted


def test_the_minimal_yardstick_does_the_minimum_work_of_a_ping_pong_transition() -> None:
    """Four canonical objects per transition, each head advanced in turn, each reply
    chained after the last one to the same recipient: the work the floor encodes."""
    minimal = tool._Minimal()
    first, second = minimal.ready[0], next(a for a in minimal.state if a != minimal.ready[0])
    before = len(minimal.objects)
    for _ in range(10):
        minimal.transition()
    assert len(minimal.objects) == before + 4 * 10
    assert set(minimal.heads) == {first, second}
    for data in minimal.objects.values():  # built in canonical key order, so canonical
        assert cbor2.dumps(cbor2.loads(data), canonical=True) == data
    step = cbor2.loads(minimal.objects[minimal.heads[first]])
    outbox = cbor2.loads(minimal.objects[step["outbox"]])["entries"]
    reply = cbor2.loads(minimal.objects[outbox[second.hex()]])
    earlier = cbor2.loads(minimal.objects[reply["previous"]])
    assert earlier["type"] == "message" and earlier["headers"] == {"mt": "echo"}


@pytest.mark.heavy
@pytest.mark.skipif(
    shutil.which("valgrind") is None, reason="needs valgrind (apt-get install valgrind)"
)
def test_a_workload_counts_the_same_instructions_twice() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first, again = (tool.count("counter-floor", env) for _ in range(2))
    assert first.instructions > 50_000  # six canonical encodes and hashes
    assert abs(first.instructions - again.instructions) <= 0.01 * first.instructions
