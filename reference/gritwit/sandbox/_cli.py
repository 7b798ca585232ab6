"""``gritwit sandbox run FILE.py``: run untrusted Python once and show what came out (SBX-007)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._errors import GritError
from .._ids import ObjectId
from ..store import Store
from ._mount import read_directory
from ._run import SandboxLimits, run_python

__all__ = ["add_sandbox_parser"]

_MB = 1 << 20


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {value}")
    return value


def add_sandbox_parser(subparsers: Any) -> None:
    """Register ``sandbox run`` on the ``gritwit`` parser."""
    help_text = "run untrusted Python in CPython on WASI (spec chapter 09-sandbox)"
    parser = subparsers.add_parser("sandbox", help=help_text, description=help_text)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    run_help = "run FILE.py once; print its output and the new core's id, or a typed violation"
    run = actions.add_parser("run", help=run_help, description=run_help)
    run.add_argument("file", type=Path, metavar="FILE.py")
    defaults = SandboxLimits()
    run.add_argument("--memory", type=_positive, default=defaults.memory_bytes // _MB, help="MiB")
    run.add_argument("--fuel", type=_positive, default=defaults.fuel, help="instructions")
    run.add_argument(
        "--mount",
        default=None,
        metavar="DIR|TREE",
        help="mounted as /core: a directory (copied, never changed) or, with --store, a tree id",
    )
    run.add_argument(
        "--store",
        type=Path,
        default=None,
        help="a Grit store directory: the tree to mount is read from it, the new core put in it",
    )
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    limits = SandboxLimits(fuel=args.fuel, memory_bytes=args.memory * _MB)
    try:
        store = Store.memory() if args.store is None else Store.open(args.store)
    except (OSError, GritError) as exc:
        print(f"gritwit sandbox: cannot open the store {args.store}: {exc}", file=sys.stderr)
        return 2
    try:
        source = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"gritwit sandbox: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        core = None
        if args.mount is not None and Path(args.mount).is_dir():
            core = read_directory(store, Path(args.mount), {}, limits.core_bytes)
        elif args.mount is not None and args.store is not None:
            core = ObjectId.from_hex(args.mount)
            store.get_object(core)  # not-found now, rather than inside the run
        elif args.mount is not None:
            print(
                f"gritwit sandbox: {args.mount} is not a directory (a tree id needs --store)",
                file=sys.stderr,
            )
            return 2
        result = run_python(source, store=store, core=core, limits=limits)
    except GritError as exc:
        print(f"gritwit sandbox: violation {exc.error_class}: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(result.stdout.decode("utf-8", "replace"))
    core_text = "none" if result.core is None else result.core.hex()
    print(f"core: {core_text}")
    print(f"fuel: {result.fuel}")
    return 0
