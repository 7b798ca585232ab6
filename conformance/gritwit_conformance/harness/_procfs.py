"""What an adapter's processes are doing, read from ``/proc`` (Linux; nothing elsewhere).

The harness starts every adapter in a session of its own (ADP-012), so the session
id is the adapter's pid and every process it starts (unless it leaves the session)
belongs to it.  :func:`session_usage` sums their CPU time for the progress rule of
ADP-012.3.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

__all__ = ["SessionUsage", "session_usage"]

_PROC = "/proc"
#: ``utime stime cutime cstime`` count clock ticks of this many per second.
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionUsage:
    """CPU seconds of a session's processes (None: not known here) and a disk wait."""

    cpu: float | None
    disk_wait: bool


def _stat_fields(pid: str) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first)."""
    with contextlib.suppress(OSError, IndexError), open(f"{_PROC}/{pid}/stat", "rb") as f:
        return f.read().rsplit(b")", 1)[1].decode("ascii", "replace").split()
    return None


def session_usage(session: int) -> SessionUsage:
    """CPU time used so far by every process of ``session``, children reaped included.

    ``disk_wait``: one of them is in uninterruptible sleep (state ``D``), as a process
    waiting for its disk (a sync) is.  Where ``/proc`` is not Linux's, the CPU time is
    None and the progress rule counts output only (ADP-012.3).
    """
    if not os.path.exists(f"{_PROC}/self/stat"):
        return SessionUsage(cpu=None, disk_wait=False)
    ticks = 0
    disk_wait = False
    with contextlib.suppress(OSError):
        for entry in os.scandir(_PROC):
            if not entry.name.isdigit():
                continue
            fields = _stat_fields(entry.name)
            # state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
            # utime stime cutime cstime …
            if fields is None or len(fields) < 15 or fields[3] != str(session):
                continue
            with contextlib.suppress(ValueError):
                ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))
            disk_wait = disk_wait or fields[0] == "D"
    return SessionUsage(cpu=ticks / _TICKS, disk_wait=disk_wait)
