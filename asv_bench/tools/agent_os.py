"""gritwit's durable counter against Agent OS v0.1.1's, side by side (DUR-009).

Usage (from the repository root)::

    python -m asv_bench.tools.agent_os --aos-python ../aos-venv/bin/python
    python -m asv_bench.tools.agent_os --rounds 11 --transitions 200 -c agent-os-memory

Agent OS (``agent-os-py==0.1.1`` on PyPI, the seed's Python prototype) pins versions
that clash with gritwit's environment, so it runs in a virtual environment of its own:
``--aos-python`` names that environment's Python; without it the tool creates one in
the cache folder :func:`cache_venv` names (``python -m venv`` and ``pip install
agent-os-py==0.1.1``: needs the network once) and says so.

Every case is a child process that sets its counter up, then times ``--transitions``
transitions: one ``inc`` sent from outside, then the runtime runs the counter to its
new step.  The Agent OS side is ``agent_os_counter.py`` run by the other Python (see
its docstring: LMDB as Agent OS's CLI opens it, ``writemap=True``, so no ``fsync`` per
commit); gritwit's side is ``bench_runtime.CounterTransition``'s set-up and transition
run here (``--child``).  Each round runs every gritwit case next to a run of Agent OS
on LMDB (the reference), alternating which goes first (:func:`schedule`), so the two
share the machine's load; the figures are the process time (``time.process_time``: user
and system, so the kernel's work for a sync counts) and the wall time per transition,
medians over rounds, and each case's ratio to the reference run beside it (the median of
the rounds' ratios, with the rounds' range).  ``/proc/loadavg`` is printed before and
after.  ``--instructions N`` then counts each case once under callgrind (valgrind's
``totals``, whole child processes): a child making ``N`` transitions less one making
none, over ``N`` — a figure the machine's load does not move (the ``dump_total`` and
``per_operation`` of ``instructions.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from asv_bench.bench_runtime import CounterTransition
from asv_bench.tools.instructions import dump_total, per_operation

ROOT = Path(__file__).resolve().parents[2]
#: The Agent OS side, run by the other environment's Python.
AOS_SCRIPT = Path(__file__).resolve().parent / "agent_os_counter.py"
AOS_PACKAGE = "agent-os-py==0.1.1"


@dataclass(frozen=True)
class Case:
    """One configuration measured: ``side`` ``aos`` or ``gritwit``, and its store."""

    name: str
    side: str
    backend: str
    label: str


CASES = {
    c.name: c
    for c in (
        Case("agent-os-lmdb", "aos", "lmdb", "Agent OS, LMDB without fsync (its CLI's store)"),
        Case("agent-os-lmdb-sync", "aos", "lmdb-sync", "Agent OS, LMDB with fdatasync"),
        Case("agent-os-memory", "aos", "memory", "Agent OS, memory"),
        Case("gritwit-sqlite", "gritwit", "sqlite", "gritwit default, SQLite `power`"),
        Case(
            "gritwit-sqlite-process",
            "gritwit",
            "sqlite-process",
            "gritwit default, SQLite `process` (DUR-009)",
        ),
        Case("gritwit-memory", "gritwit", "memory", "gritwit default, memory"),
    )
}
REFERENCE = "agent-os-lmdb"
DEFAULT_CASES = ("gritwit-sqlite", "gritwit-sqlite-process", "gritwit-memory")


@dataclass(frozen=True)
class Sample:
    """One child's figures: seconds of CPU and of wall over ``transitions``."""

    cpu: float
    wall: float
    transitions: int
    instructions: int = 0

    @property
    def cpu_us(self) -> float:
        return self.cpu / self.transitions * 1e6

    @property
    def wall_us(self) -> float:
        return self.wall / self.transitions * 1e6


@dataclass(frozen=True)
class Row:
    """A case's medians (µs per transition) and its median ratios to the reference."""

    case: str
    cpu_us: float
    wall_us: float
    cpu_ratio: float
    wall_ratio: float
    rounds: int
    #: The lowest and the highest of the rounds' CPU ratios.
    cpu_ratio_range: tuple[float, float] = (1.0, 1.0)


