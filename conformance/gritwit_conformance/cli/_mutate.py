"""``gritwit mutate``: mutation-test the conformance suite against mutants of the reference."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from gritwit._argtypes import existing_dir, percent, positive_float, positive_int
from gritwit._checkout import checkout_root

__all__ = ["add_mutate_parser"]


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _mutate(args: argparse.Namespace) -> int:
    from ..mutate import GROUPS, Options
    from ..mutate import main as mutate_main

    if args.rerun and not Path(args.rerun).is_file():
        print(f"gritwit mutate: --rerun: {args.rerun!r} is not a file", file=sys.stderr)
        return 2
    root = Path(args.root) if args.root else checkout_root()
    if root is None:  # it mutates the reference's sources and keeps its baseline in the tree
        print(
            "gritwit mutate: run it inside a gritwit checkout (it needs the reference's "
            "sources and conformance/mutation/); none here nor where the package runs from",
            file=sys.stderr,
        )
        return 2
    if args.rekey_from:
        from ..mutate._rekey import main as rekey_main

        return rekey_main(root, args.rekey_from, GROUPS, source_dir="reference")
    unknown = set(args.group) - set(GROUPS)
    if unknown:
        print(
            f"gritwit mutate: unknown group(s) {sorted(unknown)}; known: {list(GROUPS)}",
            file=sys.stderr,
        )
        return 2
    if args.witnesses:
        from ..mutate import check_witnesses

        return check_witnesses(
            root,
            tuple(args.group) or tuple(GROUPS),
            out=Path(args.out),
            sample=None if os.environ.get("GRITWIT_PROFILE") == "deep" else args.sample,
            seed=args.seed,
            timeout=args.witness_timeout,
            only=tuple(args.mutant),
        )
    deep = os.environ.get("GRITWIT_PROFILE") == "deep"
    sample = None if args.all or deep else args.sample
    options = Options(
        groups=tuple(args.group) or tuple(GROUPS),
        modules=tuple(args.module),
        sample=sample,
        seed=args.seed,
        workers=args.workers,
        time_budget=None if deep else args.time_budget,
        timeout=args.timeout,
        examples=args.examples,
        root=root,
        only=tuple(args.mutant),
        against=tuple(_suite_relative(t) for t in args.against),
        previous=Path(args.rerun) if args.rerun else None,
        screen=args.screen,
        on_postgres=args.on_postgres,
    )
    # A SIGTERM ends the run as Ctrl-C does, so that what it started ends with it: the
    # traced map's xdist workers outlived a run killed so, tracing on at a core each, and
    # a throwaway PostgreSQL cluster's directory stayed behind.
    # Ctrl-C too (the console script's own handler ends the process at once): the run
    # stops its workers and keeps the verdicts it reached (gritwit mutate's main).
    signal.signal(signal.SIGTERM, _interrupted)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _interrupted)
    try:
        return mutate_main(
            options,
            out=Path(args.out),
            write_baseline=args.write_baseline,
            check_baseline=args.check_baseline,
            new=args.new,
            survivors=args.survivors,
            min_score=args.min_score,
            show=args.show,
        )
    except KeyboardInterrupt:  # outside the mutants' run (which keeps its verdicts)
        print(
            "gritwit mutate: interrupted; nothing was written to conformance/mutation/",
            file=sys.stderr,
        )
        return 130


def _suite_relative(test: str) -> str:
    """``conformance/gritwit_conformance/suite/x.py::t`` → ``suite/x.py::t``; the whole
    suite (``.``, ``suite``, ``…/gritwit_conformance/suite/``) → ``suite``, whose tests a
    job then selects as a folder's (``.`` once selected none: no node id starts with it)."""
    bare = test.rstrip("/")
    if bare in (".", "", "suite") or bare.endswith("/suite"):
        return "suite"
    marker = "suite/"
    index = test.find(marker)
    return test[index:] if index > 0 and test[index - 1] == "/" else test


