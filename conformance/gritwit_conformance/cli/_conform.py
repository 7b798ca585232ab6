"""``gritwit conform``: run the conformance suite against an implementation (ADP-001)."""

from __future__ import annotations

import argparse
import os
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


def _conform(args: argparse.Namespace) -> int:
    from .._conform import run_conform

    out = Path(args.out)
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
        vectors=Path(args.vectors) if args.vectors else None,
    )


def add_conform_parser(subparsers: Any) -> None:
    help_text = "run the conformance suite against an implementation (default: the reference)"
    profiles = PROFILES
    parser = subparsers.add_parser(
        "conform",
        help=help_text,
        description=f"{help_text}. Profiles: {', '.join(profiles)}; the protocol tests "
        "always run, and profiles the adapter does not claim in hello are reported as "
        "not claimed (ADP-006). Writes OUT.json (gritwit-report/2) and OUT.xml (JUnit).",
        epilog="exit status: 0 all passed; 1 a test failed or errored; 2 bad arguments; "
        "3 the adapter could not start or failed its handshake (no test ran); "
        "130/143 interrupted by SIGINT/SIGTERM (a partial report is written)",
    )
    parser.add_argument(
        "--impl",
        default="reference",
        type=_impl_command,
        help="command line that starts the adapter of the implementation under test, "
        "or 'reference' (default: the in-process reference)",
    )
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        choices=profiles,
        help="only this profile (repeatable; default: every profile)",
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
        default="conformance-report",
        help="report path without suffix (.json, .xml; default: %(default)s)",
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
        help="seconds the adapter may take per response (default: %(default)g)",
    )
    parser.add_argument(
        "--vectors",
        default=None,
        type=existing_dir,
        help="golden vectors directory (default: the vectors shipped with the suite)",
    )
    parser.set_defaults(handler=_conform)
