"""Traceability: every requirement ID is defined once, cited, and every citation exists (CONV-005).

Definitions are bold IDs at the start of a paragraph or list item in ``spec/*.md``.
Citations are the arguments of ``req(...)`` markers in test sources and the
``requirements`` lists of vector files.  Requirement IDs named in the reference's
own error messages must be defined too (a typo there would point users nowhere).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["TraceReport", "collect_citations", "collect_definitions", "trace"]

_ID = re.compile(r"\b([A-Z]{2,5}-\d{3})\b")
_DEFINITION = re.compile(r"^(?:[-*]\s+|\d+\.\s+)?\*\*([A-Z]{2,5}-\d{3})\*\*", re.MULTILINE)
_MARKER = re.compile(r"\breq\(([^)]*)\)", re.DOTALL)
_RAISE_ID = re.compile(r"\(\s*\"([A-Z]{2,5}-\d{3})\"")


@dataclass(frozen=True, slots=True)
class TraceReport:
    """The outcome of :func:`trace`."""

    defined: dict[str, str]
    cited: dict[str, set[str]]
    duplicates: list[str] = field(default_factory=list)
    unknown: dict[str, set[str]] = field(default_factory=dict)

    @property
    def uncited(self) -> list[str]:
        return sorted(set(self.defined) - set(self.cited))

    @property
    def ok(self) -> bool:
        return not (self.uncited or self.unknown or self.duplicates)

    def render(self) -> str:
        lines = [
            f"requirements defined: {len(self.defined)}; cited: "
            f"{len(set(self.cited) & set(self.defined))}; citing places: "
            f"{len({p for places in self.cited.values() for p in places})}"
        ]
        if self.duplicates:
            lines.append("defined more than once: " + ", ".join(self.duplicates))
        if self.uncited:
            lines.append("NOT CITED by any test or vector:")
            lines += [f"  {rid}  ({self.defined[rid]})" for rid in self.uncited]
        for rid, places in sorted(self.unknown.items()):
            lines.append(f"UNKNOWN ID {rid} cited in: {', '.join(sorted(places))}")
        lines.append("trace: OK" if self.ok else "trace: FAILED")
        return "\n".join(lines)


def collect_definitions(spec_dir: Path) -> tuple[dict[str, str], list[str]]:
    """IDs defined in the spec: ID → chapter file name; plus IDs defined twice."""
    defined: dict[str, str] = {}
    duplicates: list[str] = []
    for path in sorted(spec_dir.glob("*.md")):
        for rid in _DEFINITION.findall(path.read_text(encoding="utf-8")):
            if rid in defined:
                duplicates.append(rid)
            defined[rid] = path.name
    return defined, duplicates


def _python_citations(paths: Iterable[Path], root: Path) -> Iterator[tuple[str, str]]:
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for args in _MARKER.findall(text):
            for rid in _ID.findall(args):
                yield rid, str(path.relative_to(root))


def _vector_citations(paths: Iterable[Path], root: Path) -> Iterator[tuple[str, str]]:
    def walk(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "requirements" and isinstance(value, list):
                    yield from (v for v in value if isinstance(v, str))
                else:
                    yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        for rid in walk(data):
            yield rid, str(path.relative_to(root))


def collect_citations(root: Path) -> dict[str, set[str]]:
    """IDs cited by tests (``req`` markers) and vectors (``requirements``): ID → places."""
    cited: dict[str, set[str]] = {}
    tests = [
        p
        for base in ("reference/tests", "conformance")
        if (root / base).is_dir()
        for p in sorted((root / base).rglob("*.py"))
    ]
    vectors = sorted((root / "vectors").rglob("*.json")) if (root / "vectors").is_dir() else []
    for rid, place in [*_python_citations(tests, root), *_vector_citations(vectors, root)]:
        cited.setdefault(rid, set()).add(place)
    return cited


def trace(root: Path) -> TraceReport:
    """Check CONV-005 for the repository at ``root``."""
    defined, duplicates = collect_definitions(root / "spec")
    cited = collect_citations(root)
    unknown = {rid: places for rid, places in cited.items() if rid not in defined}
    source = root / "reference" / "gritwit"
    for path in sorted(source.rglob("*.py")):
        for rid in _RAISE_ID.findall(path.read_text(encoding="utf-8")):
            if rid not in defined:
                unknown.setdefault(rid, set()).add(str(path.relative_to(root)))
    return TraceReport(defined=defined, cited=cited, duplicates=duplicates, unknown=unknown)
