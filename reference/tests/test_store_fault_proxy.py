"""The suite's fault proxy against the reference on PostgreSQL (ADP-022, DUR-006 … DUR-008).

* the reference over stdio, ``--store-url`` a throwaway cluster's database, passes every
  test of ``suite/store/test_store_faults.py`` through the proxy — none skipped (slow);
* each wrong adapter of :data:`gritwit_conformance.wrong.store_server.STORE_SERVER_WRONG`
  is caught on the IDs its row names (heavy: a conform run each);
* without a store URL the reference claims neither ``store-server`` nor ``write-limit``,
  and with one it names its server in ``hello`` (ADP-022.1) and refuses a malformed
  ``via`` or ``max_write_bytes`` as ``bad-request`` (ADP-022.2, ADP-022.4).
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
from test_postgres_conform import conform_process

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.harness import parse_server
from gritwit_conformance.wrong.store_server import STORE_SERVER_WRONG

#: Seconds one conform run may take: a bound against hangs, not a performance assertion.
RUN_LIMIT = 600
SUITE_FILE = "test_store_faults"


def conform(tmp_path: Path, impl: str, env: dict[str, str]) -> dict[str, Any]:
    args = ["--profile", "store", "--test", SUITE_FILE, "--impl", impl]
    done, report = conform_process(tmp_path, env, args, RUN_LIMIT)
    assert report is not None, done.stdout[-2000:] + done.stderr[-2000:]
    return report


def _fault_results(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in report["results"] if SUITE_FILE in r["id"]]


@pytest.mark.slow
@pytest.mark.req("ADP-022", "DUR-006.1", "DUR-006.2", "DUR-007.2", "DUR-008.1", "DUR-008.2")
def test_the_reference_passes_through_the_fault_proxy(pg_database: str, tmp_path: Path) -> None:
    impl = (
        f"{shlex.quote(sys.executable)} -m gritwit adapter --store-url {shlex.quote(pg_database)}"
    )
    results = _fault_results(conform(tmp_path, impl, {}))
    assert len(results) >= 8, results
    bad = [(r["id"], r["outcome"], r.get("reason", "")[:300]) for r in results
           if r["outcome"] != "passed"]  # fmt: skip
    assert not bad, bad


@pytest.mark.heavy
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(STORE_SERVER_WRONG))
@pytest.mark.req("ADP-022", "DUR-006.1", "DUR-006.2", "DUR-007.2", "DUR-008.1", "DUR-008.2")
def test_each_wrong_store_server_adapter_is_caught(
    name: str, pg_database: str, tmp_path: Path
) -> None:
    row = STORE_SERVER_WRONG[name]
    impl = f"{shlex.quote(sys.executable)} -m gritwit_conformance.wrong.store_server.{name}"
    results = _fault_results(conform(tmp_path, impl, {"GRITWIT_STORE_URL": pg_database}))
    failed = [r for r in results if r["outcome"] == row.outcome]
    assert failed, [(r["id"], r["outcome"]) for r in results]
    cited = {i for r in failed for i in r.get("requirements", [])}
    assert row.failed <= cited, (row.failed, cited)
    assert not [r for r in results if r["outcome"] == "skipped"], "the feature went unclaimed"


def _call(adapter: ReferenceAdapter, cmd: str, **args: Any) -> dict[str, Any]:
    answer: dict[str, Any] = adapter.handle({"seq": 1, "cmd": cmd, **args})
    return answer


@pytest.mark.req("ADP-022.1", "ADP-005.7")
def test_only_a_store_server_is_claimed_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRITWIT_STORE_URL", raising=False)
    plain = _call(ReferenceAdapter(), "hello", protocol=1)
    assert "store-server" not in plain["features"] and "write-limit" not in plain["features"]
    assert "store_server" not in plain
    for url, server in (
        ("postgresql://u@db.example:6543/x", "db.example:6543"),
        ("postgresql://u@/x?host=%2Frun%2Fpg", "/run/pg/.s.PGSQL.5432"),
        ("postgresql://u@/x?host=%2Frun%2Fpg&port=7001", "/run/pg/.s.PGSQL.7001"),
        ("postgresql://u@[::1]:5433/x", "[::1]:5433"),
    ):
        hello = _call(ReferenceAdapter(store_url=url), "hello", protocol=1)
        assert {"store-server", "write-limit"} <= set(hello["features"])
        assert hello["store_server"] == server
        parse_server(server)  # the form ADP-022.1 gives, read by the harness


@pytest.mark.req("ADP-022.2", "ADP-022.4")
@pytest.mark.parametrize(
    "args",
    [
        {"via": "10.0.0.1:5432"},
        {"via": "127.0.0.1"},
        {"via": "127.0.0.1:x"},
        {"via": 5432},
        {"max_write_bytes": 0},
        {"max_write_bytes": 2**53},
        {"max_write_bytes": True},
        {"max_write_bytes": 1.5},
    ],
)
def test_malformed_proxy_options_are_bad_requests(args: dict[str, Any], tmp_path: Path) -> None:
    adapter = ReferenceAdapter(store_url="postgresql://u@127.0.0.1:1/x?connect_timeout=1")
    answer = _call(adapter, "store-open", kind="durable", path=str(tmp_path), **args)
    assert answer["ok"] is False and answer["error"]["class"] == "bad-request", answer


@pytest.mark.req("ADP-022.2", "ADP-022.4")
def test_options_in_bounds_reach_the_server(pg_database: str, tmp_path: Path) -> None:
    adapter = ReferenceAdapter(store_url=pg_database)
    for limit in (1, 2**53 - 1):
        answer = _call(adapter, "store-open", kind="durable", path=str(tmp_path / str(limit)),
                       max_write_bytes=limit)  # fmt: skip
        assert answer["ok"], answer
    adapter.close()


@pytest.mark.req("ADP-022")
@pytest.mark.parametrize("name", sorted(STORE_SERVER_WRONG))
def test_each_wrong_store_server_adapter_fits_the_reference(name: str) -> None:
    """Each adapter's overrides still fit what they override (a dry run installs nothing)."""
    from gritwit_conformance import wrong

    assert wrong.dry_run(f"store_server.{name}")
