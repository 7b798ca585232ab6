"""Triage of a failing run: where to start (ADP-020.9).

A wrong adapter with one bug fails hundreds of tests under many requirement IDs; the
order of the report (by test id) says nothing of which bug comes first.  Three views:

* the *diagnosed* rules ranked by how many failing tests carry each: a failure's
  ``diagnosis`` (:mod:`..diff._answers`) names the rule the implementation's bytes break
  where the harness can tell, whatever the test cites — so one encoding bug that fails
  a thousand tests under forty IDs ranks first under its own;
* the failed requirements ranked by how many failing tests cite them;
* the failures grouped by their diagnosis, else by their *first difference*: the strict
  decoder's reading of a wrong encoding when the reason has one (``unsorted-keys
  (ENC-010)``, the byte offset left out so that one bug is one group), else the
  reason's first line that has words, with what varies from test to test (numbers,
  hex, quoted text, vector names) put as ``…``.  A check that gives no words of its
  own (a tuple, pytest's ``assert`` rewrite, a ``KeyError`` of an answer read before
  its outcome was checked) is grouped by the command whose answer it read.

Pure functions of a JSON report document.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Final

from ._model import FAILING

__all__ = [
    "diagnosis_key",
    "first_difference_key",
    "group_key",
    "ranked_diagnoses",
    "ranked_requirements",
    "triage_lines",
]

#: The line :func:`..diff._more.bytes_divergence` adds for a wrong encoding.
_STRICT: Final = re.compile(r"read by the strict decoder: (\S+)(?: at byte \d+)? (\([^)]*\))")
#: What varies between two failures of one bug, in the order replaced.
_VARYING: Final = (
    re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""),  # quoted text
    re.compile(r"\b[\w.-]*/[\w./\[\]-]*"),  # vector and test names (codec/x-y, a/b.py::t)
    re.compile(r"\b[0-9a-fA-F]{8,}\b"),  # ids, digests, byte strings
    re.compile(r"(?<![\w.-])\d+(?:\.\d+)?\b"),  # counts, offsets, seconds (not ENC-010.2)
    re.compile(r"\[[…,\s]*\]"),  # a list of what varies
)
#: Where a reason's first line turns to the answer or the request it quotes.
_QUOTED: Final = re.compile(r"\s*(?:<answer to|last request:|its answer:|\{).*$")
#: Groups and requirements shown in the terminal.
SHOWN: Final = 8


#: The command of the answer a wordless check read (its repr, or the last request).
_ANSWER: Final = re.compile(r"<answer to ([\w-]+)|last request: \{[^}]*?\"cmd\":\"([\w-]+)\"")
#: A strict decoder's refusal in a diagnosis's words.
_REFUSAL: Final = re.compile(r"refuses the bytes that came: ([a-z-]+)")


def _wordless(first: str, reason: str) -> str | None:
    """The group of a check that gives no words of its own, by the answer it read."""
    match = _ANSWER.search(reason)
    cmd = next((g for g in match.groups() if g), None) if match else None
    answer = f"the answer to {cmd}" if cmd else "an answer"
    if first.startswith("KeyError"):
        return (
            f"{answer} lacks a field the test read (an error answer, read before its "
            "outcome was checked)"
        )
    if first.startswith("(") or first.startswith("assert ") or first.startswith("<answer"):
        return f"{answer} failed a check that gives no words of its own"
    return None


def first_difference_key(reason: str) -> str:
    """The group of a failure: what its first difference is, without what varies."""
    strict = _STRICT.search(reason)
    if strict is not None:
        return f"the bytes break {strict.group(1)} {strict.group(2)}"
    first = next((line.strip() for line in reason.splitlines() if line.strip()), "")
    first = first.removeprefix("AssertionError:").strip()
    wordless = _wordless(first, reason)
    if wordless is not None:
        return wordless
    first = _QUOTED.sub("", first).rstrip(":")
    for pattern in _VARYING:
        first = pattern.sub("…", first)
    return re.sub(r"(?:…\s*)+…", "…", first)[:160] or "(no reason given)"


def diagnosis_key(diagnosis: dict[str, Any]) -> str:
    """The group of a diagnosed failure: its rule, and how the bytes break it, without
    where (byte offsets, keys, which exchange, the order keys came in)."""
    rule = diagnosis.get("rule")
    words = str(diagnosis.get("words", ""))
    if not rule:
        return f"diagnosed, no rule named: {first_difference_key(words)}"
    refusal = _REFUSAL.search(words)
    if refusal is not None:
        how = f"{refusal.group(1)} in the implementation's bytes"
    else:
        how = first_difference_key(words)
    return f"diagnosed {rule}: {how}"


def group_key(record: dict[str, Any]) -> str:
    """The group of a failing test: its diagnosis when it has one naming a rule, else its
    first difference."""
    diagnosis = record.get("diagnosis")
    if diagnosis and diagnosis.get("rule"):
        return diagnosis_key(diagnosis)
    return first_difference_key(record["reason"])


def ranked_diagnoses(results: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Diagnosed rules by how many failing tests carry each, most first, then by ID;
    ``(undiagnosed)`` for the failures with no rule named, last."""
    counts = Counter(
        (r.get("diagnosis") or {}).get("rule") or "(undiagnosed)"
        for r in results
        if r["outcome"] in FAILING
    )
    return sorted(counts.items(), key=lambda item: (item[0] == "(undiagnosed)", -item[1], item[0]))


def ranked_requirements(results: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Failed requirement IDs by how many failing tests cite each, most first, then by ID."""
    counts = Counter(rid for r in results if r["outcome"] in FAILING for rid in r["requirements"])
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def groups(results: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """Failing tests by their first difference, the largest group first."""
    found: dict[str, list[str]] = {}
    for record in results:
        if record["outcome"] in FAILING:
            found.setdefault(group_key(record), []).append(record["id"])
    return sorted(found.items(), key=lambda item: (-len(item[1]), item[0]))


def triage_lines(document: dict[str, Any], shown: int = SHOWN) -> list[str]:
    """The terminal's triage: ``[]`` when nothing failed (as the report holds the text:
    the caller makes control characters visible)."""
    results = document["results"]
    ranked = ranked_requirements(results)
    if not ranked:
        return []
    lines = []
    diagnosed = ranked_diagnoses(results)
    if any(rule != "(undiagnosed)" for rule, _ in diagnosed):
        lines.append(
            "triage: diagnosed causes by failing tests: "
            + ", ".join(f"{rule} ×{n}" for rule, n in diagnosed[:shown])
            + (f", … ({len(diagnosed) - shown} more)" if len(diagnosed) > shown else "")
        )
    lines += [
        "triage: failed requirements by failing tests: "
        + ", ".join(f"{rid} ×{n}" for rid, n in ranked[:shown])
        + (f", … ({len(ranked) - shown} more)" if len(ranked) > shown else "")
    ]
    found = groups(results)
    lines.append(f"triage: {len(found)} kind(s) of diagnosis or first difference, largest first:")
    for key, tests in found[:shown]:
        lines.append(f"  {len(tests):>5} × {key}")
        lines.append(f"          e.g. {tests[0]}")
    if len(found) > shown:
        lines.append(f"  … and {len(found) - shown} more kind(s) in the JSON report")
    return lines
