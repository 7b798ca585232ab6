"""The JSON report of a conformance run (format ``gritwit-report/1``) and its summary.

:class:`ReportCollector` runs on the pytest controller (with xdist too: it sees
the workers' reports) and classifies each test as passed, failed, errored
(the adapter broke: ADP-012; or the harness could not set the test up), not
claimed (ADP-006), expected failure or unexpected pass (ADP-005).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from . import SUITE_VERSION
from ._state import settings

__all__ = ["ReportCollector", "build_summary", "render_summary"]


@dataclass(slots=True)
class _Record:
    id: str
    profile: str = "harness"
    requirements: list[str] = field(default_factory=list)
    outcome: str = "passed"
    reason: str = ""
    duration: float = 0.0


def _short_reason(report: pytest.TestReport) -> str:
    text = report.longreprtext or ""
    falsifying = re.search(r"Falsifying example:.*?(?=\n\n|\Z)", text, re.DOTALL)
    lines = [line for line in text.splitlines() if line.startswith("E ")]
    core = "\n".join(line[2:].strip() for line in lines[:12])
    if falsifying:
        core = f"{core}\n{falsifying.group(0)}".strip()
    return (core or text[-1500:]).strip()[:3000]


class ReportCollector:
    """Collects one record per test and writes the JSON report at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: dict[str, _Record] = {}
        self.blamed: set[str] = set()
        self.started = time.time()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = self.records.setdefault(report.nodeid, _Record(report.nodeid))
        props = dict(report.user_properties)
        if "requirements" in props and report.nodeid not in self.blamed:
            record.requirements = str(props["requirements"]).split()
        if "profile" in props:
            record.profile = str(props["profile"])
        record.duration += report.duration
        if report.skipped and hasattr(report, "wasxfail"):
            record.outcome, record.reason = "expected-failure", str(report.wasxfail)
        elif report.skipped and report.when == "setup":
            reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
            reason = reason.removeprefix("Skipped: ")
            record.outcome = "not-claimed"
            record.reason = reason
        elif report.failed:
            if "blame" in props:
                # Blame the protocol rule that broke, and say what the test was checking.
                checking = ", ".join(record.requirements)
                record.requirements = str(props["blame"]).split()
                self.blamed.add(report.nodeid)
                detail = str(props.get("broken") or _short_reason(report))
                record.reason = f"{detail}\n(while checking {checking})"
                record.outcome = "errored" if "broken" in props else "failed"
            elif report.when != "call":
                record.outcome, record.reason = "errored", _short_reason(report)
            elif "XPASS(strict)" in (report.longreprtext or ""):
                record.outcome = "unexpected-pass"
                record.reason = "a declared known failure passed: remove it from known_failures"
            else:
                record.outcome, record.reason = "failed", _short_reason(report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from ._implementation import make_implementation
        from ._transport import AdapterBroken

        impl = make_implementation(settings.impl, timeout=settings.timeout)
        try:
            hello = impl.info()
            info = {**hello.get("implementation", {}), "profiles": hello.get("profiles", [])}
        except AdapterBroken as exc:
            info = {"name": "(handshake failed)", "error": str(exc)[:500], "profiles": []}
        finally:
            impl.close()
        info["command"] = impl.label
        import gritwit

        results = [asdict(r) for r in sorted(self.records.values(), key=lambda r: r.id)]
        document = {
            "format": "gritwit-report/1",
            "suite": {"name": "gritwit-conformance", "version": SUITE_VERSION},
            "specVersion": gritwit.SPEC_VERSION,
            "protocol": 1,
            "implementation": info,
            "started": dt.datetime.fromtimestamp(self.started, dt.UTC).isoformat(
                timespec="seconds"
            ),
            "duration": round(time.time() - self.started, 3),
            "profiles": build_summary(results, claimed=info.get("profiles", [])),
            "results": results,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(
            json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )


def build_summary(results: list[dict[str, Any]], claimed: list[str]) -> dict[str, Any]:
    """Per-profile counts and failed requirement IDs."""
    from gritwit.report._model import FAILING, SUMMARY_KEY

    profiles: dict[str, Any] = {}
    for record in results:
        entry = profiles.setdefault(
            record["profile"],
            {
                "claimed": record["profile"] in (*claimed, "harness", "protocol"),
                **{name: 0 for name in SUMMARY_KEY.values()},
                "failedRequirements": [],
            },
        )
        entry[SUMMARY_KEY[record["outcome"]]] += 1
        if record["outcome"] in FAILING:
            entry["failedRequirements"] = sorted(
                set(entry["failedRequirements"]) | set(record["requirements"])
            )
    return dict(sorted(profiles.items()))


def render_summary(document: dict[str, Any]) -> str:
    """The terminal summary ``gritwit conform`` prints."""
    impl = document["implementation"]
    lines = [
        f"{impl.get('name')} {impl.get('version', '')} ({impl.get('language', '?')}) — "
        f"spec {document['specVersion']}, suite {document['suite']['version']}, "
        f"{document['duration']:.1f} s",
        f"{'profile':<10} {'passed':>7} {'failed':>7} {'errored':>8} {'not claimed':>12}",
    ]
    for name, entry in document["profiles"].items():
        lines.append(
            f"{name:<10} {entry['passed']:>7} {entry['failed']:>7} {entry['errored']:>8} "
            f"{entry['notClaimed']:>12}"
            + (f"   (xfail {entry['expectedFailures']})" if entry["expectedFailures"] else "")
        )
        if entry["failedRequirements"]:
            lines.append(f"{'':<10} failed requirements: {', '.join(entry['failedRequirements'])}")
    return "\n".join(lines)
