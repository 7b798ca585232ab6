"""``gritwit mutate --rekey-from REV``: the committed mutation records follow moved code.

A mutant's id hashes its module (:func:`._mutants._mutant_id`), so a function moved to
another module (a split of a long module) gets new ids for the same changes: the baseline
would call them new, the equivalent lists stale.  This re-keys the records instead of
re-running every mutant:

1. the mutants of every group module at ``REV`` (``git show REV:reference/<module>``)
   and now;
2. an old id still found now is *kept*; any other old mutant maps to the one new
   mutant (a new id) with the same enclosing function, operator, original text,
   replacement and rank, in whichever module of the groups that function lives now
   (*moved*); none is *unmatched*, several *ambiguous*: both are printed, and left as
   they were;
3. ``baseline.json`` (ids with their status; the scores of the modules moved code left or
   entered, recomputed as :func:`._report.build_report` computes them; group tallies
   shifted if a mutant changed group), ``evidence.json`` and ``equivalent*.toml`` (ids and
   ``where`` lines; in the modules moved code left or entered, the ``where`` lines of the
   kept ids too, whose lines shifted).

Pure functions on texts and documents; :func:`main` does the I/O.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._mutants import Mutant, find_mutants
from ._report import _sum_tallies, _tally, write_json

__all__ = ["Plan", "main", "plan", "rekey_baseline", "rekey_equivalent", "rekey_evidence"]

_Key = tuple[str, str, str, str, int]


@dataclass(frozen=True, slots=True)
class Plan:
    """What became of the old mutants."""

    #: old id → the same mutant now, under a new id (its code moved).
    moved: Mapping[str, Mutant]
    #: old id → the mutant now with that same id.
    kept: Mapping[str, Mutant]
    #: old mutants no new one matches.
    unmatched: tuple[Mutant, ...]
    #: old mutants several new ones match.
    ambiguous: tuple[tuple[Mutant, tuple[Mutant, ...]], ...]
    #: new mutants no old one maps to (new code; the next run judges them).
    new: tuple[Mutant, ...]
    #: the old mutants of :attr:`moved`, as they were.
    moved_from: tuple[Mutant, ...]

    @property
    def touched(self) -> frozenset[str]:
        """The modules moved code left or entered."""
        old = {m.module for m in self.moved_from}
        return frozenset(old | {m.module for m in self.moved.values()})


def _keyed(module: str, source: str) -> list[tuple[_Key, Mutant]]:
    """The mutants of ``source`` with the id's inputs but the module (full original text)."""
    found = find_mutants(module, source)
    ranks: dict[tuple[str, str, str, str], int] = {}
    out = []
    for mutant in found:  # find_mutants ranks in this same order
        original = source[mutant.span[0] : mutant.span[1]]
        base = (mutant.function, mutant.operator, original, mutant.replacement)
        rank = ranks.get(base, 0)
        ranks[base] = rank + 1
        out.append(((*base, rank), mutant))
    return out


def plan(old: Mapping[str, str], new: Mapping[str, str]) -> Plan:
    """Map the mutants of the ``old`` sources onto those of the ``new`` (module → text)."""
    old_keyed = [pair for module in sorted(old) for pair in _keyed(module, old[module])]
    new_keyed = [pair for module in sorted(new) for pair in _keyed(module, new[module])]
    now = {m.id: m for _, m in new_keyed}
    before = {m.id for _, m in old_keyed}
    fresh: dict[_Key, list[Mutant]] = {}
    for key, mutant in new_keyed:
        if mutant.id not in before:
            fresh.setdefault(key, []).append(mutant)
    moved: dict[str, Mutant] = {}
    kept: dict[str, Mutant] = {}
    unmatched: list[Mutant] = []
    ambiguous: list[tuple[Mutant, tuple[Mutant, ...]]] = []
    moved_from: list[Mutant] = []
    for key, mutant in old_keyed:
        if mutant.id in now:
            kept[mutant.id] = now[mutant.id]
            continue
        candidates = fresh.get(key, [])
        if len(candidates) == 1:
            moved[mutant.id] = candidates[0]
            moved_from.append(mutant)
        elif candidates:
            ambiguous.append((mutant, tuple(candidates)))
        else:
            unmatched.append(mutant)
    targets = {m.id for m in moved.values()}
    news = tuple(m for _, m in new_keyed if m.id not in before and m.id not in targets)
    return Plan(moved, kept, tuple(unmatched), tuple(ambiguous), news, tuple(moved_from))


def _mapped(p: Plan) -> dict[str, Mutant]:
    """Old id → its mutant now, for the ids whose records change (moved, or in a touched
    module, whose lines shifted)."""
    touched = p.touched
    out = {i: m for i, m in p.kept.items() if m.module in touched}
    # records already re-keyed (a second run from the same REV): their lines may have moved
    out.update({m.id: m for m in p.moved.values()})
    out.update(p.moved)
    return out


