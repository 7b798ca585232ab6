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
import sys
from collections.abc import Callable, Sequence

from gritwit._argtypes import PrintVersion
from gritwit._command_table import ALL, Command, add_commands, chosen_command
from gritwit._commands import COMMANDS as REFERENCE_COMMANDS
from gritwit._pipes import run_handler, stop_at_interrupt
from gritwit._version import SPEC_VERSION, __version__

from .. import SUITE_VERSION

__all__ = ["COMMANDS", "build_parser", "entry", "main"]

_CLI = "gritwit_conformance.cli"

#: Every command, the judge's then the reference's, each imported only when it runs
#: (:mod:`gritwit._command_table`).
COMMANDS: tuple[Command, ...] = (
    Command(
        "conform",
        "run the conformance suite against an implementation (default: the reference)",
        f"{_CLI}._conform:add_conform_parser",
    ),
    Command(
        "replay",
        "replay a failing test's exchange against an adapter, outside the suite",
        f"{_CLI}._replay:add_replay_parser",
    ),
    Command(
        "perf",
        "time implementations through their adapters, side by side (ADP-018)",
        "gritwit_conformance.runs._perf:add_perf_parser",
    ),
    Command(
        "mutate",
        "mutation-test the conformance suite: run mutants of the reference behind the stdio "
        "adapter and report how many the suite catches",
        f"{_CLI}._mutate:add_mutate_parser",
    ),
    Command(
        "report",
        "render conformance reports (JSON) as one HTML compliance matrix",
        "gritwit_conformance.report:add_report_parser",
    ),
    Command(
        "site",
        "write a static compliance site (overview, a page per implementation, badges)",
        "gritwit_conformance.site:add_site_parser",
    ),
    Command(
        "vectors",
        "generate or verify the golden vectors",
        f"{_CLI}._vectors:add_vectors_parser",
    ),
    Command(
        "trace",
        "check that every requirement ID is cited and every citation exists (CONV-005)",
        f"{_CLI}._trace:add_trace_parser",
    ),
    Command(
        "teleport",
        "move actors between two implementations and back; step ids must not change",
        "gritwit_conformance.teleport._cli:add_teleport_parser",
    ),
    *REFERENCE_COMMANDS,
)


def build_parser(chosen: str | None = ALL) -> argparse.ArgumentParser:
    """The argument parser of :data:`COMMANDS`: ``chosen``'s for real (every one by
    default) and stand-ins for the others (:func:`gritwit._command_table.add_commands`)."""
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
    add_commands(subparsers, COMMANDS, chosen)
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
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(chosen_command(arguments))
    args, extra = parser.parse_known_args(arguments)
    if extra:
        # An unknown option after a command is that command's error, with its own usage
        # (`gritwit conform --bogus`), not the top-level one.
        parser_of = _subcommand_parser(parser, getattr(args, "command", None))
        parser_of.error(f"unrecognized arguments: {' '.join(extra)}")
    handler: Callable[[argparse.Namespace], int] = args.handler
    return run_handler(handler, args)  # a reader that went away: quiet, exit 141


def entry() -> int:
    """The ``gritwit`` console script: :func:`main` in a process of its own, which Ctrl-C
    ends at once with one line and status 130 (:func:`gritwit._pipes.stop_at_interrupt`)."""
    stop_at_interrupt("gritwit")
    return main()
