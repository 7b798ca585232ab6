"""Host instructions per unit of fuel of every WASI call, over plain bytecode's; CI's gate.

Usage (from the repository root, with the ``sandbox`` extra and valgrind installed)::

    python -m asv_bench.tools.host_cost                        # every workload, printed
    python -m asv_bench.tools.host_cost -w fd_readdir-entries-20000 -w random_get-bytes-256
    python -m asv_bench.tools.host_cost --check                # CI: every ratio within the limit
    python -m asv_bench.tools.host_cost --time                 # CPU time instead, no valgrind

SBX-006.7 states that the reference's host time per unit of fuel stays within
:data:`~gritwit.sandbox.wasi._cost.HOST_FACTOR` times plain bytecode's.  The workloads
are :data:`asv_bench.bench_host_cost.LOOPS`: a sandboxed program per WASI call and
axis, run twice, the second run turning its loop ``n`` times more; a workload's cost
per unit of fuel is what the extra turns cost over the fuel they used, and its figure
is that over the spin loop's (``while True: pass``, run to two fuel limits,
:data:`~asv_bench.bench_host_cost.SPIN`), counted in the same process.

**How it is counted.**  As ``asv_bench/tools/instructions.py`` counts (its
:class:`~asv_bench.tools.instructions.Callgrind` client requests, its fixed environment
and module cache): each process runs under ``valgrind --tool=callgrind
--instr-atstart=no``, builds its cores and makes every run once uninstrumented (the
interpreter's snapshot, the compiled module, the cores), then starts counting and
dumps after each run, so each run is a dump of its own.  The count of a run does not
move with the machine's load, so the gate is deterministic.  A large copy counts one
instruction per byte (the C library's ``rep movsb``): about what the byte costs in
time beside the spin loop's instructions, where the vector loop's count (a
thirty-second of it, :data:`~asv_bench.tools.instructions.VECTOR_COPIES`) would make a
call that copies a mebibyte look six to ten times cheaper than it is.

**The gate** (``--check``, run by ``.ci/run``): every workload's ratio must be at most
:data:`LIMIT`; a workload over it fails, with its figures, and so does one not counted.
There is no baseline to record: the limit is the spec's factor.

**Instructions are not time.**  The spin loop is compiled Wasm, which retires more
instructions per cycle than the host's Python; a ratio in CPU time is higher than
the same workload's ratio in instructions.  ``--time`` measures the CPU-time ratios
natively, rounds interleaved with the spin loop (with the load average printed): the
spec's table of SBX-006.7 gives both.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from asv_bench._counted_cache import prepare_for
from asv_bench.tools.instructions import (
    ROOT,
    Callgrind,
    _pycache,
    annotate,
    compile_modules,
    counted_command,
    counted_environment,
    dump_total,
    matching_instructions,
    say,
)
from gritwit.sandbox.wasi._cost import HOST_FACTOR

#: The most any workload's instructions per unit of fuel may be, over the spin loop's:
#: SBX-006.7's factor.
LIMIT = float(HOST_FACTOR)
#: What :func:`compile_modules` imports for the counted processes.
PREPARED = ("asv_bench.tools.host_cost", "asv_bench.bench_host_cost", "gritwit.sandbox")
#: The name of the spin loop's figures in a counted process's output.
SPIN = "spin"


@dataclass(frozen=True)
class Ratio:
    """One workload's figures, each over the spin loop's instructions (or CPU seconds) per
    unit of fuel: ``ratio``, the host's own per unit of the fuel it charged (the gate's);
    ``program``, the whole program's per unit of all the fuel its extra turns used.

    ``fuel`` and ``host_fuel``: the extra turns' fuel, and what the host charged of it.
    """

    workload: str
    fuel: int
    host_fuel: int
    ratio: float
    program: float


@dataclass(frozen=True)
class Failed:
    """A workload that was not counted, and why."""

    workload: str
    reason: str


# --- the counted process ------------------------------------------------------------------


def _child(names: list[str]) -> None:
    """Count the spin loop's runs, then each workload's (see the module); print the fuel."""
    import gc

    from asv_bench.bench_host_cost import LOOPS, loop_pair, spin_pair
    from gritwit.store import Store

    callgrind = Callgrind()
    store = Store.memory()
    spin = spin_pair(store)
    spin.call(0)  # the snapshot, and the compiled module: uninstrumented
    pairs = [(SPIN, spin), *((name, loop_pair(LOOPS[name], store)) for name in names)]
    gc.collect()
    gc.disable()
    callgrind.start()
    for _, pair in pairs:
        for which in (0, 1):
            pair.call(which)
            callgrind.dump()
    callgrind.stop()
    print(json.dumps({name: [*pair.fuel, pair.host_fuel] for name, pair in pairs}))


# --- counting (the parent) ----------------------------------------------------------------

#: The objects of the guest's code in a callgrind listing: what wasmtime compiled (the
#: interpreter's ``.cwasm``, mapped from the cache, or code callgrind finds no file for).
GUEST = re.compile(r"\[(?:[^\]]*\.cwasm|\?\?\?)\]\s*$")


def guest_instructions(annotated: str) -> int:
    """What the guest's compiled code counts, from ``callgrind_annotate``'s per-function lines."""
    return matching_instructions(annotated, GUEST)


@dataclass(frozen=True)
class Counted:
    """One run's instructions: all of them, and the guest's compiled code's."""

    total: int
    guest: int


