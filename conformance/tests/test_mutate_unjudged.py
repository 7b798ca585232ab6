"""Mutants no run has judged since the baseline (CONV-005): counted against a committed
allowance, chosen alone by ``--new``, their verdicts added to the baseline; a sample
checked against the baseline is drawn from the mutants it has detected."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.mutate import Options
from gritwit_conformance.mutate import main as mutate_main
from gritwit_conformance.mutate._mutants import Mutant
from gritwit_conformance.mutate._run import GROUPS, choose, collect_mutants, load_equivalent
from gritwit_conformance.mutate._unjudged import (
    UNJUDGED_FILE,
    add_judged,
    add_judged_evidence,
    detected_ids,
    load_allowance,
    over_allowance,
    unjudged_by_group,
    write_allowance,
)

pytestmark = pytest.mark.req("CONV-005")

ROOT = Path(__file__).resolve().parents[2]


def _mutant(mid: str, module: str = "gritwit/_cbor.py", line: int = 1) -> Mutant:
    return Mutant(
        id=mid,
        module=module,
        line=line,
        end_line=line,
        operator="cmp",
        original="a",
        replacement="b",
        function="f",
        in_function=True,
        requirements=("ENC-007",),
        span=(0, 1),
    )


def test_unjudged_mutants_are_those_neither_in_the_baseline_nor_listed_equivalent() -> None:
    mutants = [
        _mutant("m-known"),
        _mutant("m-listed"),
        _mutant("m-new"),
        _mutant("m-new2", "gritwit/store/_store.py"),
        _mutant("m-s", "gritwit/store/_store.py"),
    ]
    base = {"mutants": {"m-known": "killed", "m-s": "survived", "m-gone": "killed"}}
    found = unjudged_by_group(mutants, base, ["m-listed"])
    assert found == {"codec": ["m-new"], "store": ["m-new2"]}, (
        f"expected the unjudged to be m-new (codec) and m-new2 (store), got {found}"
    )


def test_a_group_over_its_allowance_fails_and_one_at_it_passes() -> None:
    # both sides of the limit, and a group the file does not name (allowance 0)
    assert over_allowance({"codec": 3, "store": 0}, {"codec": 3}) == []
    over = over_allowance({"codec": 4, "store": 1}, {"codec": 3})
    assert [line.split(":")[0] for line in over] == ["codec", "store"], (
        f"expected codec (4 > 3) and store (1 > an absent allowance of 0) over, got {over}"
    )
    assert "4 mutant(s)" in over[0] and "allowance of 3" in over[0], over[0]


def test_the_allowance_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "unjudged.toml"
    assert load_allowance(path) == {}, "a missing file allows none"
    write_allowance(path, {"store": 2, "codec": 0})
    assert load_allowance(path) == {"codec": 0, "store": 2}


def test_a_checked_sample_is_drawn_from_the_detected_mutants_only() -> None:
    mutants = [_mutant(f"m-{n:02d}") for n in range(40)]
    base = {"mutants": {f"m-{n:02d}": ("killed" if n % 2 else "survived") for n in range(30)}}
    pool = detected_ids(base)
    chosen = choose(mutants, Options(groups=("codec",), sample=8, pool=pool))
    assert len(chosen) == 8
    outside = [m.id for m in chosen if base["mutants"].get(m.id) != "killed"]
    assert outside == [], f"expected only mutants the baseline has killed, got also {outside}"
    every = choose(mutants, Options(groups=("codec",), sample=100, pool=pool))
    assert {m.id for m in every} == pool, "a sample larger than the pool takes the pool"


def test_verdicts_join_the_baseline_and_the_tallies_are_recomputed() -> None:
    mutants = [
        _mutant("m-a"),
        _mutant("m-b"),
        _mutant("m-c"),
        _mutant("m-eq"),
        _mutant("m-s1", "gritwit/store/_store.py"),
        _mutant("m-s2", "gritwit/store/_store.py"),
    ]
    old = {
        "format": "gritwit-mutation-baseline/1",
        "groups": {"codec": {"mutants": 99}},
        "mutants": {"m-a": "killed", "m-gone": "killed"},
    }
    new = add_judged(old, {"m-b": "survived", "m-s1": "timeout"}, mutants, ["m-eq"])
    assert new["mutants"] == {"m-a": "killed", "m-b": "survived", "m-s1": "timeout"}, (
        "expected the old verdict kept, the vanished id dropped and the two new added; "
        f"got {new['mutants']}"
    )
    codec, store = new["groups"]["codec"], new["groups"]["store"]
    # m-c and m-s2 are still unjudged: they count nowhere
    assert (codec["mutants"], codec["killed"], codec["survived"], codec["equivalent"]) == (
        3,
        1,
        1,
        1,
    ), codec
    assert codec["score"] == 50.0 and store["score"] == 100.0 and store["mutants"] == 1
    assert new["total"]["mutants"] == 4 and new["total"]["score"] == pytest.approx(66.7)
    assert new["modules"] == {"gritwit/_cbor.py": 50.0, "gritwit/store/_store.py": 100.0}


def test_a_group_of_equivalents_alone_gets_no_tally() -> None:
    new = add_judged({}, {}, [_mutant("m-eq"), _mutant("m-x")], ["m-eq"])
    assert new["groups"] == {} and new["mutants"] == {}, new


def _entry(mutant: str, cited: bool) -> dict[str, Any]:
    return {"kind": "mutant", "mutant": mutant, "where": "m.py:1", "test": "t", "cited": cited}


def test_added_evidence_replaces_the_rejudged_entries_and_puts_cited_ones_first() -> None:
    old = {
        "format": "f",
        "specVersion": "1",
        "requirements": {
            "ENC-001": [_entry("m-a", False), _entry("m-again", True)],
            "ENC-002": [_entry("m-gone", True)],
        },
    }
    new = {
        "format": "f",
        "specVersion": "2",
        "requirements": {"ENC-001": [_entry("m-b", True), _entry("m-a", True)]},
    }
    merged = add_judged_evidence(old, new, rejudged=["m-again", "m-b"])
    assert [e["mutant"] for e in merged["requirements"]["ENC-001"]] == ["m-b", "m-a"], (
        "expected m-again's old entry replaced, m-b added first (cited), m-a kept once"
    )
    assert [e["mutant"] for e in merged["requirements"]["ENC-002"]] == ["m-gone"], (
        "an entry of a mutant no run judged again stays"
    )
    assert merged["specVersion"] == "1", "the full run's version stays"


def test_no_group_has_more_unjudged_mutants_than_the_committed_allowance() -> None:
    """The tree as committed: code changed in a mutated module is judged before it lands
    (``gritwit mutate --new --group G --write-baseline``), or its allowance is raised."""
    base = json.loads((ROOT / "conformance/mutation/baseline.json").read_text("utf-8"))
    equivalent = load_equivalent(ROOT / "conformance/mutation/equivalent.toml")
    found = unjudged_by_group(collect_mutants(tuple(GROUPS)), base, equivalent)
    counts = {group: len(ids) for group, ids in found.items()}
    over = over_allowance(counts, load_allowance(ROOT / UNJUDGED_FILE))
    assert over == [], "\n".join(over)


def test_every_equivalent_entry_names_a_mutant_of_the_sources_as_committed() -> None:
    """An entry whose mutant no longer exists (its code changed) is stale: ``gritwit
    mutate`` then exits 1 on every run, the guide's one-mutant example included.  Code
    changed under an entry is re-judged and the entry removed or re-keyed before it lands."""
    equivalent = load_equivalent(ROOT / "conformance/mutation/equivalent.toml")
    known = {m.id for m in collect_mutants(tuple(GROUPS))}
    stale = sorted(i for i in equivalent if i not in known)
    assert stale == [], (
        f"expected every equivalent entry to name a mutant of today's sources; "
        f"{len(stale)} name none: {', '.join(stale)}"
    )


def test_new_runs_only_the_unjudged_and_write_baseline_adds_their_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``main`` with ``new``: the pool is the unjudged mutants; their verdicts (here a
    stand-in run's) join the baseline, and the allowance is rewritten to what is left."""
    import gritwit_conformance.mutate as mutate

    mutants = [_mutant("m-old"), _mutant("m-new1"), _mutant("m-new2")]
    (tmp_path / "conformance/mutation").mkdir(parents=True)
    base_path = tmp_path / "conformance/mutation/baseline.json"
    base_path.write_text(json.dumps({"mutants": {"m-old": "killed"}}), "utf-8")
    seen: list[frozenset[str] | None] = []

    def fake_run(options: Options, coverage: Any = None) -> Any:
        from gritwit_conformance.mutate._run import MutationRun

        seen.append(options.pool)
        run = MutationRun(mutants=[m for m in mutants if m.id == "m-new1"])
        run.results["m-new1"] = {"status": "killed", "test": None}
        run.complete = False  # the budget stopped m-new2
        return run

    monkeypatch.setattr(mutate, "collect_mutants", lambda groups: mutants)
    monkeypatch.setattr(mutate, "run_mutation", fake_run)
    monkeypatch.setattr(mutate, "_sandbox_available", lambda: True)
    status = mutate_main(
        Options(groups=("codec",), root=tmp_path),
        out=tmp_path / "report.json",
        write_baseline=True,
        check_baseline=True,
        new=True,
    )
    printed = capsys.readouterr().out
    assert seen == [frozenset({"m-new1", "m-new2"})], seen
    written = json.loads(base_path.read_text("utf-8"))
    assert written["mutants"] == {"m-old": "killed", "m-new1": "killed"}, written["mutants"]
    assert load_allowance(tmp_path / UNJUDGED_FILE) == {"codec": 1}
    assert status == 0 and "codec 1/1" in printed, printed


