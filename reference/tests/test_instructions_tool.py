"""``asv_bench/tools/instructions.py``: callgrind's totals read right, the arithmetic that
cancels set-up, and the ``pingpong-minimal`` yardstick doing the minimum work it claims.

The counted runs themselves need valgrind and take tens of seconds: one workload is
counted twice under the ``heavy`` marker, and must give the same figure, within the
committed baseline (the gate's own logic: ``test_instruction_gate.py``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import ModuleType

import cbor2
import pytest
from scripts import load_script

#: The instruction gate counts under valgrind; CI installs it.
needs_valgrind = pytest.mark.skipif(
    shutil.which("valgrind") is None,
    reason="valgrind is not installed (apt-get install valgrind): the instruction gate"
    " needs it; CI installs it",
)

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    return load_script(ROOT / "asv_bench/tools/instructions.py", "instructions_tool")


tool = _load()


def test_dump_total_reads_the_one_totals_line_of_a_dump() -> None:
    dump = "version: 1\ncmd: python\ndesc: Trigger: Client Request: counted\n"
    dump += "events: Ir\nfn=(1) main\n16 3\nsummary: 1044445367\ntotals: 1044445367\n"
    assert tool.dump_total(dump) == 1_044_445_367
    with pytest.raises(ValueError):
        tool.dump_total("version: 1\nevents: Ir\n")  # no total: the run did not finish
    with pytest.raises(ValueError):
        tool.dump_total(dump + "totals: 5\n")  # two dumps in one: not what was asked


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


def test_per_operation_divides_what_was_counted_by_the_operations() -> None:
    # 2 operations per call, 20 counted calls: 200,000 each
    assert tool.per_operation(8_000_000, calls=20, operations=2) == 200_000
    with pytest.raises(ValueError):
        tool.per_operation(0, calls=20, operations=2)  # not run under callgrind


def test_client_requests_do_nothing_outside_valgrind() -> None:
    """The requests are valgrind's magic instruction sequence: natively a no-op that
    returns the default, so a counted child also runs (uncounted) without valgrind."""
    if tool.platform.machine().lower() not in ("x86_64", "amd64"):
        pytest.skip("the client requests are written for x86-64")
    callgrind = tool.Callgrind()
    assert not callgrind.running()
    callgrind.start()
    callgrind.dump()
    callgrind.stop()


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
@needs_valgrind
def test_a_workload_counts_the_same_instructions_twice() -> None:
    first, again = (tool.count_all(["counter-floor"])[0] for _ in range(2))
    assert first.instructions > 50_000  # six canonical encodes and hashes
    assert abs(first.instructions - again.instructions) <= 0.001 * first.instructions
    failures, _ = tool.check([first], tool.read_baseline(tool.BASELINE), tool.environment())
    assert not failures, failures  # and unchanged code passes the gate


class _Stop(Exception):
    """Raised by the stand-in of ``subprocess.run``: the command was seen, run nothing."""


@pytest.mark.parametrize(
    ("names", "vector"),
    [(["wasm-kept-vector"], True), (["wasm-kept"], False), (["wasm-twin"], False)],
)
def test_only_a_vector_copies_workload_runs_with_the_c_library_s_vector_copies(
    monkeypatch: pytest.MonkeyPatch, names: list[str], vector: bool
) -> None:
    """``GLIBC_TUNABLES`` reaches the counted process of ``wasm-kept-vector`` alone."""
    seen: list[dict[str, str]] = []

    def run(command: list[str], **kwargs: object) -> None:
        env = kwargs["env"]
        assert isinstance(env, dict)
        seen.append(env)
        raise _Stop

    monkeypatch.setattr(tool.subprocess, "run", run)
    with pytest.raises(_Stop):
        tool.count(names, {"GRITWIT_PYCACHE": "/nonexistent"})
    (env,) = seen
    assert (env.get("GLIBC_TUNABLES") == tool.VECTOR_COPIES) is vector
    assert env["PYTHONHASHSEED"] == "0"


@pytest.mark.heavy
@needs_valgrind
def test_the_vector_copy_counts_the_kept_step_s_reset_as_a_vector_loop() -> None:
    """The same step: what is not a copy is the same; the 64 KiB reset costs a tenth."""
    kept, vector = tool.count_all(["wasm-kept", "wasm-kept-vector"])
    assert abs(kept.no_copies - vector.no_copies) <= 0.01 * kept.no_copies
    assert kept.instructions - kept.no_copies > 65_536  # the reset, one per byte, and more
    assert vector.instructions - vector.no_copies < 0.25 * 65_536  # a vector loop


@pytest.mark.heavy
@needs_valgrind
def test_the_sandbox_modules_compiled_outside_valgrind_are_taken_under_it(
    tmp_path: Path,
) -> None:
    """The gate compiles the sandbox's interpreter and image natively for valgrind's CPU
    (``asv_bench/_counted_cache.py``); a counted run must load both as they are, not
    compile its own (minutes under valgrind): the files are the same after it."""
    if not tool._has_interpreter():
        pytest.skip("the sandbox extra is not installed: no interpreter to compile")
    from asv_bench._counted_cache import prepare_for

    env = {**tool.counted_environment(), "XDG_CACHE_HOME": str(tmp_path)}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "reference")])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    said = prepare_for(env, ROOT)
    assert said.endswith(": 2 written"), said
    files = sorted((tmp_path / "gritwit" / "sandbox").glob("*.cwasm"))
    assert len(files) == 2, files

    def held() -> dict[Path, tuple[int, int]]:
        return {f: (f.stat().st_ino, f.stat().st_mtime_ns) for f in files}

    before = held()
    assert prepare_for(env, ROOT).endswith(": 0 written")  # held: not compiled again
    with tool._pycache() as pycache:
        env["GRITWIT_PYCACHE"] = pycache
        tool.compile_modules(env)
        (counted,) = tool.count(["sandbox"], env)
    assert isinstance(counted, tool.Count), counted
    assert held() == before, "the counted run refused the modules and compiled its own"