def parse_sample(stdout: str, transitions: int) -> Sample:
    """The child's last line of output, a JSON object with ``cpu``, ``wall`` (seconds) and
    ``transitions`` (which must be the number asked for)."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        raise ValueError("the child printed nothing")
    figures = json.loads(lines[-1])
    if figures.get("transitions") != transitions:
        raise ValueError(
            f"the child made {figures.get('transitions')} transitions, not {transitions}"
        )
    if "count" in figures and figures["count"] != transitions:
        raise ValueError(f"the counter counted {figures['count']}, not {transitions}")
    return Sample(float(figures["cpu"]), float(figures["wall"]), transitions)


def schedule(cases: Sequence[str], rounds: int, reference: str = REFERENCE) -> list[list[str]]:
    """The runs of each round: every case beside a run of ``reference``, the reference
    first in even rounds and second in odd ones (A B A B …, then B A B A …)."""
    plan = []
    for number in range(rounds):
        run: list[str] = []
        for case in cases:
            run += [reference, case] if number % 2 == 0 else [case, reference]
        plan.append(run)
    return plan


def pairs(run: Sequence[str], reference: str = REFERENCE) -> list[tuple[int, int]]:
    """Indices ``(case, its reference run)`` in one round of :func:`schedule`."""
    return [(i + 1, i) if run[i] == reference else (i, i + 1) for i in range(0, len(run), 2)]


def summarise(
    plan: Sequence[Sequence[str]],
    samples: Sequence[Sequence[Sample]],
    reference: str = REFERENCE,
) -> list[Row]:
    """Medians per case over the rounds and each case's median ratio to the reference
    run beside it; the reference's own row has ratio 1 and the median of all its runs."""
    cpu: dict[str, list[float]] = {reference: []}
    wall: dict[str, list[float]] = {reference: []}
    cpu_ratio: dict[str, list[float]] = {}
    wall_ratio: dict[str, list[float]] = {}
    for run, figures in zip(plan, samples, strict=True):
        for case_at, ref_at in pairs(run, reference):
            case, ref = figures[case_at], figures[ref_at]
            name = run[case_at]
            cpu.setdefault(name, []).append(case.cpu_us)
            wall.setdefault(name, []).append(case.wall_us)
            cpu[reference].append(ref.cpu_us)
            wall[reference].append(ref.wall_us)
            cpu_ratio.setdefault(name, []).append(case.cpu_us / ref.cpu_us)
            wall_ratio.setdefault(name, []).append(case.wall_us / ref.wall_us)
    rows = [
        Row(
            reference,
            statistics.median(cpu[reference]),
            statistics.median(wall[reference]),
            1.0,
            1.0,
            len(cpu[reference]),
        )
    ]
    for name in cpu_ratio:
        rows.append(
            Row(
                name,
                statistics.median(cpu[name]),
                statistics.median(wall[name]),
                statistics.median(cpu_ratio[name]),
                statistics.median(wall_ratio[name]),
                len(cpu[name]),
                (min(cpu_ratio[name]), max(cpu_ratio[name])),
            )
        )
    return rows


