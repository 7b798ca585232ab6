"""Verify a vectors directory (``gritwit vectors verify``; CONV-003 … CONV-005).

Three independent checks, each reported per file and vector:

1. *schema* — every vector file validates against the JSON Schema, and its
   counts, flag notes and ids are consistent;
2. *drift* — the committed files are byte-identical to what the generator
   writes now (no file missing, none stale), and the package's copies of the
   normative schemas equal ``spec/schemas/`` (CONV-006.2);
3. *reference* — every vector, as committed, runs through the reference
   implementation with the expected outcome (:func:`._check.check_vector`).

Without the ``sandbox`` extra (no pinned interpreter, SBX-002.1) the vectors of
sandboxed programs (``sandbox.json``) cannot run, nor be generated: they are skipped
and counted (:attr:`Report.skipped`), their file still schema-checked, and the drift
check compares every other file (the README counts the committed ``sandbox.json``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import jsonschema

from gritwit._schemas import copy_drift
from gritwit.adapter._sandbox import sandbox_available

from ._check import check_vector
from ._format import SCHEMA_FILE
from ._generate import (
    SANDBOX_FILE,
    SANDBOX_SUITE,
    GenerationError,
    build_documents,
    schema_bytes,
)

__all__ = ["SANDBOX_SKIPPED", "Problem", "Report", "verify", "vector_files"]

#: How the summary counts the vectors skipped without the ``sandbox`` extra.
SANDBOX_SKIPPED: Final = "sandbox vectors skipped: pip install 'gritwit[sandbox]'"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong: ``check`` is schema, drift, missing, unexpected or reference."""

    check: str
    path: str
    vector: str | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.vector is None else f"{self.path} [{self.vector}]"
        return f"{self.check}: {where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Report:
    """What :func:`verify` found."""

    files: int
    vectors: int
    valid: int
    invalid: int
    problems: tuple[Problem, ...]
    #: Vectors not run through the reference: the sandbox's, without the ``sandbox`` extra.
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def checked(self) -> int:
        """Vectors run through the reference: all of them but the skipped."""
        return self.vectors - self.skipped

    def summary(self) -> str:
        """A short human summary, one line per problem then the totals.

        When vectors were skipped the totals say how many of them ran through the
        reference and why the rest did not, and the last line says how to run them.
        """
        lines = [str(problem) for problem in self.problems]
        ran = ""
        if self.skipped:
            ran = (
                f", {self.checked} of them run through the reference, {self.skipped} not "
                "(the sandbox's: no pinned interpreter here, SBX-002.1)"
            )
        lines.append(
            f"{self.files} files, {self.vectors} vectors ({self.valid} valid, {self.invalid} "
            f"invalid){ran}, {len(self.problems)} problem(s)"
        )
        if self.skipped:
            lines.append(f"{self.skipped} {SANDBOX_SKIPPED}")
        return "\n".join(lines)


def _visible(relative: str) -> bool:
    return not any(part.startswith(".") for part in relative.split("/"))


def vector_files(directory: Path) -> list[str]:
    """Relative paths of the vector files in ``directory`` (JSON files except the schema)."""
    found = (p.relative_to(directory).as_posix() for p in directory.rglob("*.json"))
    return sorted(p for p in found if _visible(p) and p != SCHEMA_FILE)


