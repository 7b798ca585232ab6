"""The mutation test map traced over several processes (``gritwit mutate``'s map, CONV-005):
each xdist worker traces the tests it runs and writes its part, and the union is the map
one process would have traced — each test with the lines it ran, and what ran outside
any test in any process reaching every test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.mutate._coverage import SHARDS_ENV, Coverage

_TRACED = '''\
"""Traced: the module under mutation."""
LOADED = sum(range(3))


def double(x):
    return 2 * x


def square(x):
    if x < 0:
        x = -x
    return x * x
'''

_TESTS = """\
import traced


def test_double():
    assert traced.double(2) == 4


def test_square():
    assert traced.square(-3) == 9


def test_nothing_traced():
    assert True
"""


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _traced_run(tmp_path: Path, workers: int) -> Coverage:
    project = tmp_path / f"project-{workers}"
    project.mkdir()
    (project / "traced.py").write_text(_TRACED, encoding="utf-8")
    (project / "test_it.py").write_text(_TESTS, encoding="utf-8")
    (project / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    out = project / "parts"
    out.mkdir()
    settings = project / "shards.json"
    files = {str((project / "traced.py").resolve()): "traced.py"}
    settings.write_text(json.dumps({"files": files, "out": str(out)}), encoding="utf-8")
    env = {**os.environ, SHARDS_ENV: str(settings), "PYTHONPATH": str(project)}
    env.pop("PYTEST_XDIST_WORKER", None)
    plugin = "gritwit_conformance.mutate._coverage_shard"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", plugin]
    command += ["-n", str(workers), "test_it.py"]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    parts = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*.json"))]
    assert len(parts) == workers, f"each of the {workers} workers writes its part: {parts}"
    return Coverage.from_parts(parts, "k")


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_each_worker_traces_the_tests_it_ran_and_the_union_is_the_map(
    tmp_path: Path, workers: int
) -> None:
    coverage = _traced_run(tmp_path, workers)
    assert sorted(coverage.tests) == [
        "test_it.py::test_double",
        "test_it.py::test_nothing_traced",
        "test_it.py::test_square",
    ]
    double = _line(_TRACED, "return 2 * x")
    negate = _line(_TRACED, "x = -x")
    assert coverage.covering("traced.py", range(double, double + 1)) == [
        "test_it.py::test_double"
    ], "the line only test_double runs selects it alone"
    assert coverage.covering("traced.py", range(negate, negate + 1)) == [
        "test_it.py::test_square"
    ], "the branch only test_square takes selects it alone"
    loaded = _line(_TRACED, "LOADED =")
    assert sorted(coverage.covering("traced.py", range(loaded, loaded + 1))) == sorted(
        coverage.tests
    ), "module code run at collection, in each worker, reaches every test"


def test_the_parts_union_keeps_each_test_and_every_outside_line() -> None:
    one: dict[str, Any] = {
        "tests": {"a": {"lines": [["m.py", [1]]], "seconds": 0.1, "requirements": []}},
        "outside": [["m.py", [7]]],
    }
    two: dict[str, Any] = {
        "tests": {"b": {"lines": [["m.py", [2]]], "seconds": 0.2, "requirements": []}},
        "outside": [["m.py", [7, 8]], ["n.py", [1]]],
    }
    coverage = Coverage.from_parts([one, two], "k")
    assert sorted(coverage.tests) == ["a", "b"]
    assert coverage.covering("m.py", range(1, 2)) == ["a"]
    assert coverage.covering("m.py", range(2, 3)) == ["b"]
    for module, line in (("m.py", 7), ("m.py", 8), ("n.py", 1)):
        assert sorted(coverage.covering(module, range(line, line + 1))) == ["a", "b"], (
            f"{module}:{line} ran outside a test in one process: it reaches every test"
        )
    assert coverage.data["outside"] == [["m.py", [7, 8]], ["n.py", [1]]]
