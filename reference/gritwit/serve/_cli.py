"""``gritwit serve --store STORE``: the reference HTTP service over a store (spec/10-http.md).

It prints exactly one line to standard output, ``gritwit serve: listening on URL``, once
it serves; on SIGTERM or an interrupt it stops as HTTP-001.4 says and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from .._argtypes import positive_float
from ..runtime._port_policy import PolicyError
from ..runtime._port_secrets import SecretError
from ._port_bounds import CEILING, PortBoundsError, operator_port_bounds

__all__ = ["add_serve_parser"]

#: Where a service listens when ``--listen`` is not given (HTTP-001.3: loopback).
DEFAULT_LISTEN = "127.0.0.1:8321"


def _port_settings(
    policy: Path | None, secrets: Path | None, secret_env: list[str] | None = None
) -> dict[str, Any]:
    """The port's policy and secrets from the operator's files and environment
    (PORT-003.1, PORT-009.1)."""
    import os

    from ..runtime import load_secrets, parse_policy
    from ..runtime._port_secrets import Secrets, environment_secrets, merge_secrets

    out: dict[str, Any] = {}
    if policy is not None:
        try:
            raw = json.loads(policy.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PolicyError(f"PORT-003.1: cannot read the policy {policy} ({exc})") from None
        out["port_policy"] = parse_policy(raw)
    if secrets is not None or secret_env:
        from_file = Secrets() if secrets is None else load_secrets(secrets)
        out["secrets"] = merge_secrets(from_file, environment_secrets(secret_env or (), os.environ))
    return out


def _listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6); ``PORT`` 0 picks a free port."""
    host, colon, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not colon or not host or not port.isascii() or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"give HOST:PORT (e.g. {DEFAULT_LISTEN}), not {text!r}")
    return host, int(port)


