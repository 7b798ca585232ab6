"""Locks of this checkout's own tests and gates, in the checkout's own folder.

A lock in the temporary folder is shared by every checkout of the same user: one xdist
worker of a test run waited 40+ minutes, printing nothing, behind another checkout's
instruction-gate run.  These locks live in ``.gritwit-locks/`` of the checkout, so only
this checkout's own runs take turns, and a wait longer than ``patience`` seconds says
what it waits for and, once over, how long it took: on the terminal, which pytest's
capture does not swallow.
"""

from __future__ import annotations

import contextlib
import fcntl
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["LOCKS", "checkout_lock", "terminal"]

#: Where this checkout's locks live (ignored by git).
LOCKS = Path(__file__).resolve().parents[1] / ".gritwit-locks"


def terminal(text: str) -> None:
    """One line where a person sees it: the controlling terminal, else standard error as
    the process started with it (pytest captures ``sys.stderr``, not this)."""
    try:
        with open("/dev/tty", "w", encoding="utf-8") as tty:
            tty.write(text + "\n")
            return
    except OSError:
        pass
    stream = sys.__stderr__
    if stream is not None:
        stream.write(text + "\n")
        stream.flush()


@contextlib.contextmanager
def checkout_lock(
    name: str,
    holder: str,
    *,
    patience: float = 3.0,
    say: Callable[[str], None] = terminal,
    folder: Path | None = None,
) -> Iterator[Path]:
    """Hold ``.gritwit-locks/<name>.lock`` of this checkout for the block.

    ``holder`` says who else takes it (``another loaded run of this checkout``); after
    ``patience`` seconds of waiting, ``say`` is told what the wait is for, and when it
    ended.  Yields the lock's path.
    """
    where = LOCKS if folder is None else folder
    where.mkdir(parents=True, exist_ok=True)
    path = where / f"{name}.lock"
    with open(path, "w") as lock:
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - started >= patience:
                    say(f"waiting for {path}: {holder} holds it")
                    fcntl.flock(lock, fcntl.LOCK_EX)
                    say(f"got {path} after {time.monotonic() - started:.0f} s")
                    break
                time.sleep(0.1)
        try:
            yield path
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
