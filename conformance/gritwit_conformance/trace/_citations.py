"""Newly tested readings are changes too (CONV-003.5): the suite's citations per version.

``spec/citations.json`` records, per spec version, each clause cited by the
conformance suite (``conformance/gritwit_conformance/suite``): the test files citing
it (``req`` markers, read statically as :mod:`._inputs` reads them) and the input
classes those tests exercise (``inputs`` markers).  A *reading* is one such file or
class.  :func:`check_citations` fails on a reading the newest record (the current
version's, else the newest older one) lacks, unless the *Unreleased* section of
``spec/CHANGES.md`` names the clause — a "newly tested" line, or an added or changed
one.  The rule is coarse on purpose: a renamed test file is a new reading too; it
costs one line and keeps the check a static scan (about a second).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ._inputs import test_marks

__all__ = [
    "CITATIONS_FILE",
    "CITATIONS_FORMAT",
    "SUITE",
    "CitationReport",
    "check_citations",
    "collect_readings",
    "new_readings",
    "record_citations",
]

CITATIONS_FILE = Path("spec/citations.json")
CITATIONS_FORMAT = "gritwit-citations/1"
#: the conformance suite, the tests that judge an implementation
SUITE = Path("conformance/gritwit_conformance/suite")
#: how an input class is written among a clause's readings
CLASS_PREFIX = "inputs:"

Readings = dict[str, list[str]]


def _scan_file(path: Path, name: str, out: dict[str, set[str]]) -> None:
    for _test, req, classes in test_marks(path):
        for rid in req:
            mine = out.setdefault(rid, set())
            mine.add(name)
            mine.update(CLASS_PREFIX + c for c in classes)


def collect_readings(root: Path) -> Readings:
    """Clause → sorted readings: suite test files (relative to the suite) and input classes."""
    suite = root / SUITE
    found: dict[str, set[str]] = {}
    if suite.is_dir():
        for path in sorted(suite.rglob("test_*.py")):
            _scan_file(path, path.relative_to(suite).as_posix(), found)
    return {rid: sorted(found[rid]) for rid in sorted(found)}


def _load(root: Path) -> tuple[dict[str, Readings], list[str]]:
    path = root / CITATIONS_FILE
    if not path.is_file():
        return {}, []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        return {}, [f"{CITATIONS_FILE}: not JSON ({exc}); restore it from git"]
    versions = data.get("versions") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or data.get("format") != CITATIONS_FORMAT
        or not isinstance(versions, dict)
        or not all(
            isinstance(r, dict) and all(isinstance(v, list) for v in r.values())
            for r in versions.values()
        )
    ):
        return {}, [
            f'{CITATIONS_FILE}: not {{"format": "{CITATIONS_FORMAT}", "versions": '
            '{"X.Y.Z": {"ID": ["file", "inputs:class", …]}}}; restore it from git'
        ]
    return versions, []


def _key(version: str) -> tuple[int, ...]:
    """Orders versions, development versions before their release (CONV-003.7)."""
    from ..data._versions import version_key

    return version_key(version)


def new_readings(recorded: Mapping[str, Iterable[str]], current: Readings) -> dict[str, list[str]]:
    """Clause → its readings the record lacks (a clause the record lacks: all of them)."""
    out: dict[str, list[str]] = {}
    for rid, readings in current.items():
        fresh = sorted(set(readings) - set(recorded.get(rid, ())))
        if fresh:
            out[rid] = fresh
    return out


@dataclass(frozen=True, slots=True)
class CitationReport:
    """The outcome of :func:`check_citations`."""

    baseline: str | None
    fresh: dict[str, list[str]]
    named: set[str]
    problems: list[str] = field(default_factory=list)

    @property
    def unnamed(self) -> dict[str, list[str]]:
        return {rid: r for rid, r in self.fresh.items() if rid not in self.named}

    @property
    def ok(self) -> bool:
        return not (self.problems or self.unnamed)

    def lines(self) -> list[str]:
        out = list(self.problems)
        for rid, readings in self.unnamed.items():
            shown = ", ".join(readings[:4]) + (
                f" and {len(readings) - 4} more" if len(readings) > 4 else ""
            )
            out.append(
                f"{rid}: newly tested ({shown}), not in {CITATIONS_FILE} for {self.baseline}: "
                f'add a line to the "Unreleased" section of spec/CHANGES.md ("{rid} — newly '
                'tested: what reading. Tests: …", CONV-003.5)'
            )
        return out


def check_citations(root: Path, version: str, named: set[str]) -> CitationReport:
    """Compare the suite's readings with the newest record up to ``version``.

    ``named``: the clauses the *Unreleased* section names (any kind of line).  Without
    a record at all (a tree older than CONV-003.5) nothing is checked.
    """
    versions, problems = _load(root)
    candidates = [v for v in versions if _key(v) <= _key(version)]
    if not candidates:
        return CitationReport(None, {}, named, problems)
    baseline = max(candidates, key=_key)
    fresh = new_readings(versions[baseline], collect_readings(root))
    return CitationReport(baseline, fresh, named, problems)


def record_citations(root: Path, version: str) -> int:
    """Record the suite's current readings as ``version``'s; the number of clauses."""
    versions, _problems = _load(root)
    versions[version] = collect_readings(root)
    ordered = {v: versions[v] for v in sorted(versions, key=_key, reverse=True)}
    data = {"format": CITATIONS_FORMAT, "versions": ordered}
    (root / CITATIONS_FILE).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return len(versions[version])
