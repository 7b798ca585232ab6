"""Progress lines of the long commands (``runtime run``, ``runtime verify``, ``actor import``).

A command that may take more than a few seconds says how far it got on standard error,
at most one line every :data:`INTERVAL` seconds, and one last line with its counts when
it is done: only when standard error is a terminal or ``--progress`` asks for them, never
with ``--quiet``.  Standard output keeps only the command's own result, so a script that
reads it sees the same bytes with or without progress.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any, Final, TextIO

__all__ = ["INTERVAL", "Progress", "add_progress_options"]

#: Seconds between two progress lines, at least.
INTERVAL: Final = 1.0


def add_progress_options(parser: Any) -> None:
    """``--progress`` and ``--quiet`` on a command's parser."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--progress",
        action="store_true",
        help="print progress lines on stderr, about one a second, even when stderr is "
        "not a terminal (default: only to a terminal)",
    )
    group.add_argument("--quiet", action="store_true", help="print no progress lines")


class Progress:
    """Where a long command is, told on ``stream`` now and then (see the module)."""

    def __init__(
        self,
        command: str,
        *,
        shown: bool,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._command = command
        self.shown = shown
        self._stream = stream
        self._clock = clock
        self._start = clock()
        self._last = self._start

    @classmethod
    def of(cls, command: str, args: argparse.Namespace) -> Progress:
        """Shown as ``--progress`` / ``--quiet`` say, else when stderr is a terminal."""
        if getattr(args, "quiet", False):
            return cls(command, shown=False)
        if getattr(args, "progress", False):
            return cls(command, shown=True)
        try:
            terminal = sys.stderr.isatty()
        except (AttributeError, ValueError):
            terminal = False
        return cls(command, shown=terminal)

    def _write(self, text: str) -> None:
        stream = self._stream or sys.stderr
        elapsed = self._clock() - self._start
        print(f"{self._command}: {text} ({elapsed:.0f} s)", file=stream, flush=True)

    def update(self, text: str | Callable[[], str]) -> None:
        """Say ``text`` if shown and :data:`INTERVAL` passed since the last line; a callable
        is called only then (counting may cost a little)."""
        if not self.shown:
            return
        now = self._clock()
        if now - self._last < INTERVAL:
            return
        self._last = now
        self._write(text() if callable(text) else text)

    def done(self, text: str) -> None:
        """The last line, with the final counts, if shown."""
        if self.shown:
            self._write(f"done: {text}")
