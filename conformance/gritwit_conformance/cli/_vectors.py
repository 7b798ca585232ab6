"""``gritwit vectors generate|verify``: the golden vectors (CONV-005.1).

``verify`` checks the checkout's ``vectors/``, else the copy installed with the suite
(:mod:`gritwit_conformance.data._paths`). ``generate`` writes into the checkout holding
the working directory, or into ``--dir``; outside a checkout (an installed wheel) it
needs ``--dir``: the installed copy is never rewritten. Without the ``sandbox`` extra,
``verify`` skips and counts the sandbox's vectors and ``generate`` refuses, in one line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gritwit._argtypes import existing_dir
from gritwit._progress import Progress, add_progress_options

__all__ = ["add_vectors_parser"]


_SANDBOX_EXTRA = "pip install 'gritwit[sandbox]'"


def _vectors_generate(args: argparse.Namespace) -> int:
    from gritwit.adapter._sandbox import sandbox_available

    from ..vectors import GenerationError, checkout_vectors_dir, write_vectors

    directory = Path(args.dir) if args.dir is not None else checkout_vectors_dir()
    if directory is None:  # never rewrite the checkout an installed package came from
        print(
            "gritwit vectors generate: not inside a gritwit checkout (the installed vectors "
            "are not rewritten); pass --dir DIR to write the vectors there",
            file=sys.stderr,
        )
        return 2
    if not sandbox_available():
        print(
            "gritwit vectors generate: the sandbox's vectors need the pinned interpreter of "
            f"the sandbox extra (SBX-002.1): {_SANDBOX_EXTRA}",
            file=sys.stderr,
        )
        return 2
    progress = Progress.of("gritwit vectors generate", args)
    try:
        with progress.ticking():  # one call, minutes on a loaded machine: a line a second
            progress.note(f"generating the vectors into {directory}")
            changed, stale = write_vectors(directory)
    except GenerationError as exc:
        print(f"gritwit vectors generate: {exc}", file=sys.stderr)
        return 1
    for relative in changed:
        print(f"wrote {directory / relative}")
    for relative in stale:
        print(f"stale file not written by the generator: {directory / relative}", file=sys.stderr)
    print(f"{directory}: {len(changed)} file(s) written, the rest unchanged")
    return 0


def _vectors_verify(args: argparse.Namespace) -> int:
    from ..data._paths import ResourcesMissing
    from ..vectors import find_vectors_dir, verify

    try:
        directory = Path(args.dir) if args.dir is not None else find_vectors_dir()
    except ResourcesMissing as exc:
        print(f"gritwit vectors verify: {exc}; or pass --dir DIR", file=sys.stderr)
        return 2
    quiet = bool(args.quiet)
    if not quiet:
        print(
            f"checking {directory} (minutes on a loaded machine; a line as each step ends)",
            file=sys.stderr,
            flush=True,
        )
    # with --progress (or on a terminal), a line each second within a step too
    ticker = Progress.of("gritwit vectors verify", args)
    ticker.note("checking the drift" if not args.no_drift else "checking the files")

    def progress(line: str) -> None:
        ticker.note(f"past {line}")
        if not quiet:
            print(f"  {line}", file=sys.stderr, flush=True)

    with ticker.ticking():
        report = verify(directory, against_generator=not args.no_drift, progress=progress)
    print(f"{directory}:")
    print(report.summary())
    return 0 if report.ok else 1


def add_vectors_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "vectors",
        help="generate or verify the golden vectors",
        description="Generate or verify the golden vectors (JSON + JSON Schema).",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, handler, help_text in (
        ("generate", _vectors_generate, "write the vector files (checked against the reference)"),
        ("verify", _vectors_verify, "check schema, drift and every vector against the reference"),
    ):
        action = actions.add_parser(name, help=help_text, description=help_text)
        action.add_argument(
            "--dir",
            default=None,
            type=existing_dir if name == "verify" else str,
            help="vectors directory (default: vectors/ of the gritwit checkout holding the "
            "working directory"
            + (", else the vectors installed with the suite)" if name == "verify" else ")"),
        )
        add_progress_options(action)
        if name == "verify":
            action.add_argument(
                "--no-drift",
                action="store_true",
                help="skip the check that the files equal the generator's output",
            )
        action.set_defaults(handler=handler)
