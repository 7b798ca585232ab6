"""Generate the golden vectors: declared cases → checked vectors → files (CONV-003, CONV-005).

Every case a suite module declares is turned into its JSON form with expected
values computed independently of the reference (:mod:`._expect`, BLAKE3 over
the input bytes), then run through the reference (:func:`._check.check_vector`).
Any disagreement stops generation with a :class:`GenerationError` listing
every problem: the files are only written when the reference agrees with
every declared expectation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import blake3

import gritwit as g
from gritwit import _schemas
from gritwit._version import RELEASE

from . import (
    _encoding,
    _identifiers,
    _objects_blob,
    _objects_common,
    _objects_mailbox,
    _objects_message,
    _objects_step,
    _objects_tree,
    _runtime_scenarios,
    _sandbox,
    _scenarios,
    _wasm_scenarios,
)
from ._check import check_vector
from ._expect import describe, diagnostic
from ._format import (
    FLAG_NOTES,
    FORMAT,
    GENERATOR_COMMAND,
    ID_PATTERN,
    PHASE_OF,
    REQUIREMENT_PATTERN,
    SCHEMA_FILE,
    Case,
    Group,
    Suite,
    dump_json,
    schema_reference,
    suite_path,
)
from ._readme import readme

__all__ = [
    "SANDBOX_FILE",
    "SANDBOX_SUITE",
    "SUITES",
    "GenerationError",
    "build_documents",
    "schema_bytes",
    "write_vectors",
]

#: Every suite, in the order of the vectors directory listing.
SUITES: Final[tuple[Callable[[], Suite], ...]] = (
    _encoding.suite,
    _objects_common.suite,
    _objects_blob.suite,
    _objects_blob.large_suite,
    _objects_tree.suite,
    _objects_message.message_suite,
    _objects_mailbox.mailbox_suite,
    _objects_step.suite,
    _identifiers.suite,
    _scenarios.suite,
    _runtime_scenarios.suite,
    _wasm_scenarios.suite,
    _sandbox.suite,
)
#: The suite of sandboxed programs (``sandbox.json``): building it needs the pinned
#: interpreter of the ``sandbox`` extra (SBX-002.1).
SANDBOX_SUITE: Final = _sandbox.suite
#: Its file in the vectors directory.
SANDBOX_FILE: Final = suite_path("sandbox")


class GenerationError(Exception):
    """The reference disagrees with a declared vector, or a declaration is malformed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n  ".join(problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) generating vectors:\n  {shown}{more}")


def schema_bytes() -> bytes:
    """The vector file schema: ``spec/schemas/vectors.schema.json`` (or its package copy)."""
    return _schemas.schema_bytes(SCHEMA_FILE)


def _same(left: object, right: object) -> bool:
    """Equality that tells ``True`` from ``1`` (and ``bytes`` from ``str``) at every level."""
    if type(left) is not type(right):
        return False
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_same, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    return left == right


def _declaration_problems(case: Case, kind: str) -> list[str]:
    problems = []
    if not ID_PATTERN.match(case.id):
        problems.append("id is not a slash-separated slug")
    if not case.requirements or not all(map(REQUIREMENT_PATTERN.match, case.requirements)):
        problems.append(f"bad requirements {case.requirements}")
    problems += [f"flag {flag} has no note" for flag in case.flags if flag not in FLAG_NOTES]
    if kind in ("scenario", "runtime", "sandbox"):
        return problems + _scenario_declarations(case)
    if case.error is not None and case.error not in PHASE_OF:
        problems.append(f"unknown error class {case.error}")
    if kind == "hash" and (case.digest is None or case.error is not None):
        problems.append("a hash vector needs a declared digest and no error")
    if case.error is None and kind == "value":
        if case.diagnostic is not None and diagnostic(case.value) != case.diagnostic:
            problems.append(f"printer gives {diagnostic(case.value)}, declared {case.diagnostic}")
        try:
            if not _same(g.decode_value(case.input), case.value):
                problems.append("decode_value does not give the declared value")
        except g.GritError as exc:
            problems.append(f"decode_value rejects the declared value: {exc}")
    built = case.built
    if kind == "object" and built is not None and g.encode_object(built) != case.input:
        problems.append("the object built with the constructors encodes differently")
    return problems


def _scenario_declarations(case: Case) -> list[str]:
    """Values declared by hand must be what the reference answered (ADP-014)."""
    problems = []
    for index, key, value in case.declared:
        got = case.operations[index]["expect"].get(key)
        if not _same(got, value):
            problems.append(f"operation {index}: declared {key} {value!r}, recorded {got!r}")
    return problems