def test_survivors_runs_the_alive_ones_again_and_their_new_verdict_replaces_the_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gritwit_conformance.mutate as mutate

    mutants = [_mutant("m-killed"), _mutant("m-alive"), _mutant("m-unc"), _mutant("m-new")]
    (tmp_path / "conformance/mutation").mkdir(parents=True)
    base_path = tmp_path / "conformance/mutation/baseline.json"
    statuses = {"m-killed": "killed", "m-alive": "survived", "m-unc": "uncovered"}
    base_path.write_text(json.dumps({"mutants": statuses}), "utf-8")
    seen: list[frozenset[str] | None] = []

    def fake_run(options: Options, coverage: Any = None) -> Any:
        from gritwit_conformance.mutate._run import MutationRun

        seen.append(options.pool)
        run = MutationRun(mutants=[m for m in mutants if m.id == "m-alive"])
        run.results["m-alive"] = {"status": "killed", "test": None}
        return run

    monkeypatch.setattr(mutate, "collect_mutants", lambda groups: mutants)
    monkeypatch.setattr(mutate, "run_mutation", fake_run)
    monkeypatch.setattr(mutate, "_sandbox_available", lambda: True)
    mutate_main(
        Options(groups=("codec",), root=tmp_path),
        out=tmp_path / "r.json",
        write_baseline=True,
        survivors=True,
    )
    assert seen == [frozenset({"m-alive", "m-unc"})], f"expected the two alive ones, got {seen}"
    written = json.loads(base_path.read_text("utf-8"))["mutants"]
    assert written == {"m-killed": "killed", "m-alive": "killed", "m-unc": "uncovered"}, written


