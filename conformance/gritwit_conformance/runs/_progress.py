"""Live progress of a conformance run, and the test ids it collected (xdist or not)."""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

import pytest

from ._verdict import Verdict

__all__ = ["ProgressReporter", "profile_of", "report_profile"]


def report_profile(item: pytest.Item) -> str:
    """The profile a test's row is in: the first name of its closest ``profile`` marker."""
    marker = item.get_closest_marker("profile")
    return str(marker.args[0]) if marker is not None and marker.args else "harness"


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
        #: Each collected test's row (its declared profile), when collected here.
        self.rows: dict[str, str] = {}

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if not self.ids:
            self.ids = [item.nodeid for item in session.items]
            self.rows = {item.nodeid: report_profile(item) for item in session.items}

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if not self.ids:
            self.ids = list(ids)


#: Seconds between two progress lines in a log (not a terminal), while tests end.
LOG_INTERVAL = 30.0


class ProgressReporter(_Collected):
    """Live progress per profile: done/total as tests end, one final line per profile.

    Results stream from the first test on: a test that fails, errors or
    times out is named the moment it ends, with the outcome the report gives it
    (its :class:`~._verdict.Verdict`).  On a terminal one progress line is rewritten in
    place; in a log a progress line is written at most every :data:`LOG_INTERVAL`
    seconds, and each profile's final line when it ends.  It replaces pytest's
    progress letters.
    """

    def __init__(self, config: pytest.Config) -> None:
        super().__init__()
        self.config = config
        self.done: dict[str, int] = {}
        self.bad: dict[str, int] = {}
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.last_logged = self.started

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

    @pytest.hookimpl(trylast=True)  # after the verdict book has folded the report
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "teardown" or self.reporter is None:
            return
        profile = profile_of(report.nodeid)
        verdict = self._verdict(report.nodeid)
        if verdict is not None and verdict.outcome.failing:
            self.bad[profile] = self.bad.get(profile, 0) + 1
        self.done[profile] = self.done.get(profile, 0) + 1
        total = self._totals().get(profile, 0)
        tty = bool(getattr(self.reporter, "isatty", False))
        shown = self._outcome_line(report.nodeid)
        if shown:
            self._line(shown, tty)
        if self.done[profile] == total:
            bad = self.bad.get(profile, 0)
            line = (
                f"suite/{profile + '/':<10} {total:>5}/{total:<5} tests ended"
                + (f", {bad} failed or errored" if bad else "")
                + f"   ({time.monotonic() - self.started:.0f} s)"
            )
            self._line(line, tty)
        elif tty and time.monotonic() - self.last_draw > 0.2:
            self.last_draw = time.monotonic()
            self.reporter.rewrite(self._running(), erase=True)
        elif not tty and time.monotonic() - self.last_logged > LOG_INTERVAL:
            self.last_logged = time.monotonic()
            self.reporter.write_line(
                f"{self._running()}   ({time.monotonic() - self.started:.0f} s)"
            )

    def _running(self) -> str:
        running = "  ".join(
            f"suite/{p}/ {self.done.get(p, 0)}/{n}"
            for p, n in self._totals().items()
            if 0 < self.done.get(p, 0) < n
        )
        return f"running: {running}"

    def _line(self, line: str, tty: bool) -> None:
        """``line`` on a line of its own, above the terminal's progress line."""
        if tty:
            self.reporter.rewrite(line, erase=True)
            self.reporter.write("\n")
        else:
            self.reporter.write_line(line)

    def _verdict(self, test_id: str) -> Verdict | None:
        """The test's verdict so far, from the run's book (:mod:`._verdict`)."""
        book = self.config.pluginmanager.get_plugin("gritwit-verdicts")
        return None if book is None else book.verdicts.get(test_id)

    def _outcome_line(self, test_id: str) -> str:
        """``  FAILED   suite/…::test`` for a test that just ended failing, else ''."""
        verdict = self._verdict(test_id)
        if verdict is None or not verdict.outcome.failing:
            return ""
        return f"  {verdict.outcome.upper():8} {verdict.test}"
