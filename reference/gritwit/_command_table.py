"""Commands registered lazily: a command's module is imported only when it is chosen.

Each command of the command line is one :class:`Command`: its name, the one-line
summary the top-level help lists, and where its registration function lives
(``"module:function"``).  :func:`add_commands` adds the chosen command's real parser
and, for every other command, a stand-in with the same summary, so ``--help`` lists
every command and an unknown one is refused with the list of choices, while nothing of
a command that does not run is imported.  ``gritwit --version`` and ``actor send`` used
to import every command's module, pytest, uvicorn and wasmtime included, before they
parsed their arguments: about a second of CPU each.

A test builds every command for real and requires its summary to be the one here.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["ALL", "Command", "add_commands", "chosen_command"]

#: Build every command's real parser (the docs and the tests that read them all).
ALL = "*"


@dataclass(frozen=True)
class Command:
    """One command: its name, its summary and its registration function, imported late."""

    name: str
    summary: str
    #: ``"package.module:function"``: the function adds the parser to the subparsers.
    register: str

    def add(self, subparsers: Any) -> None:
        """Import the command's module and add its real parser."""
        module, function = self.register.split(":")
        getattr(importlib.import_module(module), function)(subparsers)


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names: its first argument unless that is an option."""
    return argv[0] if argv and not argv[0].startswith("-") else None


def add_commands(subparsers: Any, commands: Sequence[Command], chosen: str | None) -> None:
    """Add ``chosen``'s real parser (every one for :data:`ALL`) and stand-ins for the rest.

    A stand-in carries the command's summary and no arguments of its own; it is never
    parsed with, since the command it stands in for is not the one chosen.
    """
    for command in commands:
        if chosen in (ALL, command.name):
            command.add(subparsers)
        else:
            stand_in: argparse.ArgumentParser = subparsers.add_parser(
                command.name, help=command.summary, add_help=False
            )
            stand_in.set_defaults(handler=None)
