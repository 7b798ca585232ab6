"""Live progress of a conformance run, and the test ids it collected (xdist or not)."""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

import pytest

__all__ = ["ProgressReporter", "profile_of"]


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
