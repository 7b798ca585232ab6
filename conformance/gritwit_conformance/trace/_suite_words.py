"""The suite's own words, read statically: what a failure's mark may be chosen by (ADP-005.5).

A failure's text mixes the suite's words (its message) with the implementation's (the
answer the message shows, the last request and answer the report adds).  Clause IDs
and changelog terms read from the implementation's words would let an implementation
choose its own marks, so a plain ``assert``'s mark is read only from the suite's words:

* :func:`words_of_test` — the string literals of a test, of every suite function it calls
  (transitively) and of the module-level names of their modules; a failure's suite
  words are those of these literals its text holds verbatim (:func:`suite_words_in`);
* :func:`common_terms` — the terms quoted by ``spec/CHANGES.md`` entries that so many
  of the suite's messages name that naming one says nothing about which entry a
  failure concerns (measured: `` `runtime` `` is named by most runtime messages once
  the answer's ``"runtime":"r1"`` is read, and `` `expected` `` by every check).

Static (``ast``), no import of the suite; read once per process.
"""

from __future__ import annotations

import ast
import functools
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from ._assertions import CHECK_HELPERS, _is_fail, _Suite

__all__ = [
    "COMMON_IN_ONE_FOLDER",
    "COMMON_OVERALL",
    "CHECK_WORDS",
    "common_terms",
    "suite_messages",
    "suite_words_in",
    "term_counts",
    "words_of_test",
]

#: A term named by at least this share of all the suite's messages is common …
COMMON_OVERALL = 0.02
#: … as is one named by at least this share of one profile folder's messages.
COMMON_IN_ONE_FOLDER = 0.05
#: Words every check of ``suite/_check.py`` writes, whatever it checks.
CHECK_WORDS = frozenset({"expected", "came", "error", "ok", "value", "null", "nothing"})
#: Literals shorter than this are no evidence of the suite's words (``": "``, ``"ok"``).
_SHORTEST = 4


def _strings(node: ast.AST) -> Iterator[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value


@functools.cache
def _parsed(suite: Path) -> _Suite:
    return _Suite(suite)


@functools.cache
def words_of_test(suite: Path, relative: str, name: str) -> frozenset[str]:
    """The literals of the test ``name`` of ``relative`` (a path below ``suite``): its
    own, those of the suite functions it reaches and of their modules' top-level names."""
    parsed = _parsed(suite)
    try:
        module = parsed.module(relative)
    except (OSError, SyntaxError, ValueError):
        return frozenset()
    function = module.functions.get(name)
    if function is None:
        return frozenset()
    found: set[str] = set()
    places: set[str] = set()
    try:
        for where, reached in parsed.reached(relative, function):
            # its body, not its decorators: a ``req`` mark's IDs are citations, not words
            for statement in reached.body:
                found.update(_strings(statement))
            places.add(where)
        for where in places:
            for statement in parsed.module(where).tree.body:
                if isinstance(statement, ast.Assign | ast.AnnAssign):
                    found.update(_strings(statement))
    except (OSError, SyntaxError, ValueError):
        pass  # a module it imports is unreadable: the words found so far
    return frozenset(word for word in found if len(word.strip()) >= _SHORTEST)


def _holds(text: str, word: str) -> bool:
    """``text`` holds ``word`` as written, not inside a longer word or ID (``ENC-010`` is
    not in ``ENC-010.1``, ``share`` not in ``shares``)."""
    start = text.find(word)
    while start >= 0:
        before = text[start - 1] if start else " "
        after = text[start + len(word) : start + len(word) + 2]
        glued_before = word[0].isalnum() and (before.isalnum() or before in "-_")
        glued_after = word[-1].isalnum() and (
            after[:1].isalnum() or after[:1] in "-_" or (after[:1] == "." and after[1:2].isdigit())
        )
        if not glued_before and not glued_after:
            return True
        start = text.find(word, start + 1)
    return False


def suite_words_in(text: str, words: Iterable[str]) -> str:
    """The suite's words ``text`` holds as written, one a line (in sorted order)."""
    return "\n".join(word for word in sorted(words) if word in text and _holds(text, word))


def _message_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and node.msg is not None:
            yield node.msg
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else None
            name = func.attr if isinstance(func, ast.Attribute) else name
            if _is_fail(node) or name in CHECK_HELPERS:
                yield node


@functools.cache
def suite_messages(suite: Path) -> dict[str, tuple[str, ...]]:
    """The literal text of every assertion message and check of the suite, by folder."""
    found: dict[str, list[str]] = {}
    for path in sorted(suite.rglob("*.py")):
        folder = path.relative_to(suite).parts[0] if path.parent != suite else ""
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            continue
        for node in _message_nodes(tree):
            found.setdefault(folder, []).append(" ".join(_strings(node)))
    return {folder: tuple(texts) for folder, texts in found.items()}


def common_terms(suite: Path, terms: Iterable[str]) -> frozenset[str]:
    """Those of ``terms`` too common in the suite's messages to choose an entry by: named
    by :data:`COMMON_OVERALL` of them all or :data:`COMMON_IN_ONE_FOLDER` of one profile
    folder's (of 30 messages or more), and :data:`CHECK_WORDS`."""
    from ..data._versions import names_term

    messages = suite_messages(suite)
    every = sum(len(texts) for texts in messages.values())
    common = set(CHECK_WORDS)
    for term in set(terms) - common:
        # a substring test first: the word-boundary search only where it can match
        named = {
            folder: sum(term in t and names_term(t, term) for t in texts)
            for folder, texts in messages.items()
        }
        overall = bool(every) and sum(named.values()) >= COMMON_OVERALL * every
        in_one = any(
            len(messages[folder]) >= 30 and count >= COMMON_IN_ONE_FOLDER * len(messages[folder])
            for folder, count in named.items()
        )
        if overall or in_one:
            common.add(term)
    return frozenset(common)


def term_counts(suite: Path, terms: Iterable[str]) -> Counter[str]:
    """How many of the suite's messages name each term (for measuring the thresholds)."""
    from ..data._versions import names_term

    every = [text for texts in suite_messages(suite).values() for text in texts]
    return Counter(
        {term: sum(term in text and names_term(text, term) for text in every) for term in terms}
    )
