"""The conformance report's format (``gritwit-report/3``; ``/1`` and ``/2`` are read).

Its outcomes, summary keys and frozen records; :mod:`._load` reads and checks a
file into them, the JSON Schema ``gritwit_conformance/schemas/report.schema.json``
(:func:`report_schema`) among the checks.

The report records the spec and suite versions (CONV-003), the requirement IDs
of every test (CONV-005) and the reasons of failures, which name error classes
(CONV-004).  From ``/3`` (ADP-020) it tells a time-out (*timed-out*, ADP-012) from
an assertion failure and a test left out by ``--spec-version`` (*not-applicable*) from
a skip, and records the spec version the implementation claims (``claimedSpec``), the
one applied (``appliedSpec``) and, per failure, the changes since the claimed version
(``since``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any, Final

__all__ = [
    "FAILING",
    "OUTCOMES",
    "SUMMARY_KEY",
    "Counts",
    "Implementation",
    "ProfileSummary",
    "Report",
    "ReportError",
    "Result",
    "report_schema",
]

SCHEMA_FILE: Final = "report.schema.json"
FORMAT: Final = "gritwit-report/3"
#: Formats this loader reads: /1 had no ``skipped`` or ``not-run`` outcome and no
#: ``collected``; /2 had no ``timed-out`` or ``not-applicable`` outcome and no version fields.
FORMATS: Final = ("gritwit-report/1", "gritwit-report/2", FORMAT)

#: Outcomes of one test, in the order the page lists them.
OUTCOMES: Final = (
    "passed",
    "failed",
    "errored",
    "timed-out",
    "not-claimed",
    "not-applicable",
    "expected-failure",
    "unexpected-pass",
    "skipped",
    "not-run",
)
#: Outcomes that make a requirement fail (as in the report's ``failedRequirements``)
#: and the run fail (ADP-020.2).
FAILING: Final = frozenset({"failed", "errored", "timed-out", "unexpected-pass"})

# outcome -> key of the per-profile summary
SUMMARY_KEY: Final = {
    "passed": "passed",
    "failed": "failed",
    "errored": "errored",
    "timed-out": "timedOut",
    "not-claimed": "notClaimed",
    "not-applicable": "notApplicable",
    "expected-failure": "expectedFailures",
    "unexpected-pass": "unexpectedPasses",
    "skipped": "skipped",
    "not-run": "notRun",
}
#: Summary keys a ``gritwit-report/1`` file may lack (its outcomes had no such kind).
_NEW_IN_2: Final = frozenset({"skipped", "notRun"})
#: Summary keys a ``gritwit-report/2`` file may lack, and the outcomes they count.
_NEW_IN_3: Final = frozenset({"timedOut", "notApplicable"})
_OUTCOMES_NEW_IN_3: Final = frozenset({"timed-out", "not-applicable"})
_MAX_ERRORS: Final = 5


class ReportError(Exception):
    """A report file that cannot be rendered: unreadable, not JSON, or not a valid report."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        shown = "\n  ".join(problems[:_MAX_ERRORS])
        more = (
            f"\n  … and {len(problems) - _MAX_ERRORS} more" if len(problems) > _MAX_ERRORS else ""
        )
        super().__init__(f"{source}: not a valid {FORMAT} report:\n  {shown}{more}")


@dataclass(frozen=True, slots=True)
class Counts:
    """How many tests ended with each outcome."""

    passed: int = 0
    failed: int = 0
    errored: int = 0
    #: Errored because the adapter gave no answer within the time limit (ADP-012).
    timed_out: int = 0
    not_claimed: int = 0
    #: Left out by ``--spec-version``: every clause it cites is newer (ADP-005.6).
    not_applicable: int = 0
    expected_failure: int = 0
    unexpected_pass: int = 0
    #: Skipped inside the test for a reason other than an unclaimed profile: it did not run.
    skipped: int = 0
    #: Collected but never reached: the run ended first (a signal, a crashed worker).
    not_run: int = 0

    @classmethod
    def of(cls, outcomes: Iterable[str]) -> Counts:
        tally = dict.fromkeys(OUTCOMES, 0)
        for outcome in outcomes:
            tally[outcome] += 1
        return cls(*(tally[o] for o in OUTCOMES))

    def items(self) -> tuple[tuple[str, int], ...]:
        """``(outcome, count)`` for every outcome, in :data:`OUTCOMES` order."""
        return tuple(zip(OUTCOMES, (getattr(self, f.name) for f in fields(self)), strict=True))

    @property
    def total(self) -> int:
        return sum(n for _, n in self.items())

    @property
    def status(self) -> str:
        """The cell's overall status: the worst outcome present.

        ``fail`` (failed or unexpected pass) > ``errored`` > ``timed-out`` (no
        answer within the limit, ADP-012) > ``incomplete`` (a test never ran: the
        run ended first) > ``xfail`` (known failures) > ``pass`` > ``skipped`` >
        ``not-applicable`` > ``not-claimed`` > ``none`` (no tests).  A cell is
        ``pass`` only when a test of it ran and passed: skipped tests never count
        as passed.
        """
        if self.failed or self.unexpected_pass:
            return "fail"
        if self.errored:
            return "errored"
        if self.timed_out:
            return "timed-out"
        if self.not_run:
            return "incomplete"
        if self.expected_failure:
            return "xfail"
        if self.passed:
            return "pass"
        if self.skipped:
            return "skipped"
        if self.not_applicable:
            return "not-applicable"
        return "not-claimed" if self.not_claimed else "none"


