"""``gritwit trace``: requirement IDs against tests, vectors and evidence (CONV-005).

It checks ``--root``, else the checkout holding the working directory (or the one the
package runs from), else the copy installed with the suite
(:mod:`gritwit_conformance.data._paths`), which carries what trace reads; only
``--changes --update`` needs a checkout, since it writes ``spec/clauses.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gritwit._argtypes import existing_dir
from gritwit._version import SPEC_VERSION

__all__ = ["add_trace_parser"]


def _trace(args: argparse.Namespace) -> int:
    from ..data._paths import Resources, ResourcesMissing, find_resources
    from ..trace import trace

    try:
        tree = Resources(root=Path(args.root), installed=False) if args.root else find_resources()
    except ResourcesMissing as exc:
        print(f"gritwit trace: {exc}; or pass --root", file=sys.stderr)
        return 2
    root = tree.root
    if args.update and not args.changes:
        print("gritwit trace: --update goes with --changes: gritwit trace --changes --update")
        return 2
    if args.update and tree.installed:
        print(
            "gritwit trace: --update writes spec/clauses.json of a checkout; this is the copy "
            f"installed with the suite ({root}): run it in a clone",
            file=sys.stderr,
        )
        return 2
    if args.inputs:
        from ..trace import check_inputs as check
        from ..trace import render_inputs as render

        clauses, problems = check(tree)
        print(render(clauses, problems, verbose=args.clauses))
        return 1 if problems or (args.require_inputs and any(c.missing for c in clauses)) else 0
    if args.changes:
        from ..trace import changes_command

        status, lines = changes_command(root, SPEC_VERSION, update=args.update)
        print("\n".join(lines))
        return status
    report = trace(tree, require_negative=args.require_negative)
    print(report.render(clauses=args.clauses))
    if args.json:
        import json

        try:
            Path(args.json).write_text(
                json.dumps(report.table(), indent=1) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            print(f"gritwit trace: cannot write {args.json}: {exc.strerror}", file=sys.stderr)
            return 2
    return 0 if report.ok else 1


def add_trace_parser(subparsers: Any) -> None:
    help_text = "check that every requirement ID is cited and every citation exists (CONV-005)"
    parser = subparsers.add_parser("trace", help=help_text, description=help_text)
    parser.add_argument(
        "--root",
        default=None,
        type=existing_dir,
        help="repository root (default: the checkout holding the working directory, else "
        "the copy installed with the suite)",
    )
    parser.add_argument(
        "--clauses", action="store_true", help="print every clause with its negative checks"
    )
    parser.add_argument(
        "--require-negative",
        action="store_true",
        help="fail on a clause that no mutant, wrong adapter or untestable entry covers",
    )
    parser.add_argument("--json", default=None, metavar="PATH", help="write the clause table")
    parser.add_argument(
        "--inputs",
        action="store_true",
        help="per clause of conformance/inputs.toml (text, names, keys, sizes, counts, orders): "
        "the input classes its tests exercise (inputs markers) and those missing; with "
        "--clauses, the tests per class",
    )
    parser.add_argument(
        "--require-inputs",
        action="store_true",
        help="with --inputs: fail on a clause that misses a class it requires",
    )
    parser.add_argument(
        "--changes",
        action="store_true",
        help="instead: fail on a clause whose text differs from spec/clauses.json without an "
        "entry in spec/CHANGES.md (CONV-003.3)",
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="with --changes: record the current clause hashes in spec/clauses.json",
    )
    parser.set_defaults(handler=_trace)
