"""The JSON report of a conformance run (format ``gritwit-report/3``) and its summary.

:class:`ReportCollector` runs on the pytest controller (with xdist too: it sees
the workers' reports) and classifies each test as passed, failed, errored
(the adapter broke: ADP-012; or the harness could not set the test up), timed
out (no answer within the limit: ADP-012, ADP-020.1), not claimed (ADP-006), not
applicable (left out by ``--spec-version``: ADP-005.6), expected failure or
unexpected pass (ADP-005).  It writes the JSON report and, from it, the JUnit file
(:mod:`..report._junit`), so that every form tells the same story (ADP-020).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .. import SUITE_VERSION
from ..harness._state import NOT_APPLICABLE, NOT_CLAIMED, NOT_RUN, settings
from ..report._story import run_status, selection_line, version_note
from ._progress import ProgressReporter, _Collected, profile_of

__all__ = [
    "ProgressReporter",
    "ReportCollector",
    "build_summary",
    "known_failure_matches",
    "profile_of",
    "profiles_path",
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
    #: Changes since the claimed spec version of the clauses it cites (ADP-005.5).
    since: list[str] = field(default_factory=list)
    #: A failing test's requests and answers in order (ADP-020.7), or None.
    exchange: dict[str, Any] | None = None


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
    from ..harness._messages import bound_message, visible_text

    if isinstance(report.longrepr, str):
        return visible_text(report.longrepr)
    return bound_message(short_reason(report.longreprtext or ""))


def _skip_reason(report: pytest.TestReport) -> str:
    """The reason a skipped test gives (``pytest.skip("…")``), without pytest's prefix."""
    from ..harness._messages import visible_text

    reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
    return visible_text(reason.removeprefix("Skipped: "))


def profiles_path(report: Path) -> Path:
    """Where xdist workers leave each collected test's row for the controller (issue 44)."""
    return report.with_name(report.name + ".rows")


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


