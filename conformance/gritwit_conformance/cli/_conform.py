"""``gritwit conform``: run the conformance suite against an implementation (ADP-001)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from gritwit._argtypes import count, existing_dir, positive_float, positive_int

from .. import PROFILES

__all__ = ["add_conform_parser"]


def _impl_command(text: str) -> str:
    """``reference`` or a command line that splits into at least a program (ADP-001)."""
    import shlex

    try:
        argv = shlex.split(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"cannot split {text!r} into words: {exc}") from None
    if not argv:
        raise argparse.ArgumentTypeError(
            "empty command: give the command that starts your adapter, or 'reference'"
        )
    return text


#: Exit statuses of a run a signal stopped (128 + SIGINT, SIGTERM).
_INTERRUPTED = (130, 143)


def _conform(args: argparse.Namespace) -> int:
    """Run ``gritwit conform``; an interrupted run leaves at once once its reports are out.

    Tearing the interpreter down after a run (the in-process reference's modules,
    caches and wasmtime engines) took 1.6 s of a 3.9 s stop under load: a person
    who pressed Ctrl-C has the reports and the summary by then (ADP-020.5).
    """
    status = _run(args)
    if status in _INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


def _requirement_id(text: str) -> str:
    """A requirement ID or clause, ``RUN-021`` or ``RUN-021.3`` (CONV-005)."""
    from ..data._requirement_ids import SHAPED_IN_TEXT

    found = SHAPED_IN_TEXT.fullmatch(text.strip())
    if found is None:
        raise argparse.ArgumentTypeError(
            f"not a requirement ID: {text!r} (like RUN-021 or RUN-021.3)"
        )
    return found.group(0)


def _out(args: argparse.Namespace) -> Path:
    """``--out``; by default a re-run writes beside its report, never over it."""
    if args.out is not None:
        return Path(args.out)
    if args.rerun is not None:
        rerun = Path(args.rerun)
        return rerun.with_name(rerun.stem + "-rerun")
    return Path("conformance-report")


def _run(args: argparse.Namespace) -> int:
    from ..runs._conform import run_conform

    out = _out(args)
    return run_conform(
        impl=args.impl,
        profiles=args.profile,
        workers=args.n,
        smoke=args.smoke,
        heavy=args.heavy or os.environ.get("GRITWIT_PROFILE") == "deep",
        json_path=out.with_suffix(".json"),
        junit_path=out.with_suffix(".xml"),
        examples=args.examples,
        timeout=args.timeout,
        timeout_scale=args.timeout_scale,
        vectors=Path(args.vectors) if args.vectors else None,
        spec_version=args.spec_version,
        rerun=Path(args.rerun) if args.rerun else None,
        requirements=args.requirement,
        tests=args.test,
    )


def add_conform_parser(subparsers: Any) -> None:
    help_text = "run the conformance suite against an implementation (default: the reference)"
    profiles = PROFILES
    parser = subparsers.add_parser(
        "conform",
        help=help_text,
        description=f"{help_text}. Profiles: {', '.join(profiles)}. Without --profile every "
        "profile's tests run, with the protocol tests of all of them; with --profile X only "
        "X's tests run, plus the protocol folder's tests that need only X (its commands' "
        "envelopes and arguments) and the handshake and envelope tests that need no profile "
        "(every adapter must pass them, whatever it claims); the protocol tests of other "
        "profiles are left out. Profiles the adapter does not claim in hello are reported "
        "as not claimed (ADP-006). Writes OUT.json (gritwit-report/3) "
        "and, from it, OUT.xml (JUnit).",
        epilog="selection: --rerun, --requirement and --test combine as 'and', the values "
        "of one repeated option as 'or'; every report form then says 'selected N of M "
        "tests' and what chose them. "
        "exit status: 0 all (selected) tests passed, or --rerun found nothing to re-run; "
        "1 a test failed, errored or timed out; 2 bad arguments (a --rerun file that is "
        "not a report, a selection that keeps no test; a requirement ID the spec does not "
        "define or an --out that cannot be written are refused before any test runs); "
        "3 the adapter could not start or failed its handshake (no test ran); "
        "4 the run did not finish for a reason other than a signal (a worker died, the "
        "harness crashed, a test file could not be collected, the adapter was declared hung "
        "after 3 time-outs in a row: ADP-012.5): the report is marked "
        "incomplete, never a pass; "
        "130/143 interrupted by SIGINT/SIGTERM (a partial report is written)",
    )
    parser.add_argument(
        "--impl",
        default=None,
        type=_impl_command,
        help="command line that starts the adapter of the implementation under test, "
        "or 'reference' (default: the in-process reference; with --rerun, the "
        "report's command)",
    )
    parser.add_argument(
        "--rerun",
        default=None,
        metavar="REPORT.json",
        help="run again only the failed, errored, timed-out and unexpectedly passed tests "
        "of a report conform wrote (default --out: REPORT-rerun; the report's --impl and "
        "--spec-version unless given)",
    )
    parser.add_argument(
        "--requirement",
        action="append",
        default=[],
        type=_requirement_id,
        metavar="ID",
        help="only the tests citing ID or one of its sub-clauses: RUN-021 selects "
        "RUN-021.3 too (repeatable)",
    )
    parser.add_argument(
        "--test",
        action="append",
        default=[],
        metavar="NAME",
        help="only the tests whose name or id (suite/codec/test_x.py::test_y[1]) contains "
        "NAME (repeatable)",
    )
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        choices=profiles,
        help="only this profile's tests, its protocol tests and the handshake and envelope "
        "tests every adapter needs (repeatable; default: every profile)",
    )
    parser.add_argument(
        "-n", type=count, default=1, help="parallel workers (pytest-xdist; default: 1)"
    )
    parser.add_argument("--smoke", action="store_true", help="a quick subset, for new adapters")
    parser.add_argument(
        "--heavy",
        action="store_true",
        help="also the heavy tests, minutes each (10,000 resident actors …); "
        "GRITWIT_PROFILE=deep implies it",
    )
    parser.add_argument(
        "--out",
        default=None,
        help="report path without suffix (.json, .xml; default: conformance-report, "
        "with --rerun REPORT.json: REPORT-rerun)",
    )
    parser.add_argument(
        "--examples",
        type=positive_int,
        default=None,
        help="hypothesis examples per property (default: 100)",
    )
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=10.0,
        help="seconds the adapter may take per response, before the scale "
        "(default: %(default)g); longer while it makes progress (ADP-012)",
    )
    parser.add_argument(
        "--timeout-scale",
        type=positive_float,
        default=None,
        metavar="S",
        help="multiply every answer limit by S (ADP-012.2; default: calibrated once per "
        "run from this machine's speed and load, between 1 and 10)",
    )
    parser.add_argument(
        "--vectors",
        default=None,
        type=existing_dir,
        help="golden vectors directory (default: vectors/ of the gritwit checkout holding "
        "the working directory, else the vectors installed with the suite)",
    )
    parser.add_argument(
        "--spec-version",
        default=None,
        metavar="X",
        help="judge as of spec version X (one spec/clauses.json records, or 'claimed' for the "
        "version the adapter claims in hello): tests whose every cited clause was added "
        "after X are reported not applicable; failures of clauses changed since stay "
        "failures, marked (ADP-005.5, ADP-005.6)",
    )
    parser.set_defaults(handler=_conform)