def rekey_baseline(
    document: dict[str, Any], p: Plan, group_of: Mapping[str, str], now: Iterable[Mutant]
) -> dict[str, Any]:
    """``document`` (the committed baseline) with the moved ids renamed, the scores of the
    touched modules recomputed from the statuses of their mutants now, and the group
    tallies shifted for a mutant that changed group.  ``group_of`` maps module → group;
    ``now`` is every mutant as the code stands."""
    statuses: dict[str, str] = {
        (p.moved[i].id if i in p.moved else i): s for i, s in document["mutants"].items()
    }
    groups = {g: dict(t) for g, t in document.get("groups", {}).items()}
    for old in p.moved_from:
        status = document["mutants"].get(old.id)
        before, after = group_of.get(old.module), group_of.get(p.moved[old.id].module)
        if status is None or before == after or before not in groups or after not in groups:
            continue
        groups[before] = _shift(groups[before], status, -1)
        groups[after] = _shift(groups[after], status, +1)
    by_module: dict[str, list[str]] = {}
    for mutant in now:
        if mutant.module in p.touched and mutant.id in statuses:
            by_module.setdefault(mutant.module, []).append(statuses[mutant.id])
    modules = {m: s for m, s in document.get("modules", {}).items() if m not in p.touched}
    modules.update({m: _tally(s)["score"] for m, s in by_module.items()})
    shifted = groups != document.get("groups", {})
    return {
        **document,
        "total": _sum_tallies(groups.values()) if shifted else document.get("total"),
        "groups": groups,
        "modules": dict(sorted(modules.items())),
        "mutants": statuses,
    }


def _shift(tally: dict[str, Any], status: str, by: int) -> dict[str, Any]:
    counts = dict(tally)
    counts["mutants"] += by
    if status == "uncovered":
        counts["survived"] += by
    counts[status] = counts.get(status, 0) + by
    scored = counts["mutants"] - counts["equivalent"]
    detected = counts["killed"] + counts["timeout"]
    counts["score"] = round(100.0 * detected / scored, 1) if scored else None
    return counts


def rekey_evidence(document: dict[str, Any], p: Plan) -> dict[str, Any]:
    """``document`` (the committed evidence) with moved ids renamed and their ``where``."""
    mapped = _mapped(p)
    requirements = {}
    for rid, entries in document.get("requirements", {}).items():
        out = []
        for entry in entries:
            mutant = mapped.get(entry.get("mutant", ""))
            if mutant is not None:
                entry = {**entry, "mutant": mutant.id, "where": f"{mutant.module}:{mutant.line}"}
            out.append(entry)
        requirements[rid] = out
    return {**document, "requirements": requirements}


_ID_LINE = re.compile(r'^id = "(m-[0-9a-f]+)"\s*$')


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c >= " " or c == "\t" else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def rekey_equivalent(text: str, p: Plan) -> str:
    """One ``equivalent*.toml`` with moved ids renamed and their ``where`` lines rewritten;
    comments, reasons and order kept."""
    mapped = _mapped(p)
    lines = text.splitlines(keepends=True)
    current: Mutant | None = None
    for index, line in enumerate(lines):
        if line.startswith("[["):
            current = None
        found = _ID_LINE.match(line)
        if found:
            current = mapped.get(found.group(1))
            if current is not None:
                lines[index] = f'id = "{current.id}"\n'
        elif current is not None and line.startswith("where = "):
            lines[index] = f"where = {toml_string(current.describe())}\n"
    return "".join(lines)


def report(p: Plan) -> list[str]:
    """What the re-key did and could not do, one line each."""
    out = [
        f"rekey: {len(p.moved)} mutant(s) moved to new ids, {len(p.kept)} kept their id, "
        f"{len(p.new)} new (the next run judges them), {len(p.unmatched)} unmatched, "
        f"{len(p.ambiguous)} ambiguous"
    ]
    for mutant in p.unmatched:
        out.append(f"UNMATCHED: {mutant.id} {mutant.describe()} in {mutant.function}")
    for mutant, candidates in p.ambiguous:
        ids = ", ".join(f"{c.id} ({c.module}:{c.line})" for c in candidates)
        out.append(f"AMBIGUOUS: {mutant.id} {mutant.describe()} -> one of {ids}")
    return out


def _git_show(root: Path, rev: str, path: str) -> str | None:
    done = subprocess.run(
        ["git", "-C", str(root), "show", f"{rev}:{path}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout if done.returncode == 0 else None


def main(root: Path, rev: str, groups: Mapping[str, tuple[str, ...]], *, source_dir: str) -> int:
    """Re-key the records under ``root`` from ``rev`` to the working tree; the exit status
    (1 if some old mutant could not be mapped, 2 if ``rev`` is unknown)."""
    from ._run import BASELINE_FILE, EQUIVALENT_FILE, EVIDENCE_FILE

    check = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--verify", f"{rev}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    if check.returncode != 0:
        print(f"gritwit mutate: --rekey-from: {rev!r} is no commit of {root}")
        return 2
    base_path, evidence_path = root / BASELINE_FILE, root / EVIDENCE_FILE
    base = json.loads(base_path.read_text(encoding="utf-8"))
    group_of = {m: g for g, modules in groups.items() for m in modules}
    new = {m: (root / source_dir / m).read_text(encoding="utf-8") for m in group_of}
    old: dict[str, str] = {}
    for module in sorted(set(group_of) | set(base.get("modules", {}))):
        text = _git_show(root, rev, f"{source_dir}/{module}")
        if text is not None:
            old[module] = text
    p = plan(old, new)
    now = [m for module in sorted(new) for _, m in _keyed(module, new[module])]
    write_json(base_path, rekey_baseline(base, p, group_of, now))
    if evidence_path.is_file():
        evidence = json.loads(evidence_path.read_text(encoding="utf-8"))
        write_json(evidence_path, rekey_evidence(evidence, p))
    for path in sorted((root / EQUIVALENT_FILE).parent.glob("equivalent*.toml")):
        text = path.read_text(encoding="utf-8")
        changed = rekey_equivalent(text, p)
        if changed != text:
            path.write_text(changed, encoding="utf-8")
    for line in report(p):
        print(line)
    return 1 if p.unmatched or p.ambiguous else 0