def count(
    names: list[str], env: dict[str, str], keep: str | None = None
) -> Sequence[Ratio | Failed]:
    """The ratios of ``names``, counted in one process beside the spin loop; ``keep``: a
    folder to copy the dumps into (``<workload>.<0|1>``), for ``callgrind_annotate``."""
    with tempfile.TemporaryDirectory(prefix="gritwit-host-cost-") as folder:
        out = os.path.join(folder, "counted.out")
        command = counted_command(out, env, "asv_bench.tools.host_cost", names)
        env = {**env, "PYTHONHASHSEED": "0"}
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        dumps = [Path(f"{out}.{number}") for number in range(1, 2 * len(names) + 3)]
        if done.returncode or not all(dump.exists() for dump in dumps):
            reason = f"the counted run failed (exit {done.returncode}):\n{done.stderr[-3000:]}"
            return [Failed(name, reason) for name in names]
        fuel = json.loads(done.stdout.strip().splitlines()[-1])
        counted = []
        for number, dump in enumerate(dumps):
            if keep:
                name = [SPIN, *names][number // 2]
                shutil.copy(dump, Path(keep) / f"{name}.{number % 2}")
            annotated = annotate(dump)
            total = dump_total(dump.read_text(encoding="utf-8", errors="replace"))
            counted.append(Counted(total, guest_instructions(annotated)))
    return ratios([SPIN, *names], counted, fuel)


def ratios(names: list[str], counted: list[Counted], fuel: dict[str, list[int]]) -> list[Ratio]:
    """Each of ``names`` over ``names[0]`` (the spin loop): ``counted`` holds two runs per
    name (its shorter and its longer), ``fuel`` each name's runs' fuel and its host fuel."""
    extra = {}
    for index, name in enumerate(names):
        short, long = counted[2 * index], counted[2 * index + 1]
        used = fuel[name][1] - fuel[name][0]
        if used <= 0:
            raise ValueError(f"{name}: the longer run used no more fuel ({fuel[name][:2]})")
        host = long.total - long.guest - (short.total - short.guest)
        extra[name] = (used, fuel[name][2], long.total - short.total, host)
    spin = extra[names[0]][2] / extra[names[0]][0]
    found = []
    for name in names:
        used, host_fuel, instructions, host = extra[name]
        ratio = host / host_fuel / spin if host_fuel else 0.0
        found.append(Ratio(name, used, host_fuel, ratio, instructions / used / spin))
    return found


def count_all(names: list[str], *, jobs: int = 2, keep: str | None = None) -> list[Ratio | Failed]:
    """Every workload of ``names``, in ``jobs`` processes at once (each with its spin loop)."""
    env = counted_environment()
    # this checkout's gritwit, whatever the environment has installed (a worktree's own)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "reference"), str(ROOT)])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    groups = [names[i::jobs] for i in range(jobs) if names[i::jobs]]
    found: dict[str, Ratio | Failed] = {}
    say(prepare_for(env, ROOT))  # compiled natively: minutes less than under valgrind
    with _pycache() as pycache:
        env["GRITWIT_PYCACHE"] = pycache
        compile_modules(env, PREPARED)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for group in groups:
                say(f"counting {', '.join(group)} (one process, beside the spin loop)")
            for results in pool.map(lambda group: count(group, env, keep), groups):
                found.update((result.workload, result) for result in results)
                for result in results:  # each as its process ends
                    say(f"counted {line(result)}")
    spins = [found.pop(SPIN)] if SPIN in found else []
    return spins + [found[name] for name in names]


def time_all(names: list[str], *, rounds: int) -> list[Ratio | Failed]:
    """The whole programs' ratios in CPU time, natively, each workload's rounds interleaved
    with the spin loop's (:func:`asv_bench.bench_host_cost.cpu_ratio`).  The host's own
    share of the time is not measured: ``ratio`` is NaN."""
    from asv_bench.bench_host_cost import LOOPS, cpu_ratio, loop_pair, spin_pair
    from gritwit.store import Store

    store = Store.memory()
    spin = spin_pair(store)
    found: list[Ratio | Failed] = []
    for name in names:
        pair = loop_pair(LOOPS[name], store)
        took = cpu_ratio(pair, spin, rounds=rounds)
        found.append(Ratio(name, pair.extra_fuel, pair.host_fuel, float("nan"), took))
    return found


def check(results: Iterable[Ratio | Failed], limit: float = LIMIT) -> list[str]:
    """The gate's failures: a workload over ``limit`` times the spin loop, or not counted."""
    failures = []
    for result in results:
        if isinstance(result, Failed):
            failures.append(f"{result.workload}: not counted ({result.reason.splitlines()[0]})")
        elif result.ratio > limit:
            failures.append(
                f"{result.workload}: {result.ratio:.2f}x the spin loop's instructions per unit"
                f" of fuel (the host's, per unit of the fuel it charged), more than {limit}x"
                " (SBX-006.7)"
            )
    return failures


def line(result: Ratio | Failed) -> str:
    """One workload's row."""
    if isinstance(result, Failed):
        return f"{result.workload:<38} {'FAILED':>14} {result.reason.splitlines()[0][:40]}"
    r = result
    return f"{r.workload:<38} {r.fuel:>13,} {r.host_fuel:>13,} {r.ratio:>7.2f} {r.program:>8.2f}"


HEADER = f"{'workload':<38} {'extra fuel':>13} {'host fuel':>13} {'host':>7} {'program':>8}"


def main(argv: list[str] | None = None) -> int:
    from asv_bench.bench_host_cost import LOOPS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-w", "--workload", action="append", choices=LOOPS)
    parser.add_argument("--jobs", type=int, default=2, help="counted processes at once")
    parser.add_argument("--check", action="store_true", help=f"fail past {LIMIT}x (SBX-006.7)")
    parser.add_argument("--time", action="store_true", help="CPU time, natively, not callgrind")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of --time (default 5)")
    parser.add_argument(
        "--deep",
        action="store_true",
        default=os.environ.get("GRITWIT_PROFILE") == "deep",
        help="also the deep workloads (default with GRITWIT_PROFILE=deep)",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--keep", help="a folder to keep the callgrind dumps in")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child.split(","))
        return 0
    names = args.workload or [n for n, loop in LOOPS.items() if args.deep or not loop.deep]
    started = time.monotonic()
    if args.time:
        print(f"CPU time per unit of fuel over the spin loop's; load {os.getloadavg()[0]:.1f}")
        results = time_all(names, rounds=args.rounds)
    else:
        if shutil.which("valgrind") is None:
            print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
            return 2
        print(
            "instructions per unit of fuel (callgrind) over the spin loop's: the host's own"
            " per unit of the fuel it charged, and the whole program's"
        )
        results = count_all(names, jobs=args.jobs, keep=args.keep)
    print(HEADER)
    for result in results:
        print(line(result))
    print(f"\n{len(results)} workloads in {time.monotonic() - started:.0f} s")
    if args.json:
        rows = [r.__dict__ for r in results]
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    if args.check:
        failures = check(results)
        for failure in failures:
            print(f"FAILED: {failure}")
        if failures:
            return 1
        print(f"host-cost gate: {len(results)} workloads within {LIMIT}x the spin loop")
    return 1 if any(isinstance(r, Failed) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
