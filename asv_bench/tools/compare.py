"""Benchmark regression check of a range: ``BASE`` against ``HEAD``, for pull requests.

Usage (from the repository root, with the ``bench`` extra installed)::

    python asv_bench/tools/compare.py                  # BASE=origin/main (or main) vs HEAD
    BASE=v0.1 python asv_bench/tools/compare.py        # any base
    python asv_bench/tools/compare.py --base HEAD~1 --head HEAD --factor 1.5

Two ``asv continuous`` runs, each building both commits in ``.asv/env``:

1. **work counters** (``bench_counts``: encodes, hashes, decodes, objects written,
   commits and store reads per transition).  They do not depend on the machine's
   load, so any increase at all is a regression (``--factor 1.0``);
2. **wall time** of a small set (:data:`TIMING`), in interleaved rounds (the two
   commits alternate, so a load change hits both), :data:`ROUNDS` rounds of
   :data:`REPEAT` samples each, flagged only when asv finds the difference
   statistically significant *and* larger than ``--factor`` (default
   :data:`FACTOR`, chosen from runs of unchanged code on the shared 2-core
   machine; see ``docs/guide/benchmarks.md``).

Exit status: 0 when nothing got worse, 1 when something did (or a benchmark
fails on ``HEAD`` only, or asv itself fails), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Wall-time threshold: a slowdown must exceed this ratio (and be significant).
FACTOR = 1.5
#: Interleaved rounds per commit, and samples per round.
ROUNDS = 6
REPEAT = 5
#: The wall-time subset: the codec, one counter transition (both stores) and a
#: ping-pong batch in memory; a few minutes on the shared machine.
TIMING = (
    r"^bench_codec\.Step\.time_encode_id_reference$",
    r"^bench_runtime\.CounterTransition\.time_one_transition",
    r"^bench_runtime\.PingPongBatch\.time_batch_of_transitions\('memory'\)",
)
#: The load-independent counters.
COUNTS = (r"^bench_counts\.",)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout.strip()


def _resolve(name: str) -> str | None:
    try:
        return _git("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
    except subprocess.CalledProcessError:
        return None


def default_base() -> str:
    """``$BASE``, else ``origin/main``, else ``main``."""
    if os.environ.get("BASE"):
        return os.environ["BASE"]
    return "origin/main" if _resolve("origin/main") else "main"


def counts_command(base: str, head: str) -> list[str]:
    """``asv continuous`` for the counters: any increase is a regression."""
    command = ["asv", "continuous", "--factor", "1.0", "--no-stats", "--split"]
    return [*command, *_benches(COUNTS), base, head]


def timing_command(base: str, head: str, factor: float, rounds: int, repeat: int) -> list[str]:
    """``asv continuous`` for wall time, interleaved, with the noise threshold."""
    command = ["asv", "continuous", "--interleave-rounds", "--factor", str(factor), "--split"]
    command += ["-a", f"rounds={rounds}", "-a", f"repeat={repeat}", "--no-only-changed"]
    return [*command, *_benches(TIMING), base, head]


def _benches(patterns: tuple[str, ...]) -> list[str]:
    return [arg for pattern in patterns for arg in ("-b", pattern)]


def _forget_results(results: Path, commits: tuple[str, ...]) -> None:
    """Drop earlier results of these commits, so only this run's are compared."""
    for commit in commits:
        for stale in results.glob(f"*/{commit[:8]}-*.json"):
            stale.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--base", default=None, help="base commit (default: $BASE, origin/main, main)"
    )
    parser.add_argument("--head", default="HEAD", help="commit under test (default: HEAD)")
    parser.add_argument(
        "--factor", type=float, default=FACTOR, help=f"wall-time threshold (default {FACTOR})"
    )
    parser.add_argument(
        "--rounds", type=int, default=ROUNDS, help=f"interleaved rounds (default {ROUNDS})"
    )
    parser.add_argument(
        "--repeat", type=int, default=REPEAT, help=f"samples per round (default {REPEAT})"
    )
    parser.add_argument("--counts-only", action="store_true", help="skip the wall-time run")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if args.factor < 1.0 or args.rounds < 1 or args.repeat < 1:
        parser.error("--factor must be >= 1.0, --rounds and --repeat >= 1")
    base_name = args.base or default_base()
    base, head = _resolve(base_name), _resolve(args.head)
    if base is None or head is None:
        parser.error(f"not a commit: {base_name if base is None else args.head}")
    if base == head:
        print(f"{base_name} and {args.head} are the same commit: nothing to compare")
        return 0
    subprocess.run(["asv", "machine", "--yes"], check=True, stdout=subprocess.DEVNULL)
    _forget_results(Path(".asv/results"), (base, head))
    print(f"== work counters: {base_name} ({base[:8]}) -> {args.head} ({head[:8]})", flush=True)
    worse = subprocess.run(counts_command(base, head)).returncode != 0
    if not args.counts_only:
        print(
            f"== wall time, factor {args.factor}, {args.rounds}x{args.repeat} samples", flush=True
        )
        command = timing_command(base, head, args.factor, args.rounds, args.repeat)
        worse = subprocess.run(command).returncode != 0 or worse
    print("REGRESSION (or asv failed: see above)" if worse else "no regression", flush=True)
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
