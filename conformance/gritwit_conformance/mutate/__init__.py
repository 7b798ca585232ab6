"""Mutation testing of the conformance suite: does it catch a wrong implementation?

``gritwit mutate`` makes small wrong variants (*mutants*) of the reference's
spec-enforcing modules, runs each behind the stdio adapter against the
conformance tests of the profiles its module serves, and reports how many the
suite catches — per module, per group (codec, store, postgres, wit, runtime, life, serve,
services, wasm, sandbox) and per requirement ID.  See :mod:`._mutants` for the operators,
:mod:`._run` for the execution, :mod:`._report` for the files it writes.

Why our own AST mutator and not mutmut or cosmic-ray: both mutate the package
that the *test process* imports (in place, or through trampolines switched by
an environment variable read inside the tests).  Here the mutant must live only
in the adapter's process, while the harness and its oracle — the same package —
stay pristine in the test process; and results must map onto requirement IDs.
A 350-line mutator on :mod:`ast` with source splicing does both and adds no
dependency.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from ._groups import POSTGRES, SUITE_ROOT, group_of
from ._killers import killer_coverage, killers, postgres_killed, present
from ._mutants import Mutant, apply_mutant, find_mutants
from ._report import (
    _status,
    baseline,
    build_report,
    evidence,
    merge_baseline,
    merge_evidence,
    regressions,
    render_summary,
    unjudged,
    write_json,
)
from ._run import (
    BASELINE_FILE,
    DETECTED,
    EQUIVALENT_FILE,
    EVIDENCE_FILE,
    GROUPS,
    MutationRun,
    Options,
    UnknownMutant,
    collect_mutants,
    load_equivalent,
    make_copy,
    module_source,
    run_mutation,
)
from ._unjudged import (
    UNJUDGED_FILE,
    add_judged,
    add_judged_evidence,
    alive_ids,
    detected_ids,
    load_allowance,
    over_allowance,
    unjudged_by_group,
    write_allowance,
)
from ._witness import WitnessResult, run_witness, witnesses_of

__all__ = [
    "GROUPS",
    "Mutant",
    "Options",
    "UnknownMutant",
    "apply_mutant",
    "collect_mutants",
    "find_mutants",
    "load_equivalent",
    "check_witnesses",
    "main",
    "run_mutation",
]


def main(
    options: Options,
    *,
    out: Path,
    write_baseline: bool = False,
    check_baseline: bool = False,
    new: bool = False,
    survivors: bool = False,
    min_score: float | None = None,
    show: int = 20,
) -> int:
    """Run, print the summary, write the report; the exit status of ``gritwit mutate``.

    ``new`` runs only the mutants no run has judged since the baseline (:mod:`._unjudged`),
    ``survivors`` only those it records alive (after a test was written for them), both
    together both; with ``write_baseline`` their verdicts join the committed baseline, and
    so do those of named mutants (``options.only``); else a full run rewrites it.
    ``check_baseline`` fails on any mutant alive now that the baseline records as detected,
    or new and alive, and on a group with more unjudged mutants than its allowance; a
    sample it checks is drawn from the mutants the baseline records as detected and
    ``evidence.json`` names a killing test for, each run against that test alone
    (:mod:`._killers`).  ``min_score`` fails a run whose total score is lower.
    """
    if "sandbox" in options.groups and not _sandbox_available():
        # without the interpreter every sandbox test is not claimed: its mutants would all
        # be uncovered survivors, regressions against a baseline that has them detected
        print(
            "gritwit mutate: the sandbox group is left out: its tests need the interpreter "
            "(pip install 'gritwit[sandbox]')"
        )
        kept = tuple(g for g in options.groups if g != "sandbox")
        if not kept:
            return 2
        options = dataclasses.replace(options, groups=kept)
    if POSTGRES in options.groups and options.store_url is None:
        missing = _no_store_server()
        if missing is not None:
            # its mutants run behind adapters storing in a throwaway cluster the run
            # starts; without one, each would be an error, not a verdict
            print(f"gritwit mutate: the postgres group is left out: {missing}")
            kept = tuple(g for g in options.groups if g != POSTGRES)
            if not kept:
                return 2
            options = dataclasses.replace(options, groups=kept)
    base = _read_json(options.root / BASELINE_FILE)
    if new or survivors:
        pool: set[str] = set(alive_ids(base)) if survivors else set()
        if new:
            equivalent = load_equivalent(options.root / EQUIVALENT_FILE)
            waiting = unjudged_by_group(collect_mutants(options.groups), base, equivalent)
            pool.update(i for ids in waiting.values() for i in ids)
        options = dataclasses.replace(options, pool=frozenset(pool))
    coverage = None
    killed_by: dict[str, str] = {}
    if not (new or survivors) and check_baseline and options.sample is not None:
        # the evidence's claims, checked: each sampled mutant against the test that killed it
        detected = detected_ids(base)
        killed_by = {
            i: t
            for i, t in killers(_read_json(options.root / EVIDENCE_FILE)).items()
            if i in detected and present(t, SUITE_ROOT)
        }
        there = postgres_killed(_read_json(options.root / EVIDENCE_FILE)) & set(killed_by)
        if there and options.store_url is None and _no_store_server() is not None:
            # killed behind a store server, which cannot start here: not judged, not lost
            print(
                f"gritwit mutate: {len(there)} mutant(s) killed behind a PostgreSQL store "
                f"are left out of the sample: {_no_store_server()}"
            )
            killed_by = {i: t for i, t in killed_by.items() if i not in there}
            there = set()
        options = dataclasses.replace(
            options, pool=frozenset(killed_by), postgres_ids=frozenset(there)
        )
        if not options.against:
            coverage = killer_coverage(collect_mutants(options.groups), killed_by)
    try:
        run = run_mutation(options, coverage=coverage)
    except UnknownMutant as exc:
        print(f"gritwit mutate: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # while the test map was built: no mutant had run
        print("gritwit mutate: interrupted before any mutant was judged", file=sys.stderr)
        return 130
    stale = _beyond_killers(run, options, killed_by) if coverage is not None else []
    report = build_report(
        run,
        {
            "groups": list(options.groups),
            "modules": list(options.modules),
            "sample": options.sample,
            "seed": options.seed,
            "workers": options.workers,
            "timeBudget": options.time_budget,
            "rerunOf": str(options.previous) if options.previous else None,
            "new": new,
            "survivors": survivors,
            "onPostgres": options.on_postgres,
        },
    )
    write_json(out, report)
    print(render_summary(report, survivors=show))
    print(f"\nreport: {out}")
    status = 0
    if report["staleEquivalent"]:
        status = 1
    named = bool(options.only) and options.previous is None  # --mutant alone
    if write_baseline and (new or survivors or named):
        _add_verdicts(options, report)
    elif write_baseline:
        if options.sample is not None or options.modules or options.against or not run.complete:
            print(
                "gritwit mutate: --write-baseline needs a complete run of every module of "
                "the groups it runs (no --sample, --module or --against, within the time "
                "budget), or --new, --survivors or --mutant, whose verdicts join it (with "
                "--against, its kills only)"
            )
            return 2
        _write_baseline(options, report)
        _write_allowance(options.root)
    if check_baseline:
        base = _read_json(options.root / BASELINE_FILE)
        bad = regressions(report, base)
        for record in bad:
            killer = killed_by.get(record["id"])
            why = (
                f"survives its recorded killer {killer} (evidence.json)"
                if killer
                else "survives (the baseline has it detected, or it is new)"
            )
            print(
                f"REGRESSION: {record['id']} {record['module']}:{record['line']} "
                f"{record['operator']} {record['original']!r} -> {record['replacement']!r} " + why
            )
        if bad:
            status = 1
        waiting_alive = unjudged(report, base)
        if waiting_alive:
            groups = sorted({record["group"] for record in waiting_alive})
            print(
                f"not judged: {len(waiting_alive)} mutant(s) alive in group(s) "
                f"{', '.join(groups)}, which the baseline does not hold yet (a full run "
                "with --write-baseline records them)"
            )
        if _check_allowance(options.root, base):
            status = 1
    for mutant_id, killer, now in stale:
        print(
            f"STALE EVIDENCE: {mutant_id}: its recorded killer {killer} no longer kills it; "
            f"{now} does (gritwit mutate --mutant {mutant_id} --write-baseline records it)"
        )
    total = report["total"]["score"]
    if min_score is not None and total is not None and total < min_score:
        print(f"gritwit mutate: score {total} % is below --min-score {min_score} %")
        status = 1
    if run.interrupted:  # its verdicts are written above; the exit says it did not end
        print(
            "gritwit mutate: interrupted (SIGINT or SIGTERM); the verdicts reached are kept",
            file=sys.stderr,
        )
        return 130
    return status


def _beyond_killers(
    run: MutationRun, options: Options, killed_by: dict[str, str]
) -> list[tuple[str, str, str]]:
    """Mutants alive against their recorded killer run again against every test reaching
    them (a map of their modules only): a test changed since may have left the killing to
    another.  Their results replace the first ones; returns (id, old killer, new killer)
    for each killed so, whose evidence is stale.  One the budget leaves unjudged keeps its
    first result."""
    alive = [i for i, r in run.results.items() if _status(r) in ("survived", "uncovered", "error")]
    if not alive:
        return []
    print(f"{len(alive)} mutant(s) alive against their recorded killers: every test reaching them")
    budget = options.time_budget
    if budget is not None:
        budget = max(60.0, budget - run.seconds)
    # their groups' profiles only, on a map of their modules only
    groups = tuple(sorted({group_of(m.module) for m in run.mutants if m.id in alive}))
    again = run_mutation(
        dataclasses.replace(
            options, groups=groups, pool=None, only=tuple(alive), time_budget=budget
        )
    )
    stale = []
    for mutant_id in alive:
        result = again.results.get(mutant_id)
        if result is None:
            continue
        run.results[mutant_id] = result
        if _status(result) in ("killed", "timeout"):
            stale.append((mutant_id, killed_by[mutant_id], str(result.get("test"))))
    run.seconds += again.seconds
    run.coverage_seconds += again.coverage_seconds
    run.complete = run.complete and again.complete  # a cut second look: no whole run
    return stale


def _read_json(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else {}


def _unjudged_counts(root: Path, base: dict[str, Any]) -> dict[str, int]:
    """Every group's count of mutants no run has judged (all groups: counting takes seconds)."""
    equivalent = load_equivalent(root / EQUIVALENT_FILE)
    waiting = unjudged_by_group(collect_mutants(tuple(GROUPS)), base, equivalent)
    return {group: len(ids) for group, ids in waiting.items()}


