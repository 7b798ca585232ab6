"""A refused genesis is the implementation's failure, not the harness's.

An implementation whose catalogue lacks ``sleepy`` (one written before WIT-030) takes
the ``wit-genesis`` and then fails the genesis step (``unknown-wit``), so ``wit-head``
answers ``null``. The suite's ``wit`` tests used to ask for the object ``None`` next and
stop with "the harness built an invalid wit-object request"; they must instead fail
the test against the implementation, naming the refused genesis and its error class.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.runs._conform import SUITE_DIR

#: The reference over stdio, its catalogue without ``sleepy`` (a pre-WIT-030 runtime).
NO_SLEEPY = r"""
import sys
from gritwit.adapter import ReferenceAdapter, serve
from gritwit.wit import _actors

del _actors.TEST_ACTORS["sleepy"]
sys.exit(serve(ReferenceAdapter()))
"""

SLEEPY = (
    "wit/test_wit_sleepy.py::test_sleepy_sleeps_each_nap_and_its_step_is_adopted",
    "wit/test_wit_sleepy.py::test_naps_without_a_valid_amount_are_read_without_effect",
)


def run_suite(tmp_path: Path, script: str, *tests: str) -> tuple[dict[str, Any], str]:
    """``pytest --impl`` on some suite tests, the way ``gritwit conform`` runs it."""
    adapter = tmp_path / "adapter.py"
    adapter.write_text(script, encoding="utf-8")
    ini = tmp_path / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    json_path = tmp_path / "out.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(SUITE_DIR.parent),
         "-p", "no:cacheprovider", "-q", "--tb=no",
         "--impl", shlex.join([sys.executable, str(adapter)]), "--gritwit-timeout", "60",
         "--gritwit-json", str(json_path), *(str(SUITE_DIR / t) for t in tests)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert json_path.is_file(), done.stdout + done.stderr
    return json.loads(json_path.read_text("utf-8")), done.stdout + done.stderr


@pytest.mark.req("ADP-014", "WIT-030.1")
def test_a_refused_genesis_is_blamed_on_the_implementation(tmp_path: Path) -> None:
    document, output = run_suite(tmp_path, NO_SLEEPY, *SLEEPY)
    records = document["results"]
    assert len(records) == len(SLEEPY), output
    for record in records:
        assert record["outcome"] == "failed", record
        reason = record["reason"]
        assert "harness built an invalid" not in reason, reason
        assert "its genesis step was refused" in reason, reason
        assert "unknown-wit" in reason, reason
