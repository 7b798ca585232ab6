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
from collections.abc import Callable, Sequence
from typing import Any

from ._argtypes import PrintVersion
from ._pipes import run_handler
from ._version import SPEC_VERSION, __version__
from .adapter._cli import add_adapter_parser
from .console import add_actor_parser
from .runtime._cli import add_runtime_parser
from .sandbox._cli import add_sandbox_parser
from .serve._cli import add_serve_parser
from .serve._token_cli import add_audit_parser, add_token_parser
from .wasm._cli import add_wasm_parser
from .workspace._cli import add_pull_parser, add_push_parser

__all__ = ["COMMANDS", "build_parser", "main"]

#: One registration function per command of the reference.
COMMANDS: tuple[Callable[[Any], None], ...] = (
    add_adapter_parser,
    add_runtime_parser,
    add_actor_parser,
    add_wasm_parser,
    add_sandbox_parser,
    add_serve_parser,
    add_token_parser,
    add_audit_parser,
    add_push_parser,
    add_pull_parser,
)


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m gritwit``: the reference's commands only."""
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
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gritwit COMMAND …``; returns the exit status."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return run_handler(handler, args)  # a reader that went away: quiet, exit 141
