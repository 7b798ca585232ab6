"""The JSON report of a conformance run (format ``gritwit-report/3``) and its summary.

:class:`ReportCollector` runs on the pytest controller (with xdist too: it sees
the workers' reports) and reads the run's verdicts (:mod:`._verdict`): each test
passed, failed, errored (the adapter broke: ADP-012; or the harness could not set the
test up), timed out (no answer within the limit: ADP-012, ADP-020.1), was not claimed
(ADP-006), not applicable (left out by ``--spec-version``: ADP-005.6), an expected
failure or an unexpected pass (ADP-005), skipped or not run.  It writes the JSON
report and, from it, the JUnit file (:mod:`..report._junit`), so that every form
tells the same story (ADP-020).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from .. import SUITE_VERSION
from ..harness._plan import current_plan
from ..harness._state import NOT_RUN, run_state
from ..report._story import run_status, selection_line, version_note
from ._progress import ProgressReporter, _Collected, profile_of
from ._verdict import Outcome, Verdict, VerdictBook, short_reason

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


def profiles_path(report: Path) -> Path:
    """Where xdist workers leave each collected test's row for the controller."""
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
    """Writes the JSON report at the end, from the run's verdicts (:class:`VerdictBook`)."""

    def __init__(
        self, path: Path, junit: Path | None = None, book: VerdictBook | None = None
    ) -> None:
        super().__init__()
        self.path = path
        self.junit = junit
        #: The first collection error's first line, when collecting failed.
        self.collection_error = ""
        self.collection_errors = 0
        #: Why pytest stopped the session early, when it did without a signal.
        self.stopped = ""
        #: The run's verdicts; a book of its own when none is handed over (it must then
        #: be registered as a plugin too, to see the tests' reports).
        self.book = book if book is not None else VerdictBook()
        self.started = time.time()

    @property
    def records(self) -> dict[str, Verdict]:
        """The verdicts by pytest node id."""
        return self.book.verdicts

    def _close_records(self, session: pytest.Session) -> str:
        """Give every collected test a record; return why the run is incomplete, or ''."""
        from ..harness._messages import visible_text

        missing = [test for test in self.ids if test not in self.records]
        rows = self.rows or self._worker_rows()
        for test in missing:
            self.records[test] = Verdict(
                test=visible_text(test),
                # Its own profile's row, as in a complete run; the folder
                # only when no worker said.
                profile=rows.get(test, profile_of(test)),
                outcome=Outcome.NOT_RUN,
                message="never reached: the run ended before this test started",
            )
        for test, verdict in self.records.items():
            if verdict.outcome == Outcome.NOT_RUN and not verdict.message:
                never = "started but never finished: the run ended during this test"
                self.records[test] = replace(verdict, message=never)
        unfinished = [r for r in self.records.values() if r.outcome == Outcome.NOT_RUN]
        if run_state.interrupted is not None:
            return f"interrupted by {run_state.interrupted}"
        if self.collection_error:
            return self.collection_error
        if self.stopped:
            return f"stopped early: {self.stopped}"
        if session.exitstatus == pytest.ExitCode.INTERNAL_ERROR:
            return "the harness stopped with an internal error"
        hung = next((r.message for r in unfinished if r.message.startswith(NOT_RUN)), "")
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

        plan = current_plan()
        impl = make_implementation(plan.impl, timeout=plan.timeout)
        if plan.hello is not None:
            return plan.hello, impl.label
        if run_state.interrupted is not None and plan.impl != "reference":
            return {}, impl.label  # start no adapter while stopping
        try:
            return dict(impl.info()), impl.label
        except AdapterBroken as exc:
            return {"error": str(exc)[:500]}, impl.label
        finally:
            impl.close()

    def _diagnose(self, hello: dict[str, Any]) -> None:
        """Each failing test's diagnosis (ADP-020.9).  The implementation's encoder is
        probed once, only when a failure compared ids and its own exchange names no rule,
        and never after a signal or once the adapter was declared hung (ADP-012.5)."""
        from ._diagnoses import add_diagnoses, needs_encoder, probe_encoder

        if not any(verdict.outcome.failing for verdict in self.records.values()):
            return
        add_diagnoses(self.records, None)
        plan = current_plan()
        if (
            run_state.interrupted is None
            and run_state.hung is None
            and "codec" in hello.get("profiles", ())
            and needs_encoder(self.records)
        ):
            encoder = probe_encoder(
                plan.impl, timeout=plan.timeout, scale=plan.timeout_scale or 1.0
            )
            if encoder is not None:
                add_diagnoses(self.records, encoder)

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
            run_state.interrupted is None
            and session.exitstatus == pytest.ExitCode.INTERRUPTED
            and not self.collection_error
            and not self.stopped
        ):
            run_state.interrupted = "SIGINT"  # a Ctrl-C our handler did not see
        if run_state.interrupted is not None:
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
        self._diagnose(hello)
        ordered = sorted(self.records.values(), key=lambda r: r.test)
        results = [verdict.as_result() for verdict in ordered]
        claimed = hello.get("implementation", {}).get("spec") if "error" not in hello else None
        document = _document(info, results, self.started, claimed)
        if incomplete:
            document["incomplete"] = incomplete
        plan = current_plan()
        # A run narrowed by --smoke, a selection or --profile left tests out: an entry
        # naming one of them matches no test of the run and is not stale (ADP-005.3), so
        # only a run of every profile judges the entries.
        narrowed = plan.smoke or plan.selection is not None or bool(plan.profiles)
        stale = [] if narrowed else stale_known_failures(hello.get("known_failures", []), self.ids)
        if stale:
            document["staleKnownFailures"] = stale
        if run_state.interrupted is not None:
            document["interrupted"] = run_state.interrupted
        if current_plan().selection is not None:  # --rerun, --requirement, --test (ADP-020)
            from ._select import counts_path, read_counts

            empty: dict[str, Any] = {
                "selected": 0,
                "of": 0,
                "rerun": None,
                "requirements": [],
                "tests": [],
            }
            document["selection"] = read_counts(self.path) or empty
            counts_path(self.path).unlink(missing_ok=True)
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
            order = [verdict.test for verdict in self.records.values()]
            write_junit(document, self.junit, order)


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
        "appliedSpec": current_plan().spec_version,
        "protocol": 1,
        "implementation": info,
        "started": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(timespec="seconds"),
        "duration": round(time.time() - started, 3),
        "profiles": build_summary(results, claimed=info.get("profiles", [])),
        "collected": len(results),
        "results": results,
    }
    scale = current_plan().timeout_scale
    if scale is not None:
        document["timeoutScale"] = scale
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
