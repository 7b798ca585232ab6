"""Ctrl-C ends a command at once: one line on standard error, status 130, no traceback,
and a store a later run carries on with (``gritwit._pipes.stop_at_interrupt``).

``runtime run`` interrupted used to print a 33–57-line traceback and take 11.8 s to
stop: ``asyncio.run`` waited for the transition still running in its thread.  A bound on
the wait here (``timeout``) keeps a hung child from hanging the test; how soon the
command stops is not asserted (no timed assertions), only that it stops.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from gritwit._pipes import EXIT_INTERRUPTED

GRITWIT = [sys.executable, "-m", "gritwit"]


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GRITWIT, *argv], capture_output=True, text=True, timeout=300)


def _as_at_a_terminal() -> None:
    """A child's SIGINT as a terminal's command has it: a test run started in the
    background (``nohup … &``) ignores SIGINT, its children inherit that, and
    ``stop_at_interrupt`` rightly stays deaf then: both tests failed so."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupted(child: subprocess.Popen[str]) -> tuple[int, str]:
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    return child.returncode, err


def test_an_interrupted_process_says_one_line_and_exits_130() -> None:
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from gritwit._pipes import stop_at_interrupt\n"
            "stop_at_interrupt('tool'); print('ready', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_at_a_terminal,
    )
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    status, err = _interrupted(child)
    assert (status, err) == (EXIT_INTERRUPTED, "tool: interrupted\n")


@pytest.mark.slow
@pytest.mark.req("RUN-007", "DUR-003")
def test_runtime_run_interrupted_mid_transition_stops_and_a_later_run_finishes(
    tmp_path: Path,
) -> None:
    store = str(tmp_path / "store")
    created = _run("actor", "create", "--store", store, "--create", "--test", "sleepy")
    assert created.returncode == 0, created.stderr
    actor = created.stdout.strip()
    assert _run("runtime", "run", store).returncode == 0  # the genesis
    for _ in range(3):
        sent = _run("actor", "send", "--store", store, "--mt", "nap", actor, "3000")
        assert sent.returncode == 0, sent.stderr
    child = subprocess.Popen(
        [*GRITWIT, "runtime", "run", "--progress", "--time-limit", "60", store],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_at_a_terminal,
    )
    # The first progress line comes after a second of the run: inside the transition,
    # which takes the three naps, 9 s of sleep.
    assert child.stderr is not None and "runtime run:" in child.stderr.readline()
    status, err = _interrupted(child)
    assert status == EXIT_INTERRUPTED, err
    assert err.endswith("python -m gritwit: interrupted\n") and "Traceback" not in err, err
    finished = _run("runtime", "run", "--time-limit", "60", store)
    assert finished.returncode == 0 and "quiescent: True" in finished.stdout, finished
    listed = _run("actor", "list", "--store", store, "--json")
    assert listed.returncode == 0, listed.stderr
    assert '"pending": 0' in listed.stdout.replace(" ", "").replace('":', '": '), listed.stdout
