"""Total the tests of CI's test steps from the JUnit XML reports pytest wrote.

    python .ci/totals.py DIR

Prints one line, ``tests: N passed, N failed`` (failed counts failures and errors;
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


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path(".")
    passed, failed, skipped = totals(folder)
    tail = f" ({skipped} skipped)" if skipped else ""
    print(f"tests: {passed} passed, {failed} failed{tail}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
