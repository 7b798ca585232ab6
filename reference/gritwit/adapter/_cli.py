"""``gritwit adapter``: serve the reference over the adapter protocol on stdio (ADP-001)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

__all__ = ["add_adapter_parser"]


def _adapter(args: argparse.Namespace) -> int:
    from . import ReferenceAdapter, serve
    from ._stores import STORE_URL_VARIABLE

    url = args.store_url if args.store_url is not None else os.environ.get(STORE_URL_VARIABLE)
    if url:
        problem = _store_url_problem(url)
        if problem is not None:
            status, why = problem
            print(f"gritwit adapter: {why}", file=sys.stderr)
            return status
    if args.profiles is None and not url:
        return serve()
    profiles = None if args.profiles is None else tuple(args.profiles.split(","))
    return serve(ReferenceAdapter(profiles=profiles, store_url=url or None))


def _store_url_problem(url: str) -> tuple[int, str] | None:
    """Why ``url`` cannot hold the adapter's durable stores, as the exit status and one
    line, or ``None`` (DUR-005): a server that cannot be reached exits 4, as every
    command's (DUR-006.1), a URL or an install that can never work 2."""
    from ..store import (
        EXIT_STORE_UNAVAILABLE,
        EXIT_USAGE,
        MissingExtra,
        StoreUnreachable,
        is_store_url,
        probe_server,
    )

    if not is_store_url(url):
        why = f"--store-url {url[:80]!r}: give a postgresql:// or postgres:// URL (DUR-005)"
        return EXIT_USAGE, why
    try:
        probe_server(url)
    except StoreUnreachable as exc:
        return EXIT_STORE_UNAVAILABLE, f"--store-url: {exc}"
    except (MissingExtra, ValueError) as exc:  # ValueError: a store option
        return EXIT_USAGE, f"--store-url: {exc}"
    return None


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
    """Register ``adapter [--profiles P,Q] [--store-url URL]``."""
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
    parser.add_argument(
        "--store-url",
        default=None,
        metavar="URL",
        help="keep every durable store in this PostgreSQL database (postgresql://…, the "
        "extra gritwit[postgres]): each store-open/rt-open path a schema of its own, named "
        "in the file gritwit.postgres the path then holds (ADP-010.6, DUR-005); default: "
        "$GRITWIT_STORE_URL, else a SQLite file in each path",
    )
    parser.set_defaults(handler=_adapter)
