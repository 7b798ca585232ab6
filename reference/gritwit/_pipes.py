"""A command whose reader went away (``gritwit runtime heads | head``) ends quietly, and so
does one interrupted by Ctrl-C.

When standard output is a pipe whose reader closed it, the next write raises
:class:`BrokenPipeError`.  That is no error of the command: it stops, prints nothing more
(no traceback, nor Python's "Exception ignored" at exit) and exits
:data:`EXIT_BROKEN_PIPE`, 141, the status of a process that ``SIGPIPE`` ended (128 + 13),
as ``git log | head`` or ``yes | head`` give: a shell's ``pipefail`` sees it as such.

Ctrl-C (``SIGINT``) ends a command at once with one line on standard error and the
status :data:`EXIT_INTERRUPTED`, 130 (128 + SIGINT), never a traceback
(:func:`stop_at_interrupt`).  "At once" matters: a ``KeyboardInterrupt`` raised in
``asyncio.run`` waits for the threads still running transitions before it reaches the
command, and ``runtime run`` took 11.8 s to stop.  Ending the process there loses
nothing: every store write is one transaction, and a store left by a killed process is
whole (DUR-003, RUN-007) — the runtime is built to survive ``kill -9``, which is what
this amounts to.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import Final

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_INTERRUPTED", "run_handler", "stop_at_interrupt"]

#: Exit status when standard output's reader went away: 128 + SIGPIPE.
EXIT_BROKEN_PIPE: Final = 141
#: Exit status of a command Ctrl-C stopped: 128 + SIGINT.
EXIT_INTERRUPTED: Final = 130


def stop_at_interrupt(prog: str) -> None:
    """From now on, Ctrl-C ends this process at once: ``PROG: interrupted`` on standard
    error, what standard output holds flushed, status :data:`EXIT_INTERRUPTED`.

    For a command's own process only (its entry point calls it): a library, or a test
    that calls ``main`` in its process, keeps Python's ``KeyboardInterrupt``.  A command
    that installs its own handler later (``serve``: uvicorn's graceful shutdown) keeps
    that one.
    """

    def interrupted(signum: int, frame: FrameType | None) -> None:
        for stream in (sys.stdout, sys.stderr):
            # A closed or broken stream has nothing to keep.
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os.write(2, f"{prog}: interrupted\n".encode())
        os._exit(EXIT_INTERRUPTED)

    # A process started with SIGINT ignored (a shell script's `cmd &`) stays deaf to it,
    # as Python itself leaves it.
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, interrupted)


def run_handler(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """``handler(args)``, its output flushed; a broken pipe → :data:`EXIT_BROKEN_PIPE`."""
    try:
        status = handler(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null so that flush, and
        # anything written meanwhile, goes nowhere instead of raising again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:  # in a process that kept Python's handler: one line, no traceback
        print(f"{sys.argv[0]}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return status
