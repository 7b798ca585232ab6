"""The README's first screen serves both of its readers, and dates what it measures.

Two people open the README: one who has written a Grit runtime and wants to check it,
one who wants to run actors.  Each must find a first command on the first screen (the
first :data:`SCREEN` lines) without reading past the other's: the main job and the
``--impl`` run for the first, an actor created, sent a message and queried for the
second.  A command counts only inside a fenced block that starts within the screen, so a
command named in prose ("see ``gritwit conform``") does not pass for one to copy.

A figure with a unit on that screen (``59.5 s``, ``3.7 MB``, ``100 %``) goes stale as
the code changes; it may stand there only with the date it was measured in the same
paragraph (``measured 2026-11-29``), as ``docs/evidence.md`` dates each of its figures.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: The lines a reader sees before scrolling: a terminal's or a repository page's first screen.
SCREEN = 40

#: Each reader's first commands, as a fenced block on the first screen must hold them.
FIRST_COMMANDS = {
    "check an implementation": (
        re.compile(r"gritwit conform\b(?![^\n]*--impl)"),
        re.compile(r"gritwit conform\b[^\n]*--impl\b"),
    ),
    "run actors": (
        re.compile(r"gritwit actor create\b"),
        re.compile(r"gritwit actor send\b"),
        re.compile(r"gritwit actor query\b"),
    ),
}

#: A number with a unit of size, time or proportion: "59.5 s", "3.7 MB", "100 %", "2×".
FIGURE = re.compile(
    r"(?<![\w.-])\d[\d,]*(?:\.\d+)?\s?"
    r"(?:%|×|(?:s|ms|µs|min|minutes?|hours?|seconds?|[kKMG]i?B|bytes?)\b)"
)
#: A full date: 2026-11-29, or 29 November 2026 (as ``test_docs_wording.py`` reads one).
DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2} (?:January|February|March|April|May|June|July"
    r"|August|September|October|November|December) \d{4}\b"
)


def first_screen(text: str) -> str:
    return "\n".join(text.splitlines()[:SCREEN])


def fenced_blocks(screen: str) -> list[str]:
    """The bodies of the fenced blocks that open on ``screen`` (one cut off at its end
    keeps what the screen shows of it)."""
    return [m.group(1) for m in re.finditer(r"^```[^\n]*\n(.*?)(?:^```|\Z)", screen, re.S | re.M)]


def missing_commands(text: str) -> list[str]:
    """Each first command the first screen's fenced blocks lack, named by its reader."""
    blocks = "\n".join(fenced_blocks(first_screen(text)))
    return [
        f"{reader}: {pattern.pattern}"
        for reader, patterns in FIRST_COMMANDS.items()
        for pattern in patterns
        if not pattern.search(blocks)
    ]


def undated_figures(text: str) -> list[str]:
    """The figures with a unit of the first screen's prose whose paragraph has no date."""
    prose = re.sub(r"^```[^\n]*\n.*?(?:^```|\Z)", "\n", first_screen(text), flags=re.S | re.M)
    return [
        figure.group(0)
        for paragraph in re.split(r"\n\s*\n", prose)
        if not DATE.search(paragraph)
        for figure in FIGURE.finditer(paragraph)
    ]


#: What the README's first screen must not hold, each check with what to do about a find.
_SCREEN_CHECKS = {
    "first-commands": (
        missing_commands,
        f"the README's first {SCREEN} lines must show, in a fenced block, each reader's "
        "first commands; missing",
    ),
    "dated-figures": (
        undated_figures,
        f"figures on the README's first {SCREEN} lines with no date in their paragraph "
        "(date them or move them to docs/evidence.md)",
    ),
}


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize("check", sorted(_SCREEN_CHECKS))
def test_the_readmes_first_screen_holds_both_readers_commands_and_dates_its_figures(
    check: str,
) -> None:
    find, what = _SCREEN_CHECKS[check]
    found = find((ROOT / "README.md").read_text(encoding="utf-8"))
    assert found == [], f"{what}: {found}"


# -- the checks bite ---------------------------------------------------------------------

GOOD = """# x

Prose; the wheel is 3.7 MB (measured 2026-11-29).

```sh
cd "$(mktemp -d)" && gritwit conform -n 2
gritwit conform -n 2 --impl "./my-adapter"
```

```sh
A=$(gritwit actor create --store s --create --test counter)
gritwit actor send --store s $A 3 --mt inc
gritwit actor query --store s $A count   # took 2 s, in a block
```
"""


def test_a_screen_with_both_readers_commands_and_dated_figures_passes() -> None:
    assert missing_commands(GOOD) == []
    assert undated_figures(GOOD) == []


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        # the actor commands pushed below the first screen
        ("\n" * SCREEN + GOOD, 5),
        (GOOD.replace("gritwit actor query", "gritwit actor show"), 1),
        # named in prose, not in a block to copy
        (GOOD.split("```sh\nA=")[0] + "Then `gritwit actor create`, `send` and `query`.\n", 3),
        # the suite against the reference alone, no --impl run
        (GOOD.replace(' --impl "./my-adapter"', ""), 1),
        # only the --impl run: the main job against the reference is missing
        (GOOD.replace('cd "$(mktemp -d)" && gritwit conform -n 2\n', ""), 1),
    ],
)
def test_a_screen_lacking_a_readers_command_fails(text: str, missing: int) -> None:
    assert len(missing_commands(text)) == missing, missing_commands(text)


@pytest.mark.parametrize(
    ("paragraph", "figures"),
    [
        ("The main job took 59.5 s on 2 cores.", ["59.5 s"]),
        ("The wheel is 3.7 MB (the sdist 2.9 MB).", ["3.7 MB", "2.9 MB"]),
        ("It catches 100 % of them, 1.5× faster, in 30 minutes.", ["100 %", "1.5×", "30 minutes"]),
        ("The wheel is 3.7 MB (measured on 29 November 2026).", []),
        ("Python 3.11+, BLAKE3-256, spec chapter 10, ENC-007, 2 cores.", []),
    ],
)
def test_an_undated_figure_is_found(paragraph: str, figures: list[str]) -> None:
    assert undated_figures(f"# x\n\n{paragraph}\n") == figures
    # the date of another paragraph does not date this one
    if figures:
        assert undated_figures(f"# x\n\nMeasured 2026-11-29.\n\n{paragraph}\n") == figures


def test_one_repository_url_named_on_the_first_screen_and_in_hello() -> None:
    """The repository's URL has one home, ``[project.urls]``; the README's first screen and
    the reference's ``hello`` (its homepage) name that same URL."""
    import tomllib

    from gritwit.adapter._handler import ReferenceAdapter

    url = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    screen = "\n".join((ROOT / "README.md").read_text().splitlines()[:SCREEN])
    assert url in screen, f"the first screen names no {url}"
    assert ReferenceAdapter.homepage == url, ReferenceAdapter.homepage
