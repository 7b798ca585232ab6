"""A verdict per claimed version: which cited clauses are newer than a spec version.

An implementation names the spec version it was written against in ``hello``
(``implementation.spec``, ADP-005.1).  When that is older than the suite's, a
failure of a test citing a clause added or changed since is *marked*, with the
entries of ``spec/CHANGES.md`` that say so (ADP-005.5); and ``--spec-version X``
leaves out, as *not applicable*, tests whose every cited clause was added after X
(ADP-005.6).  What "added after" and "changed after" mean is CONV-003.6:

* *added after X*: X's record in ``spec/clauses.json`` (or, for a version it does
  not record, the newest older record) lacks the clause;
* *changed after X*: an entry of a newer version's section of ``spec/CHANGES.md``, or
  of its *Unreleased* section, names the clause — added, changed, wording, or newly
  tested (CONV-003.5: a new reading checked of unchanged text).

A test of a changed clause checks the suite's (newer) text, yet the clause exists in
X: it still runs, and its failure is marked.  Only a test whose every clause is
absent from X is left out.

Pure reading of two files; nothing here imports the reference or starts anything.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ._entry_words import (
    assertion_clauses,
    matching_entries,
    names_term,
    quoted_terms,
    quoting,
    related,
)
from ._requirement_ids import CLASS_RULE, SHAPED, SHAPED_IN_TEXT

__all__ = [
    "CHANGES_NAME",
    "CLAUSES_NAME",
    "UNRELEASED",
    "ChangeEntry",
    "SpecHistory",
    "UnknownSpecVersion",
    "find_spec_dir",
    "is_development",
    "is_older_than",
    "load_history",
    "assertion_clauses",
    "matching_entries",
    "names_text_of",
    "parse_changes",
    "names_term",
    "parse_version",
    "quoted_terms",
    "read_item",
    "related",
    "release_of",
    "spec_history",
    "text_label",
    "unread_items",
    "version_key",
]

CLAUSES_NAME = "clauses.json"
CHANGES_NAME = "CHANGES.md"
#: The section of ``spec/CHANGES.md`` that no release holds yet.
UNRELEASED = "unreleased"
#: Kinds an entry may name after its IDs (``- ADP-009.4 — added: …``).
KINDS = ("newly tested", "added", "changed", "wording", "withdrawn", "removed")

_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")
#: A development version (CONV-003.7): a release's number and ``.devN``, PEP 440's form,
#: and the label of its text ``+tH`` (CONV-003.8), which a claim may leave out
#: (``gritwit._version.DEVELOPMENT_FORM`` writes it; a test keeps the two alike).
_DEVELOPMENT = re.compile(r"(\d+\.\d+\.\d+)\.dev(\d+)(?:\+t([0-9a-f]{12}))?")
_HEADING = re.compile(r"^(#{2,4})\s+(.*?)\s*$")
_TESTS = re.compile(r"\s*\bTests?(?: and vectors)?:.*$", re.DOTALL)
_SUITE_FILE = re.compile(r"`suite/([^`\s]+\.py)`")
#: Longest description a note quotes from its entry (the report has room, not a page).
NOTE_CHARS = 160


class UnknownSpecVersion(ValueError):
    """``--spec-version`` named a version ``spec/clauses.json`` does not record (ADP-005.6)."""


def parse_version(text: object) -> tuple[int, int, int, int, int] | None:
    """A version as a key that orders versions, or None for anything else.

    ``MAJOR.MINOR.PATCH`` (ADP-005.4) or a development version ``MAJOR.MINOR.PATCH.devN``
    (CONV-003.7), which comes after every earlier release and before its own:
    0.3.0 < 0.4.0.dev0 < 0.4.0.dev1 < 0.4.0.  The label of a development version's text
    (``+tH``, CONV-003.8) orders nothing: two texts of one ``N`` have one key
    (:func:`text_label` tells them apart, :func:`is_older_than` judges them).
    """
    if not isinstance(text, str):
        return None
    development = _DEVELOPMENT.fullmatch(text.strip())
    match = _VERSION.fullmatch(development.group(1) if development else text.strip())
    if match is None:
        return None
    major, minor, patch = (int(g) for g in match.groups())
    if development is not None:
        return major, minor, patch, 0, int(development.group(2))
    return major, minor, patch, 1, 0


def release_of(version: str) -> str:
    """The release a version is or leads to: ``0.4.0`` of ``0.4.0.dev0`` and of
    ``0.4.0.dev7+t1f2e3d4c5b6a`` (CONV-003.7)."""
    development = _DEVELOPMENT.fullmatch(version.strip())
    return development.group(1) if development else version.strip()


def is_development(version: str) -> bool:
    """``version`` is a development version, ``X.Y.Z.devN`` with or without the label of
    its text, ``+tH`` (CONV-003.7, CONV-003.8)."""
    return _DEVELOPMENT.fullmatch(version.strip()) is not None


def text_label(version: object) -> str | None:
    """The digest a development version's label names (``1f2e3d4c5b6a`` of
    ``0.4.0.dev7+t1f2e3d4c5b6a``), or None: a release, or a claim without it."""
    if not isinstance(version, str):
        return None
    development = _DEVELOPMENT.fullmatch(version.strip())
    return development.group(3) if development else None


def is_older_than(claimed: object, current: str) -> bool:
    """Whether ``claimed`` names a text older than ``current``'s (CONV-003.8, ADP-005.5).

    Ordered by :func:`parse_version`; of one release and one ``N``, a claim whose label
    names another text than ``current``'s counts as older too (the suite cannot tell
    which words differ, so every *Unreleased* entry counts as newer than it), while a
    claim without a label is taken for ``current``'s text, as before labels existed.
    Anything that is no version is not older.
    """
    parsed, mine = parse_version(claimed), parse_version(current)
    if parsed is None or mine is None:
        return False
    if parsed != mine:
        return parsed < mine
    theirs, ours = text_label(claimed), text_label(current)
    return theirs is not None and ours is not None and theirs != ours


def names_text_of(claimed: str, current: str) -> bool:
    """Whether ``claimed`` names ``current``'s text: the same version, or the same one
    without its label (a claim may leave ``+tH`` out, CONV-003.8)."""
    if claimed.strip() == current.strip():
        return True
    parsed = parse_version(claimed)
    return (
        parsed is not None
        and parsed == parse_version(current)
        and text_label(claimed) is None
        and is_development(claimed)
    )


def version_key(version: str) -> tuple[int, int, int, int, int]:
    """:func:`parse_version` of a version known to be one (AssertionError otherwise)."""
    parsed = parse_version(version)
    assert parsed is not None, version
    return parsed


_key = version_key


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeEntry:
    """One line of ``spec/CHANGES.md``: the clauses it names, in which version, what kind."""

    #: a version (``0.3.0``) or :data:`UNRELEASED`
    version: str
    ids: tuple[str, ...]
    #: one of :data:`KINDS`
    kind: str
    #: what changed, without its list of tests, whitespace normalised
    text: str
    #: listed under "changed earlier, while the spec still said <older>" of ``version``
    earlier: str | None = None
    #: the suite's test files the entry names (``suite/store/test_x.py`` → ``store/test_x.py``)
    tests: tuple[str, ...] = ()

    def concerns(
        self, rid: str, test_file: str | None, suite_files: frozenset[str] | None = None
    ) -> bool:
        """Whether this entry is news for a test of ``rid`` in ``test_file``: it names
        ``rid``, the clause ``rid`` belongs to or a sub-clause of it (:func:`related`).

        A *newly tested* entry that names suite files concerns only tests in those
        files: the clause's other tests check what they checked before.  When none of
        the files it names is among ``suite_files`` (the suite's test files today) its
        tests were moved into files named otherwise since, and it concerns every test
        of the clause: which of them it named can no longer be told.
        """
        if not any(related(rid, other) for other in self.ids):
            return False
        if self.kind == "newly tested" and self.tests and test_file is not None:
            moved = suite_files is not None and not suite_files.intersection(self.tests)
            return test_file in self.tests or moved
        return True

    def named_for(self, rid: str) -> str:
        """The ID this entry names for ``rid``: itself, else its lead or a sub-clause."""
        return rid if rid in self.ids else next(i for i in self.ids if related(rid, i))

    def note(self, rid: str) -> str:
        """``changed in 0.3.0: ADP-009.4 added: …`` — the form the reports show (ADP-005.5)."""
        if self.version == UNRELEASED:
            where = "changed since the last release (unreleased)"
        elif self.earlier:
            where = f"changed in {self.version} (while the spec still said {self.earlier})"
        else:
            where = f"changed in {self.version}"
        text = self.text if len(self.text) <= NOTE_CHARS else self.text[: NOTE_CHARS - 1] + "…"
        return f"{where}: {rid} {self.kind}" + (f": {text}" if text else "")


def _entry_kind(rest: str, heading_kind: str) -> tuple[str, str]:
    """The kind an entry names (``added: …``), else its heading's; and the rest of the text."""
    lowered = rest.lower()
    for kind in KINDS:
        if lowered.startswith(kind):
            after = rest[len(kind) :]
            head, colon, tail = after.partition(":")
            if colon and len(head) < 30:  # "wording unchanged: …", "added: …"
                return kind, tail.strip()
            return kind, after.strip(" :")
    return heading_kind, rest.strip()


#: One group of an entry's head: its IDs, a dash, and what follows (``ENC-007, ENC-008 — ``).
_GROUP = re.compile(rf"((?:{SHAPED}(?:,\s*|\s+and\s+)?)+)\s+—\s+")
#: A further group after a kind: ``changed; RUN-003.4, RUN-003.5 — added: …``.
_NEXT_GROUP = re.compile(rf";\s+(?={_GROUP.pattern})")
#: A group glued into an entry's text (``… DUR-005.4 — changed (…)``): two entries in one.
_GLUED = re.compile(rf"\b{_GROUP.pattern}(?:{'|'.join(KINDS)})\b")
#: A quoted span of an entry's text (`` `RUN-003.2 — changed` `` is an example, no group).
_QUOTED = re.compile(r"`[^`]*`")
#: An entry that names no clause on purpose (``- (no clause; the package) — removed: …``).
_NO_CLAUSE = "(no clause"


def read_item(text: str, heading_kind: str | None) -> tuple[list[tuple[tuple[str, ...], str]], str]:
    """An entry's head and its text: ``[(IDs, kind), …]`` and what changed.

    A head is one group ``IDs — kind`` or several joined by ``;`` (``RUN-003.2 —
    changed; RUN-003.4, RUN-003.5 — added: …``); each group names its own kind, else
    the heading's (``### Added``).  A group whose kind can be read from neither is left
    out: :func:`unread_items` lists such lines, and a test keeps the file free of them.
    """
    heads: list[tuple[tuple[str, ...], str]] = []
    rest = text
    while True:
        group = _GROUP.match(rest)
        if group is None:
            break
        ids = tuple(dict.fromkeys(SHAPED_IN_TEXT.findall(group.group(1))))
        after = rest[group.end() :]
        following = _NEXT_GROUP.search(after)
        if following and ":" in after[: following.start()]:
            following = None  # past the head: a group quoted in the entry's text
        own, tail = (
            (after[: following.start()], after[following.end() :]) if following else (after, "")
        )
        kind, what = _entry_kind(own, heading_kind or "")
        if kind and kind in KINDS:
            heads.append((ids, kind))
        if not following:
            return heads, what
        rest = tail
    return heads, rest.strip()


def unread_items(markdown: str) -> list[str]:
    """The list items of ``spec/CHANGES.md`` :func:`parse_changes` cannot read in full,
    each as ``line N: why``: an item under a version's heading whose head is not
    ``IDs — kind`` (a kind of :data:`KINDS`, or its ``###`` heading's), or whose text
    carries a second ``IDs — kind`` group (two entries in one item: split them)."""
    problems: list[str] = []
    for item in _items(markdown):
        number, text = item.line, item.text
        if text.startswith(_NO_CLAUSE):
            continue
        heads, what = read_item(text, item.heading_kind)
        glued = _GLUED.search(_QUOTED.sub("", what))
        if not heads:
            problems.append(
                f"line {number}: no `IDs — kind` head (a kind is one of {', '.join(KINDS)}, "
                f"or the section's ### heading's): {text[:80]}"
            )
        elif glued:
            problems.append(
                f"line {number}: a second entry inside this one ({glued.group(0)}): "
                "give it a line of its own"
            )
        elif len(heads) < len(_NEXT_GROUP.findall(text.split(": ", 1)[0])) + 1:
            problems.append(f"line {number}: a group of its head names no kind: {text[:80]}")
    return problems


@dataclass(frozen=True, slots=True)
class _Item:
    """One list item under a version's ``## `` heading, as written."""

    #: the number of its first line
    line: int
    #: its text, whitespace normalised, without ``- ``
    text: str
    #: a version or :data:`UNRELEASED`
    version: str
    #: the kind its ``###`` heading names, if any
    heading_kind: str | None
    #: the older number of a "Changed earlier, while the spec still said …" part
    earlier: str | None


def _items(markdown: str) -> list[_Item]:
    """Every list item of a version's section (``## 0.3.0 (from 0.2.0)``, *Unreleased*)
    with its continuation lines; ``###``/``####`` headings inside name a kind (``###
    Added (104)``) or the part changed while an older number still stood."""
    found: list[_Item] = []
    version: str | None = None
    heading_kind: str | None = None
    earlier: str | None = None
    start, item = 0, list[str]()
    for number, line in enumerate([*markdown.splitlines(), ""], start=1):
        heading = _HEADING.match(line)
        if heading or line.startswith("- ") or not line.strip():
            if item and version is not None:
                text = " ".join(" ".join(item).split())[2:]
                found.append(_Item(start, text, version, heading_kind, earlier))
            item = []
        if heading:
            title = heading.group(2)
            if len(heading.group(1)) == 2:
                first = (title.split() or [""])[0]
                is_release = parse_version(first) is not None
                version = (
                    UNRELEASED if first.lower() == UNRELEASED else first if is_release else None
                )
                heading_kind, earlier = None, None
            else:
                lowered = title.lower()
                if lowered.startswith("changed earlier"):
                    older = _VERSION.search(title)
                    earlier = older.group(0) if older else "an older number"
                heading_kind = next((k for k in KINDS if lowered.startswith(k)), heading_kind)
        elif line.startswith("- "):
            start, item = number, [line]
        elif item and line.startswith(" "):
            item.append(line)
    return found


def parse_changes(markdown: str) -> tuple[ChangeEntry, ...]:
    """Every entry of ``spec/CHANGES.md``, in the order written.

    An entry is a list item of a version's section, ``- IDs — kind: what`` with its
    continuation lines (:func:`read_item`: a head may join several groups with ``;``,
    each an entry of its own); the IDs are those before the dash.  Items the parser
    cannot read in full are what :func:`unread_items` lists.
    """
    entries: list[ChangeEntry] = []
    for item in _items(markdown):
        heads, what = read_item(item.text, item.heading_kind)
        tests = tuple(dict.fromkeys(_SUITE_FILE.findall(what)))
        what = _TESTS.sub("", what).strip()
        entries.extend(
            ChangeEntry(
                version=item.version,
                ids=ids,
                kind=kind,
                text=what,
                earlier=item.earlier,
                tests=tests,
            )
            for ids, kind in heads
        )
    return tuple(entries)


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecHistory:
    """The recorded versions and the change log: what a claimed version lacks."""

    #: the suite's version (package == spec == suite, CONV-003.4)
    current: str
    #: version → the clause IDs its record in ``spec/clauses.json`` holds
    records: Mapping[str, frozenset[str]]
    entries: tuple[ChangeEntry, ...]
    #: the suite's test files, relative to it (``codec/test_x.py``), when known: a *newly
    #: tested* entry naming none of them names files since moved (:meth:`ChangeEntry.concerns`)
    suite_files: frozenset[str] | None = None

    @property
    def known(self) -> list[str]:
        """The recorded versions, oldest first."""
        return sorted(self.records, key=_key)

    def is_older(self, claimed: object) -> bool:
        """Whether ``claimed`` is a version older than the suite's (:func:`is_older_than`:
        a development version of another text with the suite's ``N`` counts as older)."""
        return is_older_than(claimed, self.current)

    def record_for(self, version: str) -> frozenset[str] | None:
        """The record of ``version``, or of the newest recorded version before it."""
        parsed = parse_version(version)
        if parsed is None:
            return None
        older = [v for v in self.records if _key(v) <= parsed]
        return self.records[max(older, key=_key)] if older else None

    def added_after(self, rid: str, version: str) -> bool:
        """CONV-003.6: the record of ``version`` lacks the clause; nothing is added after
        the suite's own version, a development version included (CONV-003.7)."""
        if not self.is_older(version):
            return False
        record = self.record_for(version)
        return record is not None and rid not in record

    def _newer(self, entry: ChangeEntry, version: str) -> bool:
        return entry.version == UNRELEASED or _key(entry.version) > _key(version)

    def since(
        self,
        cited: Iterable[str],
        claimed: str,
        *,
        test_file: str | None = None,
        message: str | None = None,
        common: frozenset[str] = frozenset(),
    ) -> list[str]:
        """The notes of ADP-005.5 for a failure that names no checked clause itself (a
        plain ``assert``): one per entry newer than ``claimed`` concerning a clause of the
        failing assertion.

        Empty unless ``claimed`` is a version older than the suite's.  ``test_file``
        (relative to the suite) limits *newly tested* entries to the files they name
        (:meth:`ChangeEntry.concerns`).  A clause absent from the claimed record with no
        entry at all still gets one note.

        ``message`` is the suite's own text of the failure — never the implementation's
        answer the failure shows, whose words an implementation chooses.  Its clauses
        (:func:`assertion_clauses`) are the IDs it names that the test cites (itself,
        its lead or a sub-clause), and when it names none, the one clause a test citing
        one clause checks; a failure of a test citing several clauses whose message
        names none of them is left unmarked, never marked with every entry of every
        clause it cites: such a mark would name the wrong rule for all but
        one of them.  Each clause reaches its own entries, its lead's and its
        sub-clauses' (:func:`related`); among several, those whose terms the message
        names (:func:`matching_entries`, ``common`` terms left out).  Without a message
        (``None``): every cited clause.
        """
        if not self.is_older(claimed):
            return []
        if message is None:
            return self._notes(list(dict.fromkeys(cited)), claimed, test_file, None, common)
        chosen = assertion_clauses(message, cited)
        return self._notes(chosen, claimed, test_file, message, common)

    def since_check(
        self,
        clauses: Iterable[str],
        claimed: str,
        *,
        test_file: str | None = None,
        suite_text: str = "",
        common: frozenset[str] = frozenset(),
        by_term: Mapping[str, str] | None = None,
    ) -> list[str]:
        """The notes of ADP-005.5 for a failed check of the suite (``ClauseFailure``):
        the entries newer than ``claimed`` of the clauses the check judged — each
        clause's own, its lead's and its sub-clauses' — chosen among by the terms of the
        check's own words (``suite_text``), never by the implementation's answer.

        ``by_term`` maps a clause the check judges only through a term to the words
        naming it (CONV-004 → ``error time-limit``, the class a check expected): its
        entries mark the failure only when they quote a term those words name, and
        none of them otherwise — an entry adding the class ``time-limit`` to the class
        table says nothing of a failure expecting ``unsorted-keys``."""
        if not self.is_older(claimed):
            return []
        chosen = list(dict.fromkeys(clauses))
        return self._notes(chosen, claimed, test_file, suite_text or None, common, by_term)

    def _notes(
        self,
        chosen: list[str],
        claimed: str,
        test_file: str | None,
        message: str | None,
        common: frozenset[str],
        by_term: Mapping[str, str] | None = None,
    ) -> list[str]:
        notes: list[str] = []
        for rid in chosen:
            mine = [
                e
                for e in self.entries
                if e.concerns(rid, test_file, self.suite_files) and self._newer(e, claimed)
            ]
            if by_term and rid in by_term:
                notes += [e.note(e.named_for(rid)) for e in reversed(quoting(mine, by_term[rid]))]
                continue
            if message:
                mine = matching_entries(mine, message, common)
            notes += [e.note(e.named_for(rid)) for e in reversed(mine)]  # oldest change first
            if not mine and self.added_after(rid, claimed):
                notes.append(f"added after {claimed}: {rid} (no entry in spec/CHANGES.md)")
        return list(dict.fromkeys(notes))

    def check_applied(self, version: str) -> str:
        """``version`` itself when recorded or the suite's own (a development version,
        CONV-003.7, its text's label ``+tH`` left out or not); :class:`UnknownSpecVersion`
        otherwise."""
        if version not in self.records and not names_text_of(version, self.current):
            raise UnknownSpecVersion(
                f"--spec-version {version!r}: not a version spec/{CLAUSES_NAME} records; "
                f"known: {', '.join(self.known)} (ADP-005.6)"
            )
        return version

    def not_applicable(self, cited: Iterable[str], version: str) -> str | None:
        """The reason a test is left out under ``--spec-version version``, or None (ADP-005.6).

        Left out only when it cites at least one clause and every one of them was
        added after ``version``, CONV-004 aside when it cites others: a class check of a
        newer rule (:data:`CLASS_RULE`) is as new as that rule.
        """
        ids = [rid for rid in dict.fromkeys(cited) if rid != CLASS_RULE] or list(cited)
        if not ids or not all(self.added_after(rid, version) for rid in ids):
            return None
        where = []
        for rid in ids:
            added = [e.version for e in self.entries if rid in e.ids and e.kind == "added"]
            newer = [v for v in added if v == UNRELEASED or _key(v) > _key(version)]
            where.append(f"{rid} added in {newer[-1]}" if newer else f"{rid} added after {version}")
        return f"every clause it cites is newer than {version} ({'; '.join(where)})"


def load_history(spec_dir: Path, current: str) -> SpecHistory:
    """Read ``spec_dir/clauses.json`` and ``CHANGES.md`` (OSError, ValueError when bad)."""
    data = json.loads((spec_dir / CLAUSES_NAME).read_text(encoding="utf-8"))
    versions = data["versions"] if isinstance(data, dict) else None
    if not isinstance(versions, dict) or not all(parse_version(v) for v in versions):
        raise ValueError(f"spec/{CLAUSES_NAME}: no per-version records")
    records = {v: frozenset(h) for v, h in versions.items() if isinstance(h, dict)}
    changes = (spec_dir / CHANGES_NAME).read_text(encoding="utf-8")
    return SpecHistory(current=current, records=records, entries=parse_changes(changes))


def find_spec_dir() -> Path | None:
    """The ``spec/`` folder holding the change record: the checkout's, else the installed copy."""
    from ._paths import ResourcesMissing, spec_dir

    try:
        folder = spec_dir()
    except ResourcesMissing:
        return None
    return folder if (folder / CLAUSES_NAME).is_file() else None


@functools.cache
def spec_history() -> SpecHistory | None:
    """The suite's history, read once per process; None when no record can be read."""
    from .. import SUITE_VERSION

    spec_dir = find_spec_dir()
    if spec_dir is None:
        return None
    try:
        history = load_history(spec_dir, SUITE_VERSION)
    except (OSError, ValueError, KeyError):
        return None
    suite = Path(__file__).resolve().parents[1] / "suite"
    files = frozenset(p.relative_to(suite).as_posix() for p in suite.rglob("test_*.py"))
    return dataclasses.replace(history, suite_files=files) if files else history