def test_against_adds_only_its_kills_and_no_whole_baseline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--against`` runs tests named by hand: a kill by one is a verdict (a suite test
    failed on the mutant), a pass is none (the tests reaching its line did not run), so
    with ``--mutant`` only its kills join the baseline, and a run of whole groups against
    them writes no baseline at all."""
    import gritwit_conformance.mutate as mutate

    mutants = [_mutant("m-hit"), _mutant("m-missed")]
    (tmp_path / "conformance/mutation").mkdir(parents=True)
    base_path = tmp_path / "conformance/mutation/baseline.json"
    base_path.write_text(json.dumps({"mutants": {}}), "utf-8")

    def fake_run(options: Options, coverage: Any = None) -> Any:
        from gritwit_conformance.mutate._run import MutationRun

        run = MutationRun(mutants=list(mutants))
        run.results["m-hit"] = {"status": "killed", "test": "suite/codec/test_x.py::t"}
        run.results["m-missed"] = {"status": "survived", "test": None}
        return run

    monkeypatch.setattr(mutate, "collect_mutants", lambda groups: mutants)
    monkeypatch.setattr(mutate, "run_mutation", fake_run)
    monkeypatch.setattr(mutate, "_sandbox_available", lambda: True)
    against = ("suite/codec/test_x.py",)
    options = Options(groups=("codec",), root=tmp_path, against=against)
    named = dataclasses.replace(options, only=("m-hit", "m-missed"))
    mutate_main(named, out=tmp_path / "r.json", write_baseline=True)
    written = json.loads(base_path.read_text("utf-8"))["mutants"]
    assert written == {"m-hit": "killed"}, f"expected the kill alone, got {written}"
    assert "1 mutant(s) not detected by the --against tests" in capsys.readouterr().out
    status = mutate_main(options, out=tmp_path / "r2.json", write_baseline=True)
    assert status == 2 and "--against" in capsys.readouterr().out
    assert json.loads(base_path.read_text("utf-8"))["mutants"] == written


def test_a_checked_sample_runs_each_mutant_against_its_recorded_killer_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No test map: the pool is the detected mutants with a killer in evidence.json whose
    test still exists, each sent to that test; alive against it is a regression naming it."""
    import gritwit_conformance.mutate as mutate
    from gritwit_conformance.mutate._killers import killer_coverage, killers, present
    from gritwit_conformance.mutate._run import MutationRun
    from gritwit_conformance.mutate._select import select_tests

    real = "suite/codec/test_codec_boundaries.py"
    assert (ROOT / "conformance/gritwit_conformance" / real).is_file()
    name = next(
        line.split("(")[0][4:]
        for line in (ROOT / "conformance/gritwit_conformance" / real).read_text().splitlines()
        if line.startswith("def test_")
    )
    mutants = [
        _mutant("m-k1"),
        _mutant("m-k2", line=2),
        _mutant("m-gone", line=3),
        _mutant("m-alive", line=4),
    ]
    evidence = {
        "requirements": {
            "ENC-007": [
                {"kind": "mutant", "mutant": "m-k1", "test": f"{real}::{name}", "cited": True},
                {"kind": "mutant", "mutant": "m-k2", "test": f"{real}::{name}[x]", "cited": True},
                {"kind": "mutant", "mutant": "m-gone", "test": f"{real}::test_not_here"},
                {"kind": "mutant", "mutant": "m-alive", "test": f"{real}::{name}"},
            ]
        }
    }
    assert killers(evidence)["m-k2"] == f"{real}::{name}[x]"
    suite = ROOT / "conformance/gritwit_conformance"
    assert present(f"{real}::{name}[x]", suite) and not present(f"{real}::test_not_here", suite)
    assert not present("suite/codec/no_such_file.py::test_x", suite)
    cover = killer_coverage(mutants[:2], killers(evidence))
    assert select_tests(mutants[0], cover)[0] == [f"{real}::{name}"]
    assert select_tests(mutants[1], cover)[0] == [f"{real}::{name}[x]"]

    (tmp_path / "conformance/mutation").mkdir(parents=True)
    statuses = {"m-k1": "killed", "m-k2": "timeout", "m-gone": "killed", "m-alive": "survived"}
    (tmp_path / "conformance/mutation/baseline.json").write_text(
        json.dumps({"mutants": statuses}), "utf-8"
    )
    (tmp_path / "conformance/mutation/evidence.json").write_text(json.dumps(evidence), "utf-8")
    seen: list[tuple[frozenset[str] | None, Any, tuple[str, ...]]] = []
    groups: list[tuple[str, ...]] = []

    def fake_run(options: Options, coverage: Any = None) -> Any:
        # first against the killers: both alive; then against every test reaching them
        # (no coverage given: the map), where another test kills m-k2
        seen.append((options.pool, coverage, options.only))
        groups.append(options.groups)
        run = MutationRun(mutants=[m for m in mutants if m.id in ("m-k1", "m-k2")])
        run.results["m-k1"] = {"status": "survived", "test": None}
        run.results["m-k2"] = (
            {"status": "survived", "test": None}
            if len(seen) == 1
            else {"status": "killed", "test": "suite/other.py::test_other"}
        )
        run.complete = len(seen) == 1  # the budget cut the second look short
        return run

    monkeypatch.setattr(mutate, "collect_mutants", lambda groups: mutants)
    monkeypatch.setattr(mutate, "run_mutation", fake_run)
    monkeypatch.setattr(mutate, "_sandbox_available", lambda: True)
    write_allowance(tmp_path / UNJUDGED_FILE, {})
    status = mutate_main(
        Options(groups=("codec", "store"), root=tmp_path, sample=40),
        out=tmp_path / "r.json",
        check_baseline=True,
    )
    printed = capsys.readouterr().out
    pool, coverage, _ = seen[0]
    assert pool == frozenset({"m-k1", "m-k2"}), (
        f"expected the detected mutants whose killer exists, got {pool}"
    )
    assert coverage is not None and coverage.data["key"] == "against"
    assert [(p, c, sorted(o)) for p, c, o in seen[1:]] == [(None, None, ["m-k1", "m-k2"])], seen
    assert groups[1] == ("codec",), f"the second run maps their groups' profiles only: {groups}"
    assert status == 1, printed
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert report["complete"] is False, "a second look the budget cut makes no complete run"
    assert (
        f"m-k1 gritwit/_cbor.py:1 cmp 'a' -> 'b' survives its recorded killer {real}::{name}"
        in printed
    ), printed
    assert "REGRESSION: m-k2" not in printed, printed
    assert (
        f"STALE EVIDENCE: m-k2: its recorded killer {real}::{name}[x] no longer kills it; "
        "suite/other.py::test_other does" in printed
    ), printed


