"""Traceability: every requirement ID is defined once, cited, and every citation exists (CONV-005).

Definitions are bold IDs at the start of a paragraph or list item in ``spec/*.md``;
a clause of a requirement may carry a sub-ID (``ENC-013.2``).  Citations are the
arguments of ``req(...)`` markers in test sources and the ``requirements`` lists of
vector files.  Requirement IDs named in the reference's own error messages (and in
the vector generator's declarations) must be defined too (a typo there would point users nowhere).

Beyond citation, each *clause* (an ID without sub-IDs, or a sub-ID) is reported as
*negatively checked* when something shows that a test fails on an implementation
breaking it: a killed mutant in ``conformance/mutation/evidence.json`` (written by
``gritwit mutate --write-baseline``), a wrong adapter of
:data:`gritwit_conformance.wrong.WRONG` caught on it, or an entry of
``conformance/untestable.toml`` (or ``conformance/untestable-<chapter>.toml``)
saying why no test can.

Each function takes the checkout's root, or the :class:`~..data._paths.Resources` of the
copy installed with the suite (its files laid out as in a checkout; the two packages
where they are installed), so ``gritwit trace`` answers the same from a wheel.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..data._paths import Resources
from ..data._requirement_ids import DEFINITION, SHAPED_IN_RAISE, SHAPED_IN_TEXT

__all__ = [
    "TraceReport",
    "collect_citations",
    "collect_definitions",
    "collect_negative",
    "trace",
]

_ID = SHAPED_IN_TEXT
_DEFINITION = DEFINITION
EVIDENCE_FILE = Path("conformance/mutation/evidence.json")
UNTESTABLE_FILE = Path("conformance/untestable.toml")
_MARKER = re.compile(r"\breq\(([^)]*)\)", re.DOTALL)
#: Where requirement IDs named in error messages and declarations must be defined: the
#: reference, and the vector generator that moved out of it.
_RAISING = ("reference/gritwit", "conformance/gritwit_conformance/vectors")
_RAISE_ID = SHAPED_IN_RAISE


@dataclass(frozen=True, slots=True)
class TraceReport:
    """The outcome of :func:`trace`."""

    defined: dict[str, str]
    cited: dict[str, set[str]]
    duplicates: list[str] = field(default_factory=list)
    unknown: dict[str, set[str]] = field(default_factory=dict)
    #: clause → how it is negatively checked ("mutant", "wrong adapter", "untestable")
    negative: dict[str, list[str]] = field(default_factory=dict)
    #: problems with the evidence files (an untestable entry without reason …)
    problems: list[str] = field(default_factory=list)
    #: fail on a clause with no negative check (``gritwit trace --require-negative``)
    require_negative: bool = False

    def _children(self, rid: str) -> list[str]:
        return [c for c in self.defined if c.startswith(rid + ".")]

    @property
    def clauses(self) -> list[str]:
        """Every ID that has no sub-IDs: the units a test can check."""
        return sorted(rid for rid in self.defined if not self._children(rid))

    @property
    def uncited(self) -> list[str]:
        missing = []
        for rid in sorted(set(self.defined) - set(self.cited)):
            children = self._children(rid)
            if not children or any(c not in self.cited for c in children):
                missing.append(rid)
        return missing

    @property
    def unchecked(self) -> list[str]:
        """Clauses with no negative check."""
        return [c for c in self.clauses if not self.negative.get(c)]

    @property
    def ok(self) -> bool:
        bad_negative = self.require_negative and bool(self.unchecked)
        return not (self.uncited or self.unknown or self.duplicates or self.problems) and not (
            bad_negative
        )

    def table(self) -> list[dict[str, object]]:
        """Per clause: chapter, citing places, negative-check kinds (``--json``/``--clauses``)."""
        return [
            {
                "id": rid,
                "chapter": self.defined[rid],
                "cited": len(self.cited.get(rid, ())),
                "negative": sorted(set(self.negative.get(rid, []))),
            }
            for rid in self.clauses
        ]

    def render(self, *, clauses: bool = False) -> str:
        lines = [
            f"requirements defined: {len(self.defined)}; cited: "
            f"{len(set(self.cited) & set(self.defined))}; citing places: "
            f"{len({p for places in self.cited.values() for p in places})}"
        ]
        kinds: dict[str, int] = {}
        for found in self.negative.values():
            for kind in set(found):
                kinds[kind] = kinds.get(kind, 0) + 1
        checked = len(self.clauses) - len(self.unchecked)
        lines.append(
            f"clauses: {len(self.clauses)}; cited: "
            f"{sum(1 for c in self.clauses if c in self.cited)}; negatively checked: {checked} ("
            + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
            + ")"
        )
        if clauses:
            lines.append(f"{'clause':12} {'chapter':22} {'cited':>5}  negative check")
            for row in self.table():
                negative = ", ".join(map(str, row["negative"])) or "NONE"  # type: ignore[call-overload]
                lines.append(
                    f"{row['id']!s:12} {row['chapter']!s:22} {row['cited']!s:>5}  {negative}"
                )
        if self.duplicates:
            lines.append("defined more than once: " + ", ".join(self.duplicates))
        if self.uncited:
            lines.append("NOT CITED by any test or vector:")
            lines += [f"  {rid}  ({self.defined[rid]})" for rid in self.uncited]
        for rid, places in sorted(self.unknown.items()):
            lines.append(f"UNKNOWN ID {rid} cited in: {', '.join(sorted(places))}")
        lines += self.problems
        if self.unchecked:
            label = "NO NEGATIVE CHECK" if self.require_negative else "no negative check yet"
            lines.append(f"{label} ({len(self.unchecked)}): " + ", ".join(self.unchecked))
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


def as_tree(root: Path | Resources) -> Resources:
    """``root`` as a tree: a checkout's root is one as it stands."""
    return root if isinstance(root, Resources) else Resources(root=root, installed=False)


