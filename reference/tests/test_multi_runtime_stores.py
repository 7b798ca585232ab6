"""The multi-runtime kill family on both durable stores, at the issue's sizes.

``suite/runtime/test_multi_runtime.py``'s heavy form — four adapter processes on one
store, ten SIGKILLs each — runs here against the reference over stdio on SQLite (the
default store of a harness path) and on PostgreSQL (``--store-url``: the processes
open one schema, named in the path's marker, ADP-010.6), and must end with 0
anomalies over at least 1,000 delivered messages and 20 kills.  Its summary line
(printed by the test, read here from pytest's output) holds the figures.

A deliberately wrong backend, whose compare-and-swap is a read and a write in two
transactions (``gritwit_conformance.wrong.store_cas_read_then_write``), must fail the
family's short form on SQLite: the test is what catches a store that is not one
atomic swap for several writers (DUR-003, RUN-020.1).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gritwit.store._pg_retry import LOG_VARIABLE

DEEP = os.environ.get("GRITWIT_PROFILE") == "deep"
_DEEP_ONLY = "GRITWIT_PROFILE=deep runs the stricter isolation levels (about 30 s each)"

SUITE = Path(__file__).resolve().parents[2] / "conformance" / "gritwit_conformance" / "suite"
FAMILY = SUITE / "runtime" / "test_multi_runtime.py"
#: The environment variable that gives the family another seed.
SEED_VARIABLE = "GRITWIT_MULTI_RUNTIME_SEED"
RUN_LIMIT = 1800  # seconds: a bound against a hang of the whole run, not a timing
#: The issue's sizes for one run of the heavy form.
MESSAGES, KILLS = 1000, 20
SUMMARY = re.compile(
    r"multi-runtime seed=\S+ workers=(?P<workers>\d+) \(processes\): .*?"
    r"(?P<kills>\d+) kills .*?(?P<anomalies>\d+) anomalies; .*?"
    r"(?P<messages>\d+) messages delivered"
)


def family(
    impl: str, form: str, tmp_path: Path, env: dict[str, str] | None = None
) -> tuple[int, str, dict[str, int] | None]:
    """Run one form of the family (``-k form``) against ``impl``: status, output, figures."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
         "-m", "heavy or not heavy", "-k", form, "--impl", impl, str(FAMILY)],
        capture_output=True, text=True, timeout=RUN_LIMIT, cwd=tmp_path,
        env=None if env is None else {**os.environ, **env},
    )  # fmt: skip
    output = done.stdout + done.stderr
    found = SUMMARY.search(output)
    figures = None if found is None else {k: int(v) for k, v in found.groupdict().items()}
    return done.returncode, output, figures


def _sized(status: int, output: str, figures: dict[str, int] | None) -> None:
    assert figures is not None, output[-3000:]
    assert status == 0 and figures["anomalies"] == 0, output[-3000:]
    assert figures["workers"] == 4
    assert figures["kills"] >= KILLS, figures
    assert figures["messages"] >= MESSAGES, figures


@pytest.mark.heavy
@pytest.mark.slow
@pytest.mark.req("ADP-015", "RUN-020.1", "RUN-002.2", "RUN-007.2", "DUR-003")
def test_four_killed_runtimes_on_sqlite_lose_nothing(tmp_path: Path) -> None:
    _sized(*family(f"{sys.executable} -m gritwit adapter", "test_four_runtimes", tmp_path))


@pytest.mark.heavy
@pytest.mark.slow
@pytest.mark.req(
    "ADP-015", "ADP-010.6", "DUR-005", "RUN-020.1", "RUN-002.2", "RUN-007.2", "DUR-007.2"
)
@pytest.mark.parametrize(
    "level",
    [
        "read-committed",
        # About 30 s each of CI's heavy step: CI runs PostgreSQL's default, the deep
        # profile the two stricter levels too; the retries they take on 40001 are tested
        # at every level without kills (test_postgres_portable.py, test_pg_batch_abort.py).
        pytest.param("repeatable-read", marks=pytest.mark.skipif(not DEEP, reason=_DEEP_ONLY)),
        pytest.param("serializable", marks=pytest.mark.skipif(not DEEP, reason=_DEEP_ONLY)),
    ],
)
def test_four_killed_runtimes_on_postgres_lose_nothing(
    level: str, pg_cluster: Any, tmp_path: Path
) -> None:
    """At each isolation level the store offers (DUR-007): READ COMMITTED (PostgreSQL's
    default), REPEATABLE READ (what YugabyteDB runs READ COMMITTED as) and SERIALIZABLE
    (CockroachDB's): 0 anomalies, and the retries the adapter processes took, by SQLSTATE,
    printed beside the family's line (``pytest -s``)."""
    url = f"{pg_cluster.create_database()}&gritwit_isolation={level}"
    retry_log = tmp_path / "retries.log"  # every adapter process appends its retries
    impl = f"{sys.executable} -m gritwit adapter --store-url {shlex.quote(url)}"
    status, output, figures = family(
        impl, "test_four_runtimes", tmp_path, {LOG_VARIABLE: str(retry_log)}
    )
    taken = retry_log.read_text().split() if retry_log.exists() else []
    print(f"{level}: {figures}; retries by SQLSTATE:", {s: taken.count(s) for s in set(taken)})
    _sized(status, output, figures)


@pytest.mark.slow
@pytest.mark.req("DUR-003", "REF-004", "RUN-020.1", "RUN-002.2")
def test_a_read_then_write_swap_is_caught_by_the_family(tmp_path: Path) -> None:
    """The wrong backend loses or repeats messages with two writers: anomalies, a failure.

    The overwrite needs two swaps of one ref within the wrong backend's 20 ms window, which
    the short form's schedule meets most runs but not all (a CI run at load 5-8 had 4 races
    and 0 anomalies): the family runs with up to three seeds (``GRITWIT_MULTI_RUNTIME_SEED``)
    and must find anomalies with one of them, each run that finds them failing."""
    wrong = f"{sys.executable} -m gritwit_conformance.wrong.store_cas_read_then_write"
    assert SEED_VARIABLE in FAMILY.read_text(encoding="utf-8")  # the family still reads it
    seen = []
    for seed in (0x6D756C74, 0x6D756C76, 0x6D756C78):
        where = tmp_path / f"seed-{seed:x}"
        where.mkdir()
        status, output, figures = family(
            wrong, "test_two_runtimes", where, {SEED_VARIABLE: hex(seed)}
        )
        assert figures is not None, output[-3000:]
        seen.append(figures)
        if figures["anomalies"] > 0:
            assert status == 1, output[-3000:]
            return
    raise AssertionError(f"no anomaly with any of three seeds: {seen}")


def test_the_summary_pattern_reads_the_familys_line() -> None:
    """The pattern above matches the line the family prints (a rename fails here, cheaply)."""
    line = (
        "multi-runtime seed=0x6d756c75 workers=4 (processes): 1296 operations (750 sends "
        "acknowledged, 24 maybe; 376 runs, 24 cut; 800 steps reported; 122 queries; 16 races), "
        "40 kills (24 during a command), 40 restarts, 16 checked at a kill, 0 anomalies; counts "
        "[110, 100, 126], 160 exchanges, 270 naps, 986 messages delivered, 806 steps "
        "verified; 39.6 s"
    )
    found = SUMMARY.search(line)
    assert found is not None
    figures: dict[str, Any] = {k: int(v) for k, v in found.groupdict().items()}
    assert figures == {"workers": 4, "kills": 40, "anomalies": 0, "messages": 986}
    source = FAMILY.read_text(encoding="utf-8")
    assert "messages delivered" in source and "anomalies; " in source
