"""``gritwit token add|list|remove --store STORE`` and ``gritwit audit --store STORE``
(HTTP-018, HTTP-020).

``token add`` prints the new token once, on standard output, alone on its line; the
store keeps only its hash (HTTP-018.4).  Adding and removing a token are written to the
audit log as the operator's (``who``: ``cli``), as an ``admin`` request over HTTP would be.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._argtypes import positive_int

__all__ = ["add_audit_parser", "add_token_parser"]


def _open(args: argparse.Namespace, command: str) -> Any:
    from ..store import StoreRefused, open_store_for_command, store_location

    try:
        return open_store_for_command(store_location(args.store, args.dir), create=False)
    except StoreRefused as exc:
        print(f"gritwit {command}: {exc.line}", file=sys.stderr)
        raise SystemExit(exc.status) from None


def _store_arguments(parser: Any) -> None:
    """``--store STORE``, as every command names its store, and the positional store of
    older scripts, still read (deprecated in the help)."""
    parser.add_argument(
        "--store", metavar="STORE", help="a store's directory or postgresql:// URL (DUR-005)"
    )
    parser.add_argument(
        "dir",
        nargs="?",
        metavar="DIR",
        help="deprecated: the store as a positional argument; still read, use --store",
    )


def _record(store: Any, what: str, name: str, status: int) -> None:
    from ._audit import AuditEntry, append

    append(store, AuditEntry("cli", what, None, status, None if status < 400 else "bad-request"))


def _token(args: argparse.Namespace) -> int:
    from ._tokens import TokenRefused, add_token, list_tokens, parse_scopes, remove_token

    store = _open(args, "token")
    try:
        if args.action == "add":
            try:
                token = add_token(
                    store,
                    args.name,
                    parse_scopes(args.scope),
                    prefix=args.prefix,
                    rate=args.rate,
                    bytes_per_minute=args.bytes_per_minute,
                )
            except TokenRefused as exc:
                print(f"gritwit token: {exc}", file=sys.stderr)
                return 2
            _record(store, f"token add {args.name}", args.name, 201)
            print(token)
            return 0
        if args.action == "remove":
            if not remove_token(store, args.name):
                print(f"gritwit token: no token named {args.name!r}", file=sys.stderr)
                return 1
            _record(store, f"token remove {args.name}", args.name, 200)
            return 0
        for record in list_tokens(store):
            shown = {k: v for k, v in record.to_json().items() if k not in ("hash", "id")}
            print(json.dumps(shown, sort_keys=True))
        return 0
    finally:
        store.close()


def _audit(args: argparse.Namespace) -> int:
    from ._audit import read

    store = _open(args, "audit")
    try:
        for entry in read(store, args.limit):
            print(json.dumps(entry, sort_keys=True))
    finally:
        store.close()
    return 0


def add_token_parser(subparsers: Any) -> None:
    """Register ``token add|list|remove --store STORE``."""
    help_text = "issue, list and remove the bearer tokens of a store's services (HTTP-018)"
    parser = subparsers.add_parser(
        "token",
        help=help_text,
        description=help_text,
        epilog="A store that holds a token makes every service on it require one "
        "(HTTP-018.5). 'add' prints the token once; the store keeps only its SHA-256.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="issue a token and print it once")
    _store_arguments(add)
    add.add_argument("name", metavar="NAME", help="the token's name: who, in the audit log")
    add.add_argument(
        "--scope",
        required=True,
        metavar="SCOPES",
        help="comma-separated: read, send, create, operate, admin (HTTP-018.2)",
    )
    add.add_argument(
        "--prefix",
        metavar="NAMEPREFIX",
        help="limit it to actors with a name that starts with this (HTTP-018.3)",
    )
    add.add_argument(
        "--rate", type=positive_int, default=200, help="requests a second (HTTP-021.1)"
    )
    add.add_argument(
        "--bytes-per-minute",
        type=positive_int,
        default=1 << 30,
        help="request-body bytes a minute (HTTP-021.1)",
    )
    listing = actions.add_parser("list", help="list the tokens (never the tokens themselves)")
    _store_arguments(listing)
    remove = actions.add_parser("remove", help="remove a token: refused within 2 s")
    _store_arguments(remove)
    remove.add_argument("name", metavar="NAME")
    parser.set_defaults(handler=_token)


def add_audit_parser(subparsers: Any) -> None:
    """Register ``audit --store STORE [--limit N]``."""
    help_text = "print a store's audit log, newest first, one JSON object a line (HTTP-020)"
    parser = subparsers.add_parser("audit", help=help_text, description=help_text)
    _store_arguments(parser)
    parser.add_argument("--limit", type=positive_int, default=100, metavar="N")
    parser.set_defaults(handler=_audit)
