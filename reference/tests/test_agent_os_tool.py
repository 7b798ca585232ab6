"""``asv_bench/tools/agent_os.py``: its parsing, interleaving and ratios.

No network and no Agent OS: the other side is faked by a tiny script given as
``--aos-python``, which prints what ``agent_os_counter.py`` prints.  No figure of a
run is asserted (a timed assertion could not be trusted); the arithmetic is checked
on made-up samples, and a short run only for its shape.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from asv_bench.tools import agent_os as tool

REF = tool.REFERENCE


def test_a_childs_last_line_is_its_figures_and_a_wrong_count_is_refused() -> None:
    out = 'starting\n{"cpu": 0.5, "wall": 1.0, "transitions": 100, "count": 100}\n\n'
    sample = tool.parse_sample(out, 100)
    assert sample == tool.Sample(0.5, 1.0, 100)
    assert (sample.cpu_us, sample.wall_us) == (5_000.0, 10_000.0)
    assert tool.parse_sample('{"cpu": 1, "wall": 2, "transitions": 4}', 4).cpu_us == 250_000.0
    with pytest.raises(ValueError, match="made 99 transitions, not 100"):
        tool.parse_sample('{"cpu": 1, "wall": 1, "transitions": 99}', 100)
    with pytest.raises(ValueError, match="counted 1, not 100"):
        tool.parse_sample('{"cpu": 1, "wall": 1, "transitions": 100, "count": 1}', 100)
    with pytest.raises(ValueError, match="printed nothing"):
        tool.parse_sample("\n", 100)


def test_every_case_runs_beside_the_reference_which_goes_first_then_second() -> None:
    plan = tool.schedule(["a", "b"], 3)
    assert plan == [[REF, "a", REF, "b"], ["a", REF, "b", REF], [REF, "a", REF, "b"]]
    assert tool.pairs(plan[0]) == [(1, 0), (3, 2)]
    assert tool.pairs(plan[1]) == [(0, 1), (2, 3)]


def test_ratios_are_the_median_of_each_rounds_case_over_the_reference_beside_it() -> None:
    plan = tool.schedule(["a"], 3)

    def s(cpu_us: float, wall_us: float) -> tool.Sample:
        return tool.Sample(cpu_us / 1e6 * 10, wall_us / 1e6 * 10, 10)

    # The machine slows down in round 2: the ratio beside it stays 0.5, the medians move.
    samples = [[s(100, 200), s(50, 200)], [s(200, 800), s(400, 1_600)], [s(120, 240), s(72, 120)]]
    ref, a = tool.summarise(plan, samples)
    assert (ref.case, ref.cpu_ratio, ref.rounds) == (REF, 1.0, 3)
    assert ref.cpu_us == pytest.approx(120) and ref.wall_us == pytest.approx(240)
    assert (a.case, a.rounds) == ("a", 3)
    assert a.cpu_us == pytest.approx(72) and a.wall_us == pytest.approx(200)
    assert a.cpu_ratio == pytest.approx(0.5)  # 0.5, 0.5, 0.6
    assert a.wall_ratio == pytest.approx(0.5)  # 1.0, 0.5, 0.5
    assert a.cpu_ratio_range == pytest.approx((0.5, 0.6))
    lines = tool.table([ref, a])
    assert lines[2].startswith("| Agent OS, LMDB without fsync")
    assert "| 1.00 (1.00–1.00) | 1.00 | 3 |" in lines[2]
    assert lines[3] == "| a | 72 | 200 | 0.50 (0.50–0.60) | 0.50 | 3 |"


def test_the_tool_runs_both_sides_interleaved_with_a_fake_agent_os(tmp_path: Path) -> None:
    """The Agent OS side is a script standing in for the other environment's Python; it
    records the arguments it was given, so the order of the runs can be checked."""
    log = tmp_path / "calls.log"
    fake = tmp_path / "python"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(log)!r}, 'a').write(' '.join(sys.argv[2:3]) + '\\n')\n"
        "n = int(sys.argv[3])\n"
        "print(json.dumps({'cpu': 0.001 * n, 'wall': 0.002 * n, 'transitions': n, 'count': n}))\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    assert tool.ensure_aos_python(str(fake)) == str(fake)
    sample = tool.run_case(tool.CASES["agent-os-memory"], 7, str(fake))
    assert (sample.cpu_us, sample.wall_us) == pytest.approx((1_000.0, 2_000.0))
    plan = tool.schedule(["gritwit-memory"], 2)
    samples = [[tool.run_case(tool.CASES[n], 5, str(fake)) for n in run] for run in plan]
    assert log.read_text().split() == ["memory", "lmdb", "lmdb"]
    ref, memory = tool.summarise(plan, samples)
    assert (ref.cpu_us, ref.rounds, memory.case, memory.rounds) == (1_000.0, 2, "gritwit-memory", 2)
    assert memory.cpu_ratio == pytest.approx(memory.cpu_us / 1_000.0)


def test_a_failing_child_names_its_case(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text(f"#!{sys.executable}\nimport sys\nsys.exit('no agent os here')\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(RuntimeError, match="agent-os-lmdb: the child failed:\nno agent os here"):
        tool.run_case(tool.CASES["agent-os-lmdb"], 3, str(fake))


def test_without_a_python_the_environment_is_cached_where_it_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert tool.cache_venv() == tmp_path / "gritwit" / "agent-os-0.1.1" / "venv"
    python = tool.cache_venv() / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")  # present: nothing is created, nothing fetched
    assert tool.ensure_aos_python(None) == str(python)


def test_instructions_per_transition_leave_out_a_run_that_makes_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Callgrind counts the whole child; a child making no transition has the same
    imports, set-up and exit, so the difference over the transitions is theirs."""
    asked: list[tuple[str, int, bool]] = []

    def fake_run(case: tool.Case, transitions: int, _: str, counted: bool = False) -> tool.Sample:
        asked.append((case.name, transitions, counted))
        return tool.Sample(1.0, 1.0, transitions, 5_000_000 + 300 * transitions)

    monkeypatch.setattr(tool, "run_case", fake_run)
    assert tool.instructions(tool.CASES[REF], 50, "python") == 300.0
    assert asked == [(REF, 50, True), (REF, 0, True)]
    lines = tool.instruction_lines({REF: 2_000.0, "gritwit-memory": 500.0})
    assert lines[1] == "| gritwit default, memory | 500 | 0.25 |"
