"""Total the tests of CI's test steps from the JUnit XML reports pytest wrote.

    python .ci/totals.py DIR

Prints the slowest tests of every report first (which step, how long: a run's tail is
often all a reader of CI gets, and it is where the time to move to the deep profile is
found), then one line, ``tests: N passed, N failed`` (failed counts failures and errors;
skipped tests are neither, and are named after the totals when there are any), the
last line of ``.ci/run``'s output whether it passed or stopped at a failed step, so
that a landing reads how many tests ran.  A report that cannot be read counts as one
failed test: a step whose runner died is not a pass.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def totals(folder: Path) -> tuple[int, int, int]:
    """Passed, failed (failures + errors) and skipped tests over every report in ``folder``."""
    passed = failed = skipped = 0
    for report in sorted(folder.glob("*.xml")):
        try:
            root = ET.parse(report).getroot()
        except (ET.ParseError, OSError):
            failed += 1
            continue
        suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
        for suite in suites:
            tests = int(suite.get("tests", 0))
            bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skip = int(suite.get("skipped", 0))
            passed += tests - bad - skip
            failed += bad
            skipped += skip
    return passed, failed, skipped


def slowest(folder: Path, count: int = 25) -> list[tuple[float, str, str]]:
    """The ``count`` longest test cases over every readable report: (seconds, the
    report's name, the test's class and name)."""
    found: list[tuple[float, str, str]] = []
    for report in sorted(folder.glob("*.xml")):
        try:
            root = ET.parse(report).getroot()
        except (ET.ParseError, OSError):
            continue
        for case in root.iter("testcase"):
            try:
                seconds = float(case.get("time", 0))
            except ValueError:
                continue
            name = f"{case.get('classname', '')}::{case.get('name', '')}"
            found.append((seconds, report.stem, name))
    found.sort(key=lambda row: -row[0])
    return found[:count]


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path(".")
    rows = slowest(folder)
    if rows:
        print("slowest tests (seconds, step's report, test):")
        for seconds, step, name in rows:
            print(f"  {seconds:8.1f}  {step:8}  {name}")
    passed, failed, skipped = totals(folder)
    tail = f" ({skipped} skipped)" if skipped else ""
    print(f"tests: {passed} passed, {failed} failed{tail}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
