"""``gritwit wasm build``: build the Wasm test actors from their ``.wat`` sources (WASM-022)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._argtypes import existing_dir

__all__ = ["add_wasm_parser"]


def _wasm_build(args: argparse.Namespace) -> int:
    from ._build import build, find_wasm_dir

    try:
        directory = Path(args.dir) if args.dir is not None else find_wasm_dir()
    except FileNotFoundError as exc:
        print(f"gritwit wasm build: {exc}; pass --dir", file=sys.stderr)
        return 2
    report = build(directory, check=args.check)
    for path in report.changed:
        if args.check:
            print(f"not the build of its source (run gritwit wasm build): {path}")
        else:
            print(f"wrote: {path}")
    print(f"{directory}: {len(report.sources)} source(s), {len(report.changed)} changed")
    return 1 if args.check and not report.ok else 0


def add_wasm_parser(subparsers: Any) -> None:
    """Register ``wasm build [--check] [--dir DIR]``."""
    help_text = "build the Wasm test actors from their .wat sources (WASM-022)"
    parser = subparsers.add_parser("wasm", help=help_text, description=help_text)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    action = actions.add_parser("build", help=help_text, description=help_text)
    action.add_argument("--check", action="store_true", help="only compare, fail on a difference")
    action.add_argument(
        "--dir",
        default=None,
        type=existing_dir,
        help="default: conformance/wasm of the gritwit checkout holding the working directory "
        "(else the one the package runs from); an installed suite has none to build into",
    )
    action.set_defaults(handler=_wasm_build)
