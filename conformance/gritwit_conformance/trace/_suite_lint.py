"""What in the suite checks without naming its clause (ADP-005.5, CONV-004).

Every check of ``suite/`` goes through the suite's check helpers (``suite/_check.py``),
each given the clause it checks.  :func:`findings` lists, per file, what does not:

* ``assert`` — a bare ``assert`` statement: its failure names no clause of its own, and
  pytest rewrites it into ``assert … == …`` / ``True and …`` text, or a tuple;
* ``index`` — an index of an answer's fields before its outcome is checked
  (``reply.result["bytes"]``, ``reply.error["class"]``): an error answer fails as
  ``KeyError: 'bytes'``; :func:`~gritwit_conformance.suite._check.ok_answer` checks it;
* ``expect_ok`` — ``Response.expect_ok()``: checked, but under no clause.

CI holds the suite to a committed allowance per file and kind that may only go down
(``reference/tests/test_suite_checks.py``).  ``python -m
gritwit_conformance.trace._suite_lint`` prints today's counts in the allowance's form.
"""

from __future__ import annotations

import ast
import json
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["KINDS", "Finding", "counts", "findings", "main"]

#: The kinds of finding, in the order the allowance lists them.
KINDS = ("assert", "index", "expect_ok")
#: An answer's fields (``harness._messages.Response``) read only once its outcome is checked.
_ANSWER_FIELDS = frozenset({"result", "error"})


@dataclass(frozen=True, slots=True)
class Finding:
    """One check of the suite that names no clause."""

    #: the file, relative to the suite
    file: str
    line: int
    #: one of :data:`KINDS`
    kind: str

    def __str__(self) -> str:
        what = {
            "assert": "a bare assert (use a check of suite/_check.py, naming its clause)",
            "index": "an answer indexed before its outcome is checked (use ok_answer)",
            "expect_ok": "expect_ok() names no clause (use ok_answer(reply, clause))",
        }[self.kind]
        return f"suite/{self.file}:{self.line}: {what}"


def _file_findings(path: Path, relative: str) -> list[Finding]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[Finding] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            found.append(Finding(relative, node.lineno, "assert"))
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr in _ANSWER_FIELDS
        ):
            found.append(Finding(relative, node.lineno, "index"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "expect_ok"
        ):
            found.append(Finding(relative, node.lineno, "expect_ok"))
    return sorted(found, key=lambda f: (f.line, f.kind))


def findings(suite: Path) -> dict[str, list[Finding]]:
    """Every finding of every module of the suite at ``suite``, by file (relative)."""
    out: dict[str, list[Finding]] = {}
    for path in sorted(suite.rglob("*.py")):
        relative = path.relative_to(suite).as_posix()
        found = _file_findings(path, relative)
        if found:
            out[relative] = found
    return out


def counts(suite: Path) -> dict[str, dict[str, int]]:
    """``{file: {kind: n}}`` of :func:`findings`, kinds with none left out: the allowance's form."""
    out: dict[str, dict[str, int]] = {}
    for file, found in findings(suite).items():
        per = {kind: sum(f.kind == kind for f in found) for kind in KINDS}
        out[file] = {kind: n for kind, n in per.items() if n}
    return out


def main() -> int:
    """Print today's counts as the allowance's JSON (to lower it after a conversion)."""
    suite = Path(__file__).resolve().parents[1] / "suite"
    json.dump(counts(suite), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
