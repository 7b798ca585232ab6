"""The JSON report of a conformance run (format ``gritwit-report/2``) and its summary.

:class:`ReportCollector` runs on the pytest controller (with xdist too: it sees
the workers' reports) and classifies each test as passed, failed, errored
(the adapter broke: ADP-012; or the harness could not set the test up), not
claimed (ADP-006), expected failure or unexpected pass (ADP-005).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
import time
from collections.abc import Generator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from . import SUITE_VERSION
from ._state import NOT_CLAIMED, settings

__all__ = [
    "ProgressReporter",
    "ReportCollector",
    "build_summary",
    "known_failure_matches",
    "profile_of",
    "render_summary",
    "run_status",
    "short_reason",
    "stale_known_failures",
]


@dataclass(slots=True)
class _Record:
    id: str
    profile: str = "harness"
    requirements: list[str] = field(default_factory=list)
    #: Until the test's call phase reports, it has not run (a crash then leaves it so).
    outcome: str = "not-run"
    reason: str = ""
    duration: float = 0.0


#: Message lines of a failure kept (a structural diff is a few dozen; bound_message caps bytes).
_E_LINES = 80


def short_reason(text: str) -> str:
    """The message lines (``E …``) of a pytest failure and hypothesis's minimal example."""
    falsifying = re.search(r"Falsifying example:.*?(?=\n\n|\Z)", text, re.DOTALL)
    lines = [line for line in text.splitlines() if line.startswith("E ")]
    core = textwrap.dedent("\n".join(line[2:].rstrip() for line in lines[:_E_LINES]))
    if falsifying:
        core = f"{core}\n{falsifying.group(0)}".strip()
    return (core or text[-1500:]).strip()


def _reason(report: pytest.TestReport) -> str:
    """The bounded text the plugin put in ``longrepr`` (terminal, JUnit, JSON agree)."""
    from ._messages import bound_message, visible_text

    if isinstance(report.longrepr, str):
        return visible_text(report.longrepr)
    return bound_message(short_reason(report.longreprtext or ""))


def _skip_reason(report: pytest.TestReport) -> str:
    """The reason a skipped test gives (``pytest.skip("…")``), without pytest's prefix."""
    from ._messages import visible_text

    reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
    return visible_text(reason.removeprefix("Skipped: "))


def known_failure_matches(entry: str, test_id: str) -> bool:
    """A ``known_failures`` entry (ADP-005.3) names the tests whose id starts with it.

    The id is the one the report prints (``suite/store/test_store.py::test_x[1]``);
    the entry may also start at any directory of its path (``store/test_store.py::…``,
    ``test_store.py::test_x``) or at the test's name (``test_x``).
    """
    if not entry:
        return False
    path, sep, name = test_id.partition("::")
    parts = path.split("/")
    tails = ["/".join(parts[i:]) + sep + name for i in range(len(parts))]
    return any(tail.startswith(entry) for tail in (*tails, name))


def stale_known_failures(
    entries: list[dict[str, Any]], test_ids: list[str]
) -> list[dict[str, Any]]:
    """The entries that match no test of the run: they silence nothing and are stale."""
    return [
        {"test": str(e.get("test", "")), "reason": str(e.get("reason", ""))}
        for e in entries
        if not any(known_failure_matches(str(e.get("test", "")), t) for t in test_ids)
    ]


def profile_of(test_id: str) -> str:
    """The profile folder of a suite test id (``suite/codec/…`` → ``codec``)."""
    parts = test_id.partition("::")[0].split("/")
    for index, part in enumerate(parts[:-2]):
        if part == "suite":
            return parts[index + 1]
    return "other"


