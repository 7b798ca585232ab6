"""The workers of the repository's test run: ``-n auto`` in the root ``conftest.py``.

The README's test command runs ``-n auto``; the root ``conftest.py`` makes that half as
many workers again as cores (at least two), since much of the run waits on processes and
time limits, and one worker per core for the heavy step (``-m heavy``), whose tests keep
both cores busy with conformance runs of their own. ``docs/contributing.md`` states the
figure for 2 cores; these checks hold the code and that sentence together.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORDS = {2: "two", 3: "three", 4: "four", 6: "six"}


def _root_conftest() -> ModuleType:
    # loaded under a name of its own: reference/tests has a conftest.py too
    spec = importlib.util.spec_from_file_location("gritwit_root_conftest", ROOT / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _config(markexpr: str) -> Any:
    return SimpleNamespace(rootpath=ROOT, getoption=lambda name, default=None: markexpr)


@pytest.mark.parametrize(("cores", "workers"), [(1, 2), (2, 3), (3, 4), (4, 6), (8, 12)])
def test_auto_starts_half_as_many_again_as_cores_and_at_least_two(cores: int, workers: int) -> None:
    found = _root_conftest().auto_workers(cores)
    assert found == workers, f"-n auto on {cores} cores: expected {workers} workers, got {found}"


def test_the_heavy_step_keeps_a_worker_per_core_and_the_variable_decides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conftest = _root_conftest()
    cores = len(os.sched_getaffinity(0))
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)
    hook = conftest.pytest_xdist_auto_num_workers
    assert hook(_config("heavy")) == cores, "-m heavy: expected one worker per core"
    assert hook(_config("")) == conftest.auto_workers(cores), "no -m: expected auto_workers"
    assert hook(_config("smoke")) == conftest.auto_workers(cores), "-m smoke: auto_workers"
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "5")
    assert hook(_config("")) is None, "with the variable set, xdist's own count must decide"
    outside = SimpleNamespace(rootpath=ROOT / "conformance", getoption=lambda *a: "")
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS")
    assert hook(outside) is None, "a run rooted elsewhere (gritwit conform) keeps xdist's count"


def test_contributing_states_the_workers_on_2_cores() -> None:
    text = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    said = re.search(r"\(`conftest\.py`; (\w+) on 2 cores\)", " ".join(text.split()))
    assert said is not None, "docs/contributing.md no longer says how many workers -n auto starts"
    expected = WORDS[_root_conftest().auto_workers(2)]
    assert said.group(1) == expected, f"the docs say {said.group(1)}, the code starts {expected}"