def _vector(case: Case, kind: str) -> dict[str, Any]:
    if kind == "runtime":
        return {
            "id": case.id,
            "comment": case.comment,
            "requirements": list(case.requirements),
            "flags": sorted(set(case.flags)),
            "result": "valid",
            "open": case.options,
            "operations": list(case.operations),
        }
    if kind in ("scenario", "sandbox"):
        return {
            "id": case.id,
            "comment": case.comment,
            "requirements": list(case.requirements),
            "flags": sorted(set(case.flags)),
            "result": "valid",
            "operations": list(case.operations),
        }
    vector: dict[str, Any] = {
        "id": case.id,
        "comment": case.comment,
        "requirements": list(case.requirements),
        "flags": sorted(set(case.flags)),
        "input": case.input.hex(),
        "result": "valid" if case.error is None else "invalid",
    }
    if case.error is not None:
        vector["error"] = case.error
        vector["phase"] = PHASE_OF[case.error]
    elif kind == "object":
        vector["objectId"] = blake3.blake3(case.input).hexdigest()
        vector["decoded"] = describe(case.value)
    elif kind == "value":
        vector["diagnostic"] = diagnostic(case.value)
    else:
        assert case.digest is not None
        vector["digest"] = case.digest.hex()
    return vector


def _group(group: Group, problems: list[str]) -> dict[str, Any]:
    vectors = []
    for case in group.cases:
        found = _declaration_problems(case, group.kind)
        vector = _vector(case, group.kind)
        if not found:
            found = check_vector(group.kind, vector)
        problems += [f"{case.id}: {problem}" for problem in found]
        vectors.append(vector)
    return {
        "name": group.name,
        "description": group.description,
        "kind": group.kind,
        "vectors": vectors,
    }


def _document(suite: Suite, problems: list[str]) -> dict[str, Any]:
    groups = [_group(group, problems) for group in suite.groups]
    vectors = [v for group in groups for v in group["vectors"]]
    flags = sorted({flag for v in vectors for flag in v["flags"]})
    valid = sum(v["result"] == "valid" for v in vectors)
    document: dict[str, Any] = {
        "$schema": schema_reference(suite.name),
        "format": FORMAT,
        # the release the text leads to, not its .devN (CONV-003.8): a vector's bytes do
        # not change when spec/CHANGES.md gains an entry
        "specVersion": RELEASE,
        "generator": {"name": "gritwit", "version": RELEASE, "command": GENERATOR_COMMAND},
        "suite": suite.name,
        "description": suite.description,
        "numberOfVectors": len(vectors),
        "numberOfValid": valid,
        "numberOfInvalid": len(vectors) - valid,
        "notes": {flag: FLAG_NOTES.get(flag, "?") for flag in flags},
        "groups": groups,
    }
    if suite.sources:
        document["sources"] = [
            {"name": s.name, "url": s.url, "description": s.description, "license": s.license}
            for s in suite.sources
        ]
    return document


def _unique(names: Iterable[str], what: str) -> list[str]:
    seen: set[str] = set()
    repeated = []
    for name in names:
        if name in seen:
            repeated.append(f"{what} {name} is declared twice")
        seen.add(name)
    return repeated


def build_documents(
    stand_ins: Mapping[Callable[[], Suite], Mapping[str, Any]] | None = None,
) -> dict[str, bytes]:
    """Every file of the vectors directory (relative path → bytes), checked against the reference.

    A suite of ``stand_ins`` is not built: the document given for it (a committed file,
    when the ``sandbox`` extra is missing) counts in the README, and its file is left out.
    Raises :class:`GenerationError` if any vector disagrees with the reference.
    """
    stand_ins = stand_ins or {}
    problems: list[str] = []
    suites = [make() for make in SUITES if make not in stand_ins]
    problems += _unique((s.name for s in suites), "suite")
    problems += _unique((c.id for s in suites for grp in s.groups for c in grp.cases), "vector id")
    for suite in suites:
        problems += _unique((grp.name for grp in suite.groups), f"{suite.name}: group")
    built = iter(suites)
    documents: dict[str, Mapping[str, Any]] = {}
    for make in SUITES:  # in the order of SUITES, stand-ins included, as the README lists them
        if make in stand_ins:
            documents[str(stand_ins[make]["suite"])] = stand_ins[make]
        else:
            suite = next(built)
            documents[suite.name] = _document(suite, problems)
    if problems:
        raise GenerationError(problems)
    stood_in = {str(doc["suite"]) for doc in stand_ins.values()}
    files = {suite_path(n): dump_json(d) for n, d in documents.items() if n not in stood_in}
    files[SCHEMA_FILE] = schema_bytes()
    files["README.md"] = readme(documents).encode("utf-8")
    return files


def write_vectors(directory: Path) -> tuple[list[str], list[str]]:
    """Generate into ``directory``; return (files written or changed, stale files left alone)."""
    files = build_documents()
    changed = []
    for relative, content in files.items():
        path = directory / relative
        if path.is_file() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        changed.append(relative)
    present = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    stale = sorted(p for p in present - files.keys() if not p.startswith("."))
    return changed, stale
