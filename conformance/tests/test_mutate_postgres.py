"""``gritwit mutate``'s ``postgres`` group: the PostgreSQL store's modules (DUR-005 to
DUR-008) judged behind adapters that keep every durable store in a throwaway cluster the
run starts (``--store-url``, ADP-010.6), and no other group's adapter given a URL.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance import pg_cluster
from gritwit_conformance.mutate import Options, run_mutation
from gritwit_conformance.mutate import _run as mutate_run
from gritwit_conformance.mutate._coverage import Coverage
from gritwit_conformance.mutate._groups import GROUPS, LEFT_OUT, PACKAGE_DIR, POSTGRES, PROFILES_OF
from gritwit_conformance.mutate._run import collect_mutants
from gritwit_conformance.mutate._select import STORE_URL_VARIABLE
from gritwit_conformance.mutate._worker import adapter_command

pytestmark = pytest.mark.req("CONV-005", "DUR-005")

#: A URL no server answers: where a test only looks at the jobs, no cluster is started.
NOWHERE = "postgresql://nobody@/gritwit?host=%2Fnonexistent"


def test_the_store_modules_are_grouped_or_left_out_and_the_postgres_ones_grouped() -> None:
    """Every module of the store package is in one group or left out with a reason, and
    every PostgreSQL module in ``postgres``, judged by the profiles that open durable
    stores (the fault proxy's tests, ADP-022, are the store profile's) and by the http
    profile, whose services alone reach the journal's catch-up and the notes."""
    store = {str(p.relative_to(PACKAGE_DIR.parent)) for p in (PACKAGE_DIR / "store").glob("*.py")}
    grouped = {m: g for g, modules in GROUPS.items() for m in modules}
    placed = {m for m in store if m in grouped or m in LEFT_OUT}
    assert sorted(store - placed) == []
    assert sorted(m for m in store if m in grouped and m in LEFT_OUT) == []
    postgres = sorted(m for m in store if "/_pg_" in m or m.endswith("/_postgres.py"))
    assert postgres and all(grouped.get(m) == POSTGRES for m in postgres), postgres
    for module in ("_schema_url.py", "_store_options.py", "_url.py"):
        assert grouped.get(f"gritwit/store/{module}") == POSTGRES
    assert not any("PostgreSQL" in reason for reason in LEFT_OUT.values())
    assert PROFILES_OF[POSTGRES] == ("store", "runtime", "http")


def test_the_variable_the_map_sets_is_the_one_the_reference_reads() -> None:
    from gritwit.adapter._stores import STORE_URL_VARIABLE as READ

    assert STORE_URL_VARIABLE == READ


def test_only_a_postgres_mutants_adapter_is_given_the_store_url(tmp_path: Path) -> None:
    """The command line: ``--store-url`` with a URL, nothing without."""
    plain = shlex.split(adapter_command(tmp_path))
    assert plain[-2:] == ["gritwit", "adapter"]
    assert "--store-url" not in plain
    given = shlex.split(adapter_command(tmp_path, NOWHERE))
    assert given[-4:] == ["gritwit", "adapter", "--store-url", NOWHERE]


def test_a_run_sends_the_url_with_postgres_jobs_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In one run of two groups, the postgres mutant's job carries the run's store URL
    and the codec mutant's none (its adapter runs as every other group's does)."""
    codec = collect_mutants(["codec"])[0]
    postgres = next(m for m in collect_mutants([POSTGRES]) if m.in_function)
    jobs: list[dict[str, Any]] = []

    def answer(
        _self: object, job: dict[str, Any], hard_deadline: float, cut: float | None = None
    ) -> dict[str, Any] | None:
        jobs.append(job)
        return {"status": "survived", "test": None, "reason": "", "ran": 1, "seconds": 0.0}

    monkeypatch.setattr(mutate_run.Worker, "run", answer)
    test = "suite/store/test_store.py::test_put_get_has[durable]"
    reach = [[codec.module, [codec.line]], [postgres.module, [postgres.line]]]
    coverage = Coverage(
        {"key": "test", "tests": {test: {"lines": reach, "seconds": 0.1, "requirements": []}}}
    )
    (tmp_path / "conformance/mutation").mkdir(parents=True)
    options = Options(
        groups=("codec", POSTGRES),
        only=(codec.id, postgres.id),
        workers=1,
        root=tmp_path,
        store_url=NOWHERE,
    )
    run_mutation(options, log=lambda _: None, coverage=coverage)
    by_id = {job["id"]: job for job in jobs}
    assert sorted(by_id) == sorted([codec.id, postgres.id])
    assert by_id[postgres.id].get("store_url") == NOWHERE
    assert "store_url" not in by_id[codec.id]


def test_a_run_without_postgres_mutants_starts_no_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another group's run is unchanged: no cluster is started for it."""

    def refuse() -> None:
        raise AssertionError("a cluster was started for a run with no postgres mutant")

    monkeypatch.setattr(pg_cluster, "start_cluster", refuse)
    mutant = collect_mutants(["codec"])[0]
    (tmp_path / "conformance/mutation").mkdir(parents=True)
    run = run_mutation(
        Options(groups=("codec",), only=(mutant.id,), workers=1, root=tmp_path),
        log=lambda _: None,
        coverage=Coverage({"key": "test", "tests": {}}),
    )
    assert run.results[mutant.id].get("uncovered") is True