class ReportCollector(_Collected):
    """Collects one record per test and writes the JSON report at the end."""

    def __init__(self, path: Path, junit: Path | None = None) -> None:
        super().__init__()
        self.path = path
        self.junit = junit
        #: The first collection error's first line, when collecting failed (issue 36).
        self.collection_error = ""
        self.collection_errors = 0
        #: Why pytest stopped the session early, when it did without a signal.
        self.stopped = ""
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
        from ..harness._messages import visible_text

        record = self.records.setdefault(report.nodeid, _Record(visible_text(report.nodeid)))
        props = dict(report.user_properties)
        if "requirements" in props and report.nodeid not in self.blamed:
            record.requirements = str(props["requirements"]).split()
        if "profile" in props:
            record.profile = str(props["profile"])
        record.duration += report.duration
        if "exchange" in props and report.failed and record.exchange is None:
            record.exchange = json.loads(str(props["exchange"]))
        if "since" in props and report.failed:
            record.since = [n for n in str(props["since"]).splitlines() if n.strip()]
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
                if "timedOut" in props:  # no answer within the limit (ADP-020.1)
                    record.outcome = "timed-out"
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
            if reason.startswith(NOT_APPLICABLE):  # left out by --spec-version (ADP-005.6)
                record.outcome = "not-applicable"
            if reason.startswith(NOT_RUN):  # after the adapter was declared hung (ADP-012.5)
                record.outcome = "not-run"
            record.reason = reason
        elif report.when == "call":
            if hasattr(report, "wasxfail"):  # a non-strict xfail that passed
                record.outcome = "unexpected-pass"
                record.reason = "a declared known failure passed: remove it from known_failures"
            else:
                record.outcome, record.reason = "passed", ""

    def _close_records(self, session: pytest.Session) -> str:
        """Give every collected test a record; return why the run is incomplete, or ''."""
        from ..harness._messages import visible_text

        missing = [test for test in self.ids if test not in self.records]
        rows = self.rows or self._worker_rows()
        for test in missing:
            self.records[test] = _Record(
                visible_text(test),
                # Its own profile's row, as in a complete run (issue 44); the folder
                # only when no worker said.
                profile=rows.get(test, profile_of(test)),
                outcome="not-run",
                reason="never reached: the run ended before this test started",
            )
        unfinished = [r for r in self.records.values() if r.outcome == "not-run"]
        for record in unfinished:
            if not record.reason:
                record.reason = "started but never finished: the run ended during this test"
        if settings.interrupted is not None:
            return f"interrupted by {settings.interrupted}"
        if self.collection_error:
            return self.collection_error
        if self.stopped:
            return f"stopped early: {self.stopped}"
        if session.exitstatus == pytest.ExitCode.INTERNAL_ERROR:
            return "the harness stopped with an internal error"
        hung = next((r.reason for r in unfinished if r.reason.startswith(NOT_RUN)), "")
        if hung:  # ADP-012.5: the run ended early for this reason, and says so
            return hung.removeprefix(f"{NOT_RUN}: ")
        if unfinished:
            return (
                f"{len(unfinished)} of {len(self.records)} collected test(s) never ran "
                "(a worker died or the harness stopped early)"
            )
        return ""

    def _worker_rows(self) -> dict[str, str]:
        """The rows the xdist workers wrote at collection (:func:`profiles_path`)."""
        try:
            rows = json.loads(profiles_path(self.path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in rows.items()} if isinstance(rows, dict) else {}

    def _hello(self) -> tuple[dict[str, Any], str]:
        """The handshake result: the one checked before the run, or a fresh one."""
        from ..harness._implementation import make_implementation
        from ..harness._transport import AdapterBroken

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

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A test file that cannot be collected: the run is incomplete for that cause."""
        from ..harness._messages import visible_text

        if not report.failed:
            return
        self.collection_errors += 1
        if not self.collection_error:
            text = report.longreprtext or ""
            lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
            first = (lines or [line for line in text.splitlines() if line.strip()] or ["?"])[0]
            self.collection_error = visible_text(
                f"collection failed: {report.nodeid or 'the suite'}: {first[:300]}"
            )

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """pytest stops a session with ``Interrupted`` too (collection errors, ``-x``):
        that is no signal, and the report names the cause pytest gave."""
        if type(excinfo.value) is not KeyboardInterrupt:
            self.stopped = str(excinfo.value) or type(excinfo.value).__name__

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if (
            settings.interrupted is None
            and session.exitstatus == pytest.ExitCode.INTERRUPTED
            and not self.collection_error
            and not self.stopped
        ):
            settings.interrupted = "SIGINT"  # a Ctrl-C our handler did not see
        if settings.interrupted is not None:
            from ..harness._transport import terminate_children

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
        results = [_result(r) for r in sorted(self.records.values(), key=lambda r: r.id)]
        claimed = hello.get("implementation", {}).get("spec") if "error" not in hello else None
        document = _document(info, results, self.started, claimed)
        if incomplete:
            document["incomplete"] = incomplete
        stale = stale_known_failures(list(hello.get("known_failures", [])), self.ids)
        if stale:
            document["staleKnownFailures"] = stale
        if settings.interrupted is not None:
            document["interrupted"] = settings.interrupted
        chosen = session.config.getoption("gritwit_select", None)
        if chosen:  # --rerun, --requirement, --test: what ran of what (ADP-020)
            from ._select import read_counts

            empty: dict[str, Any] = {
                "selected": 0,
                "of": 0,
                "rerun": None,
                "requirements": [],
                "tests": [],
            }
            document["selection"] = read_counts(Path(chosen)) or empty
        self.path.parent.mkdir(parents=True, exist_ok=True)
        rows_name = profiles_path(self.path).name
        for leftover in self.path.parent.iterdir():
            if leftover.name.startswith(rows_name):
                leftover.unlink(missing_ok=True)
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        partial.replace(self.path)  # a signal now cannot leave half a report
        if self.junit is not None:  # the same document, in JUnit's words (ADP-020)
            from ..report._junit import write_junit

            # In the order the tests reported (first report of each), as they ran.
            order = [record.id for record in self.records.values()]
            write_junit(document, self.junit, order)


def _result(record: _Record) -> dict[str, Any]:
    """A record as the report holds it: ``since`` only when there is something to say."""
    entry = asdict(record)
    if not entry["since"]:
        del entry["since"]
    if entry["exchange"] is None or record.outcome not in _WITH_EXCHANGE:
        del entry["exchange"]
    return entry


#: The outcomes whose report entry carries the test's exchange (ADP-020.7).
_WITH_EXCHANGE = frozenset({"failed", "errored", "timed-out", "unexpected-pass"})


def _document(
    info: dict[str, Any], results: list[dict[str, Any]], started: float, claimed: object = None
) -> dict[str, Any]:
    import gritwit

    from ..report._model import FORMAT

    document: dict[str, Any] = {
        "format": FORMAT,
        "suite": {"name": "gritwit-conformance", "version": SUITE_VERSION},
        "specVersion": gritwit.SPEC_VERSION,
        # The version the implementation claims and the one applied (ADP-020.3).
        "claimedSpec": claimed if isinstance(claimed, str) and claimed else None,
        "appliedSpec": settings.spec_version,
        "protocol": 1,
        "implementation": info,
        "started": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(timespec="seconds"),
        "duration": round(time.time() - started, 3),
        "profiles": build_summary(results, claimed=info.get("profiles", [])),
        "collected": len(results),
        "results": results,
    }
    if settings.timeout_scale is not None:
        document["timeoutScale"] = settings.timeout_scale
    return document


def build_summary(results: list[dict[str, Any]], claimed: list[str]) -> dict[str, Any]:
    """Per-profile counts and failed requirement IDs."""
    from ..report._model import FAILING, SUMMARY_KEY

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
    ("timedOut", "timed out"),
    ("skipped", "skipped"),
    ("notRun", "not run"),
    ("notClaimed", "not claimed"),
    ("notApplicable", "n/a"),
    ("expectedFailures", "xfail"),
    ("unexpectedPasses", "xpass"),
)


def _scaled_what(document: dict[str, Any]) -> str:
    """What the scale widens: the in-process reference has margins only (ADP-012.2)."""
    in_process = document["implementation"].get("command") == "in-process reference"
    return "time margins" if in_process else "time limits"


def render_summary(document: dict[str, Any]) -> str:
    """The terminal summary ``gritwit conform`` prints (the JSON report's counts, unchanged)."""
    from ..harness._messages import visible_text

    impl = document["implementation"]
    name = visible_text(f"{impl.get('name')} {impl.get('version', '')}")
    lines = [
        f"{name} ({visible_text(str(impl.get('language', '?')))}) — "
        f"spec {document['specVersion']}, suite {document['suite']['version']}, "
        f"{document['duration']:.1f} s"
        + (
            f", {_scaled_what(document)} ×{document['timeoutScale']:g}"
            if "timeoutScale" in document
            else ""
        ),
    ]
    results = document["results"]
    collected = document.get("collected", len(results))
    ran = sum(r["outcome"] not in ("not-run", "not-claimed", "not-applicable") for r in results)
    status = run_status(document)
    if status == "incomplete":
        why = document.get("incomplete") or f"interrupted by {document['interrupted']}"
        never = sorted({r["profile"] for r in results if r["outcome"] == "not-run"})
        lines.append(
            f"INCOMPLETE ({why}): not a verdict. {ran} of {collected} collected test(s) ran; "
            f"never reached: {', '.join(never) or 'none'}"
        )
    elif document.get("selection", {"selected": 1})["selected"] == 0:
        lines.append("NO TEST SELECTED: nothing ran, not a verdict")
    else:
        lines.append(f"{status.upper()}: {collected} test(s) collected, all ended")
    chosen = selection_line(document)
    if chosen:
        lines.append(chosen)
    lines += version_note(document)
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
