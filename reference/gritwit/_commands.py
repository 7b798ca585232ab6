"""The reference's own commands: ``adapter``, ``runtime``, ``actor``, ``wasm``, ``sandbox``,
``serve``, ``push`` and ``pull``.

Each subpackage registers its command with one ``add_<name>_parser`` function (it adds
its parser and sets ``handler`` to a function of the parsed arguments returning the exit
status).  :data:`COMMANDS` lists them; ``python -m gritwit`` serves them (see
:mod:`gritwit.__main__`), and the judge's ``gritwit`` command line registers them beside
its own (``conform``, ``vectors``, ``trace`` …), which live in :mod:`gritwit_conformance.cli`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ._argtypes import PrintVersion
from ._command_table import ALL, Command, add_commands, chosen_command
from ._pipes import run_handler
from ._version import SPEC_VERSION, __version__

__all__ = ["COMMANDS", "build_parser", "main"]

#: The reference's commands, each imported only when it runs (:mod:`._command_table`).
COMMANDS: tuple[Command, ...] = (
    Command(
        "adapter",
        "serve the reference over the adapter protocol on stdin/stdout (ADP-001)",
        "gritwit.adapter._cli:add_adapter_parser",
    ),
    Command(
        "runtime",
        "run actors on a durable store, or inspect it (RUN-001 … RUN-007)",
        "gritwit.runtime._cli:add_runtime_parser",
    ),
    Command(
        "actor",
        "an actor's whole life: create, send, query, list, show, history, diff, events, fork, "
        "revert, clear, name, export, import",
        "gritwit.console:add_actor_parser",
    ),
    Command(
        "wasm",
        "build the Wasm test actors from their .wat sources (WASM-022)",
        "gritwit.wasm._cli:add_wasm_parser",
    ),
    Command(
        "sandbox",
        "run untrusted Python in CPython on WASI (spec chapter 09-sandbox)",
        "gritwit.sandbox._cli:add_sandbox_parser",
    ),
    Command(
        "serve",
        "serve a store over HTTP: create, send, query, read, move actors (HTTP-001 …)",
        "gritwit.serve._cli:add_serve_parser",
    ),
    Command(
        "token",
        "issue, list and remove the bearer tokens of a store's services (HTTP-018)",
        "gritwit.serve._token_cli:add_token_parser",
    ),
    Command(
        "audit",
        "print a store's audit log, newest first, one JSON object a line (HTTP-020)",
        "gritwit.serve._token_cli:add_audit_parser",
    ),
    Command(
        "push",
        "send a workspace's actors into a store: a genesis for each new name, an update for "
        "each changed code, nothing for the rest (RUN-026.6)",
        "gritwit.workspace._cli:add_push_parser",
    ),
    Command(
        "pull",
        "write an actor's current core to a directory, for debugging",
        "gritwit.workspace._cli:add_pull_parser",
    ),
)


def build_parser(chosen: str | None = ALL) -> argparse.ArgumentParser:
    """The parser of ``python -m gritwit``: the reference's commands only, ``chosen``'s
    for real (every one by default) and stand-ins for the others."""
    parser = argparse.ArgumentParser(
        prog="python -m gritwit",
        description="The Grit/Wit reference implementation: serve it, run actors on a store, "
        "build the Wasm test actors, run sandboxed Python, push a workspace. The conformance tools "
        "(conform, vectors, trace, report, site, mutate, perf) are the gritwit command.",
    )
    parser.add_argument(
        "--version",
        action=PrintVersion,
        version=f"gritwit {__version__} (spec {SPEC_VERSION})",
        help="show program's version number and exit",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_commands(subparsers, COMMANDS, chosen)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gritwit COMMAND …``; returns the exit status."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(chosen_command(arguments)).parse_args(arguments)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return run_handler(handler, args)  # a reader that went away: quiet, exit 141