class _FakeCluster:
    """Stands for a started cluster: records that it was stopped."""

    root = Path("/nonexistent/gritwit-pg")

    def __init__(self) -> None:
        self.stopped = False

    def create_database(self, name: str | None = None) -> str:
        return NOWHERE

    def stop(self) -> None:
        self.stopped = True


def test_the_cluster_is_stopped_when_the_run_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A map that cannot be traced ends the run with an error, and the cluster started for
    it is stopped all the same."""
    cluster = _FakeCluster()
    monkeypatch.setattr(pg_cluster, "start_cluster", lambda: cluster)

    def broken(*args: object, **kwargs: object) -> Coverage:
        raise RuntimeError("the coverage run of the reference did not pass")

    monkeypatch.setattr(mutate_run, "build_coverage", broken)
    mutant = next(m for m in collect_mutants([POSTGRES]) if m.in_function)
    (tmp_path / "conformance/mutation").mkdir(parents=True)
    with pytest.raises(RuntimeError):
        run_mutation(
            Options(groups=(POSTGRES,), only=(mutant.id,), workers=1, root=tmp_path),
            log=lambda _: None,
        )
    assert cluster.stopped


def test_without_a_server_the_group_is_left_out_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gritwit_conformance import mutate

    monkeypatch.setattr(mutate, "_no_store_server", lambda: "no PostgreSQL server binaries")
    status = mutate.main(
        Options(groups=(POSTGRES,), workers=1, root=tmp_path), out=tmp_path / "report.json"
    )
    assert status == 2
    assert capsys.readouterr().out.strip() == (
        "gritwit mutate: the postgres group is left out: no PostgreSQL server binaries"
    )


def test_maps_traced_apart_merge_by_test() -> None:
    """The postgres group's map and the others' name the same tests with other modules'
    lines: one map holds both, each test reaching what it reached in either."""
    one = Coverage(
        {
            "key": "a",
            "tests": {
                "t1": {"lines": [["m/a.py", [1, 2]]], "seconds": 0.5, "requirements": ["X"]},
                "t2": {"lines": [["m/a.py", [3]]], "seconds": 0.1, "requirements": []},
            },
            "outside": [["m/a.py", [9]]],
        }
    )
    two = Coverage(
        {
            "key": "b",
            "tests": {"t1": {"lines": [["m/pg.py", [7]]], "seconds": 2.0, "requirements": ["X"]}},
            "outside": [["m/pg.py", [1]]],
        }
    )
    both = Coverage.merged([one, two])
    assert both.covering("m/pg.py", range(7, 8)) == ["t1"]
    assert both.covering("m/a.py", range(3, 4)) == ["t2"]
    assert sorted(both.covering("m/pg.py", range(1, 2))) == ["t1", "t2"]  # outside: all
    assert both.seconds("t1") == 2.0
    assert both.requirements("t1") == ["X"]


#: A mutant of the PostgreSQL store's ``insert``: the put's row never written.
PUT_LEFT_OUT = "m-c65dc25170"
PUT_TEST = "suite/store/test_store.py::test_put_get_has[durable]"


@pytest.mark.slow
def test_a_postgres_mutant_is_run_on_a_throwaway_server_and_killed(tmp_path: Path) -> None:
    """One mutant of ``_postgres.py`` against one durable-store test: the run starts a
    cluster, the adapter stores there, the test fails; the cluster is gone after."""
    reason = pg_cluster.skip_reason()
    if reason is not None:
        pytest.skip(reason)
    started: list[pg_cluster.Cluster] = []
    real = pg_cluster.start_cluster

    def start() -> pg_cluster.Cluster:
        started.append(real())
        return started[-1]

    (tmp_path / "conformance/mutation").mkdir(parents=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pg_cluster, "start_cluster", start)
        run = run_mutation(
            Options(
                groups=(POSTGRES,),
                only=(PUT_LEFT_OUT,),
                against=(PUT_TEST,),
                workers=1,
                root=tmp_path,
            ),
            log=lambda _: None,
        )
    result = run.results[PUT_LEFT_OUT]
    assert result["status"] == "killed", result
    assert result["test"] == PUT_TEST
    assert len(started) == 1
    assert not started[0].root.exists()
    assert started[0].process.poll() is not None


#: A runtime profile's test, in a map made by hand (none runs: the workers are fakes).
RUNTIME_TEST = "suite/runtime/test_runtime.py::test_a_runtime_test"


def _one_job_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: Options, mutant_ids: list[str]
) -> tuple[list[dict[str, Any]], Any]:
    """Run ``options`` on fake workers that kill every mutant; the jobs they were given."""
    jobs: list[dict[str, Any]] = []

    def answer(
        _self: object, job: dict[str, Any], hard_deadline: float, cut: float | None = None
    ) -> dict[str, Any] | None:
        jobs.append(job)
        return {"status": "killed", "test": RUNTIME_TEST, "reason": "", "ran": 1, "seconds": 0.0}

    monkeypatch.setattr(mutate_run.Worker, "run", answer)
    by_id = {m.id: m for m in collect_mutants(GROUPS)}
    reach = [[by_id[i].module, [by_id[i].line]] for i in mutant_ids]
    coverage = Coverage(
        {
            "key": "test",
            "tests": {RUNTIME_TEST: {"lines": reach, "seconds": 0.1, "requirements": []}},
        }
    )
    (tmp_path / "conformance/mutation").mkdir(parents=True, exist_ok=True)
    run = run_mutation(options, log=lambda _: None, coverage=coverage)
    return jobs, run


def test_on_postgres_gives_another_groups_mutant_the_url_and_records_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--on-postgres``: a runtime mutant's adapter stores in the server too, and its
    verdict says so, in the report's record and in the evidence the sample reads."""
    from gritwit_conformance.mutate import build_report, evidence
    from gritwit_conformance.mutate._killers import postgres_killed

    runtime = next(m for m in collect_mutants(["runtime"]) if m.in_function and m.requirements)
    options = Options(
        groups=("runtime",),
        only=(runtime.id,),
        workers=1,
        root=tmp_path,
        store_url=NOWHERE,
        on_postgres=True,
    )
    jobs, run = _one_job_run(tmp_path, monkeypatch, options, [runtime.id])
    assert [job.get("store_url") for job in jobs] == [NOWHERE]
    assert run.results[runtime.id]["store"] == "postgres"
    report = build_report(run, {"groups": ["runtime"]})
    (record,) = [r for r in report["mutants"] if r["id"] == runtime.id]
    assert record["store"] == "postgres"
    assert runtime.id in postgres_killed(evidence(report))


