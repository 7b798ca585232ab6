"""Which conformance tests execute which lines of the reference: the test selection of a mutant.

One pass of the suite against the in-process reference with a line tracer on
the modules under mutation.  The in-process run executes both the
implementation under test and the harness's oracle in one process, so the map
over-approximates — a mutant is sent to every test that *might* reach it,
never fewer — and a mutant whose line no test reaches is marked *uncovered*.
Lines run outside any test (collection, a session's set-up: the handshake, an
interpreter loaded and cached once per process) are recorded apart and reach every
test, as module-level code does: whatever they compute, every later test uses.
Per test it also records its duration (fast tests run first, so a killed
mutant costs little) and the requirement IDs it cites.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Generator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

__all__ = ["SHARDS_ENV", "Coverage", "LineCollector"]

#: Names the JSON file ``{"files": {absolute path: module key}, "out": folder}`` each
#: worker of a sharded test map reads (:mod:`._coverage_shard`).
SHARDS_ENV = "GRITWIT_MUTATE_SHARDS"


class LineCollector:
    """A pytest plugin that records, per test, the (file, line) pairs executed in ``files``."""

    def __init__(self, files: dict[str, str]) -> None:
        #: absolute path → module key (``gritwit/_cbor.py``)
        self.files = files
        self.current: set[tuple[str, int]] = set()
        self.lines: dict[str, list[list[Any]]] = {}
        self.durations: dict[str, float] = {}
        self.requirements: dict[str, list[str]] = {}
        self.outcomes: dict[str, str] = {}
        #: (file, line) pairs run outside any test, from configuration to the end
        self.outside: set[tuple[str, int]] = set()

    def _global(self, frame: FrameType, event: str, arg: object) -> Any:
        if frame.f_code.co_filename in self.files:
            return self._local
        return None

    def _local(self, frame: FrameType, event: str, arg: object) -> Any:
        if event == "line":
            self.current.add((frame.f_code.co_filename, frame.f_lineno))
        return self._local

    def _trace(self) -> None:
        threading.settrace(self._global)
        sys.settrace(self._global)

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        self.current = self.outside
        self._trace()

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        sys.settrace(None)
        threading.settrace(None)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        self.current = set()
        started = time.perf_counter()
        self._trace()
        try:
            return (yield)
        finally:
            self._trace()  # a test may have replaced the trace function; outside again
            tested, self.current = self.current, self.outside
            self.durations[item.nodeid] = time.perf_counter() - started
            by_module: dict[str, list[int]] = {}
            for filename, line in tested:
                by_module.setdefault(self.files[filename], []).append(line)
            self.lines[item.nodeid] = [[m, sorted(ls)] for m, ls in sorted(by_module.items())]
            self.requirements[item.nodeid] = list(
                dict.fromkeys(rid for m in item.iter_markers("req") for rid in m.args)
            )

    def part(self) -> dict[str, Any]:
        """What this process traced, as JSON-ready data (:meth:`Coverage.from_parts`)."""
        tests = {
            nodeid: {
                "lines": self.lines[nodeid],
                "seconds": round(self.durations[nodeid], 4),
                "requirements": self.requirements.get(nodeid, []),
                "outcome": self.outcomes.get(nodeid, "passed"),
            }
            for nodeid in self.lines
        }
        outside: dict[str, list[int]] = {}
        for filename, line in self.outside:
            outside.setdefault(self.files[filename], []).append(line)
        return {"tests": tests, "outside": [[m, sorted(ls)] for m, ls in sorted(outside.items())]}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or report.outcome != "passed":
            previous = self.outcomes.get(report.nodeid)
            if previous in (None, "passed"):
                self.outcomes[report.nodeid] = report.outcome


class Coverage:
    """The coverage map: test → lines, duration, requirement IDs."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.tests: dict[str, dict[str, Any]] = data["tests"]
        #: lines run outside any test: they reach every test
        outside: list[list[Any]] = data.get("outside", [])
        self.outside = {(module, line) for module, lines in outside for line in lines}
        index: dict[tuple[str, int], list[str]] = {}
        for nodeid, record in self.tests.items():
            for module, lines in record["lines"]:
                for line in lines:
                    index.setdefault((module, line), []).append(nodeid)
        self._index = index

    @classmethod
    def load(cls, path: Path) -> Coverage:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.data), encoding="utf-8")

    @classmethod
    def from_collector(cls, collector: LineCollector, key: str) -> Coverage:
        return cls.from_parts([collector.part()], key)

    @classmethod
    def from_parts(cls, parts: list[dict[str, Any]], key: str) -> Coverage:
        """The map of one run made of the :meth:`LineCollector.part` of each of its
        processes: each test was run by one of them; what ran outside a test in any of
        them reaches every test, as in one process."""
        tests: dict[str, Any] = {}
        outside: dict[str, set[int]] = {}
        for part in parts:
            tests.update(part["tests"])
            for module, lines in part["outside"]:
                outside.setdefault(module, set()).update(lines)
        ordered = [[m, sorted(ls)] for m, ls in sorted(outside.items())]
        return cls({"key": key, "tests": tests, "outside": ordered})

    @classmethod
    def merged(cls, maps: list[Coverage]) -> Coverage:
        """One map of maps traced apart over disjoint modules (the ``postgres`` group's,
        traced on a store server, and the others'): a test's lines are its lines in each,
        its time the longest (a mutant's budget is generous, never short)."""
        if len(maps) == 1:
            return maps[0]
        tests: dict[str, dict[str, Any]] = {}
        outside: dict[str, set[int]] = {}
        for one in maps:
            for nodeid, record in one.tests.items():
                have = tests.get(nodeid)
                if have is None:
                    tests[nodeid] = {**record, "lines": [list(pair) for pair in record["lines"]]}
                    continue
                by_module = {m: set(ls) for m, ls in have["lines"]}
                for module, lines in record["lines"]:
                    by_module.setdefault(module, set()).update(lines)
                have["lines"] = [[m, sorted(ls)] for m, ls in sorted(by_module.items())]
                have["seconds"] = max(float(have["seconds"]), float(record["seconds"]))
            for module, line in one.outside:
                outside.setdefault(module, set()).add(line)
        key = "+".join(str(one.data.get("key")) for one in maps)
        ordered = [[m, sorted(ls)] for m, ls in sorted(outside.items())]
        return cls({"key": key, "tests": tests, "outside": ordered})

    def covering(self, module: str, lines: range) -> list[str]:
        if any((module, line) in self.outside for line in lines):
            return list(self.tests)
        found: dict[str, None] = {}
        for line in lines:
            for nodeid in self._index.get((module, line), ()):
                found[nodeid] = None
        return list(found)

    def seconds(self, nodeid: str) -> float:
        return float(self.tests.get(nodeid, {}).get("seconds", 1.0))

    def requirements(self, nodeid: str) -> list[str]:
        return list(self.tests.get(nodeid, {}).get("requirements", []))
