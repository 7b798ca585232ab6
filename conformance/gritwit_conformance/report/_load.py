"""Read and check a conformance report before anything renders it (ADP-020).

A report comes from an implementation we do not trust, so :func:`load_report`
checks it fully: strict JSON (no ``NaN``, no duplicate keys), the JSON Schema
(:func:`~._model.report_schema`), unique test ids, a per-profile summary that
agrees with the results, and what its format (``/1``, ``/2``, ``/3``) requires or
cannot carry.  Any problem raises :class:`~._model.ReportError` naming the file
and the offending place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ._model import (
    _NEW_IN_2,
    _NEW_IN_3,
    _OUTCOMES_NEW_IN_3,
    FAILING,
    FORMAT,
    FORMATS,
    OUTCOMES,
    SUMMARY_KEY,
    Counts,
    Implementation,
    ProfileSummary,
    Report,
    ReportError,
    Result,
    report_schema,
)
from ._story import selection_line

__all__ = ["diagnosis_line", "load_report", "parse_report", "strict_json"]


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


def strict_json(source: str, data: bytes) -> object:
    """``data`` as UTF-8 JSON, strictly: no ``NaN`` or infinity, no key twice, not nested
    past the interpreter's depth; else :class:`ReportError` naming ``source``."""
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
    problems += _format_problems(document)
    return problems


def _format_problems(document: dict[str, Any]) -> list[str]:
    """What the document's format requires, and what an older format cannot carry."""
    problems = []
    summaries: dict[str, Any] = document["profiles"]
    fmt = document["format"]
    if fmt != FORMATS[0]:
        required = _NEW_IN_2 | (_NEW_IN_3 if fmt == FORMAT else frozenset())
        for key in sorted(required):
            for name, summary in sorted(summaries.items()):
                if key not in summary:
                    problems.append(f"$.profiles.{name}: {fmt} requires {key!r}")
        collected = document.get("collected")
        if collected is None:
            problems.append(f"$: {fmt} requires 'collected'")
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
    if fmt == FORMAT:
        for key in ("claimedSpec", "appliedSpec"):
            if key not in document:
                problems.append(f"$: {FORMAT} requires {key!r} (null when there is none)")
        return problems
    if any(r["outcome"] in _OUTCOMES_NEW_IN_3 for r in document["results"]):
        problems.append(f"$.results: outcomes 'timed-out' and 'not-applicable' need {FORMAT}")
    news: list[str] = [key for key in ("claimedSpec", "appliedSpec") if key in document]
    news += ["since"] if any("since" in r for r in document["results"]) else []
    if news:
        problems.append(f"$: {', '.join(map(repr, news))} need {FORMAT}")
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


def diagnosis_line(diagnosis: object) -> str:
    """A report entry's ``diagnosis`` as one line, ``diagnosis (ENC-010): …``; ``''`` for
    none (ADP-020.9)."""
    if not isinstance(diagnosis, dict) or not diagnosis.get("words"):
        return ""
    return f"diagnosis ({diagnosis.get('rule') or 'no rule named'}): {diagnosis['words']}"


def _result(entry: dict[str, Any]) -> Result:
    return Result(
        id=entry["id"],
        profile=entry["profile"],
        requirements=tuple(dict.fromkeys(entry["requirements"])),  # dedupe, keep order
        outcome=entry["outcome"],
        reason=entry["reason"],
        duration=float(entry["duration"]),
        since=tuple(entry.get("since", ())),
        diagnosis=diagnosis_line(entry.get("diagnosis")),
        stderr=str(entry.get("stderr", "")),
    )


def parse_report(source: str, data: bytes) -> Report:
    """Validate the bytes of a report file; ``source`` names it in errors and on the page."""
    document = strict_json(source, data)
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
        claimed_spec=document.get("claimedSpec") or "",
        applied_spec=document.get("appliedSpec") or "",
        selection=selection_line(document),
        selected=_selected(document.get("selection")),
    )


def _selected(chosen: Any) -> tuple[int, int] | None:
    """``(selected, of)`` of a report's ``selection`` (ADP-020.8), or ``None``."""
    if not isinstance(chosen, dict):
        return None
    return int(chosen["selected"]), int(chosen["of"])


def load_report(path: Path) -> Report:
    """Read and validate one report file (:func:`parse_report`)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportError(str(path), [f"cannot read: {exc.strerror or exc}"]) from None
    return parse_report(str(path), data)