def test_a_mutant_the_evidence_killed_on_postgres_is_judged_there_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``postgres_ids`` (the sample's, from the evidence): that runtime mutant's job has
    the URL, another runtime mutant's none, and the latter's verdict names no store."""
    first, second = [m for m in collect_mutants(["runtime"]) if m.in_function][:2]
    options = Options(
        groups=("runtime",),
        only=(first.id, second.id),
        workers=1,
        root=tmp_path,
        store_url=NOWHERE,
        postgres_ids=frozenset({first.id}),
    )
    jobs, run = _one_job_run(tmp_path, monkeypatch, options, [first.id, second.id])
    urls = {job["id"]: job.get("store_url") for job in jobs}
    assert urls == {first.id: NOWHERE, second.id: None}
    assert "store" not in run.results[second.id]


def test_postgres_killed_reads_each_mutants_first_entry() -> None:
    from gritwit_conformance.mutate._killers import killers, postgres_killed

    entry = {"kind": "mutant", "test": "suite/x.py::t"}
    document = {
        "requirements": {
            "A-1": [{**entry, "mutant": "m-1", "store": "postgres"}, {**entry, "mutant": "m-2"}],
            "A-2": [{**entry, "mutant": "m-2", "store": "postgres"}],
        }
    }
    assert postgres_killed(document) == {"m-1"}  # m-2's first record names no store
    assert killers(document) == {"m-1": "suite/x.py::t", "m-2": "suite/x.py::t"}


#: A mutant of the runtime's reading of swaps another runtime made on a shared store
#: (``_moved.py``: ``not swaps`` inverted, so what moved is never read back), and a test
#: of two shares that exchange messages, which sees it only behind a PostgreSQL store.
MOVED_UNREAD = "m-d6f961848a"
SHARES_TEST = (
    "suite/runtime/test_shares.py::test_two_shares_exchange_messages_and_each_runs_only_its_own"
)


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("GRITWIT_PROFILE") != "deep",
    reason="GRITWIT_PROFILE=deep runs it (two mutant runs and a cluster, about a minute); "
    "the fake workers' tests above check what each job is given",
)
def test_on_postgres_kills_a_runtime_mutant_that_a_plain_run_leaves_alive(
    tmp_path: Path,
) -> None:
    """The same mutant and test: alive behind the runtime group's own adapters (their
    stores keep no swaps another process made), killed behind a store server, and the
    kill says where it was reached."""
    reason = pg_cluster.skip_reason()
    if reason is not None:
        pytest.skip(reason)
    (tmp_path / "conformance/mutation").mkdir(parents=True)
    results = {}
    for there in (False, True):
        run = run_mutation(
            Options(
                groups=("runtime",),
                only=(MOVED_UNREAD,),
                against=(SHARES_TEST,),
                workers=1,
                root=tmp_path,
                on_postgres=there,
            ),
            log=lambda _: None,
        )
        results[there] = run.results[MOVED_UNREAD]
    assert results[False]["status"] == "survived", results[False]
    assert "store" not in results[False]
    assert results[True]["status"] == "killed", results[True]
    assert results[True]["store"] == "postgres"
