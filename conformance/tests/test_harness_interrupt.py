"""An interrupted run kills its children, writes a partial report marked so, exits non-zero.

``gritwit conform`` is started in its own session against an adapter that hangs
on every command after the handshake (and ignores SIGTERM, so only a kill stops
it).  Once an adapter is busy, the run gets SIGTERM (or SIGINT) — the controller
process alone, as a CI runner or ``kill`` would send it.  Afterwards no process
of the run is left (no xdist worker in its process group, no adapter), the JSON
report says ``interrupted``, the terminal says so too, and the status is 128 +
the signal number.

The fake adapter sleeps at most 30 s, so even a failing test leaves nothing
running for long.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

GRITWIT = [sys.executable, "-m", "gritwit_conformance"]
#: Bound on waiting for the run to reach a hanging adapter, and for it to stop.
WAIT = 90.0

HANGS = r"""
import json, os, signal, sys, time
marks = sys.argv[1]
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # only a kill stops it
open(os.path.join(marks, f"pid-{os.getpid()}"), "w").close()
for line in sys.stdin:
    r = json.loads(line)
    if r["cmd"] == "hello":
        out = {"seq": r["seq"], "ok": True, "protocol": 1, "profiles": ["codec"],
               "implementation": {"name": "hangs", "version": "0", "language": "python",
                                  "homepage": "", "spec": "0.1.0"}}
    elif r["cmd"] == "shutdown":
        out = {"seq": r["seq"], "ok": True}
    else:
        open(os.path.join(marks, f"busy-{os.getpid()}"), "w").close()
        time.sleep(30)
        sys.exit(0)
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    if r["cmd"] == "shutdown":
        break
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def group_alive(pgid: int) -> list[int]:
    """Live processes of process group ``pgid`` (a /proc scan; no psutil)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def wait_until(condition: object, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.req("ADP-012", "ADP-011", "ADP-020.5")
@pytest.mark.parametrize(
    ("signum", "workers"),
    [(signal.SIGTERM, "2"), (signal.SIGINT, "0")],
    ids=["sigterm-xdist", "sigint-in-process"],
)
def test_an_interrupted_run_leaves_nothing_and_says_so(
    tmp_path: Path, signum: signal.Signals, workers: str
) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    script = tmp_path / "hangs.py"
    script.write_text(HANGS, encoding="utf-8")
    impl = shlex.join([sys.executable, str(script), str(marks)])
    out = tmp_path / "report"
    run = subprocess.Popen(
        [*GRITWIT, "conform", "--impl", impl, "--profile", "codec", "-n", workers,
         "--timeout", "60", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
        start_new_session=True,
    )  # fmt: skip
    try:
        busy = wait_until(lambda: any(marks.glob("busy-*")), WAIT)
        assert busy, "no adapter got a command"
        time.sleep(0.5)
        run.send_signal(signum)
        output, _ = run.communicate(timeout=WAIT)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    adapters = [int(p.name.split("-")[1]) for p in marks.glob("pid-*")]
    assert wait_until(lambda: not any(alive(p) for p in adapters), 5.0), (
        f"adapters left running: {[p for p in adapters if alive(p)]}"
    )
    assert wait_until(lambda: not group_alive(run.pid), 5.0), (
        f"processes of the run left: {group_alive(run.pid)}"
    )
    assert run.returncode == 128 + signum, output
    report = json.loads(out.with_suffix(".json").read_text("utf-8"))
    assert report["interrupted"] == signal.Signals(signum).name
    name = signal.Signals(signum).name
    assert f"INCOMPLETE (interrupted by {name}): not a verdict" in output, output
    assert "KeyboardInterrupt" not in output and "--full-trace" not in output, output
    assert "Traceback" not in output, output
    from gritwit_conformance.report import load_report

    assert load_report(out.with_suffix(".json")).interrupted == signal.Signals(signum).name


@pytest.mark.req("ADP-020.5")
def test_a_run_keeps_its_temporary_files_to_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ``--basetemp`` pytest numbers a folder under /tmp/pytest-of-<user> and, as
    the session ends, deletes the oldest there, other sessions' too: 20-30 s of a
    stop at Ctrl-C were that rmtree. ``gritwit conform`` gives pytest a folder of its own,
    gone when the run is."""
    from gritwit_conformance.runs import _conform

    seen: list[list[str]] = []

    def fake_main(args: list[str], plugins: object = None) -> int:
        seen.append(list(args))
        return 0

    monkeypatch.setattr(_conform.pytest, "main", fake_main)
    _conform.run_conform(json_path=tmp_path / "r.json", junit_path=tmp_path / "r.xml")
    (args,) = seen
    basetemp = Path(args[args.index("--basetemp") + 1])
    assert "pytest-of-" not in str(basetemp)
    assert not basetemp.parent.exists()  # the run's own temporary folder, removed
