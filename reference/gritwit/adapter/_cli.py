"""``gritwit adapter``: serve the reference over the adapter protocol on stdio (ADP-001)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_adapter_parser"]


def _adapter(args: argparse.Namespace) -> int:
    from . import ReferenceAdapter, serve

    if args.profiles is None:
        return serve()
    return serve(ReferenceAdapter(profiles=tuple(args.profiles.split(","))))


def _profile_list(text: str) -> str:
    from . import ReferenceAdapter

    names = [p for p in text.split(",") if p]
    unknown = sorted(set(names) - set(ReferenceAdapter.profiles))
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give profiles from {', '.join(ReferenceAdapter.profiles)}, comma-separated"
        )
    return ",".join(names)


def add_adapter_parser(subparsers: Any) -> None:
    """Register ``adapter [--profiles P,Q]``."""
    help_text = "serve the reference over the adapter protocol on stdin/stdout (ADP-001)"
    parser = subparsers.add_parser("adapter", help=help_text, description=help_text)
    parser.add_argument(
        "--profiles",
        type=_profile_list,
        default=None,
        metavar="P,Q",
        help="claim only these profiles and answer the others' commands as an implementation "
        "without them would (unsupported-command; a genesis of a module or program: "
        "bad-request); the check that the suite's profiles are independent (ADP-006)",
    )
    parser.set_defaults(handler=_adapter)