def add_mutate_parser(subparsers: Any) -> None:
    help_text = (
        "mutation-test the conformance suite: run mutants of the reference behind the stdio "
        "adapter and report how many the suite catches"
    )
    parser = subparsers.add_parser("mutate", help=help_text, description=help_text)
    add = parser.add_argument
    add(
        "--group",
        action="append",
        default=[],
        help=(
            "codec, store, wit, runtime, life, serve, services, wasm or sandbox "
            "(repeatable; default: all)"
        ),
    )
    add(
        "--module",
        action="append",
        default=[],
        help="only this module, e.g. gritwit/_cbor.py (repeatable)",
    )
    add("--mutant", action="append", default=[], help="only this mutant id (repeatable)")
    add(
        "--against",
        action="append",
        default=[],
        metavar="TEST",
        help="run the chosen mutants against this test folder, file or node id instead of the "
        "traced test map, e.g. conformance/gritwit_conformance/suite/codec/test_limits.py "
        "(repeatable)",
    )
    add(
        "--sample",
        type=positive_int,
        default=None,
        help="a seeded sample of N mutants spread over "
        "the groups (ignored under GRITWIT_PROFILE=deep, which runs them all)",
    )
    add(
        "--rerun",
        default=None,  # checked when the command runs: the guides' commands parse anywhere
        metavar="REPORT.json",
        help="carry over the mutants an earlier report detected and run only the rest "
        "(after adding tests; the report says which results were carried)",
    )
    add(
        "--new",
        action="store_true",
        help="only the mutants no run has judged since the baseline (neither in "
        "conformance/mutation/baseline.json nor listed equivalent); with --write-baseline "
        "every verdict reached joins the baseline, within a time budget too",
    )
    add(
        "--survivors",
        action="store_true",
        help="only the mutants the baseline records alive (after writing a test for them); "
        "with --write-baseline their new verdicts replace the old (with --new: both sets)",
    )
    add("--all", action="store_true", help="every mutant (also the default without --sample)")
    add("--seed", type=int, default=9, help="seed of the sample (default 9)")
    add("--workers", type=positive_int, default=2, help="mutants run in parallel (default 2)")
    add(
        "--time-budget",
        type=positive_float,
        default=None,
        help="stop after this many seconds: a mutant still running is stopped and not judged; "
        "the report is then marked incomplete",
    )
    add(
        "--screen",
        type=positive_int,
        default=None,
        metavar="N",
        help="run each mutant against its first N tests only (its clause's tests, then the "
        "tests that killed its module's other mutants): kills are verdicts, a mutant alive "
        "after them is listed as screened and left unjudged (for a backlog: --new)",
    )
    add(
        "--on-postgres",
        action="store_true",
        help="judge the chosen mutants behind adapters storing in PostgreSQL (a throwaway "
        "cluster the run starts), whatever their group: the paths only a store server "
        "reaches (moved actors, erasure records, notes) in the runtime's modules",
    )
    add("--timeout", type=positive_float, default=10.0, help="seconds per adapter response")
    add("--examples", type=positive_int, default=None, help="hypothesis examples per property")
    add("--out", default="mutation-report.json", help="the JSON report")
    add("--show", type=int, default=20, help="survivors to print")
    add(
        "--write-baseline",
        action="store_true",
        help="rewrite conformance/mutation/{baseline,evidence}.json and unjudged.toml "
        "(complete runs, or --new)",
    )
    add(
        "--check-baseline",
        action="store_true",
        help="fail on a mutant alive that the baseline has detected, or that is new, and on a "
        "group with more unjudged mutants than conformance/mutation/unjudged.toml allows; "
        "a sample is then drawn from the mutants the baseline has detected",
    )
    add(
        "--rekey-from",
        default=None,
        metavar="REV",
        help="run no mutant: re-key conformance/mutation/ (baseline, evidence, equivalent "
        "lists) for code moved since the git commit REV to other modules of the groups, "
        "printing what it could not map",
    )
    add(
        "--witnesses",
        action="store_true",
        help="run no suite test: run each equivalent mutant whose reason names the reference "
        "test that sees it ('<test> sees it') against that test, and fail if one passes on "
        "its mutant or names no test (with --sample: a seeded sample of them)",
    )
    add(
        "--witness-timeout",
        type=positive_float,
        default=600.0,
        help="seconds a witness's tests may run on its mutant before it counts as hanging",
    )
    add("--min-score", type=percent, default=None, help="fail below this total score (percent)")
    add("--root", default=None, type=existing_dir, help="repository root (default: found from cwd)")
    parser.set_defaults(handler=_mutate)
