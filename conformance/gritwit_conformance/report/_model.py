"""Load and validate conformance reports (format ``gritwit-report/2``; ``/1`` is still read).

A report comes from an implementation we do not trust, so :func:`load_report`
checks it fully before anything is rendered: strict JSON (no ``NaN``, no
duplicate keys), the JSON Schema shipped as ``gritwit_conformance/schemas/report.schema.json``,
unique test ids, and a per-profile summary that agrees with the results.  Any
problem raises :class:`ReportError` naming the file and the offending place.

The report records the spec and suite versions (CONV-003), the requirement IDs
of every test (CONV-005) and the reasons of failures, which name error classes
(CONV-004).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from pathlib import Path
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
    "load_report",
    "parse_report",
    "report_schema",
]

SCHEMA_FILE: Final = "report.schema.json"
FORMAT: Final = "gritwit-report/2"
#: Formats this loader reads: /1 had no ``skipped`` or ``not-run`` outcome and no ``collected``.
FORMATS: Final = ("gritwit-report/1", FORMAT)

#: Outcomes of one test, in the order the page lists them.
OUTCOMES: Final = (
    "passed",
    "failed",
    "errored",
    "not-claimed",
    "expected-failure",
    "unexpected-pass",
    "skipped",
    "not-run",
)
#: Outcomes that make a requirement fail (as in the report's ``failedRequirements``).
FAILING: Final = frozenset({"failed", "errored", "unexpected-pass"})

# outcome -> key of the per-profile summary
SUMMARY_KEY: Final = {
    "passed": "passed",
    "failed": "failed",
    "errored": "errored",
    "not-claimed": "notClaimed",
    "expected-failure": "expectedFailures",
    "unexpected-pass": "unexpectedPasses",
    "skipped": "skipped",
    "not-run": "notRun",
}
#: Summary keys a ``gritwit-report/1`` file may lack (its outcomes had no such kind).
_NEW_IN_2: Final = frozenset({"skipped", "notRun"})
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
    not_claimed: int = 0
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

        ``fail`` (failed or unexpected pass) > ``errored`` > ``incomplete`` (a
        test never ran: the run ended first) > ``xfail`` (known failures) >
        ``pass`` > ``skipped`` > ``not-claimed`` > ``none`` (no tests).  A cell
        is ``pass`` only when a test of it ran and passed: skipped tests never
        count as passed.
        """
        if self.failed or self.unexpected_pass:
            return "fail"
        if self.errored:
            return "errored"
        if self.not_run:
            return "incomplete"
        if self.expected_failure:
            return "xfail"
        if self.passed:
            return "pass"
        if self.skipped:
            return "skipped"
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


def _json_path(path: Iterable[object]) -> str:
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _parse(source: str, data: bytes) -> object:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReportError(source, [f"not UTF-8: {exc}"]) from None
    try:
        return json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys
        )
    except ValueError as exc:  # JSONDecodeError is a ValueError
        raise ReportError(source, [f"not JSON: {exc}"]) from None
    except RecursionError:
        raise ReportError(source, ["not JSON: nested too deeply"]) from None


def _schema_problems(document: object) -> list[str]:
    import jsonschema  # only when validating: keeps `import gritwit_conformance.report` cheap

    validator = jsonschema.Draft202012Validator(report_schema())
    problems = []
    for error in validator.iter_errors(document):
        message = error.message if len(error.message) <= 300 else error.message[:300] + "…"
        problems.append((_json_path(error.absolute_path), message))
    return [f"{where}: {message}" for where, message in sorted(problems)]


