"""The reference on a PostgreSQL store (DUR-005, ADP-010.6): the adapter, the CLI, the suite.

* ``gritwit adapter --store-url URL`` keeps each durable store of a harness
  ``path`` in a schema of its own, named in ``<path>/gritwit.postgres``: one path,
  one store, in any adapter process; a new directory, a new empty store;
* ``gritwit runtime … postgresql://…`` opens, or with ``--create`` makes, a store;
* a bad URL, a server that is down and a missing psycopg are each one line;
* (heavy) the conformance suite's ``store`` and ``runtime`` profiles pass against
  the reference on PostgreSQL, over stdio and in-process, kill tests included; over
  stdio also with the store's transactions at ``REPEATABLE READ`` and ``SERIALIZABLE``
  (``gritwit_isolation``, DUR-007), counting the retries the adapters took; every
  statement the adapters sent is read from the server's log and none may modify a
  table twice (DUR-005.6).

The server is the throwaway cluster of ``pg_server.py``; each test its own database
or schema.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sql_shape import log_statements, logged, twice

import gritwit as g
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._stores import MARKER
from gritwit.store import MissingExtra, Store, create_schema
from gritwit.store._pg_retry import LOG_VARIABLE

BLOB = g.encode_object(g.Blob(data=b"in a schema of its own"))
RUN_LIMIT = 900  # seconds: a bound against hangs, not a performance assertion


def call(adapter: ReferenceAdapter, cmd: str, **args: Any) -> dict[str, Any]:
    response = adapter.handle({"seq": 1, "cmd": cmd, **args})
    assert response["ok"], response
    return response


def gritwit(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gritwit", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.req("ADP-010.6", "ADP-010.3", "DUR-005")
def test_one_path_one_schema_in_every_adapter(pg_database: str, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    first = ReferenceAdapter(store_url=pg_database)
    a = call(first, "store-open", kind="durable", path=str(one))["store"]
    b = call(first, "store-open", kind="durable", path=str(two))["store"]
    oid = call(first, "put", store=a, bytes=BLOB.hex())["id"]
    assert call(first, "has", store=b, id=oid)["present"] is False  # a new, empty store
    assert (one / MARKER).read_text() != (two / MARKER).read_text()
    again = call(first, "store-open", kind="durable", path=str(one))["store"]
    assert call(first, "has", store=again, id=oid)["present"] is True
    call(first, "ref-cas", store=again, name="names/x", expected=None, new=oid)
    call(first, "store-reopen", store=a)
    assert call(first, "ref-get", store=a, name="names/x")["id"] == oid
    first.close()
    second = ReferenceAdapter(store_url=pg_database)  # as a new adapter process would
    c = call(second, "store-open", kind="durable", path=str(one))["store"]
    assert call(second, "ref-get", store=c, name="names/x")["id"] == oid
    call(second, "store-corrupt", store=c, id=oid)
    failed = second.handle({"seq": 2, "cmd": "get", "store": c, "id": oid})
    assert failed["error"]["class"] == "corrupt-object"
    second.close()


@pytest.mark.req("ADP-010.6", "DUR-005")
def test_the_store_url_comes_from_the_environment(
    pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRITWIT_STORE_URL", pg_database)
    adapter = ReferenceAdapter()
    call(adapter, "store-open", kind="durable", path=str(tmp_path))
    adapter.close()
    assert (tmp_path / MARKER).is_file()
    assert not (tmp_path / "gritwit.sqlite3").exists()


@pytest.mark.req("DUR-005", "RUN-018")
def test_runtime_cli_takes_a_url(pg_database: str) -> None:
    empty = create_schema(pg_database)
    refused = gritwit("runtime", "run", empty)
    assert refused.returncode == 2
    assert "no gritwit store" in refused.stderr and "--create" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    read = gritwit("runtime", "verify", empty)  # a read makes no store, nor offers to
    assert read.returncode == 2 and "no gritwit store" in read.stderr
    assert "--create" not in read.stderr
    made = gritwit("runtime", "run", empty, "--create")
    assert made.returncode == 0, made.stderr
    verified = gritwit("runtime", "verify", empty)
    assert "runtime verify: OK" in verified.stdout, verified.stderr
    assert gritwit("runtime", "heads", empty).returncode == 0


@pytest.mark.req("DUR-005", "DUR-006.1")
def test_bad_urls_and_servers_are_one_line(pg_cluster: Any, tmp_path: Path) -> None:
    down = f"postgresql://nobody@/x?host={tmp_path}"  # no server listens there
    for argv, status in (
        (("adapter", "--store-url", "mysql://x/y"), 2),
        (("adapter", "--store-url", down), 4),  # as every command's: DUR-006.1
        (("runtime", "verify", down), 4),  # store-unavailable (DUR-006.1)
    ):
        done = gritwit(*argv)
        assert done.returncode == status, (argv, done)
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr


@pytest.mark.req("DUR-005")
def test_missing_psycopg_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now fails
    monkeypatch.delitem(sys.modules, "gritwit.store._postgres", raising=False)
    with pytest.raises(MissingExtra, match=r"pip install 'gritwit\[postgres\]'"):
        Store.open("postgresql://localhost/x")
    script = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from gritwit._commands import main\n"
        "sys.exit(main(['runtime', 'verify', 'postgres://localhost/x']))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "gritwit runtime verify: a postgresql:// store needs psycopg 3: "
        "pip install 'gritwit[postgres]'"
    ]


# --- the conformance suite against the reference on PostgreSQL ---------------------------


#: Hypothesis examples per property of the runs below: the reference's stdio control's
#: 25 (conformance/tests/test_reference_conforms.py) outside the deep profile, to keep
#: CI's heavy step short (the stdio case took 304 s of it with the default 100, a local
#: CI run of df7b27c); GRITWIT_PROFILE=deep runs the default.
EXAMPLES = ["--examples", "25"] if os.environ.get("GRITWIT_PROFILE") != "deep" else []


def conform_process(
    tmp_path: Path, env: dict[str, str], args: list[str], limit: float
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any] | None]:
    """``conform --out report ARGS`` run in ``tmp_path`` with ``env`` added, ended after
    ``limit`` seconds: the process, and its JSON report (``None`` where it wrote none)."""
    out = tmp_path / "report"
    proc = subprocess.run(
        [sys.executable, "-m", "gritwit_conformance", "conform", "--out", str(out), *args],
        capture_output=True,
        text=True,
        timeout=limit,
        cwd=tmp_path,
        env={**os.environ, **env},
    )
    report_file = out.with_suffix(".json")
    return proc, json.loads(report_file.read_text()) if report_file.exists() else None


#: The suite module these runs leave out: WIT-009.6's cap on both edges fans out to
#: 65,536 and more fresh recipients, which judges the outbox chain a step builds (the
#: same on every store) and costs the reference on PostgreSQL one round trip per fresh
#: recipient: 350 s for the first test and over 600 s for the second (a local run,
#: 2026-11-30), where the rest of both profiles took about 450 s, so the run passed CI's
#: 900 s bound no more. CI's in-process run (the README's command) and its Node run keep
#: it, and so does the deep profile's whole run over stdio.
LEFT_OUT = "test_outbox_cap_edges"


def conform(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, dict[str, Any], str]:
    profiles = ["--profile", "store", "--profile", "runtime", "-n", "2", *EXAMPLES, *args]
    # pytest's own deselection, inherited by the run and its workers (conform has no
    # option that leaves a test out)
    env = {**env, "PYTEST_ADDOPTS": f"-k 'not {LEFT_OUT}'"}
    proc, report = conform_process(tmp_path, env, profiles, RUN_LIMIT)
    return proc.returncode, report or {}, proc.stdout + proc.stderr


def outcomes(report: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in report.get("results", []):
        counts[result["outcome"]] = counts.get(result["outcome"], 0) + 1
    return counts


#: Skips the in-process reference may report: tests that kill or write raw lines to a
#: process (as ``conformance/tests/test_reference_conforms.py`` allows them).
IN_PROCESS_SKIPS = ("an in-process implementation", "is not a process")


#: Failures the PostgreSQL store is known to show, by test id and why: reported but not
#: failing this test.  None is open.  The last, the two runtimes writing at once
#: that counted 91 after 80 incs (a message delivered twice, RUN-002.3), was the routing
#: index reading the outside's outbox before the heads; ``test_postgres_writers.py``
#: forces that interleaving on both stores.
KNOWN_BUGS: dict[str, str] = {}


@pytest.mark.heavy
@pytest.mark.slow
@pytest.mark.req("ADP-010.6", "DUR-005", "ADP-015", "ADP-010.3", "DUR-007", "DUR-005.6")
@pytest.mark.parametrize(
    "where",
    [
        "stdio",
        # the levels CockroachDB (SERIALIZABLE) and YugabyteDB (READ COMMITTED runs as
        # snapshot isolation: REPEATABLE READ) run at by default (DUR-007)
        *(
            pytest.param(
                f"stdio-{level}",
                marks=pytest.mark.skipif(
                    os.environ.get("GRITWIT_PROFILE") != "deep",
                    reason="GRITWIT_PROFILE=deep runs it (CI runs read committed; "
                    "test_multi_runtime_stores.py kills runtimes at every level)",
                ),
            )
            for level in ("repeatable-read", "serializable")
        ),
        # CI's heavy step runs the stdio case at read committed (136 s of its 1,317 s,
        # serializable 219 s more, a local CI run of 9d0a8f7); GRITWIT_PROFILE=deep the
        # other levels and the in-process one too.
        pytest.param(
            "in-process",
            marks=pytest.mark.skipif(
                os.environ.get("GRITWIT_PROFILE") != "deep",
                reason="GRITWIT_PROFILE=deep runs it (CI runs the stdio case)",
            ),
        ),
    ],
)
def test_store_and_runtime_profiles_pass_on_postgres(
    where: str, pg_cluster: Any, tmp_path: Path
) -> None:
    url = pg_cluster.create_database()
    # every statement the adapters send is logged, and judged below (DUR-005.6)
    log_statements(pg_cluster.url(), urlsplit(url).path.lstrip("/"))
    server_log = pg_cluster.root / "server.log"
    log_start = server_log.stat().st_size
    retry_log = tmp_path / "retries.log"  # every adapter process appends its retries
    env = {LOG_VARIABLE: str(retry_log)}
    if where.startswith("stdio"):
        level = where.removeprefix("stdio").removeprefix("-")
        store_url = f"{url}&gritwit_isolation={level}" if level else url
        status, report, output = conform(
            tmp_path,
            env,
            "--impl",
            f"{sys.executable} -m gritwit adapter --store-url {shlex.quote(store_url)}",
        )
    else:  # the in-process reference reads the same URL from the environment
        status, report, output = conform(tmp_path, {**env, "GRITWIT_STORE_URL": url})
    counts = outcomes(report)
    taken = retry_log.read_text().split() if retry_log.exists() else []
    retries = {state: taken.count(state) for state in sorted(set(taken))}
    print(f"{where}: {counts}; retries by SQLSTATE: {retries}")  # for the report (pytest -s)
    bad = [
        r for r in report["results"]
        if r["outcome"] != "passed" and r["id"] not in KNOWN_BUGS
        and not (where == "in-process" and r["outcome"] == "skipped"
                 and any(s in r["reason"] for s in IN_PROCESS_SKIPS))
    ]  # fmt: skip
    assert not bad, [(r["id"], r["outcome"], r["reason"][:200]) for r in bad[:5]]
    known = [
        r["id"] for r in report["results"] if r["id"] in KNOWN_BUGS and r["outcome"] != "passed"
    ]
    print(f"{where}: known bugs seen: {known}")
    assert status == 0 or known, output[-3000:]
    assert counts.get("passed", 0) > 100
    assert set(report["profiles"]) >= {"store", "runtime"}
    assert not [r["id"] for r in report["results"] if LEFT_OUT in r["id"]]
    import psycopg

    with psycopg.connect(url) as conn:  # the stores were in PostgreSQL, a schema each
        row = conn.execute(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'gw_%'"
        ).fetchone()
    print(f"{where}: {row} schemas")
    assert row is not None and row[0] > 10
    with open(server_log, encoding="utf-8", errors="replace") as text:
        text.seek(log_start)
        statements = logged(text.read())
    twice_over = [(name, twice(sql), sql[:300]) for name, sql in statements if twice(sql)]
    print(f"{where}: {len(statements)} statements judged (DUR-005.6)")
    assert len(statements) > 1000 and not twice_over, twice_over[:3]


@pytest.mark.req("ADP-018.6", "ADP-010.6", "DUR-005")
def test_a_durable_perf_workload_runs_in_the_paths_schema(pg_database: str, tmp_path: Path) -> None:
    from gritwit_conformance.runs._perf import actor_modules

    adapter = ReferenceAdapter(store_url=pg_database)
    modules = {name: module.hex() for name, module in actor_modules("runtime-counter").items()}
    durable = call(adapter, "perf-run", workload="runtime-counter-durable", n=3,
                   path=str(tmp_path), modules=modules)  # fmt: skip
    in_memory = call(adapter, "perf-run", workload="runtime-counter", n=3, modules=modules)
    adapter.close()
    assert durable["check"] == in_memory["check"]  # the same counter, ADP-018.6
    assert (tmp_path / MARKER).is_file() and not (tmp_path / "gritwit.sqlite3").exists()
    with Store.open(create_schema(pg_database, (tmp_path / MARKER).read_text().strip())) as store:
        assert store.verify().ok and store.verify().objects > 0
