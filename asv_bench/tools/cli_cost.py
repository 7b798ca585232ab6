"""Instructions of the command line's quick commands, over ``python -c pass``; CI's gate.

Usage (from the repository root, with valgrind installed)::

    python -m asv_bench.tools.cli_cost            # every command, printed
    python -m asv_bench.tools.cli_cost --check    # CI: each within its limit

A user of git, Temporal or Golem expects a command to answer in tens of milliseconds;
``gritwit --version`` took 0.8 s of CPU and ``actor send`` 0.9 s, because the command
line imported every command's modules (pytest, uvicorn and wasmtime among them) before
it parsed its arguments.  Each command here runs as a user runs it, one whole process
under ``valgrind --tool=callgrind``, imports and interpreter start-up included, and its
count is divided by ``python -c pass``'s, counted the same way in the same run: the
interpreter's own start is the unit, so the figure does not move with the machine's
load, nor much with the machine.

**The gate** (``--check``): each command's ratio must be at most its limit
(:data:`COMMANDS`).  The limits come from the targets in CPU time, 0.12 s for
``--version`` and ``--help`` and 0.35 s for ``actor send``, ``query`` and ``list`` on a
directory store, over about 0.02 s for ``python -c pass``: 7x and 16x (measured
2026-11-29, load 19: ``--version`` 6.3x, 0.09-0.11 s of CPU; ``actor send`` and
``list`` 13.7x, 0.22-0.25 s; before the commands were imported lazily, 0.8-0.9 s).
Instructions are not time: the ratios in CPU time are printed by ``--time``.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["COMMANDS", "Command", "main"]


@dataclass(frozen=True)
class Command:
    """A command line, ``{store}`` and ``{actor}`` filled in, and its limit over the unit."""

    argv: tuple[str, ...]
    limit: float


#: The quick commands and the most each may cost, in ``python -c pass``'s instructions.
COMMANDS: dict[str, Command] = {
    "version": Command(("--version",), 7.0),
    "help": Command(("--help",), 7.0),
    "actor-send": Command(
        ("actor", "send", "--store", "{store}", "--mt", "inc", "{actor}", "1"), 16.0
    ),
    "actor-query": Command(("actor", "query", "--store", "{store}", "{actor}", "count"), 16.0),
    "actor-list": Command(("actor", "list", "--store", "{store}"), 16.0),
}

_GRITWIT = "from gritwit_conformance.cli import main; raise SystemExit(main())"
_COLLECTED = re.compile(r"Collected : (\d+)")


def _store(folder: Path) -> tuple[str, str]:
    """A directory store holding a counter that ran its genesis: (store, actor)."""
    store = str(folder / "store")
    gritwit = [sys.executable, "-m", "gritwit"]
    made = subprocess.run(
        [*gritwit, "actor", "create", "--store", store, "--create", "--test", "counter"],
        capture_output=True,
        text=True,
        check=True,
    )
    subprocess.run([*gritwit, "runtime", "run", store], capture_output=True, check=True)
    return store, made.stdout.strip()


def _argv(command: Command, store: str, actor: str) -> list[str]:
    return [part.format(store=store, actor=actor) for part in command.argv]


def counted(argv: list[str]) -> int:
    """Instructions of ``python ARGV`` as one whole process under callgrind."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={folder}/out",
                sys.executable,
                *argv,
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
    found = _COLLECTED.findall(done.stderr)
    if done.returncode != 0 or len(found) != 1:
        raise RuntimeError(
            f"python {' '.join(argv)}: exit {done.returncode}\n{done.stderr[-2000:]}"
        )
    return int(found[0])


def cpu(argv: list[str], rounds: int = 5) -> float:
    """The least CPU time (user + system) of ``rounds`` runs of ``python ARGV``."""
    best = float("inf")
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, *argv], capture_output=True, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        best = min(best, spent)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--command", action="append", choices=COMMANDS)
    parser.add_argument("--check", action="store_true", help="fail past a command's limit")
    parser.add_argument("--time", action="store_true", help="CPU time, natively, not callgrind")
    args = parser.parse_args(argv)
    names = args.command or list(COMMANDS)
    measure = cpu if args.time else counted
    if not args.time and shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        store, actor = _store(Path(folder))
        unit = measure(["-c", "pass"])
        unit_text = f"{unit:.3f} s of CPU" if args.time else f"{unit:,} instructions"
        print(f"python -c pass: {unit_text} (load {os.getloadavg()[0]:.1f})")
        over = []
        for name in names:
            command = COMMANDS[name]
            figure = measure(["-c", _GRITWIT, *_argv(command, store, actor)]) / unit
            verdict = "over" if figure > command.limit else "within"
            print(f"{name:12} {figure:6.1f}x  {verdict} {command.limit:.0f}x")
            if figure > command.limit:
                over.append(name)
    if args.check and over:
        print(f"FAILED: over their limit: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
