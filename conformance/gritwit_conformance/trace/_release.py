"""Fold *Unreleased* into a version's section of ``spec/CHANGES.md`` (CONV-003.3, CONV-003.4).

``gritwit trace --changes --update`` calls :func:`fold_unreleased` once every change is
named: the entries of *Unreleased* move, newest first, to the top of the list of
``## X (from W)`` — the version the package carries — which is made, just below
*Unreleased*, when missing; the section's first paragraph, which starts
:data:`SUMMARY_START`, is rewritten with the counts of the records.  Re-running it after
more lines were added folds those too: nobody edits hashes or counts by hand.
"""

from __future__ import annotations

import re
import textwrap

__all__ = ["SUMMARY_START", "fold_unreleased", "summary_line"]

#: How the generated paragraph of a version's section starts.
SUMMARY_START = "Compared with"
_SECTION = re.compile(r"^## +(.*?)\s*$", re.MULTILINE)


def summary_line(
    *,
    version: str,
    previous: str | None,
    previous_clauses: int,
    clauses: int,
    added: int,
    changed: int,
    removed: int,
    newly_tested: int,
) -> str:
    """The generated first paragraph of a version's section."""
    if previous is None:
        return f"{SUMMARY_START} nothing: the first recorded version ({clauses} clauses)."
    gone = f"{removed} removed or withdrawn" if removed else "none removed or withdrawn"
    return textwrap.fill(
        f"{SUMMARY_START} {previous} as `spec/clauses.json` records it ({previous_clauses} "
        f"clauses), {version} ({clauses} clauses): {added} added, {changed} changed, {gone}; "
        f"{newly_tested} entries of newly tested readings (CONV-003.5). Written by `gritwit "
        "trace --changes --update`.",
        width=88,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _sections(markdown: str) -> list[tuple[str, int, int]]:
    """(title, start of its heading line, end of the section) for every ``## `` section."""
    found = list(_SECTION.finditer(markdown))
    return [
        (m.group(1), m.start(), found[i + 1].start() if i + 1 < len(found) else len(markdown))
        for i, m in enumerate(found)
    ]


def _entries_of(body: str) -> tuple[str, str]:
    """A section body split into (text before its first entry, the entries)."""
    match = re.search(r"^- ", body, re.MULTILINE)
    if match is None:
        return body, ""
    return body[: match.start()], body[match.start() :]


def fold_unreleased(markdown: str, version: str, previous: str | None, summary: str) -> str:
    """``markdown`` with *Unreleased*'s entries moved into ``version``'s section.

    A file without *Unreleased* gets an empty one, before its first ``## `` section
    (or at its end).
    """
    sections = _sections(markdown)
    unreleased = next((s for s in sections if s[0].split()[:1] == ["Unreleased"]), None)
    if unreleased is None:
        at = sections[0][1] if sections else len(markdown)
        head = markdown[:at] if markdown[:at].endswith("\n\n") or not at else markdown[:at] + "\n"
        return fold_unreleased(
            head + "## Unreleased\n\n" + markdown[at:], version, previous, summary
        )
    _title, start, end = unreleased
    heading_end = markdown.index("\n", start) + 1
    intro, entries = _entries_of(markdown[heading_end:end])
    entries = entries.strip("\n")
    kept = intro.strip("\n")
    unreleased_text = markdown[start:heading_end] + (f"\n{kept}\n" if kept else "") + "\n"
    mine = next((s for s in sections if s[0].split()[:1] == [version]), None)
    if mine is None:
        title = f"## {version}" + (f" (from {previous})" if previous else "")
        new_section = f"{title}\n\n{summary}\n\n" + (entries + "\n\n" if entries else "")
        return markdown[:start] + unreleased_text + new_section + markdown[end:]
    _title, v_start, v_end = mine
    v_heading_end = markdown.index("\n", v_start) + 1
    v_intro, v_entries = _entries_of(markdown[v_heading_end:v_end])
    paragraphs = [p for p in v_intro.strip("\n").split("\n\n") if p.strip()]
    paragraphs = [p for p in paragraphs if not p.startswith(SUMMARY_START)]
    body = "\n\n".join([summary, *paragraphs]) + "\n\n"
    merged = "\n".join(e for e in (entries, v_entries.strip("\n")) if e)
    section = markdown[v_start:v_heading_end] + "\n" + body + (merged + "\n\n" if merged else "")
    return markdown[:start] + unreleased_text + markdown[end:v_start] + section + markdown[v_end:]
