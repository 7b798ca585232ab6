"""``gritwit vectors verify|generate --progress``: a line each second of the work.

Each is minutes on a loaded machine, and each of its steps (the drift check, the whole
generation) is one call that said nothing while it ran.  As in the reference's
``test_progress_ticker.py``, the clock of the progress lines is a
:class:`~gritwit._progress_clock.WorkClock`, a second per unit of the work, and the work
is made three seconds longer where the command cannot cut it; no wall time is read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit._progress_clock import WorkClock
from gritwit_conformance import cli
from gritwit_conformance import vectors as gv


@pytest.fixture
def work_clock(monkeypatch: pytest.MonkeyPatch) -> WorkClock:
    clock = WorkClock()
    clock.install(monkeypatch.setattr)
    return clock


def test_vectors_verify_says_a_line_each_second_of_one_step(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    work_clock: WorkClock,
    tmp_path: Path,
) -> None:
    work_clock.slowed(monkeypatch.setattr, gv, "verify", 3)  # a step of three seconds
    cli.main(["vectors", "verify", "--progress", "--no-drift", "--dir", str(tmp_path)])
    err = capsys.readouterr().err
    work_clock.check(err, "gritwit vectors verify")


def test_vectors_verify_quiet_says_nothing_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cli.main(["vectors", "verify", "--quiet", "--no-drift", "--dir", str(tmp_path)])
    assert capsys.readouterr().err == ""


def test_vectors_generate_says_a_line_each_second_of_its_one_call(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    work_clock: WorkClock,
    tmp_path: Path,
) -> None:
    from gritwit.adapter import _sandbox

    monkeypatch.setattr(_sandbox, "sandbox_available", lambda: True)
    # the generation itself is another test's (test_vectors.py); here it writes nothing
    monkeypatch.setattr(gv, "write_vectors", lambda directory: ([], []))
    work_clock.slowed(monkeypatch.setattr, gv, "write_vectors", 3)
    status = cli.main(["vectors", "generate", "--progress", "--dir", str(tmp_path)])
    out, err = capsys.readouterr()
    assert status == 0 and "0 file(s) written" in out, (out, err)
    work_clock.check(err, "gritwit vectors generate")
