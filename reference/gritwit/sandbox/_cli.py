"""``gritwit sandbox run FILE.py``: run untrusted Python once and show what came out (SBX-007)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._errors import GritError
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
    run.add_argument("--mount", type=Path, default=None, help="directory mounted as /core")
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    limits = SandboxLimits(fuel=args.fuel, memory_bytes=args.memory * _MB)
    store = Store.memory()
    try:
        source = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"gritwit sandbox: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        core = None
        if args.mount is not None:
            if not args.mount.is_dir():
                print(f"gritwit sandbox: {args.mount} is not a directory", file=sys.stderr)
                return 2
            core = read_directory(store, args.mount, {}, limits.core_bytes)
        result = run_python(source, store=store, core=core, limits=limits)
    except GritError as exc:
        print(f"gritwit sandbox: violation {exc.error_class}: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(result.stdout.decode("utf-8", "replace"))
    core_text = "none" if result.core is None else result.core.hex()
    print(f"core: {core_text}")
    print(f"fuel: {result.fuel}")
    return 0
