"""An adapter that cannot start or fails its handshake stops the run with one error (ADP-005).

Before, every test of the suite repeated the same error (960 of them, a thousand
lines).  Now ``gritwit conform`` checks the handshake once, before any test, and
stops with a few lines naming the command, the problem (with the exit status)
and the tail of the adapter's standard error.  (Under plain ``pytest --impl``, as
``gritwit mutate`` runs it, each test still reports the broken exchange; ``-x`` stops
there.)

"At once" is checked by what happened, not by a stopwatch (the machines are shared,
and a Python start-up alone took over 5 s under load): the run stops before pytest
starts a single test (``no test ran``, no report), within a hang bound; the other
bounds are the harness's time-outs working, with slack.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gritwit_conformance.runs._conform import EXIT_HANDSHAKE

GRITWIT = [sys.executable, "-m", "gritwit_conformance"]
#: Acceptance: `gritwit conform --impl /nonexistent` ends before any test, in under 20 lines.
ACCEPT_LINES = 20
#: Bound for a run that must stop after one handshake time-out (0.5 s) on a loaded machine.
BOUND = 20.0

FAKE = r"""
import json, sys, time
MODE = sys.argv[1]
if MODE == "exit":
    sys.stderr.write("fake: line one of my complaint\n" * 30)
    sys.stderr.write("fake: cannot load config.toml\n")
    sys.exit(7)
for line in sys.stdin:
    request = json.loads(line)
    if MODE == "garbage":
        print("Welcome to my adapter v2!")
        sys.stdout.flush()
    elif MODE == "hang":
        time.sleep(30)
        sys.exit(0)
"""


def fake(tmp_path: Path, mode: str) -> str:
    script = tmp_path / "fake_adapter.py"
    script.write_text(FAKE, encoding="utf-8")
    return shlex.join([sys.executable, str(script), mode])


def conform(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(
        [*GRITWIT, "conform", "--out", str(tmp_path / "out"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    return done, time.monotonic() - started


def lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return (done.stdout + done.stderr).splitlines()


@pytest.mark.req("ADP-005", "ADP-012")
def test_a_command_that_does_not_exist_stops_the_run_at_once(tmp_path: Path) -> None:
    done, elapsed = conform(tmp_path, "--impl", "/nonexistent")
    output = lines(done)
    assert done.returncode == EXIT_HANDSHAKE, output
    assert elapsed < BOUND, f"took {elapsed:.1f} s"  # a hang bound, not a timing
    assert len(output) < ACCEPT_LINES, "\n".join(output)
    text = "\n".join(output)
    assert "no test ran" in text and "no report written" in text
    assert "test session starts" not in text and "passed" not in text
    assert "/nonexistent" in text and "No such file or directory" in text
    assert "Traceback" not in text
    assert not (tmp_path / "out.json").exists() and not (tmp_path / "out.xml").exists()


@pytest.mark.req("ADP-005", "ADP-012")
def test_an_adapter_that_exits_at_once(tmp_path: Path) -> None:
    done, _ = conform(tmp_path, "--impl", fake(tmp_path, "exit"))
    text = done.stdout + done.stderr
    assert done.returncode == EXIT_HANDSHAKE, text
    assert len(text.splitlines()) < ACCEPT_LINES, text
    assert "exited (status 7)" in text, "the exit status is missing"
    assert "cannot load config.toml" in text, "the tail of stderr is missing"
    assert "fake_adapter.py exit" in text, "the command is missing"


@pytest.mark.req("ADP-005", "ADP-001.4", "ADP-012")
def test_garbage_at_the_handshake(tmp_path: Path) -> None:
    done, _ = conform(tmp_path, "--impl", fake(tmp_path, "garbage"))
    text = done.stdout + done.stderr
    assert done.returncode == EXIT_HANDSHAKE, text
    assert len(text.splitlines()) < ACCEPT_LINES, text
    assert "response to hello is not JSON" in text and "Welcome to my adapter" in text


@pytest.mark.req("ADP-005", "ADP-012")
def test_silence_at_the_handshake(tmp_path: Path) -> None:
    done, elapsed = conform(
        tmp_path, "--impl", fake(tmp_path, "hang"), "--timeout", "0.5", "--timeout-scale", "1"
    )
    text = done.stdout + done.stderr
    assert done.returncode == EXIT_HANDSHAKE, text
    assert "no response to hello within 0.5 s (adapter hangs: no CPU used" in text, text
    assert elapsed < BOUND