def _python_citations(paths: Iterable[Path], root: Resources) -> Iterator[tuple[str, str]]:
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for args in _MARKER.findall(text):
            for rid in _ID.findall(args):
                yield rid, root.name(path)


def _vector_citations(paths: Iterable[Path], root: Resources) -> Iterator[tuple[str, str]]:
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
            yield rid, root.name(path)


#: Where tests cite IDs: the reference's tests, and everything below ``conformance/`` (the
#: suite, the tests of the judge's tools …), whose package an installed copy keeps apart.
_CITING = ("reference/tests", "conformance", "conformance/gritwit_conformance")


def collect_citations(root: Path | Resources) -> dict[str, set[str]]:
    """IDs cited by tests (``req`` markers) and vectors (``requirements``): ID → places."""
    tree = as_tree(root)
    cited: dict[str, set[str]] = {}
    found: dict[Path, Path] = {}  # resolved → as found: a package may lie below a base
    for base in _CITING:
        folder = tree.locate(base)
        for path in sorted(folder.rglob("*.py")) if folder.is_dir() else ():
            found.setdefault(path.resolve(), path)
    tests = [found[key] for key in sorted(found)]
    vectors = sorted(tree.vectors.rglob("*.json")) if tree.vectors.is_dir() else []
    for rid, place in [*_python_citations(tests, tree), *_vector_citations(vectors, tree)]:
        cited.setdefault(rid, set()).add(place)
    return cited


def _wrong_adapter_evidence() -> dict[str, list[str]]:
    from ..wrong import WRONG  # on demand: the wrong adapters are many modules
    from ..wrong.store_server import STORE_SERVER_WRONG  # run with a store server (ADP-022)

    found: dict[str, list[str]] = {}
    for entry in [*WRONG.values(), *STORE_SERVER_WRONG.values()]:
        if not entry.gap:
            for rid in entry.failed:
                found.setdefault(rid, []).append("wrong adapter")
    return found


def collect_negative(
    root: Path | Resources, defined: dict[str, str]
) -> tuple[dict[str, list[str]], list[str]]:
    """Clause → kinds of negative check found; plus problems with the evidence files."""
    tree = as_tree(root)
    negative = _wrong_adapter_evidence()
    problems: list[str] = []
    evidence = tree.locate(EVIDENCE_FILE.as_posix())
    if evidence.is_file():
        try:
            data = json.loads(evidence.read_text(encoding="utf-8"))
            for rid, entries in data.get("requirements", {}).items():
                if entries:
                    negative.setdefault(rid, []).append("mutant")
        except (ValueError, AttributeError) as exc:
            problems.append(f"{EVIDENCE_FILE}: not readable evidence ({exc})")
    folder = tree.locate(UNTESTABLE_FILE.parent.as_posix())
    for untestable in sorted(folder.glob(UNTESTABLE_FILE.stem + "*.toml")):
        name = tree.name(untestable)
        try:
            entries = tomllib.loads(untestable.read_text(encoding="utf-8")).get("untestable", [])
        except tomllib.TOMLDecodeError as exc:
            entries = []
            problems.append(f"{name}: {exc}")
        for entry in entries:
            rid = str(entry.get("id", ""))
            if rid not in defined:
                problems.append(f"{name}: {rid!r} is not a defined requirement")
            elif not str(entry.get("reason", "")).strip():
                problems.append(f"{name}: {rid} is listed without a reason")
            else:
                negative.setdefault(rid, []).append("untestable")
    return negative, problems


def trace(root: Path | Resources, *, require_negative: bool = False) -> TraceReport:
    """Check CONV-005 for the repository at ``root`` (or the copy installed with the suite)."""
    tree = as_tree(root)
    defined, duplicates = collect_definitions(tree.spec)
    cited = collect_citations(tree)
    unknown = {rid: places for rid, places in cited.items() if rid not in defined}
    sources = [tree.locate(folder) for folder in _RAISING]
    for path in sorted(p for source in sources if source.is_dir() for p in source.rglob("*.py")):
        for rid in _RAISE_ID.findall(path.read_text(encoding="utf-8")):
            if rid not in defined:
                unknown.setdefault(rid, set()).add(tree.name(path))
    negative, problems = collect_negative(tree, defined)
    return TraceReport(
        defined=defined,
        cited=cited,
        duplicates=duplicates,
        unknown=unknown,
        negative=negative,
        problems=problems,
        require_negative=require_negative,
    )
