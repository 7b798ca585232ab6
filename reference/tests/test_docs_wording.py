"""The README and the docs say what is, not when or in which issue it came about.

A page that names an issue ("issue 24", "#42") or gives a time without a date ("as of
02:13 UTC", "the step mode of today") is right only for the reader who was there: the
issue tracker and the day are not part of the repository.  A page says what the
behaviour is; a measurement may carry its time if it carries the full date too
(``2026-11-23 02:13 UTC``).  Pages scanned: ``README.md`` and every ``docs/**/*.md``
but the generated ``docs/spec/`` stubs (the spec chapters live in ``spec/``).

The same checks guard the order of the guide: "Validate your implementation", the page
an implementer needs first, comes first, and the front page points implementers to it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: "issue 12", "issues 9 and 10", "Issue #3", "#42", "PR 7", "pull request #7".
ISSUE = re.compile(
    r"\b(?:issues?|pull requests?|PRs?)\s+#?\d+|(?<![\w&/])#\d+\b",
    re.IGNORECASE,
)
#: A clock time with a zone or after "as of" / "at": "02:13 UTC", "as of 2:13", "at 14:05".
TIME = re.compile(
    r"(?:\b(?:as of|at)\s+)(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?\b"
    r"|\b(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?\s*(?:UTC|GMT|CES?T|[A-Z]ST)\b",
)
#: Words that date a sentence to the day it was written.
RELATIVE = re.compile(
    r"\b(?:today|yesterday|tomorrow|tonight|this (?:morning|afternoon|evening|week)"
    r"|right now|at the time of writing|as of now)\b",
    re.IGNORECASE,
)
#: A full date: 2026-11-23, or 23 November 2026.
DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2} (?:January|February|March|April|May|June|July"
    r"|August|September|October|November|December) \d{4}\b"
)


def pages() -> list[Path]:
    """README.md and the docs' own Markdown pages (not the generated spec stubs)."""
    docs = ROOT / "docs"
    found = [
        p
        for p in docs.rglob("*.md")
        if not p.relative_to(docs).as_posix().startswith(("spec/", "_build/"))
    ]
    return [ROOT / "README.md", *sorted(found)]


def stale_wording(text: str) -> list[tuple[int, str]]:
    """(line, words) of each issue number, undated time or day-relative word of ``text``.

    A clock time passes when its line also carries a full date.
    """
    hits = []
    for number, line in enumerate(text.splitlines(), start=1):
        hits += [(number, m.group(0)) for m in ISSUE.finditer(line)]
        hits += [(number, m.group(0)) for m in RELATIVE.finditer(line)]
        if not DATE.search(line):
            hits += [(number, m.group(0)) for m in TIME.finditer(line)]
    return hits


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize("page", pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_pages_name_no_issue_and_no_undated_time(page: Path) -> None:
    hits = stale_wording(page.read_text(encoding="utf-8"))
    where = page.relative_to(ROOT).as_posix()
    assert not hits, "say what the behaviour is, not which issue brought it or when: " + "; ".join(
        f"{where}:{line}: {words!r}" for line, words in hits
    )


@pytest.mark.req("CONV-005")
def test_the_scan_finds_what_it_must_and_passes_the_rest() -> None:
    text = (
        "extended until it caught them all (issue 24).\n"
        "Issues 9 and 10, and Issue #3 too.\n"
        'reason: "no re-hash yet (#42)"\n'
        "as the PR 7 did\n"
        "Results (harness as of 02:13 UTC): all pass\n"
        "measured at 14:05, slower than today\n"
        "Results (harness as of 2026-11-23 02:13 UTC)\n"
        "It is 12:00. A ratio 3:2, U+E000, spec/06-wit.md#wit-020, &#8212; a.b#1\n"
        "24 November 2026, 09:30 UTC; six issues were open\n"
    )
    assert [line for line, _words in stale_wording(text)] == [1, 2, 2, 3, 4, 5, 6, 6]
    assert [words for _line, words in stale_wording(text)][:3] == [
        "issue 24",
        "Issues 9",
        "Issue #3",
    ]


@pytest.mark.req("CONV-005")
def test_the_validate_guide_comes_first_and_the_front_page_points_to_it() -> None:
    """An implementer's first page is "Validate your implementation"."""
    index = (ROOT / "docs" / "guide" / "index.md").read_text(encoding="utf-8")
    toctree = re.search(r"```\{toctree\}\n(.*?)```", index, re.S)
    assert toctree is not None, "docs/guide/index.md has no toctree"
    entries = [
        line.strip()
        for line in toctree.group(1).splitlines()
        if line.strip() and not line.strip().startswith(":")
    ]
    assert entries[0] == "validate", f"the guide's first page is {entries[0]!r}, not validate"
    front = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    intro = front.split("```{toctree}")[0]
    assert "guide/validate.md" in intro, "docs/index.md does not point implementers to it"


#: "issue", "issues", "pull request" or "PR" before a number, in code: the other half of
#: :data:`ISSUE` (a "#" and digits alone is a colour or a step number there).
CODE_ISSUE = re.compile(r"\b(?:issues?|pull requests?|PRs?)\s+#?\d+", re.IGNORECASE)
#: The code, its data and its settings: what a comment or docstring may not date.
CODE_SUFFIXES = (".py", ".toml", ".mjs", ".sh", ".ini", ".cfg")


def code_files() -> list[Path]:
    """Every file of code, data or settings in the repository but this one (its examples
    name issues on purpose) and installed packages."""
    found = [ROOT / "pyproject.toml", ROOT / "tox.ini", *sorted((ROOT / ".ci").iterdir())]
    for folder in ("reference", "conformance", "asv_bench", "docs"):
        found += [
            p
            for p in sorted((ROOT / folder).rglob("*"))
            if p.suffix in CODE_SUFFIXES
            and not {"node_modules", "_build", ".venv"} & set(p.parts)
            and p != Path(__file__).resolve()
        ]
    return [p for p in found if p.is_file()]


def test_no_comment_or_docstring_names_an_issue() -> None:
    """A comment says why in words: the issue a line came from is not in the repository,
    and the same number meant different work in different files (the HTTP protocol in the
    changelog, the runtime's seams in the code)."""
    found = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(0)!r}"
        for path in code_files()
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        for match in CODE_ISSUE.finditer(line)
    ]
    assert found == [], "say why in words instead:\n" + "\n".join(found)


def test_the_code_check_bites() -> None:
    # the examples are built from a number so that this file names no work package itself
    number = 12
    assert CODE_ISSUE.search(f"# keeps the instance (issue {number})")
    assert CODE_ISSUE.search(f'"""The runtime\'s seams (Issue #{number})."""')
    assert not CODE_ISSUE.search('fill="#555"  # step #2 of the run')
