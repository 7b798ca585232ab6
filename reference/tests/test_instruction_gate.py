"""CI's instruction gate: ``asv_bench/tools/instructions.py --check``.

The gate fails on growth beyond the tolerance in any workload, on a workload with no
baseline, and on a scaling workload over 1.2× the same transitions on an empty runtime;
``--write-baseline`` accepts a deliberate change.  These tests run the gate's logic on
made-up counts (no valgrind); the counted runs are in ``test_instructions_tool.py``
(heavy, skipped without valgrind) and in CI's own step.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_instructions_tool import tool  # the tool, loaded from its file once

ROOT = Path(__file__).resolve().parents[2]


ENV = {"python": "3.11.7", "cbor2": "5.6.5"}


def _baseline(**counts: float) -> dict[str, object]:
    workloads = {
        name.replace("_", "-"): {"instructions": n, "no_copies": n} for name, n in counts.items()
    }
    return {"tolerance": 0.02, "environment": ENV, "workloads": workloads}


def _count(name: str, instructions: float) -> object:
    return tool.Count(name, instructions, instructions)


def test_growth_beyond_two_percent_fails_and_within_it_passes() -> None:
    baseline = _baseline(counter=700_000, pingpong=370_000)
    within = [_count("counter", 713_999), _count("pingpong", 377_399)]
    assert tool.check(within, baseline, ENV) == ([], [])
    failures, _ = tool.check([_count("counter", 714_100)], baseline, ENV)
    (failure,) = failures
    assert failure.startswith("counter: 700,000 -> 714,100 (+2.01%)")


def test_a_cheaper_workload_passes_with_a_note_to_record_it() -> None:
    failures, notes = tool.check([_count("counter", 600_000)], _baseline(counter=700_000), ENV)
    assert not failures
    (note,) = notes
    assert "cheaper" in note and "--write-baseline -w counter" in note


def test_a_workload_without_a_baseline_fails() -> None:
    failures, _ = tool.check([_count("fork", 450_000)], _baseline(counter=700_000), ENV)
    assert failures == ["fork: no baseline (count it with --write-baseline -w fork)"]


def test_a_scaling_workload_over_its_limit_fails_even_within_its_baseline() -> None:
    empty, burst = "scale-empty", "scale-geneses-10000"
    baseline = _baseline(scale_empty=380_000, scale_geneses_10000=960_000)
    counts = [_count(empty, 380_000), _count(burst, 950_000)]  # cheaper than recorded
    failures, _ = tool.check(counts, baseline, ENV)
    (failure,) = failures
    assert failure.startswith(f"{burst}: 2.50x {empty}, more than 1.2x")
    flat = [_count(empty, 380_000), _count(burst, 380_000 * 1.19)]
    assert (
        tool.check(flat, _baseline(scale_empty=380_000, scale_geneses_10000=452_000), ENV)[0] == []
    )


def test_a_different_environment_is_named_in_a_note() -> None:
    now = {**ENV, "cbor2": "5.7.0"}
    failures, notes = tool.check([_count("counter", 700_000)], _baseline(counter=700_000), now)
    assert not failures
    assert notes == ["environment: cbor2 5.6.5 at the baseline, 5.7.0 now"]


def test_write_baseline_records_what_was_counted_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(_baseline(counter=700_000, pingpong=370_000)))
    tool.write_baseline(path, [tool.Count("pingpong", 380_123.4, 370_000.6)], {"python": "3.12"})
    data = json.loads(path.read_text())
    assert data["workloads"]["counter"] == {"instructions": 700_000, "no_copies": 700_000}
    assert data["workloads"]["pingpong"] == {"instructions": 380_123, "no_copies": 370_001}
    assert data["environment"] == {"python": "3.12"} and data["tolerance"] == 0.02


def _fake_counts(monkeypatch: pytest.MonkeyPatch, counts: dict[str, float]) -> None:
    monkeypatch.setattr(tool.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(tool, "environment", lambda: ENV)

    def count_all(names: list[str], **_: object) -> list[object]:
        return [_count(name, counts[name]) for name in names]

    monkeypatch.setattr(tool, "count_all", count_all)


def test_check_exits_1_on_a_regression_and_says_how_to_accept_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(_baseline(counter=700_000)))
    _fake_counts(monkeypatch, {"counter": 750_000})
    assert tool.main(["--check", "-w", "counter", "--baseline", str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAILED: counter: 700,000 -> 750,000 (+7.14%)" in out
    assert "--write-baseline" in out
    # accepted: recorded, then the same count passes
    assert tool.main(["--write-baseline", "-w", "counter", "--baseline", str(path)]) == 0
    assert tool.main(["--check", "-w", "counter", "--baseline", str(path)]) == 0
    assert "instruction gate: 1 workloads within" in capsys.readouterr().out


def test_without_valgrind_the_tool_says_so_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(tool.shutil, "which", lambda name: None)
    assert tool.main(["--check"]) == 2
    assert "valgrind is not installed" in capsys.readouterr().err


def test_deep_workloads_run_only_in_the_deep_profile() -> None:
    assert "scale-geneses-20000" not in tool._selected(None, deep=False)
    assert "scale-geneses-20000" in tool._selected(None, deep=True)
    assert tool._selected(["fork"], deep=False) == ["fork"]


def test_the_committed_baseline_covers_every_workload_and_is_flat() -> None:
    baseline = tool.read_baseline(tool.BASELINE)
    assert baseline["tolerance"] == tool.TOLERANCE == 0.02
    recorded = baseline["workloads"]
    assert set(recorded) == set(tool.WORKLOADS)
    empty = recorded[tool.SCALING_BASE]["instructions"]
    for name, counts in recorded.items():
        if name.startswith("scale-"):
            assert counts["instructions"] <= tool.SCALING_LIMIT * empty, name


def test_a_failed_scene_is_reported_and_the_others_are_still_counted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A counted process that fails (as the 10,000-actor scene did after 78 minutes)
    fails its own workloads; every other process's counts are kept and each result is
    handed on as its process ends."""

    def count(names: list[str], env: dict[str, str]) -> list[object]:
        if "scale-history-20000" in names:
            raise RuntimeError("scale-history-20000: the counted run failed: TimeoutError")
        return [_count(name, 1000.0) for name in names]

    monkeypatch.setattr(tool, "count", count)
    monkeypatch.setattr(tool, "compile_modules", lambda env: None)
    monkeypatch.setattr(tool, "PYCACHE", tmp_path / ".gritwit-pycache")
    seen: list[object] = []
    results = tool.count_all(["counter", "scale-history-20000", "fork"], done=seen.append)
    assert [r.workload for r in results] == ["counter", "scale-history-20000", "fork"]
    failed = results[1]
    assert isinstance(failed, tool.Failed) and "TimeoutError" in failed.reason
    assert isinstance(results[0], tool.Count) and isinstance(results[2], tool.Count)
    assert sorted(r.workload for r in seen) == ["counter", "fork", "scale-history-20000"]


