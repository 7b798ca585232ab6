"""``.ci/totals.py``: the last line of ``.ci/run`` totals the tests its pytest steps ran.

A landing reads that line (``tests: N passed, N failed``) to know that tests ran, so
the count must come from the runners' own reports: here, real pytest runs.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _totals() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_totals", ROOT / ".ci" / "totals.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pytest(folder: Path, name: str, body: str) -> None:
    test = folder / f"test_{name}.py"
    test.write_text(body)
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test),
         f"--junitxml={folder / 'junit' / name}.xml"],
        cwd=folder, capture_output=True, check=False,
    )  # fmt: skip


def test_totals_count_what_the_runs_reported(tmp_path: Path) -> None:
    (tmp_path / "junit").mkdir()
    _pytest(tmp_path, "one", "def test_a(): pass\ndef test_b(): assert False\n")
    _pytest(
        tmp_path,
        "two",
        "import pytest\n"
        "def test_c(): pass\n"
        "def test_d(): pass\n"
        "@pytest.mark.skip\ndef test_e(): pass\n"
        "@pytest.fixture\ndef broken(): raise RuntimeError\n"
        "def test_f(broken): pass\n",
    )
    assert _totals().totals(tmp_path / "junit") == (3, 2, 1)
    done = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "totals.py"), str(tmp_path / "junit")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.splitlines()[-1] == "tests: 3 passed, 2 failed (1 skipped)"


def test_the_slowest_tests_come_before_the_totals(tmp_path: Path) -> None:
    """The tail CI's reader sees names the slowest tests (their step and seconds) above the
    totals line, which stays the last."""
    (tmp_path / "junit").mkdir()
    _pytest(
        tmp_path,
        "one",
        "import time\ndef test_quick(): pass\ndef test_slow(): time.sleep(0.3)\n",
    )
    rows = _totals().slowest(tmp_path / "junit")
    assert [name.split("::")[-1] for _, _, name in rows] == ["test_slow", "test_quick"]
    assert rows[0][0] >= 0.3 and rows[0][1] == "one"
    done = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "totals.py"), str(tmp_path / "junit")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines[-1] == "tests: 2 passed, 0 failed"
    assert "test_slow" in lines[1] and "test_quick" in lines[2], lines


def test_an_unreadable_report_is_a_failure(tmp_path: Path) -> None:
    (tmp_path / "cut.xml").write_text("<testsuites><testsuite tests='4'")
    assert _totals().totals(tmp_path) == (0, 1, 0)


def test_ci_run_ends_with_the_totals() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert "trap 'ci_totals;" in script
    assert "--junitxml='$junit/tests.xml'" in script  # inside the README command's bash -c
    for step in ("heavy.xml", "loaded.xml"):
        assert f'--junitxml="$junit/{step}"' in script


def test_ci_runs_the_documented_test_command_first_in_its_fresh_venv() -> None:
    """CI's tests step is the test command of the README and of ``docs/contributing.md``,
    verbatim, before any install."""
    shown = {
        name: re.search(
            r"```sh\n(python -m pip install -e '\.\[test\]' && [^\n]+)\n```",
            (ROOT / name).read_text(encoding="utf-8"),
        )
        for name in ("README.md", "docs/contributing.md")
    }
    missing = [name for name, match in shown.items() if match is None]
    assert not missing, f"no test command shown in {missing}"
    commands = {match.group(1) for match in shown.values() if match is not None}
    assert len(commands) == 1, f"the README and contributing.md show different commands: {commands}"
    found = shown["README.md"]
    assert found is not None
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f'readme_test_command="{found.group(1)}"' in script
    tests_step = script.index('bash -c \\\n    "$readme_test_command ')
    venv = script.index('-m venv "$work/venv"')
    # nothing of the project is installed between the fresh venv and that command
    assert venv < tests_step
    between = script[venv:tests_step].replace(f'readme_test_command="{found.group(1)}"', "")
    assert "pip install" not in between
