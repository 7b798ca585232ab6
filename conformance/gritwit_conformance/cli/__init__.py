"""The ``gritwit`` command line: one subcommand per job.

The judge's commands live here, one module each (``conform``, ``replay``, ``perf``,
``mutate``, ``report``, ``site``, ``vectors``, ``trace``); the reference's own commands
(``adapter``, ``runtime``, ``wasm``, ``sandbox``) are registered from the reference
(:data:`gritwit._commands.COMMANDS`): the judge imports the judged, never the reverse.
Each registration function adds its parser and sets ``handler`` to a function taking
the parsed arguments and returning the exit status; adding a command means writing
one such function and listing it in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from gritwit._argtypes import PrintVersion
from gritwit._commands import COMMANDS as REFERENCE_COMMANDS
from gritwit._pipes import run_handler
from gritwit._version import SPEC_VERSION, __version__

from .. import SUITE_VERSION
from ..teleport._cli import add_teleport_parser
from ._conform import add_conform_parser
from ._mutate import add_mutate_parser
from ._replay import add_replay_parser
from ._trace import add_trace_parser
from ._vectors import add_vectors_parser

__all__ = ["COMMANDS", "build_parser", "main"]


def _add_report(subparsers: Any) -> None:
    from ..report import add_report_parser

    add_report_parser(subparsers)


def _add_site(subparsers: Any) -> None:
    from ..site import add_site_parser

    add_site_parser(subparsers)


def _add_perf(subparsers: Any) -> None:
    from ..runs._perf import add_perf_parser

    add_perf_parser(subparsers)


#: One registration function per subcommand: the judge's, then the reference's.
COMMANDS: tuple[Callable[[Any], None], ...] = (
    add_conform_parser,
    add_replay_parser,
    _add_perf,
    add_mutate_parser,
    _add_report,
    _add_site,
    add_vectors_parser,
    add_trace_parser,
    add_teleport_parser,
    *REFERENCE_COMMANDS,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="gritwit",
        description="Reference implementation and conformance tools for the Grit/Wit spec.",
    )
    parser.add_argument(
        "--version",
        action=PrintVersion,
        version=f"gritwit {__version__} (spec {SPEC_VERSION}, suite {SUITE_VERSION})",
        help="show program's version number and exit",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(subparsers)
    return parser


def _subcommand_parser(
    parser: argparse.ArgumentParser, name: str | None
) -> argparse.ArgumentParser:
    """The parser of subcommand ``name``, or ``parser`` itself."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and name in action.choices:
            chosen: argparse.ArgumentParser = action.choices[name]
            return chosen
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gritwit`` console script; returns the exit status."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # An unknown option after a command is that command's error, with its own usage
        # (`gritwit conform --bogus`), not the top-level one.
        parser_of = _subcommand_parser(parser, getattr(args, "command", None))
        parser_of.error(f"unrecognized arguments: {' '.join(extra)}")
    handler: Callable[[argparse.Namespace], int] = args.handler
    return run_handler(handler, args)  # a reader that went away: quiet, exit 141
