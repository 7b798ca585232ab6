"""Triage of a failing run: where to start (ADP-020.9).

A wrong adapter with one bug fails hundreds of tests under many requirement IDs; the
order of the report (by test id) says nothing of which bug comes first.  Two views:

* the failed requirements ranked by how many failing tests cite them;
* the failures grouped by their *first difference*: the strict decoder's reading of a
  wrong encoding when the reason has one (``unsorted-keys (ENC-010)``, the byte offset
  left out so that one bug is one group), else the reason's first line with what varies
  from test to test (numbers, hex, quoted text, vector names) put as ``…``.

Pure functions of a JSON report document.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Final

from ._model import FAILING

__all__ = ["first_difference_key", "ranked_requirements", "triage_lines"]

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


def first_difference_key(reason: str) -> str:
    """The group of a failure: what its first difference is, without what varies."""
    strict = _STRICT.search(reason)
    if strict is not None:
        return f"the bytes break {strict.group(1)} {strict.group(2)}"
    first = next((line.strip() for line in reason.splitlines() if line.strip()), "")
    first = _QUOTED.sub("", first.removeprefix("AssertionError:").strip()).rstrip(":")
    for pattern in _VARYING:
        first = pattern.sub("…", first)
    return re.sub(r"(?:…\s*)+…", "…", first)[:160] or "(no reason given)"


def ranked_requirements(results: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Failed requirement IDs by how many failing tests cite each, most first, then by ID."""
    counts = Counter(rid for r in results if r["outcome"] in FAILING for rid in r["requirements"])
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def groups(results: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """Failing tests by their first difference, the largest group first."""
    found: dict[str, list[str]] = {}
    for record in results:
        if record["outcome"] in FAILING:
            found.setdefault(first_difference_key(record["reason"]), []).append(record["id"])
    return sorted(found.items(), key=lambda item: (-len(item[1]), item[0]))


def triage_lines(document: dict[str, Any], shown: int = SHOWN) -> list[str]:
    """The terminal's triage: ``[]`` when nothing failed (as the report holds the text:
    the caller makes control characters visible)."""
    results = document["results"]
    ranked = ranked_requirements(results)
    if not ranked:
        return []
    lines = [
        "triage: failed requirements by failing tests: "
        + ", ".join(f"{rid} ×{n}" for rid, n in ranked[:shown])
        + (f", … ({len(ranked) - shown} more)" if len(ranked) > shown else "")
    ]
    found = groups(results)
    lines.append(f"triage: {len(found)} kind(s) of first difference, largest first:")
    for key, tests in found[:shown]:
        lines.append(f"  {len(tests):>5} × {key}")
        lines.append(f"          e.g. {tests[0]}")
    if len(found) > shown:
        lines.append(f"  … and {len(found) - shown} more kind(s) in the JSON report")
    return lines