@dataclass(frozen=True, slots=True)
class Result:
    """One test of the run."""

    id: str
    profile: str
    requirements: tuple[str, ...]
    outcome: str
    reason: str
    duration: float
    #: The changes since the claimed spec version of the clauses the test cites
    #: (``changed in 0.3.0: ADP-009.4 added``), on a failure (ADP-005.5, ADP-020.3).
    since: tuple[str, ...] = ()
    #: On a failure: its diagnosis as one line, ``diagnosis (ENC-010): …`` (ADP-020.9),
    #: or ``''``.
    diagnosis: str = ""
    #: On a failure: what the adapter wrote to standard error meanwhile (ADP-020.7).
    stderr: str = ""


@dataclass(frozen=True, slots=True)
class Implementation:
    """The implementation under test; absent text fields are ``''``."""

    name: str
    version: str
    language: str
    homepage: str
    spec: str
    profiles: tuple[str, ...]
    command: str
    error: str


@dataclass(frozen=True, slots=True)
class ProfileSummary:
    """The report's own summary of one profile."""

    claimed: bool
    counts: Counts
    failed_requirements: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """One validated report; ``results`` sorted by test id."""

    source: str
    spec_version: str
    suite_name: str
    suite_version: str
    protocol: int
    implementation: Implementation
    started: str
    duration: float
    profiles: tuple[tuple[str, ProfileSummary], ...]
    results: tuple[Result, ...]
    #: The signal that stopped the run early (a partial report), or ``''``.
    interrupted: str = ""
    #: ``known_failures`` entries (ADP-005.3) that matched no test: ``(test, reason)``.
    stale_known_failures: tuple[tuple[str, str], ...] = ()
    #: How many tests the run collected (``len(results)`` for a ``gritwit-report/1`` file).
    collected: int = 0
    #: Why the run did not finish (a signal, a crashed worker …), or ``''`` when it did.
    incomplete: str = ""
    #: The spec version the implementation claimed in ``hello``, or ``''`` (ADP-020.3).
    claimed_spec: str = ""
    #: The ``--spec-version`` the run applied, or ``''``: every test applied (ADP-020.3).
    applied_spec: str = ""
    #: ``selected N of M tests: …`` for a run of chosen tests (``gritwit conform --rerun``,
    #: ``--requirement``, ``--test``), or ``''`` for a run of the whole suite.
    selection: str = ""
    #: ``(N, M)``: the run selected N of M tests (ADP-020.8); ``None``: the whole suite ran.
    selected: tuple[int, int] | None = None

    @property
    def selection_note(self) -> str:
        """``selection: N of M tests`` for a run of chosen tests, ``''`` otherwise (ADP-020.8)."""
        if self.selected is None:
            return ""
        return f"selection: {self.selected[0]} of {self.selected[1]} tests"

    @property
    def complete(self) -> bool:
        """Every collected test ran to an outcome and nothing stopped the run."""
        return not self.incomplete and not self.interrupted

    @property
    def not_run_profiles(self) -> tuple[str, ...]:
        """Profiles with a test the run never reached."""
        return tuple(sorted({r.profile for r in self.results if r.outcome == "not-run"}))

    def profile(self, name: str) -> ProfileSummary | None:
        return dict(self.profiles).get(name)


@cache
def report_schema() -> dict[str, Any]:
    """The JSON Schema of report files, as shipped in the package."""
    data = (resources.files("gritwit_conformance") / "schemas" / SCHEMA_FILE).read_bytes()
    schema: dict[str, Any] = json.loads(data)
    return schema
