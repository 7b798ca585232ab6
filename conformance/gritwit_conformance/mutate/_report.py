"""The mutation report (``gritwit-mutation/1``), the committed baseline and the evidence file.

* The **report** holds every mutant run and the scores per module, group and
  requirement ID.  ``gritwit report`` renders it as a section of the HTML matrix.
* The **baseline** (``conformance/mutation/baseline.json``) is the status of
  every mutant in the last full run; a sampled CI run fails on any mutant it
  finds alive that the baseline records as detected, and on any new mutant left
  alive (:func:`regressions`) — except in a group the baseline does not hold yet,
  whose survivors are listed, not failed, until a full run records them.
* The **evidence** (``conformance/mutation/evidence.json``) lists, per
  requirement ID, killed mutants attributed to that ID whose killing test cites
  it (the ID or its parent clause): the proof ``gritwit trace`` reads that a
  clause has a check which fails on an implementation breaking it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gritwit import SPEC_VERSION

from ._groups import group_of
from ._mutants import Mutant
from ._run import DETECTED, MutationRun

__all__ = [
    "FORMAT",
    "build_report",
    "evidence",
    "merge_baseline",
    "merge_evidence",
    "regressions",
    "render_summary",
    "unjudged",
    "write_json",
]

FORMAT = "gritwit-mutation/1"
EVIDENCE_FORMAT = "gritwit-mutation-evidence/1"


def _tally(statuses: Iterable[str]) -> dict[str, Any]:
    counts: dict[str, Any] = {
        "mutants": 0,
        "killed": 0,
        "timeout": 0,
        "survived": 0,
        "equivalent": 0,
        "error": 0,
        "uncovered": 0,
    }
    for status in statuses:
        counts["mutants"] += 1
        if status == "uncovered":
            counts["survived"] += 1
            counts["uncovered"] += 1
        else:
            counts[status] = counts.get(status, 0) + 1
    scored = counts["mutants"] - counts["equivalent"]
    detected = counts["killed"] + counts["timeout"]
    counts["score"] = round(100.0 * detected / scored, 1) if scored else None
    return counts


def _status(result: dict[str, Any]) -> str:
    return "uncovered" if result.get("uncovered") else str(result["status"])


def build_report(run: MutationRun, options: dict[str, Any]) -> dict[str, Any]:
    """The JSON document of one run."""
    mutants = []
    by_module: dict[str, list[str]] = {}
    by_group: dict[str, list[str]] = {}
    by_requirement: dict[str, list[str]] = {}
    for mutant in run.mutants:
        result = run.results.get(mutant.id)
        if result is None:
            continue  # not reached before the time budget ran out
        status = _status(result)
        by_module.setdefault(mutant.module, []).append(status)
        by_group.setdefault(group_of(mutant.module), []).append(status)
        for rid in mutant.requirements:
            by_requirement.setdefault(rid, []).append(status)
        mutants.append(_record(mutant, result))
    return {
        "format": FORMAT,
        "specVersion": SPEC_VERSION,
        "options": options,
        "complete": run.complete,
        "cut": run.cut,
        "interrupted": run.interrupted,
        "seconds": run.seconds,
        "coverageSeconds": run.coverage_seconds,
        "staleEquivalent": run.stale_equivalent,
        # alive after a screen's first tests (--screen): no verdict, judged by a whole run
        "screened": [
            {**_record(m, {"status": "screened"}), "status": "screened"}
            for m in run.mutants
            if m.id in set(run.screened)
        ],
        "total": _tally(s for statuses in by_module.values() for s in statuses),
        "groups": {g: _tally(s) for g, s in sorted(by_group.items())},
        "modules": {m: _tally(s) for m, s in sorted(by_module.items())},
        "requirements": {r: _tally(s) for r, s in sorted(by_requirement.items())},
        "mutants": mutants,
    }


def retally(report: dict[str, Any], keep: set[str] | None = None) -> dict[str, Any]:
    """``report`` with its scores recomputed from its mutants (only ``keep``'s ids if given)."""
    mutants = [r for r in report["mutants"] if keep is None or r["id"] in keep]
    by_module: dict[str, list[str]] = {}
    by_group: dict[str, list[str]] = {}
    by_requirement: dict[str, list[str]] = {}
    for record in mutants:
        by_module.setdefault(record["module"], []).append(record["status"])
        by_group.setdefault(record["group"], []).append(record["status"])
        for rid in record["requirements"]:
            by_requirement.setdefault(rid, []).append(record["status"])
    return {
        **report,
        "total": _tally(r["status"] for r in mutants),
        "groups": {g: _tally(s) for g, s in sorted(by_group.items())},
        "modules": {m: _tally(s) for m, s in sorted(by_module.items())},
        "requirements": {r: _tally(s) for r, s in sorted(by_requirement.items())},
        "mutants": mutants,
    }


def _record(mutant: Mutant, result: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": mutant.id,
        "module": mutant.module,
        "group": group_of(mutant.module),
        "line": mutant.line,
        "function": mutant.function,
        "operator": mutant.operator,
        "original": mutant.original,
        "replacement": mutant.replacement,
        "requirements": list(mutant.requirements),
        "status": _status(result),
        "test": result.get("test"),
        "testRequirements": result.get("testRequirements", []),
        "reason": (result.get("reason") or "")[-300:],
        "ran": result.get("ran", 0),
        "selected": result.get("selected", 0),
        "seconds": result.get("seconds", 0.0),
        "carried": bool(result.get("carried", False)),
        # A time-out re-run with the limit raised: what it gave (see _worker).
        **({"rerun": result["rerun"]} if "rerun" in result else {}),
        # Judged behind a PostgreSQL store though not of the postgres group (--on-postgres).
        **({"store": result["store"]} if "store" in result else {}),
    }


def _cites(test_requirements: Iterable[str], rid: str) -> bool:
    return any(
        t == rid or t.startswith(rid + ".") or rid.startswith(t + ".") for t in test_requirements
    )


def evidence(report: dict[str, Any]) -> dict[str, Any]:
    """Per requirement ID: killed mutants that break it, with the test that caught each.

    A detected mutant counts for a clause it is attributed to when its killing test
    cites that clause (``"cited": true``), or when the clause is the *only* one the
    mutated code names, so that the mutant breaks nothing else (``"cited": false``).
    A mutant attributed to several clauses and killed by a test citing none of them
    proves nothing about any one of them.
    """
    found: dict[str, list[dict[str, Any]]] = {}

    def add(key: str, record: dict[str, Any], cited: bool) -> None:
        entries = found.setdefault(key, [])
        if len(entries) < 3 and all(e["mutant"] != record["id"] for e in entries):
            entries.append(
                {
                    "kind": "mutant",
                    "mutant": record["id"],
                    "where": f"{record['module']}:{record['line']}",
                    "test": record["test"],
                    "cited": cited,
                    # killed behind a PostgreSQL store: the sample judges it there again
                    **({"store": record["store"]} if "store" in record else {}),
                }
            )

    for record in report["mutants"]:
        if record["status"] not in DETECTED or not record["test"]:
            continue
        requirements = list(record["requirements"])
        for rid in requirements:
            cited = [t for t in record["testRequirements"] if _cites([t], rid)]
            for target in cited:
                add(target if target.startswith(rid + ".") else rid, record, True)
        if len(requirements) == 1:
            add(requirements[0], record, False)
    for entries in found.values():
        entries.sort(key=lambda e: not e["cited"])
    return {
        "format": EVIDENCE_FORMAT,
        "specVersion": report["specVersion"],
        "requirements": dict(sorted(found.items())),
    }


def baseline(report: dict[str, Any]) -> dict[str, Any]:
    """The committed status of every mutant of a full run."""
    return {
        "format": "gritwit-mutation-baseline/1",
        "total": report["total"],
        "groups": report["groups"],
        "modules": {m: t["score"] for m, t in report["modules"].items()},
        "mutants": {r["id"]: r["status"] for r in report["mutants"]},
    }


_COUNTS = ("mutants", "killed", "timeout", "survived", "equivalent", "error", "uncovered")


def _sum_tallies(tallies: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The tally of several groups together, its score recomputed as :func:`_tally` does."""
    counts: dict[str, Any] = {key: 0 for key in _COUNTS}
    for tally in tallies:
        for key in _COUNTS:
            counts[key] += int(tally.get(key, 0))
    scored = counts["mutants"] - counts["equivalent"]
    detected = counts["killed"] + counts["timeout"]
    counts["score"] = round(100.0 * detected / scored, 1) if scored else None
    return counts


def merge_baseline(
    old: dict[str, Any], new: dict[str, Any], ran: set[str], keep: set[str]
) -> dict[str, Any]:
    """The committed baseline ``old`` with the groups of a complete run ``ran`` replaced.

    ``new`` is :func:`baseline` of that run.  Every other group keeps its tallies, its
    module scores and the statuses of its mutants, except ids no longer in ``keep``
    (the mutants of those groups as the code stands: a line that changed since makes new
    ids, which the next run of their group judges).  The total is the groups' sum.
    """
    groups = {g: t for g, t in old.get("groups", {}).items() if g not in ran}
    groups.update(new["groups"])
    modules = {m: s for m, s in old.get("modules", {}).items() if _group(m) not in ran}
    modules.update(new["modules"])
    mutants = {i: s for i, s in old.get("mutants", {}).items() if i in keep}
    mutants.update(new["mutants"])
    return {
        "format": new["format"],
        "total": _sum_tallies(groups.values()),
        "groups": dict(sorted(groups.items())),
        "modules": dict(sorted(modules.items())),
        "mutants": mutants,
    }


def merge_evidence(old: dict[str, Any], new: dict[str, Any], ran: set[str]) -> dict[str, Any]:
    """The committed evidence ``old`` with the entries of the groups ``ran`` replaced by
    ``new``'s (:func:`evidence` of a complete run of them): at most three per clause,
    those whose killing test cites it first, as :func:`evidence` keeps them."""
    found: dict[str, list[dict[str, Any]]] = {}
    for rid, entries in old.get("requirements", {}).items():
        kept = [e for e in entries if _group(str(e["where"]).rsplit(":", 1)[0]) not in ran]
        if kept:
            found[rid] = kept
    for rid, entries in new["requirements"].items():
        found[rid] = sorted([*entries, *found.get(rid, [])], key=lambda e: not e["cited"])[:3]
    return {
        "format": EVIDENCE_FORMAT,
        "specVersion": new["specVersion"],
        "requirements": dict(sorted(found.items())),
    }


def _group(module: str) -> str | None:
    try:
        return group_of(module)
    except KeyError:  # a module no group holds any more
        return None


def regressions(report: dict[str, Any], base: dict[str, Any]) -> list[dict[str, Any]]:
    """Mutants alive now that the baseline records as detected, or that are new and alive.

    A new mutant of a group the baseline holds no tally for (a group added since the
    last full run) is not judged here: see :func:`unjudged`.
    """
    known = base.get("mutants", {})
    bad = []
    for record in report["mutants"]:
        if record["status"] not in ("survived", "uncovered", "error"):
            continue
        before = known.get(record["id"])
        if before is None and _new_group(record, base):
            continue
        if before is None or before in DETECTED:
            bad.append(record)
    return bad


def unjudged(report: dict[str, Any], base: dict[str, Any]) -> list[dict[str, Any]]:
    """Alive mutants of groups the baseline does not hold yet (no full run has judged them)."""
    known = base.get("mutants", {})
    return [
        record
        for record in report["mutants"]
        if record["status"] in ("survived", "uncovered", "error")
        and record["id"] not in known
        and _new_group(record, base)
    ]


def _new_group(record: dict[str, Any], base: dict[str, Any]) -> bool:
    groups = base.get("groups")
    return isinstance(groups, dict) and bool(groups) and record.get("group") not in groups


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n", encoding="utf-8")


def _row(name: str, tally: dict[str, Any]) -> str:
    score = "-" if tally["score"] is None else f"{tally['score']:.1f} %"
    return (
        f"{name:34} {tally['mutants']:6} {tally['killed']:6} {tally['timeout']:7} "
        f"{tally['survived']:8} {tally['uncovered']:9} {tally['equivalent']:10} {score:>8}"
    )


def render_summary(report: dict[str, Any], *, survivors: int = 20) -> str:
    head = (
        f"{'':34} {'mutants':>6} {'killed':>6} {'timeout':>7} {'survived':>8} "
        f"{'uncovered':>9} {'equivalent':>10} {'score':>8}"
    )
    lines = [head]
    lines += [_row(g, t) for g, t in report["groups"].items()]
    lines.append(_row("total", report["total"]))
    lines.append("")
    lines.append(head)
    lines += [_row(m, t) for m, t in report["modules"].items()]
    reruns = [r["rerun"] for r in report["mutants"] if "rerun" in r]
    if reruns:
        ended = {o: sum(n["outcome"] == o for n in reruns) for o in ("failed", "timed-out")}
        lines.append(
            f"\nre-run after a time-out, with the limit raised: {len(reruns)} mutant(s); "
            f"{ended['failed']} then failed for real (killed), {ended['timed-out']} timed out "
            f"again (timeout: they hang), {len(reruns) - sum(ended.values())} did not fail "
            "(not detected)"
        )
    alive = [r for r in report["mutants"] if r["status"] in ("survived", "uncovered", "error")]
    if alive:
        lines.append(f"\nsurvivors ({len(alive)}):")
        for record in alive[:survivors]:
            lines.append(
                f"  {record['id']}  {record['module']}:{record['line']} {record['operator']}: "
                f"{record['original']!r} -> {record['replacement']!r}"
                f"{'  (uncovered)' if record['status'] == 'uncovered' else ''}"
                f"  [{', '.join(record['requirements'][:4])}]"
            )
        if len(alive) > survivors:
            lines.append(f"  … and {len(alive) - survivors} more in the JSON report")
    if report["staleEquivalent"]:
        lines.append(
            "stale entries in equivalent.toml (no such mutant): "
            + ", ".join(report["staleEquivalent"])
        )
    screened = report.get("screened", [])
    if screened:
        lines.append(
            f"\nscreened, alive after their first tests and not judged ({len(screened)}; "
            "a run without --screen judges them): "
            + ", ".join(record["id"] for record in screened[:survivors])
            + (" …" if len(screened) > survivors else "")
        )
    # what left mutants unjudged: the budget, a screen, or both
    why = ["interrupted"] if report.get("interrupted") else []
    why += ["time budget reached"] if report.get("cut") and not why else []
    why += [f"{len(screened)} screened, not judged"] if screened else []
    state = (
        "complete"
        if report["complete"]
        else f"INCOMPLETE ({'; '.join(why) or 'not every mutant run'})"
    )
    lines.append(f"\n{state}: {report['seconds']} s (test map {report['coverageSeconds']} s)")
    return "\n".join(lines)
