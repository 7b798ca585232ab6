"""``gritwit conform --rerun/--requirement/--test``: a run of some of the suite's tests.

The plan's :class:`Selection` (:mod:`..harness._plan`) names the tests of an earlier
report to run again (its failing ones), requirement IDs (a test is kept when a ``req``
mark cites the ID or one of its sub-clauses: ``RUN-021`` keeps a test citing
``RUN-021.3``, CONV-005) and substrings of test ids.  Kinds combine as *and*, the
values of one kind as *or*.  :class:`SelectionFilter`, which the plugin registers for a
plan with a selection, deselects the other tests after every other filter
(``--profile``, ``--smoke``, heavy), and writes the counts beside the JSON report
(:func:`counts_path`) for the report, which says how many of how many tests ran and
why the rest did not (ADP-020).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..harness._plan import Selection, cites

__all__ = [
    "Rerun",
    "Selection",
    "SelectionFilter",
    "cites",
    "counts_path",
    "plan_rerun",
    "read_counts",
    "register_selection",
]


def counts_path(report: Path) -> Path:
    """Where the selection's record is left for the controller, beside the JSON report."""
    return report.with_name(report.name + ".selection")


def read_counts(report: Path) -> dict[str, Any] | None:
    path = counts_path(report)
    if not path.is_file():
        return None
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return found


class SelectionFilter:
    """Keeps the tests a selection names (a plugin object, one per session)."""

    def __init__(self, selection: Selection, report: Path | None) -> None:
        self.selection = selection
        #: The JSON report the counts are for; ``None``: no report, no counts.
        self.report = report
        #: Every test id collected, before any filter deselected one (ADP-020.8).
        self.present: frozenset[str] | None = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Notes what the suite holds before ``-m``, ``--smoke`` or profiles leave some out."""
        from ..harness._messages import visible_text

        self.present = frozenset(visible_text(item.nodeid) for item in items)


class _Deselect:
    """The selection's own deselection, after every other filter (``trylast``)."""

    def __init__(self, owner: SelectionFilter) -> None:
        self.owner = owner

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        from ..harness._messages import visible_text

        selection = self.owner.selection
        kept: list[pytest.Item] = []
        dropped: list[pytest.Item] = []
        for item in items:
            cited = {rid for mark in item.iter_markers("req") for rid in mark.args}
            (kept if selection.keeps(visible_text(item.nodeid), cited) else dropped).append(item)
        found = selection.record(
            [visible_text(item.nodeid) for item in kept], len(items), self.owner.present
        )
        if self.owner.report is not None:
            # Every xdist worker collects the same tests: whichever writes last writes the same.
            out = counts_path(self.owner.report)
            out.parent.mkdir(parents=True, exist_ok=True)
            partial = out.with_name(f"{out.name}.{os.getpid()}")
            partial.write_text(json.dumps(found), encoding="utf-8")
            partial.replace(out)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept


def register_selection(config: pytest.Config, selection: Selection, report: Path | None) -> None:
    """Register the two halves of a selection's filter on ``config`` (the plugin, once)."""
    owner = SelectionFilter(selection, report)
    config.pluginmanager.register(owner, "gritwit-select-collected")
    config.pluginmanager.register(_Deselect(owner), "gritwit-select")


#: How the in-process reference is named in a report's ``implementation.command``.
_REFERENCE_LABEL = "in-process reference"


@dataclass(frozen=True, slots=True)
class Rerun:
    """What ``--rerun REPORT.json`` takes from the report: its failing tests and settings."""

    selection: Selection
    #: The suite files holding those tests (paths pytest collects), in order.
    files: tuple[str, ...]
    #: The report's ``--impl`` command, or ``None`` for the in-process reference.
    impl: str | None
    #: The ``--spec-version`` the report applied, or ``None``.
    spec_version: str | None


def plan_rerun(report: Path, suite: Path, profiles: list[str]) -> Rerun:
    """The failed, errored, timed-out and unexpectedly passed tests of ``report``.

    Raises :class:`...report.ReportError` for a file that is not a valid report.  With
    ``profiles``, only the tests of their folders and of ``protocol`` are kept.
    """
    from ..report._load import load_report
    from ..report._model import FAILING

    loaded = load_report(report)
    failing = [r.id for r in loaded.results if r.outcome in FAILING]
    if profiles:
        folders = {"protocol", *profiles}
        failing = [t for t in failing if t.split("/")[1:2] and t.split("/")[1] in folders]
    files = dict.fromkeys(t.partition("::")[0] for t in failing)
    found = [str(suite.parent / f) for f in files if (suite.parent / f).is_file()]
    command = loaded.implementation.command
    return Rerun(
        selection=Selection(tests=tuple(failing), rerun=str(report), rerun_of=loaded.collected),
        files=tuple(found),
        impl=None if command == _REFERENCE_LABEL else command,
        spec_version=loaded.applied_spec or None,
    )