def _vectors(document: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for group in document["groups"]:
        for vector in group["vectors"]:
            yield group["kind"], vector


def _consistency(path: str, document: Mapping[str, Any]) -> Iterator[Problem]:
    vectors = [vector for _, vector in _vectors(document)]
    valid = sum(v["result"] == "valid" for v in vectors)
    counts = {
        "numberOfVectors": len(vectors),
        "numberOfValid": valid,
        "numberOfInvalid": len(vectors) - valid,
    }
    for key, actual in counts.items():
        if document[key] != actual:
            yield Problem("schema", path, None, f"{key} is {document[key]}, counted {actual}")
    used = {flag for v in vectors for flag in v["flags"]}
    for flag in sorted(used - document["notes"].keys()):
        yield Problem("schema", path, None, f"flag {flag} is used but has no note")
    for flag in sorted(document["notes"].keys() - used):
        yield Problem("schema", path, None, f"note for unused flag {flag}")


def _drift(path: str, committed: bytes, expected: bytes) -> Problem:
    """Describe how a committed file parts from the regenerated one: what, and where first."""
    rerun = " (run `gritwit vectors generate`)"
    try:
        old, new = json.loads(committed), json.loads(expected)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than json parses
        return Problem(
            "drift", path, None, "is not byte for byte what the generator writes" + rerun
        )
    if not isinstance(old, dict) or "groups" not in old:
        return Problem("drift", path, None, "has no vector groups, unlike the generator's" + rerun)
    details = [f"header field {k}" for k in sorted(new) if k != "groups" and old.get(k) != new[k]]
    try:
        before = {v["id"]: v for _, v in _vectors(old)}
    except (KeyError, TypeError):
        before = {}
    after = {v["id"]: v for _, v in _vectors(new)}
    changed = sorted(i for i in before.keys() & after.keys() if before[i] != after[i])
    if changed:
        where = _first_change(before[changed[0]], after[changed[0]], "")
        details.append(f"{changed[0]} first changes at {where or '/'}")
    for label, ids in (
        ("changed", changed),
        ("missing", sorted(after.keys() - before.keys())),
        ("not generated", sorted(before.keys() - after.keys())),
    ):
        if ids:
            details.append(
                f"{label} vectors: {', '.join(ids[:10])}"
                + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
            )
    if not details:
        details.append("formatting or order")
    return Problem(
        "drift", path, None, "is not the generator's output: " + "; ".join(details) + rerun
    )


def _first_change(old: Any, new: Any, path: str) -> str:
    """The JSON pointer of the first place where ``old`` and ``new`` part."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            if old.get(key) != new.get(key):
                return _first_change(old.get(key), new.get(key), f"{path}/{key}")
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                return _first_change(a, b, f"{path}/{index}")
    return path


def _check_generated(directory: Path, *, sandbox: bool) -> list[Problem]:
    stand_ins = {}
    if not sandbox:  # the committed file stands in for the suite no one can build here
        try:
            stand_ins[SANDBOX_SUITE] = json.loads((directory / SANDBOX_FILE).read_bytes())
        except (OSError, ValueError):
            return [Problem("missing", SANDBOX_FILE, None, "the generator writes this file")]
    try:
        expected = build_documents(stand_ins)
    except GenerationError as exc:
        return [Problem("drift", "-", None, f"the generator fails: {p}") for p in exc.problems]
    problems = []
    on_disk = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    for relative, content in expected.items():
        path = directory / relative
        if not path.is_file():
            problems.append(Problem("missing", relative, None, "the generator writes this file"))
        elif path.read_bytes() != content:
            problems.append(_drift(relative, path.read_bytes(), content))
    unexpected = on_disk - expected.keys() - ({SANDBOX_FILE} if stand_ins else set())
    for relative in sorted(p for p in unexpected if _visible(p)):
        problems.append(Problem("unexpected", relative, None, "not written by the generator"))
    return problems


def _check_file(
    directory: Path, relative: str, validator: Any, seen: dict[str, str]
) -> tuple[list[Problem], list[tuple[str, dict[str, Any]]]]:
    try:
        document = json.loads((directory / relative).read_bytes())
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep to parse
        return [Problem("schema", relative, None, f"not JSON: {exc}")], []
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        return [
            Problem(
                "schema",
                relative,
                None,
                f"at /{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}",
            )
            for e in errors[:20]
        ], []
    problems = list(_consistency(relative, document))
    vectors = list(_vectors(document))
    for _, vector in vectors:
        if vector["id"] in seen:
            problems.append(
                Problem("schema", relative, vector["id"], f"id also used in {seen[vector['id']]}")
            )
        seen[vector["id"]] = relative
    return problems, vectors


def verify(
    directory: Path,
    *,
    against_generator: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Check the vectors in ``directory``; see the module docstring.

    ``against_generator=False`` skips the drift check (for vectors edited on purpose).
    ``progress`` gets a line as each step ends (the drift check, then each file), with
    the seconds since the start: a run takes minutes on a loaded machine.
    """
    started = time.monotonic()

    def tell(line: str) -> None:
        if progress is not None:
            progress(f"{line} ({time.monotonic() - started:.0f} s)")

    schema = json.loads(schema_bytes())
    validator = jsonschema.Draft202012Validator(schema)
    files = vector_files(directory)
    sandbox = sandbox_available()
    problems: list[Problem] = []
    if against_generator:
        problems += _check_generated(directory, sandbox=sandbox)
        tell("drift: every file compared with the generator's output")
    seen: dict[str, str] = {}
    totals = [0, 0, 0]
    skipped = 0
    for number, relative in enumerate(files, 1):
        found, vectors = _check_file(directory, relative, validator, seen)
        problems += found
        for kind, vector in vectors:
            totals[0] += 1
            totals[1 if vector["result"] == "valid" else 2] += 1
            if relative == SANDBOX_FILE and not sandbox:
                skipped += 1
                continue
            try:
                issues = check_vector(kind, vector)
            except Exception as exc:
                issues = [f"checking crashed: {type(exc).__name__}: {exc}"]
            problems += [Problem("reference", relative, vector["id"], i) for i in issues]
        left = (
            " (not run: no sandbox interpreter)" if relative == SANDBOX_FILE and not sandbox else ""
        )
        tell(f"file {number} of {len(files)}: {relative}, {len(vectors)} vectors{left}")
    if not files:
        problems.append(Problem("missing", str(directory), None, "no vector files found"))
    problems += [Problem("drift", "spec/schemas", None, line) for line in copy_drift()]
    return Report(len(files), totals[0], totals[1], totals[2], tuple(problems), skipped)
