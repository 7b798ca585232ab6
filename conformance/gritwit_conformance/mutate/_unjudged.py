"""Mutants no run has judged since the baseline: counted against an allowance, judged by ``--new``.

A mutant's id hashes its function and its text (:func:`._mutants._mutant_id`), so every
change to a module of the groups makes mutants the committed baseline has never seen.
A sample drawn from all mutants then met them by lottery: CI's 40 met ten, five of them
alive, and failed on code no one had been asked to judge.  Instead (CONV-005):

* the mutants of every group that are neither in ``baseline.json`` nor listed equivalent
  are *unjudged*; ``unjudged.toml`` commits how many each group may have, and
  ``--check-baseline`` fails a group over its allowance (new code must be judged, or its
  allowance raised in a reviewed commit that says why);
* ``gritwit mutate --new`` runs exactly those, and with ``--write-baseline`` adds every
  verdict it reached to the baseline (a run cut by its time budget adds what it judged),
  recomputes the tallies and lowers the allowances to what is left;
* ``--survivors`` runs the mutants it records alive again (after a test was written for
  them), and with ``--write-baseline`` their new verdicts replace the old;
* a sample checked against the baseline is drawn from the mutants it records as detected,
  so that what it can fail on is a test that lost its teeth.

Pure functions on documents, and the two small readers and writers of the allowance file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ._groups import group_of
from ._mutants import Mutant
from ._report import _tally

__all__ = [
    "UNJUDGED_FILE",
    "add_judged",
    "add_judged_evidence",
    "alive_ids",
    "detected_ids",
    "load_allowance",
    "over_allowance",
    "unjudged_by_group",
    "write_allowance",
]

UNJUDGED_FILE = Path("conformance/mutation/unjudged.toml")
_DETECTED = ("killed", "timeout")
#: The verdicts of a mutant alive: what ``--survivors`` runs again.
_ALIVE = ("survived", "uncovered", "error")


def unjudged_by_group(
    mutants: Iterable[Mutant], base: Mapping[str, Any], equivalent: Iterable[str]
) -> dict[str, list[str]]:
    """Group → the ids of its mutants the baseline does not hold and no list calls equivalent."""
    known = set(base.get("mutants", {})) | set(equivalent)
    found: dict[str, list[str]] = {}
    for mutant in mutants:
        found.setdefault(group_of(mutant.module), [])
        if mutant.id not in known:
            found[group_of(mutant.module)].append(mutant.id)
    return found


def alive_ids(base: Mapping[str, Any]) -> frozenset[str]:
    """The mutants the baseline records alive: what ``--survivors`` runs again."""
    return frozenset(i for i, s in base.get("mutants", {}).items() if s in _ALIVE)


def detected_ids(base: Mapping[str, Any]) -> frozenset[str]:
    """The mutants the baseline records as detected: what a checked sample is drawn from."""
    return frozenset(i for i, s in base.get("mutants", {}).items() if s in _DETECTED)


def load_allowance(path: Path) -> dict[str, int]:
    """Group → how many unjudged mutants it may have; a missing file allows none."""
    if not path.is_file():
        return {}
    table = tomllib.loads(path.read_text(encoding="utf-8")).get("allowance", {})
    return {str(group): int(count) for group, count in table.items()}


def over_allowance(counts: Mapping[str, int], allowance: Mapping[str, int]) -> list[str]:
    """One line per group with more unjudged mutants than its allowance (absent: 0)."""
    return [
        f"{group}: {count} mutant(s) no run has judged, over its allowance of "
        f"{allowance.get(group, 0)} in {UNJUDGED_FILE}"
        for group, count in sorted(counts.items())
        if count > allowance.get(group, 0)
    ]


def write_allowance(path: Path, counts: Mapping[str, int]) -> None:
    """The allowance file holding ``counts`` (written after verdicts join the baseline)."""
    lines = [
        "# Mutants of each group that no run of gritwit mutate has judged since the",
        "# baseline (neither in baseline.json nor listed equivalent). --check-baseline",
        "# fails a group with more: judge them with",
        "#   gritwit mutate --new --group GROUP --write-baseline",
        "# which rewrites this file, or raise a count in a commit that says why.",
        "",
        "[allowance]",
        *(f"{group} = {count}" for group, count in sorted(counts.items())),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def add_judged(
    old: Mapping[str, Any],
    verdicts: Mapping[str, str],
    mutants: Iterable[Mutant],
    equivalent: Iterable[str],
) -> dict[str, Any]:
    """The baseline ``old`` with ``verdicts`` (id → status) added, its tallies recomputed.

    ``mutants`` are every mutant of every group as the code stands: an id of ``old`` no
    longer among them is dropped; a mutant listed equivalent counts as equivalent (one
    recorded alive before it was listed included); a
    mutant with neither a verdict nor a listing is unjudged and counts nowhere.  A group
    gets a tally once it has a judged mutant.
    """
    current = list(mutants)
    ids = {m.id for m in current}
    listed = set(equivalent)
    statuses = {i: s for i, s in old.get("mutants", {}).items() if i in ids}
    statuses.update(verdicts)
    # A mutant recorded alive and listed equivalent since (a reviewer judged the survivor a
    # --new run recorded) is equivalent: the listing is the newer verdict.
    statuses.update({i: "equivalent" for i in listed if statuses.get(i) in _ALIVE})
    by_group: dict[str, list[str]] = {}
    by_module: dict[str, list[str]] = {}
    for mutant in current:
        status = statuses.get(mutant.id) or ("equivalent" if mutant.id in listed else None)
        if status is None:
            continue
        by_group.setdefault(group_of(mutant.module), []).append(status)
        by_module.setdefault(mutant.module, []).append(status)
    judged = {g: s for g, s in by_group.items() if any(x != "equivalent" for x in s)}
    groups = {g: _tally(judged[g]) for g in sorted(judged)}
    total = _tally(s for g in judged for s in judged[g])
    return {
        "format": old.get("format", "gritwit-mutation-baseline/1"),
        "total": total,
        "groups": groups,
        "modules": {
            m: _tally(s)["score"]
            for m, s in sorted(by_module.items())
            if group_of(m) in judged and _tally(s)["score"] is not None
        },
        "mutants": {i: statuses[i] for i in sorted(statuses, key=_order(current))},
    }


def _order(mutants: list[Mutant]) -> Any:
    place = {m.id: n for n, m in enumerate(mutants)}
    return lambda i: place.get(i, len(place))


def add_judged_evidence(
    old: Mapping[str, Any], new: Mapping[str, Any], rejudged: Iterable[str] = ()
) -> dict[str, Any]:
    """The evidence ``old`` with ``new``'s entries added and those of the ``rejudged``
    mutants replaced: at most three per clause, those whose killing test cites it first.

    An entry of a mutant the code no longer has stays: on 2026-11-29 it was the only
    negative check of 11 clauses (``gritwit trace --require-negative``), whose modules'
    new mutants no run had judged yet; judging them (``--new``) brings the new evidence.
    """
    alive = set(rejudged)
    found: dict[str, list[dict[str, Any]]] = {}
    for rid, entries in old.get("requirements", {}).items():
        kept = [e for e in entries if e.get("mutant") not in alive]
        if kept:
            found[rid] = kept
    for rid, entries in new.get("requirements", {}).items():
        have = {e.get("mutant") for e in found.get(rid, [])}
        merged = [*found.get(rid, []), *(e for e in entries if e.get("mutant") not in have)]
        found[rid] = sorted(merged, key=lambda e: not e["cited"])[:3]
    return {
        "format": new.get("format", old.get("format")),
        # the version of the last full run: a development version names the text, and
        # would change the file with every spec edit
        "specVersion": old.get("specVersion", new.get("specVersion")),
        "requirements": dict(sorted(found.items())),
    }