def _check_allowance(root: Path, base: dict[str, Any]) -> bool:
    """Print every group's unjudged count beside its allowance; True if one is over."""
    counts = _unjudged_counts(root, base)
    allowance = load_allowance(root / UNJUDGED_FILE)
    print(
        "unjudged mutants (count/allowance): "
        + ", ".join(f"{g} {n}/{allowance.get(g, 0)}" for g, n in sorted(counts.items()))
    )
    over = over_allowance(counts, allowance)
    for line in over:
        print(
            f"UNJUDGED: {line}: judge them (gritwit mutate --new --group "
            f"{line.split(':')[0]} --write-baseline) or raise the allowance saying why"
        )
    return bool(over)


def _write_allowance(root: Path) -> None:
    base = _read_json(root / BASELINE_FILE)
    write_allowance(root / UNJUDGED_FILE, _unjudged_counts(root, base))
    print(f"wrote {UNJUDGED_FILE}")


def _add_verdicts(options: Options, report: dict[str, Any]) -> None:
    """A ``--new``, ``--survivors`` or ``--mutant`` run's verdicts join the baseline and the
    evidence (replacing what they held of those mutants);
    the allowances fall to what is left."""
    base_path, evidence_path = options.root / BASELINE_FILE, options.root / EVIDENCE_FILE
    current = collect_mutants(tuple(GROUPS))
    equivalent = load_equivalent(options.root / EQUIVALENT_FILE)
    verdicts = {r["id"]: r["status"] for r in report["mutants"] if r["status"] != "equivalent"}
    if options.against:
        # A test named by hand that fails on a mutant kills it, as any suite test does;
        # one that passes says nothing of the tests that reach its line: not a verdict.
        narrow = {i for i, status in verdicts.items() if status not in DETECTED}
        verdicts = {i: s for i, s in verdicts.items() if i not in narrow}
        if narrow:
            print(f"{len(narrow)} mutant(s) not detected by the --against tests: left unjudged")
    write_json(base_path, add_judged(_read_json(base_path), verdicts, current, equivalent))
    write_json(
        evidence_path,
        add_judged_evidence(_read_json(evidence_path), evidence(report), rejudged=verdicts),
    )
    print(f"added {len(verdicts)} verdict(s) to {BASELINE_FILE} and {EVIDENCE_FILE}")
    _write_allowance(options.root)


