"""Spec changes, clause by clause: text hashes per version and their check (CONV-003.3).

Each requirement ID defined in ``spec/*.md`` (found as
:func:`~gritwit_conformance.trace.collect_definitions`
finds it) has a *text*: from its bold ID to the next bold ID or heading, whitespace
normalised, so re-wrapping a paragraph changes nothing.  A lead followed by its clauses
(``**ENC-007** Lead.`` then ``- **ENC-007.1** …``) has only its own sentences.

``spec/clauses.json`` records, per spec version, the BLAKE3 hash of every clause's text
(:data:`FORMAT`); ``spec/CHANGES.md`` lists, per version, every clause added, changed or
withdrawn.  :func:`check_changes` fails on a clause whose text differs from the recorded
hashes of the current version unless CHANGES.md's "Unreleased" section, or the section of
the current version, names it; :func:`update_clauses` then records the new hashes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import blake3

from ..data._requirement_ids import SHAPED_IN_TEXT
from ..data._versions import parse_changes
from ._citations import CITATIONS_FILE, check_citations, record_citations
from ._clauses import _DEFINITION, collect_definitions
from ._release import fold_unreleased, summary_line

__all__ = [
    "CHANGES_FILE",
    "CLAUSES_FILE",
    "FORMAT",
    "ChangesReport",
    "ClauseDiff",
    "changes_command",
    "check_changes",
    "clause_hash",
    "clause_hashes",
    "clause_texts",
    "diff_clauses",
    "named_ids",
    "spec_clause_texts",
    "update_clauses",
]

FORMAT = "gritwit-clauses/1"
CLAUSES_FILE = Path("spec/clauses.json")
CHANGES_FILE = Path("spec/CHANGES.md")
#: the command that records the current hashes, named in every message
UPDATE_COMMAND = "gritwit trace --changes --update"

_HEADING = re.compile(r"^#{1,6}(?:\s|$)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SECTION = re.compile(r"^##\s+(.*?)\s*$", re.MULTILINE)
_ID = SHAPED_IN_TEXT
_VERSION = re.compile(r"\d+\.\d+\.\d+")


def _boundaries(markdown: str) -> list[int]:
    """Offsets of the lines that start a heading, outside fenced code blocks."""
    found: list[int] = []
    offset = 0
    fenced = False
    for line in markdown.splitlines(keepends=True):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and _HEADING.match(line):
            found.append(offset)
        offset += len(line)
    return found


def clause_texts(markdown: str) -> dict[str, str]:
    """Requirement ID → its normalised text, for one chapter's Markdown.

    The text runs from after the bold ID to the start of the next bold ID (its list
    marker included) or heading, with every run of whitespace made one space.
    """
    starts = [(m.start(), m.end(), m.group(1)) for m in _DEFINITION.finditer(markdown)]
    stops = sorted({*(s for s, _, _ in starts), *_boundaries(markdown), len(markdown)})
    texts: dict[str, str] = {}
    for start, end, rid in starts:
        stop = next(s for s in stops if s > start)
        texts[rid] = " ".join(markdown[end:stop].split())
    return texts


def spec_clause_texts(spec_dir: Path) -> dict[str, str]:
    """Requirement ID → normalised text, for every ID defined in ``spec_dir/*.md``."""
    defined, _duplicates = collect_definitions(spec_dir)
    texts: dict[str, str] = {}
    for name in sorted(set(defined.values())):
        texts.update(clause_texts((spec_dir / name).read_text(encoding="utf-8")))
    assert set(texts) == set(defined), "clause_texts and collect_definitions disagree"
    return texts


def clause_hash(text: str) -> str:
    """The first 16 hex digits of the BLAKE3-256 hash of a clause's normalised text."""
    return str(blake3.blake3(text.encode("utf-8")).hexdigest())[:16]


def clause_hashes(spec_dir: Path) -> dict[str, str]:
    """Requirement ID → :func:`clause_hash` of its text, sorted by ID."""
    texts = spec_clause_texts(spec_dir)
    return {rid: clause_hash(texts[rid]) for rid in sorted(texts, key=_id_key)}


def _id_key(rid: str) -> tuple[str, int, int]:
    prefix, _, number = rid.partition("-")
    main, _, sub = number.partition(".")
    return prefix, int(main), int(sub or 0)


def _version_key(version: str) -> tuple[int, ...]:
    """Orders versions, development versions before their release (CONV-003.7)."""
    from ..data._versions import version_key

    return version_key(version)


@dataclass(frozen=True, slots=True)
class ClauseDiff:
    """Clauses of ``new`` not in ``old``, of ``old`` not in ``new``, and in both but differing."""

    added: list[str]
    removed: list[str]
    changed: list[str]

    @property
    def ids(self) -> list[str]:
        return sorted({*self.added, *self.removed, *self.changed}, key=_id_key)


def diff_clauses(old: Mapping[str, str], new: Mapping[str, str]) -> ClauseDiff:
    """Compare two ID → hash maps (or ID → text maps)."""
    return ClauseDiff(
        added=sorted(set(new) - set(old), key=_id_key),
        removed=sorted(set(old) - set(new), key=_id_key),
        changed=sorted((rid for rid in set(old) & set(new) if old[rid] != new[rid]), key=_id_key),
    )


def named_ids(changes_md: str, version: str | None) -> set[str]:
    """IDs named in the "Unreleased" section and in the section of ``version`` (if any).

    Sections are ``## `` headings; a version's heading starts with the version
    (``## 0.2.0 (from 0.1.0)``), the other one with ``Unreleased``.
    """
    found: set[str] = set()
    sections = list(_SECTION.finditer(changes_md))
    for i, match in enumerate(sections):
        title = match.group(1).split()
        first = title[0] if title else ""
        if first.lower() == "unreleased" or first == version:
            stop = sections[i + 1].start() if i + 1 < len(sections) else len(changes_md)
            found.update(_ID.findall(changes_md[match.end() : stop]))
    return found


@dataclass(frozen=True, slots=True)
class ChangesReport:
    """The outcome of :func:`check_changes`."""

    version: str
    #: the version whose recorded hashes were compared (an older one for a new version)
    baseline: str | None
    diff: ClauseDiff
    recorded: set[str]
    clauses: int
    problems: list[str] = field(default_factory=list)

    @property
    def unrecorded(self) -> list[str]:
        return [rid for rid in self.diff.ids if rid not in self.recorded]

    @property
    def ok(self) -> bool:
        return not (self.problems or self.unrecorded)

    def lines(self) -> list[str]:
        """One line per unrecorded clause (or problem), then a summary line."""
        out = list(self.problems)
        what = f"{CLAUSES_FILE} for {self.baseline}" if self.baseline else str(CLAUSES_FILE)
        todo = (
            f'name it in the "Unreleased" section of {CHANGES_FILE} (one line: what changed, '
            f"and the tests or vectors that changed with it), then run `{UPDATE_COMMAND}`"
        )
        for rid in self.unrecorded:
            if rid in self.diff.added:
                out.append(f"{rid}: new clause, not in {what}: {todo}")
            elif rid in self.diff.removed:
                out.append(
                    f"{rid}: in {what} but no longer defined in spec/: a published ID must stay "
                    f"listed, marked withdrawn (CONV-002.3); put it back, or {todo}"
                )
            else:
                out.append(f"{rid}: text changed since {what} recorded it: {todo}")
        pending = [rid for rid in self.diff.ids if rid in self.recorded]
        if not self.unrecorded and self.problems:
            out.append("spec changes: FAILED (see above)")
        elif not self.ok:
            out.append(
                f"spec changes: FAILED ({_count(self.unrecorded)} from {what} "
                f"without an entry in {CHANGES_FILE})"
            )
        elif pending:
            out.append(
                f"spec changes: OK ({self.clauses} clauses; {_count(pending)} from {what}, "
                f"named in {CHANGES_FILE}; `{UPDATE_COMMAND}` records the new hashes)"
            )
        else:
            out.append(f"spec changes: OK ({self.clauses} clauses match {what})")
        return out


def _count(ids: list[str]) -> str:
    return "1 clause differs" if len(ids) == 1 else f"{len(ids)} clauses differ"


def _load_clauses(path: Path) -> tuple[dict[str, dict[str, str]], list[str]]:
    if not path.is_file():
        return {}, [f"{CLAUSES_FILE}: missing; run `{UPDATE_COMMAND}` to write it"]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        return {}, [f"{CLAUSES_FILE}: not JSON ({exc}); restore it from git"]
    versions = data.get("versions") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or not isinstance(versions, dict)
        or not all(
            _VERSION.fullmatch(v)
            and isinstance(h, dict)
            and all(isinstance(x, str) for x in (*h, *h.values()))
            for v, h in versions.items()
        )
    ):
        return {}, [
            f'{CLAUSES_FILE}: not {{"format": "{FORMAT}", "versions": {{"X.Y.Z": '
            '{"ID": "hash", …}}}; restore it from git'
        ]
    return versions, []


def check_changes(root: Path, version: str) -> ChangesReport:
    """Compare ``root/spec``'s clause hashes with ``spec/clauses.json`` for ``version``.

    A version that ``clauses.json`` does not list yet (just released) is compared with
    the newest older version listed there.  Each differing clause must be named in
    ``spec/CHANGES.md``'s "Unreleased" section, or in ``version``'s section while
    ``clauses.json`` does not record ``version`` yet.
    """
    current = clause_hashes(root / "spec")
    versions, problems = _load_clauses(root / CLAUSES_FILE)
    baseline: str | None = version if version in versions else None
    if baseline is None:
        older = [v for v in versions if _version_key(v) < _version_key(version)]
        baseline = max(older, key=_version_key) if older else None
    if baseline is None and not problems:
        problems.append(f"{CLAUSES_FILE}: records no version up to {version}; restore it from git")
    # without recorded hashes every clause would differ: report the file alone
    recorded_hashes = versions[baseline] if baseline else current
    changes = root / CHANGES_FILE
    if changes.is_file():
        # Once clauses.json records this version, a change to it needs a line of its own
        # in "Unreleased": a line of the version's section names the change it made then.
        section = None if baseline == version else version
        recorded = named_ids(changes.read_text(encoding="utf-8"), section)
    else:
        recorded = set()
        problems.append(f"{CHANGES_FILE}: missing; restore it from git")
    return ChangesReport(
        version=version,
        baseline=baseline,
        diff=diff_clauses(recorded_hashes, current),
        recorded=recorded,
        clauses=len(current),
        problems=problems,
    )


def _previous(versions: Mapping[str, object], version: str) -> str | None:
    older = [v for v in versions if _version_key(v) < _version_key(version)]
    return max(older, key=_version_key) if older else None


def update_clauses(root: Path, version: str) -> tuple[bool, list[str]]:
    """Fold *Unreleased* into ``version``'s section and record its hashes and citations.

    Refused (``False``) while :func:`check_changes` or the citation check
    (:func:`~._citations.check_citations`, CONV-003.5) fails: every differing clause
    and every new reading must be named in ``spec/CHANGES.md`` first.  Then the
    entries of *Unreleased* move into the section of ``version``
    (:func:`~._release.fold_unreleased`), ``spec/clauses.json`` records the current
    hashes as ``version``'s and ``spec/citations.json`` the suite's citations.  A
    re-run after more *Unreleased* lines folds those too.  Returns whether it wrote,
    and what to say.

    A development version (``0.4.0.dev0``, CONV-003.7) is refused too, writing
    nothing: only a release is recorded, so the release drops the ``.devN`` first.
    """
    from ..data._versions import is_development, release_of

    report = check_changes(root, version)
    cited = check_citations(root, version, report.recorded)
    if not (report.ok and cited.ok):
        lines = report.lines()[:-1] if not report.ok else []
        return False, [
            *lines,
            *cited.lines(),
            f"{UPDATE_COMMAND}: refused; spec/clauses.json is unchanged. Record the clauses "
            f"above in {CHANGES_FILE} first (CONV-003.3, CONV-003.5)",
        ]
    if is_development(version):
        return False, [
            f"{UPDATE_COMMAND}: refused; the tree carries the development version {version} "
            f"(CONV-003.7) and only a release is recorded: its number is computed from "
            f"{CHANGES_FILE} (CONV-003.8), so move the Unreleased entries into a section "
            f"`## {release_of(version)} (from …)` (the tree then carries "
            f"{release_of(version)}) and run it again"
        ]
    versions, _problems = _load_clauses(root / CLAUSES_FILE)
    current = clause_hashes(root / "spec")
    previous = _previous(versions, version)
    changes_path = root / CHANGES_FILE
    markdown = changes_path.read_text(encoding="utf-8")
    folded = fold_unreleased(markdown, version, previous, "")
    newly = sum(e.kind == "newly tested" for e in parse_changes(folded) if e.version == version)
    old = versions.get(previous, {}) if previous else {}
    diff = diff_clauses(old, current)
    summary = summary_line(
        version=version,
        previous=previous,
        previous_clauses=len(old),
        clauses=len(current),
        added=len(diff.added),
        changed=len(diff.changed),
        removed=len(diff.removed),
        newly_tested=newly,
    )
    changes_path.write_text(fold_unreleased(markdown, version, previous, summary), encoding="utf-8")
    versions[version] = current
    ordered = {v: versions[v] for v in sorted(versions, key=_version_key, reverse=True)}
    data = {"format": FORMAT, "versions": ordered}
    (root / CLAUSES_FILE).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    clauses_cited = record_citations(root, version)
    return True, [
        f"{CLAUSES_FILE}: recorded {len(current)} clause hashes for spec {version} "
        f"({len(report.diff.ids)} differed, each named in {CHANGES_FILE})",
        f"{CITATIONS_FILE}: recorded the citations of {clauses_cited} clauses for {version} "
        f"({len(cited.fresh)} with new readings, each named)",
        f"{CHANGES_FILE}: Unreleased folded into the section of {version}",
    ]


def changes_command(root: Path, version: str, *, update: bool = False) -> tuple[int, list[str]]:
    """``gritwit trace --changes [--update]``: exit status and the lines to print."""
    if update:
        wrote, lines = update_clauses(root, version)
        return (0 if wrote else 1), lines
    report = check_changes(root, version)
    cited = check_citations(root, version, report.recorded)
    lines = report.lines()
    if not cited.ok:
        lines = (
            lines[:-1]
            + cited.lines()
            + [
                lines[-1]
                if not report.ok
                else "spec changes: FAILED (newly tested readings "
                f"without an entry in {CHANGES_FILE}, CONV-003.5)"
            ]
        )
    elif cited.baseline is not None:
        fresh = f"{len(cited.fresh)} clauses with new readings, each named in {CHANGES_FILE}"
        lines.append(
            f"citations: OK ({fresh if cited.fresh else 'no reading new'} since "
            f"{CITATIONS_FILE} recorded {cited.baseline})"
        )
    return (0 if report.ok and cited.ok else 1), lines
