"""Which changelog entries a failure's words concern (ADP-005.5): clause relations, the
terms entries quote, and the clauses a failing assertion's message names.

:mod:`._versions` reads ``spec/CHANGES.md`` into entries and decides what is newer
than a claimed version; this module holds the word matching it marks failures by, so
that each stays one job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol, TypeVar

from ._requirement_ids import SHAPED_IN_TEXT


class _Entry(Protocol):
    """What the matching reads of a changelog entry (``_versions.ChangeEntry``)."""

    @property
    def text(self) -> str: ...


ChangeEntry = TypeVar("ChangeEntry", bound=_Entry)

__all__ = [
    "assertion_clauses",
    "matching_entries",
    "names_term",
    "quoted_terms",
    "quoting",
    "related",
]


def related(rid: str, other: str) -> bool:
    """Whether ``other`` is ``rid`` itself, the clause it belongs to, or one of its
    sub-clauses: an entry of OBJ-018.1 concerns a check of OBJ-018, and one of OBJ-018 a
    check of OBJ-018.1 (its siblings do not)."""
    return other == rid or other.startswith(f"{rid}.") or rid.startswith(f"{other}.")


#: A term an entry quotes (`` `share` ``, `` `max_step_bytes` ``).
_TERM = re.compile(r"`([^`\s]{2,60})`")


def quoted_terms(entries: Iterable[_Entry]) -> set[str]:
    """Every term the entries quote (:func:`matching_entries` chooses by them)."""
    return {term for entry in entries for term in _TERM.findall(entry.text)}


def names_term(message: str, term: str) -> bool:
    """Whether ``message`` names ``term`` as a word of its own (not inside a longer one)."""
    return _names(message, term)


def _named(message: str, ids: list[str]) -> list[str]:
    named = dict.fromkeys(SHAPED_IN_TEXT.findall(message))
    return [n for n in named if any(related(n, rid) for rid in ids)]


def assertion_clauses(message: str, cited: Iterable[str]) -> list[str]:
    """The clauses of a failing assertion (ADP-005.5): the clauses its message names
    that the test cites (itself, its lead or a sub-clause: a message naming RUN-021.1
    in a test citing RUN-021 is RUN-021.1's failure); else, for a test citing one
    clause, that one; else none (its message does not say which of its clauses
    failed)."""
    ids = list(dict.fromkeys(cited))
    return _named(message, ids) or (ids if len(ids) == 1 else [])


def _names(message: str, term: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", message) is not None


def matching_entries(
    entries: list[ChangeEntry], message: str, common: frozenset[str] = frozenset()
) -> list[ChangeEntry]:
    """Of several entries of one clause, those a failure's message concerns: the ones
    quoting a term (`` `share` ``) that no other of them quotes and the message names;
    all of them when the message names no such term.  ``common`` terms (words most of
    the suite's messages name, such as `` `runtime` ``) choose nothing."""
    if len(entries) < 2:
        return entries
    terms = [set(_TERM.findall(e.text)) - common for e in entries]
    kept = [
        entry
        for entry, own in zip(entries, terms, strict=True)
        if any(_names(message, term) and sum(term in other for other in terms) == 1 for term in own)
    ]
    return kept or entries


def quoting(entries: list[ChangeEntry], words: str) -> list[ChangeEntry]:
    """The entries quoting a term that ``words`` names (`` `time-limit` `` for ``error
    time-limit``), and none when no entry does: unlike :func:`matching_entries`, which
    keeps every entry then, for a clause that each entry extends by its own terms (the
    class table, CONV-004)."""
    return [e for e in entries if any(_names(words, term) for term in _TERM.findall(e.text))]