def table(rows: Iterable[Row], reference: str = REFERENCE) -> list[str]:
    """The rows as a Markdown table."""
    lines = [
        f"| case | CPU µs | wall µs | CPU / {reference} (rounds' range) | wall / {reference} "
        "| runs |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        label = CASES[row.case].label if row.case in CASES else row.case
        lines.append(
            f"| {label} | {row.cpu_us:,.0f} | {row.wall_us:,.0f} | {row.cpu_ratio:.2f} "
            f"({row.cpu_ratio_range[0]:.2f}–{row.cpu_ratio_range[1]:.2f}) "
            f"| {row.wall_ratio:.2f} | {row.rounds} |"
        )
    return lines


def instruction_lines(counts: dict[str, float], reference: str = REFERENCE) -> list[str]:
    """Each case's instructions per transition and its ratio to ``reference``'s."""
    return [
        f"| {CASES[n].label if n in CASES else n} | {c:,.0f} | {c / counts[reference]:.2f} |"
        for n, c in counts.items()
    ]


def loadavg() -> str:
    """``/proc/loadavg``'s three averages (``?`` where there is none)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def cache_venv() -> Path:
    """Where the tool keeps its own Agent OS environment when given no ``--aos-python``."""
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "gritwit" / "agent-os-0.1.1" / "venv"


def ensure_aos_python(given: str | None) -> str:
    """``given``, or the cached environment's Python, created (with a message) if absent."""
    if given:
        return given
    venv = cache_venv()
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating a virtual environment for {AOS_PACKAGE} in {venv} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", AOS_PACKAGE], check=True)
    return str(python)


def command(case: Case, transitions: int, folder: str, aos_python: str) -> list[str]:
    """The child process measuring ``case``."""
    if case.side == "aos":
        return [aos_python, str(AOS_SCRIPT), case.backend, str(transitions), folder]
    return [
        sys.executable,
        "-m",
        "asv_bench.tools.agent_os",
        "--child",
        f"{case.backend},{transitions}",
    ]


def run_case(case: Case, transitions: int, aos_python: str, counted: bool = False) -> Sample:
    """One child process's figures for ``case``; with ``counted``, run under callgrind,
    its instructions in :attr:`Sample.instructions`."""
    folder = tempfile.mkdtemp(prefix=f"gritwit-aos-{case.name}-")
    try:
        out = Path(folder) / "callgrind.out"
        argv = command(case, transitions, str(Path(folder) / "store"), aos_python)
        if counted:
            argv = [
                shutil.which("valgrind") or "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                *argv,
            ]
        env = {**os.environ, "PYTHONHASHSEED": "0"}  # the same set and dict orders each run
        if case.side == "aos":
            env.pop("PYTHONPATH", None)  # gritwit's paths stay out of the other environment
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{case.name}: the child failed:\n{done.stderr[-3000:]}")
        sample = parse_sample(done.stdout, transitions)
        if counted:
            sample = replace(sample, instructions=dump_total(out.read_text(errors="replace")))
        return sample
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def instructions(case: Case, transitions: int, aos_python: str) -> float:
    """Instructions per transition of ``case`` under callgrind: a child making
    ``transitions`` less one making none (imports, set-up and exit drop out)."""
    made = run_case(case, transitions, aos_python, counted=True).instructions
    none = run_case(case, 0, aos_python, counted=True).instructions
    return per_operation(made - none, 1, transitions)


async def _transitions(bench: CounterTransition, transitions: int) -> tuple[float, float]:
    """``transitions`` of ``bench``'s transitions, each checked to be one step: CPU and
    wall seconds."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(transitions):
        await bench.runtime.send(bench.actor, bench.content, {"mt": "inc"})
        report = await bench.runtime.run_until_quiescent()
        if len(report.steps) != 1:
            raise AssertionError(f"{len(report.steps)} steps, not 1")
    return time.process_time() - cpu, time.perf_counter() - wall


def _gritwit(backend: str, transitions: int) -> dict[str, float | int]:
    """``bench_runtime.CounterTransition``'s set-up on ``backend``, then ``transitions``
    of its transitions in one call of its event loop (as Agent OS's side runs)."""
    bench = CounterTransition()
    bench.setup(backend)
    try:
        cpu, wall = bench.loop.run_until_complete(_transitions(bench, transitions))
    finally:
        bench.teardown(backend)
    return {"cpu": cpu, "wall": wall, "transitions": transitions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--aos-python", help="Python of a virtual environment with " + AOS_PACKAGE)
    parser.add_argument("-c", "--case", action="append", choices=sorted(set(CASES) - {REFERENCE}))
    parser.add_argument("--rounds", type=int, default=11, help="rounds (default 11)")
    parser.add_argument("--transitions", type=int, default=200, help="per run (default 200)")
    parser.add_argument(
        "--instructions",
        type=int,
        metavar="N",
        default=0,
        help="also count instructions per transition under callgrind, N transitions a case",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        backend, transitions = args.child.split(",")
        print(json.dumps(_gritwit(backend, int(transitions))))
        return 0
    aos_python = ensure_aos_python(args.aos_python)
    cases = args.case or list(DEFAULT_CASES)
    plan = schedule(cases, args.rounds)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load before: {loadavg()}")
    print(f"{args.rounds} rounds of {args.transitions} transitions; runs per round: {plan[0]}")
    samples = []
    for number, run in enumerate(plan, 1):
        figures = [run_case(CASES[name], args.transitions, aos_python) for name in run]
        samples.append(figures)
        done = ", ".join(f"{n} {s.cpu_us:,.0f}" for n, s in zip(run, figures, strict=True))
        print(f"round {number}: CPU µs {done}", flush=True)
    print(f"load after: {loadavg()}")
    print("\n".join(table(summarise(plan, samples))))
    if args.instructions:
        print(f"instructions per transition (callgrind, {args.instructions} transitions less 0):")
        counts = {
            n: instructions(CASES[n], args.instructions, aos_python) for n in [REFERENCE, *cases]
        }
        print(f"| case | instructions | / {REFERENCE} |\n|---|---|---|")
        for line in instruction_lines(counts):
            print(line, flush=True)
        print(f"load after counting: {loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
