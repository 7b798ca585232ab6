"""Progress lines of the long commands (``runtime run``, ``runtime verify``, ``actor import``).

A command that may take more than a few seconds says how far it got on standard error,
about one line every :data:`INTERVAL` seconds of its work, and one last line with its
counts when it is done: only when standard error is a terminal or ``--progress`` asks for
them, never with ``--quiet``.  Standard output keeps only the command's own result, so a
script that reads it sees the same bytes with or without progress.

The lines are timed by the clock, not by the work: a command runs its work inside
:meth:`Progress.ticking`, whose thread looks at the clock :data:`TICKS` times an
interval and says the work's counts once an interval has passed.  A command that said
a line only between its own units of work was silent for as long as one unit took: a
run's round of a thousand transitions, 39 s, ran in one stretch of the event loop.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Final, TextIO

__all__ = ["INTERVAL", "TICKS", "Progress", "add_progress_options", "clock"]

#: Seconds between two progress lines, at least.
INTERVAL: Final = 1.0
#: How many times an interval the ticker looks at the clock: a line comes at most
#: ``INTERVAL / TICKS`` seconds late.
TICKS: Final = 10

#: The clock of the progress lines a command makes (:meth:`Progress.of`); a test puts a
#: clock of its own here.
clock: Callable[[], float] = time.monotonic


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


def _now() -> float:
    """:data:`clock`'s time, read when called: a clock a test put there counts too."""
    return clock()


class Progress:
    """Where a long command is, told on ``stream`` now and then (see the module)."""

    def __init__(
        self,
        command: str,
        *,
        shown: bool,
        stream: TextIO | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._command = command
        self.shown = shown
        self._stream = stream
        self._clock = clock or _now
        self._start = self._clock()
        self._last = self._start
        #: The ticker's thread and the work both say lines; one at a time.
        self._lock = threading.Lock()
        #: The work's latest counts (:meth:`note`), for the ticker to say.
        self._noted = "started"

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
        with self._lock:
            now = self._clock()
            if now - self._last < INTERVAL:
                return
            self._last = now
            self._write(text() if callable(text) else text)

    def note(self, text: str) -> None:
        """Keep ``text``, the work's counts now, for the ticker (:meth:`ticking`) to say."""
        self._noted = text

    @contextlib.contextmanager
    def ticking(self, text: Callable[[], str] | None = None) -> Iterator[None]:
        """While the block runs, a thread of its own says ``text()`` (else the last
        :meth:`note`) whenever :data:`INTERVAL` has passed since the last line, however
        long one unit of the block's work takes.  ``text`` is called from that thread,
        so it reads counts the work keeps up to date, and nothing else.  Nothing when
        not shown."""
        if not self.shown:
            yield
            return
        if text is None:
            text = self._latest
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(INTERVAL / TICKS):
                # a count read while the work changes it may fail: the next tick reads again
                with contextlib.suppress(Exception):
                    self.update(text)

        ticker = threading.Thread(target=tick, name=f"{self._command} progress", daemon=True)
        ticker.start()
        try:
            yield
        finally:
            stop.set()
            ticker.join()

    def _latest(self) -> str:
        return self._noted

    def done(self, text: str) -> None:
        """The last line, with the final counts, if shown."""
        if self.shown:
            with self._lock:
                self._write(f"done: {text}")
