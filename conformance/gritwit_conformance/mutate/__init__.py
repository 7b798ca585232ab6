"""Mutation testing of the conformance suite: does it catch a wrong implementation? (issue 9)

``gritwit mutate`` makes small wrong variants (*mutants*) of the reference's
spec-enforcing modules, runs each behind the stdio adapter against the
conformance tests of the profiles its module serves, and reports how many the
suite catches — per module, per group (codec, store, wit, runtime, wasm, sandbox) and
per requirement ID.  See :mod:`._mutants` for the operators, :mod:`._run` for
the execution, :mod:`._report` for the files it writes.

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
from pathlib import Path

from ._mutants import Mutant, apply_mutant, find_mutants
from ._report import (
    baseline,
    build_report,
    evidence,
    regressions,
    render_summary,
    unjudged,
    write_json,
)
from ._run import (
    BASELINE_FILE,
    EVIDENCE_FILE,
    GROUPS,
    Options,
    UnknownMutant,
    collect_mutants,
    load_equivalent,
    run_mutation,
)

__all__ = [
    "GROUPS",
    "Mutant",
    "Options",
    "UnknownMutant",
    "apply_mutant",
    "collect_mutants",
    "find_mutants",
    "load_equivalent",
    "main",
    "run_mutation",
]


def main(
    options: Options,
    *,
    out: Path,
    write_baseline: bool = False,
    check_baseline: bool = False,
    min_score: float | None = None,
    show: int = 20,
) -> int:
    """Run, print the summary, write the report; the exit status of ``gritwit mutate``.

    ``write_baseline`` (full runs only) rewrites the committed baseline and
    evidence files; ``check_baseline`` fails on any mutant alive now that the
    baseline records as detected, or new and alive; ``min_score`` fails a run
    whose total score is lower.
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
    try:
        run = run_mutation(options)
    except UnknownMutant as exc:
        print(f"gritwit mutate: {exc}", file=sys.stderr)
        return 2
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
        },
    )
    write_json(out, report)
    print(render_summary(report, survivors=show))
    print(f"\nreport: {out}")
    status = 0
    if report["staleEquivalent"]:
        status = 1
    if write_baseline:
        needed = _baseline_groups(options.root / BASELINE_FILE)
        partial = not needed <= set(options.groups)
        if options.sample is not None or options.modules or partial or not run.complete:
            print(
                "gritwit mutate: --write-baseline needs a complete run of every module of "
                f"the groups the baseline holds ({', '.join(sorted(needed))})"
            )
            return 2
        write_json(options.root / BASELINE_FILE, baseline(report))
        write_json(options.root / EVIDENCE_FILE, evidence(report))
        print(f"wrote {BASELINE_FILE} and {EVIDENCE_FILE}")
    if check_baseline:
        path = options.root / BASELINE_FILE
        base = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        bad = regressions(report, base)
        for record in bad:
            print(
                f"REGRESSION: {record['id']} {record['module']}:{record['line']} "
                f"{record['operator']} {record['original']!r} -> {record['replacement']!r} "
                "survives (the baseline has it detected, or it is new)"
            )
        if bad:
            status = 1
        waiting = unjudged(report, base)
        if waiting:
            groups = sorted({record["group"] for record in waiting})
            print(
                f"not judged: {len(waiting)} mutant(s) alive in group(s) {', '.join(groups)}, "
                "which the baseline does not hold yet (a full run with --write-baseline "
                "records them)"
            )
    total = report["total"]["score"]
    if min_score is not None and total is not None and total < min_score:
        print(f"gritwit mutate: score {total} % is below --min-score {min_score} %")
        status = 1
    return status


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


def _sandbox_available() -> bool:
    from gritwit.adapter._sandbox import sandbox_available

    return sandbox_available()
