"""``gritwit conform --rerun/--requirement/--test``: a run of some of the suite's tests.

A pytest plugin that ``gritwit conform`` loads (``-p``) with ``--gritwit-select FILE``,
a JSON :class:`Selection` it wrote: the tests of an earlier report to run again (its
failing ones), requirement IDs (a test is kept when a ``req`` mark cites the ID or one
of its sub-clauses: ``RUN-021`` keeps a test citing ``RUN-021.3``, CONV-005) and
substrings of test ids.  Kinds combine as *and*, the values of one kind as *or*.  The
other tests are deselected, after every other filter (``--profile``, ``--smoke``,
heavy), and the counts are written beside the file (:func:`counts_path`) for the
report, which says how many of how many tests ran and why the rest did not (ADP-020).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest

__all__ = ["Selection", "cites", "counts_path", "read_counts"]


def cites(wanted: str, rid: str) -> bool:
    """``rid`` is the requirement ``wanted`` or one of its sub-clauses (``RUN-021.3``)."""
    return rid == wanted or rid.startswith(f"{wanted}.")


@dataclass(frozen=True, slots=True)
class Selection:
    """Which tests a run keeps; an empty kind keeps every test."""

    #: Ids (as the report prints them) of the tests to run again; ``None``: no re-run.
    tests: tuple[str, ...] | None = None
    #: The report the ids come from, and how many tests it had.
    rerun: str | None = None
    rerun_of: int = 0
    requirements: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def keeps(self, test_id: str, cited: set[str]) -> bool:
        if self.tests is not None and test_id not in self.tests:
            return False
        if self.requirements and not any(
            cites(want, rid) for want in self.requirements for rid in cited
        ):
            return False
        return not self.names or any(name in test_id for name in self.names)

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Selection:
        data = json.loads(path.read_text(encoding="utf-8"))
        tests = data["tests"]
        return cls(
            tests=None if tests is None else tuple(tests),
            rerun=data["rerun"],
            rerun_of=int(data["rerun_of"]),
            requirements=tuple(data["requirements"]),
            names=tuple(data["names"]),
        )

    def record(
        self, selected: list[str], collected: int, present: frozenset[str] | None = None
    ) -> dict[str, Any]:
        """The report's ``selection``: counts, the selectors, and re-run tests not found.

        ``of``: the tests the run collected before this selection; for a re-run, the
        tests of the earlier report (only the files of its failing tests are collected).
        ``present``: every test id the suite collected before any filter; a re-run test
        among them is *not missing* even when another selector (``--requirement``,
        ``--test``, ``--profile``, ``--smoke``) left it out: only a test the suite no
        longer has is reported so (ADP-020.8; issue 56 found 678 tests a
        ``--requirement`` left out called "no longer in the suite").
        """
        of = self.rerun_of if self.tests is not None else collected
        record: dict[str, Any] = {
            "selected": len(selected),
            "of": max(of, len(selected)),
            "rerun": self.rerun,
            "requirements": list(self.requirements),
            "tests": list(self.names),
        }
        if self.tests is not None:
            found = set(selected) if present is None else present | set(selected)
            record["missing"] = [t for t in self.tests if t not in found]
        return record


def counts_path(selection: Path) -> Path:
    """Where the plugin writes the report's ``selection`` record."""
    return selection.with_name(selection.name + ".counts")


def read_counts(selection: Path) -> dict[str, Any] | None:
    path = counts_path(selection)
    if not path.is_file():
        return None
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return record


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("gritwit").addoption(
        "--gritwit-select",
        default=None,
        metavar="FILE",
        help="keep only the tests a selection file names (gritwit conform --rerun, "
        "--requirement, --test)",
    )


#: Every test id collected, before any filter deselected one (ADP-020.8).
_PRESENT = pytest.StashKey[frozenset[str]]()


class _NoteCollected:
    """Notes what the suite holds before ``-m``, ``--smoke`` or profiles leave some out."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        from ..harness._messages import visible_text

        config.stash[_PRESENT] = frozenset(visible_text(item.nodeid) for item in items)


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("gritwit_select", None):
        config.pluginmanager.register(_NoteCollected(), "gritwit-select-collected")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from ..harness._messages import visible_text

    option = config.getoption("gritwit_select", None)
    if not option:
        return
    selection = Selection.read(Path(option))
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        cited = {rid for mark in item.iter_markers("req") for rid in mark.args}
        (kept if selection.keeps(visible_text(item.nodeid), cited) else dropped).append(item)
    record = selection.record(
        [visible_text(item.nodeid) for item in kept], len(items), config.stash.get(_PRESENT, None)
    )
    # Every xdist worker collects the same tests: whichever writes last writes the same.
    out = counts_path(Path(option))
    partial = out.with_name(f"{out.name}.{os.getpid()}")
    partial.write_text(json.dumps(record), encoding="utf-8")
    partial.replace(out)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


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
