"""CI's sample, checked against its recorded killers: no test map, each mutant one test.

``evidence.json`` claims, per clause, that a mutant breaking it is killed by a named
suite test (what ``gritwit trace --require-negative`` reads as the clause's negative
check).  A sample checked against the baseline (CONV-005) is drawn from those mutants
and each runs against the test that killed it, so the step verifies the evidence's
claims and needs no traced map of the profiles: that map was 235 s of CI's 716 s step.
A sampled mutant alive against its killer is a regression: the test lost its teeth
(if another test kills it now, ``gritwit mutate --mutant ID --write-baseline`` records
that).  Pure functions on documents; the suite's files are read to skip a killer whose
test is gone.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ._coverage import Coverage
from ._mutants import Mutant
from ._select import GUESSED_SECONDS

__all__ = ["killer_coverage", "killers", "postgres_killed", "present"]


def killers(evidence: Mapping[str, Any]) -> dict[str, str]:
    """Mutant id → the suite test the evidence says killed it (its first entry)."""
    found: dict[str, str] = {}
    for entries in evidence.get("requirements", {}).values():
        for entry in entries:
            if entry.get("kind") == "mutant" and entry.get("test"):
                found.setdefault(str(entry["mutant"]), str(entry["test"]))
    return found


def postgres_killed(evidence: Mapping[str, Any]) -> set[str]:
    """The mutants whose recorded killer killed them behind a PostgreSQL store (a runtime
    module's path only a store server reaches): the sample judges them there again."""
    first: dict[str, bool] = {}
    for entries in evidence.get("requirements", {}).values():
        for entry in entries:
            if entry.get("kind") == "mutant" and entry.get("test"):
                first.setdefault(str(entry["mutant"]), entry.get("store") == "postgres")
    return {mutant for mutant, there in first.items() if there}


def present(test: str, suite_root: Path) -> bool:
    """Whether ``test`` (``suite/x.py::name[param]``) still names a function of its file."""
    path, _, name = test.partition("::")
    function = name.split("[", 1)[0].split("::")[-1]
    return bool(function) and f"def {function}(" in _text(suite_root / path)


@functools.cache
def _text(file: Path) -> str:
    """A suite file's text, read once however many killers it holds ("" if it is gone)."""
    return file.read_text(encoding="utf-8") if file.is_file() else ""


def killer_coverage(mutants: Iterable[Mutant], killed_by: Mapping[str, str]) -> Coverage:
    """A test map sending each mutant to its killer alone (``--against``'s form)."""
    lines: dict[str, dict[str, set[int]]] = {}
    for mutant in mutants:
        test = killed_by.get(mutant.id)
        if test is None:
            continue
        reach = lines.setdefault(test, {}).setdefault(mutant.module, set())
        reach.update(range(mutant.line, mutant.end_line + 1))
    return Coverage(
        {
            "key": "against",
            "tests": {
                test: {
                    "lines": [[m, sorted(found)] for m, found in sorted(modules.items())],
                    "seconds": GUESSED_SECONDS,
                    "requirements": [],
                }
                for test, modules in sorted(lines.items())
            },
        }
    )