def _share(text: str) -> Any:
    from ..runtime import Share

    try:
        return Share.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _serve(args: argparse.Namespace) -> int:
    """Open the store, serve it until SIGTERM or an interrupt, exit 0 (HTTP-001.4)."""
    import asyncio

    from . import available

    if not available():
        print(
            "gritwit serve: needs Starlette, uvicorn and prometheus_client: "
            "pip install 'gritwit[serve]'",
            file=sys.stderr,
        )
        return 2
    from ..store import StoreRefused, open_store_for_command, store_location
    from ._engine import EngineSettings
    from ._malloc import free_large_blocks_to_the_system
    from ._server import OpenDoor, Service

    free_large_blocks_to_the_system()  # a body's copies leave with it (HTTP-013)

    # The operator's settings are read before the store is opened: one refused leaves no
    # store open and none made (--create).
    try:
        settings = EngineSettings(share=args.share)
        if args.port_policy is not None or args.secrets is not None or args.secret_env:
            operator = _port_settings(args.port_policy, args.secrets, args.secret_env)
            settings = replace(settings, **operator)
        if args.port_max_in_flight is not None or args.port_max_in_flight_total is not None:
            bounds = operator_port_bounds(args.port_max_in_flight, args.port_max_in_flight_total)
            settings = replace(settings, port_bounds=bounds)
    except (PolicyError, SecretError, PortBoundsError) as exc:  # no secret's value
        print(f"gritwit serve: {exc}", file=sys.stderr)
        return 2
    if args.time_limit is not None:
        settings = replace(settings, time_limit=args.time_limit)
    if (args.tls_cert is None) != (args.tls_key is None):
        print("gritwit serve: give --tls-cert and --tls-key together", file=sys.stderr)
        return 2
    tls = None if args.tls_cert is None else (args.tls_cert, args.tls_key)
    try:
        location = store_location(args.store, args.dir)
        store = open_store_for_command(location, create=args.create)
    except StoreRefused as exc:
        print(f"gritwit serve: {exc.line}", file=sys.stderr)
        return exc.status
    host, port = args.listen
    try:
        service = Service(
            store,
            host=host,
            port=port,
            settings=settings,
            insecure_no_auth=args.insecure_no_auth,
            tls=tls,
        )
    except OpenDoor as exc:  # the service closed the store
        print(f"gritwit serve: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"gritwit serve: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return 2

    async def main() -> None:
        serving = asyncio.create_task(service.serve(signals=True))
        while not service.ready and not serving.done():
            await asyncio.sleep(0.01)
        if service.ready:
            print(f"gritwit serve: listening on {service.url}", flush=True)
        await serving

    try:
        asyncio.run(main())
    except Exception as exc:
        print(f"gritwit serve: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


def add_serve_parser(subparsers: Any) -> None:
    """Register ``serve --store STORE [--share K/N] [--listen HOST:PORT] [--create]``
    (the positional store of older scripts still read)."""
    help_text = "serve a store over HTTP: create, send, query, read, move actors (HTTP-001 …)"
    parser = subparsers.add_parser(
        "serve",
        help=help_text,
        description=help_text,
        epilog="Prints 'gritwit serve: listening on URL' once it serves; SIGTERM or an "
        "interrupt stops it: requests under way finish, what it acknowledged is committed, "
        "exit 0 (HTTP-001.4). Watch it at URL/ui/ (a status page) and URL/metrics "
        "(Prometheus's text format) (HTTP-014). Exit 2: bad input (no store there, a schema "
        "the URL names that does not exist, a port it cannot listen on); 4: the store could "
        "not be reached (store-unavailable, DUR-006.1). A store holding a token (gritwit "
        "token add) makes it require one of every request but /healthz, /readyz and "
        "/v1/openapi.json (HTTP-018); beyond loopback it refuses to start without one "
        "(HTTP-019.1).",
    )
    parser.add_argument(
        "--store",
        metavar="STORE",
        help="the durable store: a directory, or a postgresql:// URL of a database "
        "(DUR-005, the extra gritwit[postgres])",
    )
    parser.add_argument(
        "dir",
        nargs="?",
        metavar="DIR",
        help="deprecated: the store as a positional argument, as older scripts give it; "
        "still read, use --store",
    )
    parser.add_argument(
        "--create",
        action="store_true",
        help="create an empty store if STORE holds none (default: refuse such a path or URL)",
    )
    parser.add_argument(
        "--listen",
        type=_listen,
        default=_listen(DEFAULT_LISTEN),
        metavar="HOST:PORT",
        help=f"where to listen (default: {DEFAULT_LISTEN}, loopback, HTTP-001.3; port 0 "
        "picks a free port, named in the line it prints)",
    )
    parser.add_argument(
        "--port-policy",
        type=Path,
        metavar="FILE",
        help="the port's policy: a JSON list of rules (PORT-003.1); none allows no request",
    )
    parser.add_argument(
        "--secrets",
        type=Path,
        metavar="FILE",
        help="the port's secrets: a JSON object of names and values (PORT-009.1), read "
        "here and never over HTTP",
    )
    parser.add_argument(
        "--secret-env",
        action="append",
        metavar="NAME=VARIABLE",
        help="a secret of the port from the environment: the secret NAME is the value of "
        "the variable VARIABLE (PORT-009.1); as often as needed, beside --secrets",
    )
    parser.add_argument(
        "--port-max-in-flight",
        metavar="N",
        help="most requests of one sender the port has in flight (PORT-005.2, PORT-005.8; "
        f"default 8, at most {CEILING:,}); one more is answered port-busy",
    )
    parser.add_argument(
        "--port-max-in-flight-total",
        metavar="N",
        help="most requests the port has in flight in all (PORT-005.2, PORT-005.8; "
        f"default 64, at most {CEILING:,}): each holds one of the port's threads",
    )
    parser.add_argument(
        "--share",
        type=_share,
        metavar="K/N",
        help="run only the actors of share K of N (RUN-021, HTTP-001.2); requests may "
        "still name any actor (default: every actor)",
    )
    parser.add_argument(
        "--time-limit",
        type=positive_float,
        metavar="SECONDS",
        help="the time bound of one transition (RUN-005; default: the runtime's, 5 s): a "
        "slower attempt fails (time-limit) and is retried as RUN-004 says",
    )
    parser.add_argument(
        "--insecure-no-auth",
        action="store_true",
        help="require no token even where the store holds some, and listen beyond "
        "loopback without any (HTTP-019.1): anyone who reaches the port may do anything",
    )
    parser.add_argument(
        "--tls-cert", metavar="FILE", help="serve HTTPS with this PEM certificate (chain)"
    )
    parser.add_argument("--tls-key", metavar="FILE", help="the PEM private key of --tls-cert")
    parser.set_defaults(handler=_serve)
