"""An equivalent mutant's witness: the reference test its record says sees it, run on it.

A mutant listed equivalent because the protocol cannot see it (``unobservable through
the protocol``, ``outside the suite``) is recorded "with the reason and the reference
test that would see it" (docs/guide/mutation.md, Equivalent mutants). The reason names
that test in one form, ``<test> sees it`` (or ``fails on it``, ``kills it``, ``catches
it``, and their plurals), where ``<test>`` is a path under ``reference/tests/`` or
``conformance/tests/`` (``test_x.py`` alone is looked for in both), a file or a node id,
and several are joined by ``and`` or commas (``::test_b`` after a node id is another
test of the same file).

``gritwit mutate --witnesses`` checks each such claim: the mutant is written into a
private copy of the ``gritwit`` package and the named tests run in a child pytest whose
``PYTHONPATH`` puts the copy first (every process those tests start inherits it). A
claim holds when the run fails (*seen*) or outlives its time limit (*hangs*: the pristine
tests end); it is wrong when they all pass (*not seen*), when a named test does not
exist (*missing*), or when pytest ends otherwise (*error*, a usage or collection fault).
A run whose every test skipped (no PostgreSQL server, no sandbox interpreter here) judges
nothing: *skipped*, neither held nor wrong. Nothing here reads a verdict from pytest's
words: the child's exit status decides (0 passed, 1 failed, 5 nothing collected), and
its JUnit file's counts tell a pass from a run of skips.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ._mutants import Mutant, apply_mutant

__all__ = [
    "Witness",
    "WitnessResult",
    "named_witnesses",
    "run_witness",
    "witnesses_of",
]

#: One test as a record names it: a file, or a node id with an optional parameter.
_PATH = r"(?:(?:reference|conformance)/tests/)?test_\w+\.py(?:::\w+(?:\[[^\]\s]*\])?)?"
#: Another test of the file named just before (``a.py::x and ::y``).
_NODE = r"::\w+(?:\[[^\]\s]*\])?"
_WITNESS = re.compile(
    rf"((?:{_PATH})(?:(?:,\s*|\s+and\s+)(?:{_PATH}|{_NODE}))*)"
    r"\s+(?:sees?|fails? on|kills?|catch(?:es)?)\s+it\b"
)
_PART = re.compile(rf"{_PATH}|{_NODE}")
#: Where a test named without its folder is looked for, in this order.
_FOLDERS = ("reference/tests", "conformance/tests")
#: pytest's exit statuses read here.
_PASSED, _FAILED, _NO_TESTS = 0, 1, 5


@dataclass(frozen=True, slots=True)
class Witness:
    """The tests an equivalent record says see its mutant (``tests``: node ids or files
    relative to the checkout's root), and the names it gives that lead to no file."""

    mutant: str
    tests: tuple[str, ...]
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WitnessResult:
    """How a witness's tests ended on its mutant: ``seen``, ``hangs``, ``not seen``,
    ``missing``, ``error`` or ``skipped``; ``detail`` is the end of the child's output
    for the last four."""

    mutant: str
    tests: tuple[str, ...]
    status: str
    seconds: float
    detail: str = ""

    @property
    def holds(self) -> bool:
        """Whether the record's claim held: its tests saw the mutant."""
        return self.status in ("seen", "hangs")

    @property
    def wrong(self) -> bool:
        """Whether the record's claim failed (a run of skips judges nothing)."""
        return not self.holds and self.status != "skipped"


def _resolve(name: str, root: Path) -> str | None:
    """``name``'s file relative to ``root`` (with its node part kept), or None."""
    file, sep, node = name.partition("::")
    candidates = [file] if "/" in file else [f"{folder}/{file}" for folder in _FOLDERS]
    for candidate in candidates:
        if (root / candidate).is_file():
            return candidate + sep + node
    return None


def named_witnesses(mutant: str, reason: str, root: Path) -> Witness | None:
    """The witness ``reason`` names for ``mutant`` (None: it names none in the form above)."""
    tests: list[str] = []
    missing: list[str] = []
    for claim in _WITNESS.finditer(reason):
        file = ""
        for part in _PART.findall(claim.group(1)):
            name = f"{file}{part}" if part.startswith("::") else part
            file = name.partition("::")[0]
            found = _resolve(name, root)
            if found is None:
                missing.append(name)
            elif found not in tests:
                tests.append(found)
    if not tests and not missing:
        return None
    return Witness(mutant, tuple(tests), tuple(missing))


def witnesses_of(
    equivalent: Mapping[str, str],
    mutants: Iterable[Mutant],
    root: Path,
    *,
    sample: int | None = None,
    seed: int = 9,
) -> list[Witness]:
    """The witnesses of the listed equivalents among ``mutants``, in their order; a seeded
    ``sample`` of them when given."""
    found = []
    for mutant in mutants:
        reason = equivalent.get(mutant.id)
        witness = None if reason is None else named_witnesses(mutant.id, reason, root)
        if witness is not None:
            found.append(witness)
    if sample is not None and sample < len(found):
        chosen = set(random.Random(seed).sample(range(len(found)), sample))
        found = [w for i, w in enumerate(found) if i in chosen]
    return found


def _child_env(copy: Path) -> dict[str, str]:
    """The child's environment: ``copy`` first on the path, and no bytecode but the copy's
    own (a mutant's source can keep its original's size and mtime second)."""
    env = dict(os.environ)
    env.pop("PYTHONPYCACHEPREFIX", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(copy), *filter(None, [env.get("PYTHONPATH")])])
    return env


