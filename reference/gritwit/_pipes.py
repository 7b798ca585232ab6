"""A command whose reader went away (``gritwit runtime heads | head``) ends quietly.

When standard output is a pipe whose reader closed it, the next write raises
:class:`BrokenPipeError`.  That is no error of the command: it stops, prints nothing more
(no traceback, nor Python's "Exception ignored" at exit) and exits
:data:`EXIT_BROKEN_PIPE`, 141, the status of a process that ``SIGPIPE`` ended (128 + 13),
as ``git log | head`` or ``yes | head`` give: a shell's ``pipefail`` sees it as such.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Final

__all__ = ["EXIT_BROKEN_PIPE", "run_handler"]

#: Exit status when standard output's reader went away: 128 + SIGPIPE.
EXIT_BROKEN_PIPE: Final = 141


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
    return status
