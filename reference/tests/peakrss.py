"""A child process's own peak resident size, which ``os.wait4``'s ``ru_maxrss`` is not.

On Linux a child started the way :mod:`subprocess` starts one (``vfork`` or
``posix_spawn``: the child runs on its parent's memory until it calls ``exec``) carries
its *parent's* high-water mark into its ``ru_maxrss``: ``exec`` records the peak of the
memory it leaves (``fs/exec.c``, ``exec_mmap``: ``setmax_mm_hiwater_rss``) in the
process's ``maxrss``, which ``exec`` keeps, and under ``vfork`` that memory is the
parent's.  A plain ``fork`` (``preexec_fn``) records the parent's resident size at the
fork instead.  So ``os.wait4`` of ``gritwit runtime run`` started from an xdist worker
that earlier ran a test peaking at 736 MiB answers at least 736 MiB, whatever the
child did; measured here, ``python -c pass`` started by a process that had touched and
freed 700 MiB answered 713 MiB (13 MiB when started by a fresh one).

:func:`own_peak_command` runs a Python command so that, as it exits, it writes the
high-water mark of its own memory (``VmHWM`` of ``/proc/self/status``, which ``exec``
starts afresh) to a file; :func:`own_peak` reads it.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["own_peak", "own_peak_command"]

#: Run ``-m MODULE ARGS…`` or ``-c CODE ARGS…`` as ``python`` would, and at exit write
#: this process's own ``VmHWM`` (kB) to the file named first.
_PROLOGUE = """\
import atexit, sys
def _own_peak(path=sys.argv[1]):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                with open(path, "w") as out:
                    out.write(line.split()[1])
atexit.register(_own_peak)
mode, what, rest = sys.argv[2], sys.argv[3], sys.argv[4:]
if mode == "-m":
    import runpy
    sys.argv = [what, *rest]
    runpy.run_module(what, run_name="__main__", alter_sys=True)
else:
    sys.argv = ["-c", *rest]
    exec(compile(what, "<string>", "exec"), {"__name__": "__main__"})
"""


def own_peak_command(argv: list[str], report: Path) -> list[str]:
    """``argv`` — ``[python, "-m", module, …]`` or ``[python, "-c", code, …]`` — run so
    that it writes its own peak resident size to ``report`` as it exits normally."""
    python, mode, *rest = argv
    if mode not in ("-m", "-c") or not rest:
        raise ValueError(f"a Python command with -m or -c: {argv[:3]}")
    return [python, "-c", _PROLOGUE, str(report), mode, *rest]


def own_peak(report: Path) -> int:
    """The peak resident size, in bytes, the command of :func:`own_peak_command` wrote."""
    return int(report.read_text()) * 1024


def supported() -> bool:
    """Whether ``/proc/self/status`` tells a process's own peak (Linux)."""
    return sys.platform.startswith("linux") and Path("/proc/self/status").exists()