class _Collected:
    """The test ids of the run, on the controller, with or without xdist."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if not self.ids:
            self.ids = [item.nodeid for item in session.items]

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if not self.ids:
            self.ids = list(ids)


class ReportCollector(_Collected):
    """Collects one record per test and writes the JSON report at the end."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.records: dict[str, _Record] = {}
        self.blamed: set[str] = set()
        self.started = time.time()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """One outcome per test, from its phases (issue 24).

        A skip at any phase is *skipped* (or *not claimed*, when the plugin skipped it
        at setup for an unclaimed profile), never *passed*; a test is *passed* only
        when its call phase passed; a failure outside the call phase is *errored*
        unless the test had already failed.
        """
        from ._messages import visible_text

        record = self.records.setdefault(report.nodeid, _Record(visible_text(report.nodeid)))
        props = dict(report.user_properties)
        if "requirements" in props and report.nodeid not in self.blamed:
            record.requirements = str(props["requirements"]).split()
        if "profile" in props:
            record.profile = str(props["profile"])
        record.duration += report.duration
        if report.failed:
            if report.when == "teardown" and record.outcome in ("failed", "errored"):
                return  # the test's own failure stays what the report says
            if "blame" in props:
                # Blame the protocol rule that broke, and say what the test was checking.
                checking = ", ".join(record.requirements)
                record.requirements = str(props["blame"]).split()
                self.blamed.add(report.nodeid)
                record.reason = _reason(report)
                if "(while checking" not in record.reason:
                    record.reason += f"\n(while checking {checking})"
                record.outcome = "errored" if "broken" in props else "failed"
            elif report.when != "call":
                record.outcome, record.reason = "errored", _reason(report)
            elif "XPASS(strict)" in (report.longreprtext or ""):
                record.outcome = "unexpected-pass"
                record.reason = "a declared known failure passed: remove it from known_failures"
            else:
                record.outcome, record.reason = "failed", _reason(report)
        elif report.skipped:
            if hasattr(report, "wasxfail"):
                record.outcome, record.reason = "expected-failure", visible_text(report.wasxfail)
                return
            reason = _skip_reason(report)
            unclaimed = report.when == "setup" and reason.startswith(NOT_CLAIMED)
            record.outcome = "not-claimed" if unclaimed else "skipped"
            record.reason = reason
        elif report.when == "call":
            if hasattr(report, "wasxfail"):  # a non-strict xfail that passed
                record.outcome = "unexpected-pass"
                record.reason = "a declared known failure passed: remove it from known_failures"
            else:
                record.outcome, record.reason = "passed", ""

    def _close_records(self, session: pytest.Session) -> str:
        """Give every collected test a record; return why the run is incomplete, or ''."""
        from ._messages import visible_text

        missing = [test for test in self.ids if test not in self.records]
        for test in missing:
            self.records[test] = _Record(
                visible_text(test),
                profile=profile_of(test),
                outcome="not-run",
                reason="never reached: the run ended before this test started",
            )
        unfinished = [r for r in self.records.values() if r.outcome == "not-run"]
        for record in unfinished:
            if not record.reason:
                record.reason = "started but never finished: the run ended during this test"
        if settings.interrupted is not None:
            return f"interrupted by {settings.interrupted}"
        if session.exitstatus == pytest.ExitCode.INTERNAL_ERROR:
            return "the harness stopped with an internal error"
        if unfinished:
            return (
                f"{len(unfinished)} of {len(self.records)} collected test(s) never ran "
                "(a worker died or the harness stopped early)"
            )
        return ""

    def _hello(self) -> tuple[dict[str, Any], str]:
        """The handshake result: the one checked before the run, or a fresh one."""
        from ._implementation import make_implementation
        from ._transport import AdapterBroken

        impl = make_implementation(settings.impl, timeout=settings.timeout)
        if settings.hello is not None and settings.hello_of == settings.impl:
            return settings.hello, impl.label
        if settings.interrupted is not None and settings.impl != "reference":
            return {}, impl.label  # start no adapter while stopping
        try:
            return dict(impl.info()), impl.label
        except AdapterBroken as exc:
            return {"error": str(exc)[:500]}, impl.label
        finally:
            impl.close()

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if settings.interrupted is None and session.exitstatus == pytest.ExitCode.INTERRUPTED:
            settings.interrupted = "SIGINT"
        if settings.interrupted is not None:
            from ._transport import terminate_children

            terminate_children()
        hello, label = self._hello()
        if "error" in hello:
            info = {"name": "(handshake failed)", "error": hello["error"], "profiles": []}
        elif not hello:
            info = {"name": "(unknown: run interrupted)", "profiles": []}
        else:
            info = {**hello.get("implementation", {}), "profiles": hello.get("profiles", [])}
        info["command"] = label
        incomplete = self._close_records(session)
        results = [asdict(r) for r in sorted(self.records.values(), key=lambda r: r.id)]
        document = _document(info, results, self.started)
        if incomplete:
            document["incomplete"] = incomplete
        stale = stale_known_failures(list(hello.get("known_failures", [])), self.ids)
        if stale:
            document["staleKnownFailures"] = stale
        if settings.interrupted is not None:
            document["interrupted"] = settings.interrupted
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        partial.replace(self.path)  # a signal now cannot leave half a report


def _document(
    info: dict[str, Any], results: list[dict[str, Any]], started: float
) -> dict[str, Any]:
    import gritwit

    from .report._model import FORMAT

    return {
        "format": FORMAT,
        "suite": {"name": "gritwit-conformance", "version": SUITE_VERSION},
        "specVersion": gritwit.SPEC_VERSION,
        "protocol": 1,
        "implementation": info,
        "started": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(timespec="seconds"),
        "duration": round(time.time() - started, 3),
        "profiles": build_summary(results, claimed=info.get("profiles", [])),
        "collected": len(results),
        "results": results,
    }


def build_summary(results: list[dict[str, Any]], claimed: list[str]) -> dict[str, Any]:
    """Per-profile counts and failed requirement IDs."""
    from .report._model import FAILING, SUMMARY_KEY

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


#: The summary table's columns: (summary key, heading), one per outcome.
_COLUMNS = (
    ("passed", "passed"),
    ("failed", "failed"),
    ("errored", "errored"),
    ("skipped", "skipped"),
    ("notRun", "not run"),
    ("notClaimed", "not claimed"),
    ("expectedFailures", "xfail"),
    ("unexpectedPasses", "xpass"),
)