def _write_baseline(options: Options, report: dict[str, Any]) -> None:
    """Write the baseline and evidence files: the whole of them after a run of every group
    the committed baseline holds (or of all, with none), else merged into them: the groups
    run replace theirs, the others keep theirs (a group run on its own, ``--group sandbox``,
    joins the baseline without an hour-long run of the rest)."""
    ran = set(options.groups)
    base_path, evidence_path = options.root / BASELINE_FILE, options.root / EVIDENCE_FILE
    if _baseline_groups(base_path) <= ran:
        write_json(base_path, baseline(report))
        write_json(evidence_path, evidence(report))
        print(f"wrote {BASELINE_FILE} and {EVIDENCE_FILE}")
        return
    others = tuple(g for g in GROUPS if g not in ran)
    keep = {m.id for m in collect_mutants(others)}
    old_base = json.loads(base_path.read_text(encoding="utf-8"))
    old_evidence = (
        json.loads(evidence_path.read_text(encoding="utf-8")) if evidence_path.is_file() else {}
    )
    write_json(base_path, merge_baseline(old_base, baseline(report), ran, keep))
    write_json(evidence_path, merge_evidence(old_evidence, evidence(report), ran))
    print(
        f"merged the groups {', '.join(sorted(ran))} into {BASELINE_FILE} and {EVIDENCE_FILE} "
        f"(the others kept: {', '.join(others)})"
    )