def _consistency_problems(document: dict[str, Any]) -> list[str]:
    problems = []
    seen: set[str] = set()
    by_profile: dict[str, list[dict[str, Any]]] = {}
    for index, result in enumerate(document["results"]):
        if result["id"] in seen:
            problems.append(f"$.results[{index}].id: test id {result['id']!r} appears twice")
        seen.add(result["id"])
        by_profile.setdefault(result["profile"], []).append(result)
    summaries: dict[str, Any] = document["profiles"]
    for name in sorted(set(by_profile) - set(summaries)):
        problems.append(f"$.profiles: no summary for profile {name!r}, which has results")
    for name, summary in sorted(summaries.items()):
        results = by_profile.get(name, [])
        counts = Counts.of(r["outcome"] for r in results)
        for outcome, actual in counts.items():
            key = SUMMARY_KEY[outcome]
            if summary.get(key, 0) != actual:
                problems.append(
                    f"$.profiles.{name}.{key}: says {summary.get(key, 0)}, "
                    f"but {actual} result(s) of profile {name!r} are {outcome!r}"
                )
        failing = sorted(
            {rid for r in results if r["outcome"] in FAILING for rid in r["requirements"]}
        )
        if sorted(summary["failedRequirements"]) != failing:
            problems.append(
                f"$.profiles.{name}.failedRequirements: says {summary['failedRequirements']}, "
                f"but the failing results cite {failing}"
            )
    if document["format"] == FORMAT:
        for key in sorted(_NEW_IN_2):
            for name, summary in sorted(summaries.items()):
                if key not in summary:
                    problems.append(f"$.profiles.{name}: {FORMAT} requires {key!r}")
        collected = document.get("collected")
        if collected is None:
            problems.append(f"$: {FORMAT} requires 'collected'")
        elif collected != len(document["results"]):
            problems.append(
                f"$.collected: says {collected}, but there are {len(document['results'])} "
                "results (a test never reached is a result of outcome 'not-run')"
            )
        not_run = sum(r["outcome"] == "not-run" for r in document["results"])
        if not_run and not document.get("incomplete") and not document.get("interrupted"):
            problems.append(
                f"$.incomplete: missing, but {not_run} result(s) are 'not-run': the run "
                "did not finish and must say why"
            )
    elif any(r["outcome"] in ("skipped", "not-run") for r in document["results"]):
        problems.append("$.results: outcomes 'skipped' and 'not-run' need gritwit-report/2")
    return problems


def _implementation(info: dict[str, Any]) -> Implementation:
    def text(key: str) -> str:
        value = info.get(key, "")
        return value if isinstance(value, str) else ""

    return Implementation(
        name=info["name"],
        version=text("version"),
        language=text("language"),
        homepage=text("homepage"),
        spec=text("spec"),
        profiles=tuple(info["profiles"]),
        command=info["command"],
        error=text("error"),
    )


def _summary(entry: dict[str, Any]) -> ProfileSummary:
    return ProfileSummary(
        claimed=entry["claimed"],
        counts=Counts(*(entry.get(SUMMARY_KEY[o], 0) for o in OUTCOMES)),
        failed_requirements=tuple(entry["failedRequirements"]),
    )


def _result(entry: dict[str, Any]) -> Result:
    return Result(
        id=entry["id"],
        profile=entry["profile"],
        requirements=tuple(dict.fromkeys(entry["requirements"])),  # dedupe, keep order
        outcome=entry["outcome"],
        reason=entry["reason"],
        duration=float(entry["duration"]),
    )


def parse_report(source: str, data: bytes) -> Report:
    """Validate the bytes of a report file; ``source`` names it in errors and on the page."""
    document = _parse(source, data)
    problems = _schema_problems(document)
    if problems:
        raise ReportError(source, problems)
    assert isinstance(document, dict)  # the schema says so
    problems = _consistency_problems(document)
    if problems:
        raise ReportError(source, problems)
    return Report(
        source=source,
        spec_version=document["specVersion"],
        suite_name=document["suite"]["name"],
        suite_version=document["suite"]["version"],
        protocol=document["protocol"],
        implementation=_implementation(document["implementation"]),
        started=document["started"],
        duration=float(document["duration"]),
        profiles=tuple((k, _summary(v)) for k, v in sorted(document["profiles"].items())),
        results=tuple(sorted((_result(r) for r in document["results"]), key=lambda r: r.id)),
        interrupted=document.get("interrupted", ""),
        stale_known_failures=tuple(
            (e["test"], e["reason"]) for e in document.get("staleKnownFailures", [])
        ),
        collected=int(document.get("collected", len(document["results"]))),
        incomplete=document.get("incomplete", ""),
    )


def load_report(path: Path) -> Report:
    """Read and validate one report file (:func:`parse_report`)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportError(str(path), [f"cannot read: {exc.strerror or exc}"]) from None
    return parse_report(str(path), data)