def run_status(document: dict[str, Any]) -> str:
    """``pass``, ``fail`` or ``incomplete``: the verdict of a report, as every output shows it.

    A run that did not finish is *incomplete* whatever its tests said; a complete run
    passes only when no test failed, errored or passed unexpectedly.
    """
    if document.get("incomplete") or document.get("interrupted"):
        return "incomplete"
    bad = any(
        entry["failed"] or entry["errored"] or entry["unexpectedPasses"]
        for entry in document["profiles"].values()
    )
    return "fail" if bad else "pass"


def render_summary(document: dict[str, Any]) -> str:
    """The terminal summary ``gritwit conform`` prints (the JSON report's counts, unchanged)."""
    from ._messages import visible_text

    impl = document["implementation"]
    name = visible_text(f"{impl.get('name')} {impl.get('version', '')}")
    lines = [
        f"{name} ({visible_text(str(impl.get('language', '?')))}) — "
        f"spec {document['specVersion']}, suite {document['suite']['version']}, "
        f"{document['duration']:.1f} s",
    ]
    results = document["results"]
    collected = document.get("collected", len(results))
    ran = sum(r["outcome"] not in ("not-run", "not-claimed") for r in results)
    status = run_status(document)
    if status == "incomplete":
        why = document.get("incomplete") or f"interrupted by {document['interrupted']}"
        never = sorted({r["profile"] for r in results if r["outcome"] == "not-run"})
        lines.append(
            f"INCOMPLETE ({why}): not a verdict. {ran} of {collected} collected test(s) ran; "
            f"never reached: {', '.join(never) or 'none'}"
        )
    else:
        lines.append(f"{status.upper()}: {collected} test(s) collected, all ended")
    lines.append(
        f"{'profile':<10}" + "".join(f" {head:>{max(len(head), 5)}}" for _, head in _COLUMNS)
    )
    for profile, entry in document["profiles"].items():
        lines.append(
            f"{profile:<10}"
            + "".join(f" {entry.get(key, 0):>{max(len(head), 5)}}" for key, head in _COLUMNS)
        )
        if entry["failedRequirements"]:
            lines.append(f"{'':<10} failed requirements: {', '.join(entry['failedRequirements'])}")
    lines.append(
        "(rows: the profile each test declares; the progress lines above count suite folders)"
    )
    for stale in document.get("staleKnownFailures", []):
        lines.append(
            f"warning: stale known failure {visible_text(repr(stale['test']))} matches no test "
            "of this run (ADP-005.3): fix or remove it"
        )
    return "\n".join(lines)


class ProgressReporter(_Collected):
    """Live progress per profile: done/total as tests end, one final line per profile.

    On a terminal one line is rewritten in place; otherwise only each profile's
    final line is printed.  It replaces pytest's progress letters.
    """

    def __init__(self, config: pytest.Config) -> None:
        super().__init__()
        self.config = config
        self.done: dict[str, int] = {}
        self.bad: dict[str, int] = {}
        self.started = time.monotonic()
        self.last_draw = 0.0

    @property
    def reporter(self) -> Any:
        """pytest's terminal reporter (registered after this plugin: looked up late)."""
        return self.config.pluginmanager.get_plugin("terminalreporter")

    def _totals(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for test_id in self.ids:
            profile = profile_of(test_id)
            totals[profile] = totals.get(profile, 0) + 1
        return totals

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(
        self, report: pytest.TestReport, config: pytest.Config
    ) -> Generator[None, Any, Any]:
        result = yield
        if isinstance(result, tuple) and len(result) == 3:
            return result[0], "", result[2]
        return result

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        profile = profile_of(report.nodeid)
        if report.failed:
            self.bad[profile] = self.bad.get(profile, 0) + (report.when != "teardown")
        if report.when != "teardown" or self.reporter is None:
            return
        self.done[profile] = self.done.get(profile, 0) + 1
        total = self._totals().get(profile, 0)
        tty = bool(getattr(self.reporter, "isatty", False))
        if self.done[profile] == total:
            bad = self.bad.get(profile, 0)
            line = (
                f"suite/{profile + '/':<10} {total:>5}/{total:<5} tests ended"
                + (f", {bad} failed or errored" if bad else "")
                + f"   ({time.monotonic() - self.started:.0f} s)"
            )
            if tty:
                self.reporter.rewrite(line, erase=True)
                self.reporter.write("\n")
            else:
                self.reporter.write_line(line)
        elif tty and time.monotonic() - self.last_draw > 0.2:
            self.last_draw = time.monotonic()
            running = "  ".join(
                f"suite/{p}/ {self.done.get(p, 0)}/{n}"
                for p, n in self._totals().items()
                if 0 < self.done.get(p, 0) < n
            )
            self.reporter.rewrite(f"running: {running}", erase=True)
