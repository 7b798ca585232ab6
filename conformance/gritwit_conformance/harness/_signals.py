"""How a conformance run stops on SIGINT or SIGTERM (ADP-020.5).

The controller's handler kills the run's processes (xdist workers, which kill
their adapters, then whatever of the process tree is left) and ends the session
as interrupted; a worker's handler kills its adapters and exits.  The report
collector then writes a partial report.  A signal that arrives while the
in-process reference runs inside wasmtime is not raised there (it aborted the
process): the run stops when that test ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType
from typing import Any

import pytest

from ._state import run_state

__all__ = ["install_signal_handlers", "quiet_interrupt", "restore_signal_handlers", "watch"]


def _on_signal_in_worker(signum: int, frame: FrameType | None) -> None:
    """An xdist worker told to stop: kill its adapters and go (the controller reports)."""
    from ._transport import kill_all

    kill_all()
    os._exit(128 + signum)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    """SIGINT or SIGTERM on the run: stop children, then end the session as interrupted.

    The session ends at once (``KeyboardInterrupt``) unless the signal came while
    foreign code runs in this process — the in-process reference inside wasmtime,
    whose host callbacks an exception must not cross (a ``KeyboardInterrupt`` there
    aborted the process: no report at all).  Then the run stops when that test ends
    (``session.shouldstop``), the same as ``-n 0``'s ``pytest -x`` stops.
    """
    if run_state.interrupted is not None:
        return  # already stopping: let the partial report be written
    name = signal.Signals(signum).name
    run_state.interrupted = name
    # Before pytest-xdist tears its workers down (it would wait for them, then kill
    # them too hard for them to kill their adapters): each worker kills its adapters.
    _stop_children()
    if _session is not None:
        _session.shouldstop = f"interrupted by {name}"
    if not _in_foreign_code(frame):
        raise KeyboardInterrupt


#: Seconds the workers get to kill their adapters and exit before they are killed.
_GRACE = 1.0


def _descendants(pid: int) -> list[int]:
    """Every live process below ``pid``: the xdist workers and the adapters they started."""
    from ._transport import child_pids

    found, todo = [], [pid]
    while todo:
        for child in child_pids(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def _stop_children() -> None:
    """Stop the run's processes: workers first (each kills its adapters), then whatever
    of the tree seen at the signal is left, adapters' process groups included.

    A worker busy in native code (compiling Wasm while it collects, say) runs no signal
    handler until that call returns: waiting 3 s for it was most of a stop under load.
    The tree is taken first, so an adapter whose worker was killed is still found.
    """
    from ._transport import terminate_children

    tree = _descendants(os.getpid())
    terminate_children(grace=_GRACE)
    mine = os.getpgrp()
    for pid in tree:
        with contextlib.suppress(OSError):
            group = os.getpgid(pid)
            if group != mine:
                os.killpg(group, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)


#: Where an exception raised by a signal handler may not go: the Python frames of a
#: call into a native runtime, and of the callbacks it makes (wasmtime).
_FOREIGN: tuple[str, ...] = (f"{os.sep}wasmtime{os.sep}",)


def _in_foreign_code(frame: FrameType | None) -> bool:
    while frame is not None:
        if any(part in frame.f_code.co_filename for part in _FOREIGN):
            return True
        frame = frame.f_back
    return False


#: The session of the run (set at its start), for the signal handler.
_session: pytest.Session | None = None


def watch(session: pytest.Session) -> None:
    """The session a signal stops (set as it starts)."""
    global _session
    _session = session


#: The handlers the run replaced, put back when it ends.
_previous_handlers: dict[int, Any] = {}


def install_signal_handlers(*, worker: bool) -> None:
    """An interrupted run kills its children and writes a partial report (SIGINT, SIGTERM)."""
    handler = _on_signal_in_worker if worker else _on_signal
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            _previous_handlers[signum] = signal.signal(signum, handler)
        except ValueError:  # not the main thread (pytest.main from a thread)
            return


def restore_signal_handlers() -> None:
    """Put back the handlers the run replaced."""
    while _previous_handlers:
        signum, previous = _previous_handlers.popitem()
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)


def quiet_interrupt(config: pytest.Config) -> None:
    """The end of a run our handler stopped: our line for pytest's banner, no slow summary.

    pytest would print its ``KeyboardInterrupt`` banner and suggest ``--full-trace``,
    an option ``gritwit conform`` does not have; the summary says *incomplete* instead.
    """
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and hasattr(reporter, "_report_keyboardinterrupt"):
        line = (
            f"gritwit conform: interrupted by {run_state.interrupted}; "
            "stopping the adapters and writing an incomplete report"
        )
        # pytest prints its banner through this method (at the session's end, or at
        # unconfigure): our line takes its place.
        reporter._report_keyboardinterrupt = lambda: reporter.write_line(line)
    # hypothesis's end-of-run summary imports all of hypothesis on an xdist
    # controller (pytest rewriting its asserts): 1.9 s of a stop measured at load
    # 24, to report statistics an interrupted run has none of.
    hypothesis = config.pluginmanager.get_plugin("hypothesispytest")
    if hypothesis is not None and "hypothesis" not in sys.modules:
        config.pluginmanager.unregister(hypothesis)
