"""The compliance matrix: (profile, requirement) rows × implementation columns.

Pure data, no HTML.  A test that cites several requirements counts in each of
their rows (CONV-005: requirements are traced to the tests that check them);
tests citing none are gathered in one row per profile.  Requirement rows link
to the spec chapter that defines them, under the anchor the docs give every
requirement statement (``01-encoding.html#enc-007``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ._model import FAILING, Counts, ProfileSummary, Report, Result

__all__ = [
    "CHAPTERS",
    "Cell",
    "Matrix",
    "ProfileBlock",
    "Row",
    "build_matrix",
    "requirement_key",
    "spec_url",
]

#: Requirement ID prefix -> spec chapter (file name without ``.md``), in spec order.
CHAPTERS: Final = {
    "CONV": "00-conventions",
    "ENC": "01-encoding",
    "OBJ": "02-objects",
    "ID": "03-identifiers",
    "STO": "04-store",
    "REF": "04-store",
    "DUR": "04-store",
    "ADP": "05-adapter-protocol",
    "WIT": "06-wit",
    "RUN": "07-runtime",
    "WASM": "08-wasm",
    "SBX": "09-sandbox",
    "HTTP": "10-http",
    "TIM": "11-timers",
    "PORT": "12-port",
}
_PREFIXES: Final = tuple(CHAPTERS)

# Order of the tests listed in a drill-down: failures first, known failures last.
_DRILL_ORDER: Final = {
    "failed": 0,
    "unexpected-pass": 1,
    "errored": 2,
    "timed-out": 3,
    "expected-failure": 4,
}


def requirement_key(rid: str) -> tuple[int, str, int, int]:
    """Sort key: chapter order of the prefix, then the number and the clause's sub-number
    (``ENC-9`` < ``ENC-10``, ``RUN-004.2`` < ``RUN-004.10``)."""
    prefix, _, number = rid.partition("-")
    rank = _PREFIXES.index(prefix) if prefix in CHAPTERS else len(_PREFIXES)
    main, _, sub = number.partition(".")
    return rank, prefix, int(main), int(sub or 0)


def spec_url(base_url: str, rid: str) -> str | None:
    """Link to the requirement's statement in the rendered spec; None for an unknown prefix.

    A ``base_url`` holding ``{chapter}`` is a template (``{rid}``: the ID in lower case),
    e.g. ``../spec/{chapter}.md`` for the Markdown chapters installed with the suite.
    """
    chapter = CHAPTERS.get(rid.partition("-")[0])
    if chapter is None:
        return None
    if "{chapter}" in base_url:
        return base_url.replace("{chapter}", chapter).replace("{rid}", rid.lower())
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    return f"{base_url}{chapter}.html#{rid.lower()}"


@dataclass(frozen=True, slots=True)
class Cell:
    """One implementation's results for one row; ``drill`` lists the tests worth a look
    (failed, unexpected pass, errored, timed out, expected failure) in that order, then by id."""

    counts: Counts
    drill: tuple[Result, ...]

    @classmethod
    def of(cls, results: Sequence[Result]) -> Cell:
        drill = [r for r in results if r.outcome in _DRILL_ORDER]
        drill.sort(key=lambda r: (_DRILL_ORDER[r.outcome], r.id))
        return cls(Counts.of(r.outcome for r in results), tuple(drill))

    @property
    def failing(self) -> int:
        return sum(1 for r in self.drill if r.outcome in FAILING)


@dataclass(frozen=True, slots=True)
class Row:
    """``requirement`` is None for the tests of the profile that cite no requirement."""

    requirement: str | None
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class ProfileBlock:
    """One profile: the reports' own summaries (None: not in that report) and the rows."""

    name: str
    summaries: tuple[ProfileSummary | None, ...]
    totals: tuple[Cell, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Matrix:
    reports: tuple[Report, ...]
    totals: tuple[Counts, ...]
    profiles: tuple[ProfileBlock, ...]


def _block(name: str, reports: Sequence[Report]) -> ProfileBlock:
    per_report = [[r for r in report.results if r.profile == name] for report in reports]
    cited = {rid for results in per_report for r in results for rid in r.requirements}
    keys: list[str | None] = [*sorted(cited, key=requirement_key)]
    if any(not r.requirements for results in per_report for r in results):
        keys.append(None)
    rows = []
    for rid in keys:
        cells = []
        for results in per_report:
            if rid is None:
                cells.append(Cell.of([r for r in results if not r.requirements]))
            else:
                cells.append(Cell.of([r for r in results if rid in r.requirements]))
        rows.append(Row(rid, tuple(cells)))
    return ProfileBlock(
        name=name,
        summaries=tuple(report.profile(name) for report in reports),
        totals=tuple(Cell(Counts.of(r.outcome for r in results), ()) for results in per_report),
        rows=tuple(rows),
    )


def build_matrix(reports: Sequence[Report]) -> Matrix:
    """The matrix of ``reports`` (one column each, in the order given)."""
    names = sorted({name for report in reports for name, _ in report.profiles})
    return Matrix(
        reports=tuple(reports),
        totals=tuple(Counts.of(r.outcome for r in report.results) for report in reports),
        profiles=tuple(_block(name, reports) for name in names),
    )