def run_witness(
    witness: Witness, mutant: Mutant, source: str, copy: Path, root: Path, timeout: float
) -> WitnessResult:
    """Run ``witness``'s tests on ``mutant`` (``source``: its module's pristine text),
    written into ``copy`` (a directory holding a ``gritwit`` package) and put back after."""
    if witness.missing or not witness.tests:
        return WitnessResult(
            witness.mutant,
            witness.tests,
            "missing",
            0.0,
            "named, but no such test file: " + ", ".join(witness.missing),
        )
    target = copy / mutant.module
    cached = target.parent / "__pycache__"
    for pyc in cached.glob(target.stem + ".*.pyc") if cached.is_dir() else ():
        pyc.unlink()
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",  # the project's own "-m 'not heavy'" would leave a heavy witness out
        *witness.tests,
    ]
    target.write_text(apply_mutant(source, mutant), encoding="utf-8")
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile() as out:
            junit = Path(tmp) / "junit.xml"
            command.append(f"--junitxml={junit}")
            child = subprocess.Popen(
                command,
                cwd=root,
                env=_child_env(copy),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its servers and adapters end with it
            )
            try:
                code: int | None = child.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
                code = None
            out.seek(max(0, out.seek(0, os.SEEK_END) - 2000))  # its end only: a test may print much
            tail = out.read().decode("utf-8", "replace")
            all_skipped = code == _PASSED and _all_skipped(junit)
    finally:
        target.write_text(source, encoding="utf-8")
    seconds = round(time.monotonic() - started, 1)
    if code is None:
        return WitnessResult(witness.mutant, witness.tests, "hangs", seconds)
    if code == _FAILED:
        return WitnessResult(witness.mutant, witness.tests, "seen", seconds)
    if code == _PASSED:
        status = "skipped" if all_skipped else "not seen"
        return WitnessResult(witness.mutant, witness.tests, status, seconds, tail)
    status = "missing" if code == _NO_TESTS else "error"
    return WitnessResult(witness.mutant, witness.tests, status, seconds, tail)


def _all_skipped(junit: Path) -> bool:
    """Whether the JUnit file counts tests and every one of them skipped."""
    try:
        root = ET.parse(junit).getroot()
    except (OSError, ET.ParseError):
        return False
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    tests = sum(int(s.get("tests", "0")) for s in suites)
    skipped = sum(int(s.get("skipped", "0")) for s in suites)
    return tests > 0 and skipped == tests