def _baseline_groups(path: Path) -> set[str]:
    """The groups a new baseline must cover: those the committed one holds, else all.

    A group added since (``sandbox``) joins the baseline by a run that includes it;
    until then the CI sample lists its survivors without judging them.
    """
    try:
        groups = json.loads(path.read_text(encoding="utf-8")).get("groups")
    except (OSError, ValueError):
        groups = None
    return set(groups) if isinstance(groups, dict) and groups else set(GROUPS)


def _no_store_server() -> str | None:
    """Why no throwaway PostgreSQL cluster can start here (no psycopg, no server
    binaries), in one line; ``None`` when one can."""
    from ..pg_cluster import skip_reason

    return skip_reason()


def _sandbox_available() -> bool:
    from gritwit.adapter._sandbox import sandbox_available

    return sandbox_available()


def check_witnesses(
    root: Path,
    groups: tuple[str, ...],
    *,
    out: Path,
    sample: int | None = None,
    seed: int = 9,
    timeout: float = 600.0,
    only: tuple[str, ...] = (),
) -> int:
    """``gritwit mutate --witnesses``: every equivalent of ``groups`` whose reason names the
    reference test that sees it (:mod:`._witness`) is run against that test; the exit
    status is 1 when a claim fails (its test passes on the mutant, or names no test); a
    witness whose every test skipped here is reported and judges nothing."""
    equivalent = load_equivalent(root / EQUIVALENT_FILE)
    mutants = [m for m in collect_mutants(groups) if not only or m.id in only]
    by_id = {m.id: m for m in mutants}
    chosen = witnesses_of(equivalent, mutants, root, sample=sample, seed=seed)
    listed = sum(1 for m in mutants if m.id in equivalent)
    print(
        f"{len(chosen)} witness(es) to run: of {listed} equivalent mutants of "
        f"{', '.join(groups)}, those whose reason names the test that sees them"
    )
    results: list[WitnessResult] = []
    with tempfile.TemporaryDirectory(prefix="gritwit-witness-") as tmp:
        copy = make_copy(Path(tmp), 0)
        for number, witness in enumerate(chosen, 1):
            mutant = by_id[witness.mutant]
            result = run_witness(witness, mutant, module_source(mutant.module), copy, root, timeout)
            results.append(result)
            print(
                f"  {number}/{len(chosen)} {result.status:8} {mutant.id} "
                f"{mutant.module}:{mutant.line} ({result.seconds} s) {' '.join(result.tests)}",
                flush=True,
            )
    wrong = [r for r in results if r.wrong]
    for result in wrong:
        print(f"WITNESS {result.status.upper()}: {result.mutant}: {' '.join(result.tests)}")
        if result.detail:
            print("    " + result.detail.strip().replace("\n", "\n    ")[-800:])
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    write_json(
        out,
        {
            "format": "gritwit-witnesses/1",
            "groups": list(groups),
            "sample": sample,
            "seed": seed,
            "equivalent": listed,
            "counts": counts,
            "results": [
                dataclasses.asdict(r) | {"holds": r.holds, "wrong": r.wrong} for r in results
            ],
        },
    )
    print(
        "witnesses: "
        + (", ".join(f"{n} {s}" for s, n in counts.items()) or "none")
        + f"; report: {out}"
    )
    return 1 if wrong else 0