def test_check_prints_the_counted_workloads_and_fails_on_one_not_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(_baseline(counter=700_000, fork=90_000)))

    def count_all(names: list[str], done: object = None, **_: object) -> list[object]:
        results = [
            _count("counter", 700_000),
            tool.Failed("fork", "the counted run failed (exit 1):\nKilled"),
        ]
        for result in results:
            done(result)  # type: ignore[operator]
        return results

    monkeypatch.setattr(tool, "count_all", count_all)
    assert tool.main(["--check", "-w", "counter", "-w", "fork", "--baseline", str(path)]) == 1
    out = capsys.readouterr().out
    streamed = out.split("\n\n")[0]  # the lines printed as each process ended
    assert "counter" in streamed and "700,000" in streamed and "FAILED" in streamed
    assert "FAILED: fork: not counted (the counted run failed (exit 1):)" in out
    assert "FAILED: counter" not in out, "the counted workload is within its baseline"


def test_a_counted_process_gives_its_runtimes_a_bound_they_never_reach(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under valgrind a transition on a large scene can outlast the runtime's 5 s bound
    (RUN-005.1) when the machine is loaded: the counted process turns it off."""
    import gritwit as g
    from gritwit.runtime import Runtime, RuntimeConfig

    defaults = RuntimeConfig.__init__.__kwdefaults__  # the default bound
    assert defaults is not None
    monkeypatch.setitem(defaults, "time_limit", defaults["time_limit"])
    assert Runtime(g.Store.memory()).time_limit == 5.0
    tool._no_time_bound()
    assert Runtime(g.Store.memory()).time_limit == tool.UNBOUNDED


def test_the_scaling_scene_evicts_nothing_by_time_however_slow_the_machine() -> None:
    """The scaling scene's runtime has a clock that stands still: with an
    ``idle_after`` every actor outlasts — a machine slower than any, as valgrind at load
    25 was for the 300 s default — a burst of counters still evicts none of them, so the
    transitions counted after it find the same residents whatever the machine took."""
    from asv_bench.bench_scaling import Scene

    scene = Scene("empty")
    scene.runtime.idle_after = 1e-9
    scene.burst("geneses", 300)
    assert scene.archived == 0, f"{scene.archived} actors evicted for idling"
    assert len(scene.counters) == 300


def test_a_gate_waiting_for_the_lock_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A gate run that finds another holding the counted processes' lock prints what it
    waits for, then when it got it (the host-cost gate waited 59
    minutes printing nothing)."""
    import fcntl
    import threading

    monkeypatch.setattr(tool, "PYCACHE", tmp_path / ".gritwit-pycache")
    lock_path = tmp_path / ".gritwit-pycache.lock"
    holder = open(lock_path, "w")  # noqa: SIM115 - held across the thread below
    fcntl.flock(holder, fcntl.LOCK_EX)
    entered = threading.Event()

    def gate() -> None:
        with tool._pycache():
            entered.set()

    thread = threading.Thread(target=gate)
    thread.start()
    printed = ""
    while "waiting for" not in printed and thread.is_alive():
        thread.join(0.05)
        printed += capsys.readouterr().out
    assert not entered.is_set(), "the gate went on while another run held the lock"
    fcntl.flock(holder, fcntl.LOCK_UN)
    holder.close()
    thread.join()
    printed += capsys.readouterr().out
    assert entered.is_set()
    assert f"waiting for {lock_path}" in printed and f"got {lock_path}" in printed, printed


def test_each_counted_process_is_announced_as_it_starts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before a process is counted the gate names its workloads (a chain's members
    together), so a long count says what it is counting."""

    def run(*_: object, **__: object) -> object:
        raise OSError("no valgrind in this test")

    monkeypatch.setattr(tool.subprocess, "run", run)
    with pytest.raises(OSError):
        tool.count(["scale-empty", "scale-geneses-10000"], {"GRITWIT_PYCACHE": "/nowhere"})
    assert "counting scale-empty, scale-geneses-10000 (one process)" in capsys.readouterr().out


def test_the_gates_module_cache_and_its_lock_are_this_checkouts() -> None:
    """The cache's lock sat in the temporary folder, shared by every checkout of
    the user, and a test run of one checkout waited 40+ minutes behind another's gate."""
    import tempfile

    # in the checkout, wherever it is (CI clones into the temporary folder), never the
    # temporary folder itself, where every checkout of the user would share it
    assert tool.PYCACHE.parent == ROOT
    assert tool.PYCACHE.parent != Path(tempfile.gettempdir()).resolve()