def test_every_module_of_the_reference_is_in_a_group_or_left_out_with_a_reason() -> None:
    """A new module is placed, not forgotten: nine spec-enforcing modules (the outbox
    chain, the service parties' steps, the engine lane, ...) were in no group."""
    from gritwit_conformance.mutate._groups import LEFT_OUT, PACKAGE_DIR

    grouped = {m for modules in GROUPS.values() for m in modules}
    on_disk = {str(p.relative_to(PACKAGE_DIR.parent)) for p in PACKAGE_DIR.rglob("*.py")}
    cli = {m for m in on_disk if m.endswith("/_cli.py")}  # every command layer, by name
    placed = grouped | set(LEFT_OUT) | cli
    assert sorted(on_disk - placed) == [], "modules in no group and not left out with a reason"
    assert sorted(placed - on_disk) == [], "grouped or left-out modules that do not exist"
    assert sorted(grouped & set(LEFT_OUT)) == [], "modules both grouped and left out"
    assert all(reason.strip() for reason in LEFT_OUT.values())


def test_a_survivor_listed_equivalent_since_counts_as_equivalent() -> None:
    """A --new run records a survivor; a reviewer lists it equivalent; the next run that adds
    verdicts counts it equivalent, not alive (a listed survivor stayed 'survived' before)."""
    old = {"mutants": {"m-s": "survived", "m-u": "uncovered", "m-k": "killed"}}
    mutants = [_mutant("m-s"), _mutant("m-u"), _mutant("m-k"), _mutant("m-x")]
    new = add_judged(old, {"m-x": "killed"}, mutants, ["m-s", "m-u"])
    assert new["mutants"] == {
        "m-s": "equivalent",
        "m-u": "equivalent",
        "m-k": "killed",
        "m-x": "killed",
    }, new["mutants"]
    codec = new["groups"]["codec"]
    assert (codec["equivalent"], codec["survived"], codec["uncovered"]) == (2, 0, 0), codec
