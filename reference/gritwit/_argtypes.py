"""Argument types of the command lines: one parser per kind of value, each a one-line refusal.

Shared by the reference's own commands (``python -m gritwit adapter|runtime|wasm``) and
the judge's ``gritwit`` command line, which registers them beside its own.  Pure: text
in, a value or :class:`argparse.ArgumentTypeError` out.
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = [
    "PrintVersion",
    "byte_bound",
    "count",
    "existing_dir",
    "percent",
    "positive_float",
    "positive_int",
]


class PrintVersion(argparse.Action):
    """``--version``: print ``version`` on one line and exit 0.

    argparse's own ``version`` action wraps the text to the terminal's width, and a
    development version with its text's label (CONV-003.8) makes the line long enough
    to be broken: a reader of ``gritwit --version`` gets the three names on one line.
    """

    def __init__(
        self,
        option_strings: list[str],
        version: str,
        dest: str = argparse.SUPPRESS,
        help: str | None = None,
    ) -> None:
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, help=help)
        self.version = version

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(self.version)  # on standard output, as argparse's own version action
        parser.exit()


def _number(text: str, kind: type[float] | type[int]) -> float:
    try:
        value = kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def positive_float(text: str) -> float:
    """A number of seconds > 0 (0 would fail every exchange and blame the adapter)."""
    value = _number(text, float)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def _whole(text: str, least: int, words: str) -> int:
    """A whole number of at least ``least``; ``words`` say the bound in a refusal."""
    value = int(_number(text, int))
    if value < least:
        raise argparse.ArgumentTypeError(f"must be {words}, not {text}")
    return value


def positive_int(text: str) -> int:
    return _whole(text, 1, "at least 1")


def byte_bound(text: str) -> int:
    """A bound in bytes: a whole number from 1 to 2**53 - 1 (RUN-022.2, RUN-023.2)."""
    value = positive_int(text)
    if value > 2**53 - 1:
        raise argparse.ArgumentTypeError(f"must be at most 2**53 - 1, not {text}")
    return value


def count(text: str) -> int:
    return _whole(text, 0, "0 or more")


def percent(text: str) -> float:
    value = _number(text, float)
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be a percentage from 0 to 100, not {text}")
    return value


def existing_dir(text: str) -> str:
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not a directory")
    return text
