"""A message's life as data: the table of RUN-015, parsed (style rule 5).

``spec/07-runtime.md`` holds, under the heading "A message's life", a table whose
rows are the states of a message: the state (bold), the ways into it ("From
*routed*, *retrying* or *held*: … (RUN-004)"; the first row's without a "From")
and how it is observed.  :func:`parse_lifecycle` reads that table into frozen
data, which ``_lifecycle_svg.py`` draws.  No I/O, no dependencies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["HEADING", "Entry", "Lifecycle", "State", "parse_lifecycle"]

#: The heading of the section of ``spec/07-runtime.md`` that holds the table.
HEADING = "## A message's life"

_REQUIREMENT = re.compile(r"\b[A-Z]{2,5}-[0-9]{3}\b")
_FROM = re.compile(r"From ((?:\*[a-z-]+\*(?:, | or | and )?)+):")
_SOURCE = re.compile(r"\*([a-z-]+)\*")
_STATE = re.compile(r"\*\*([a-z-]+)\*\*")
_MARKUP = re.compile(r"\*\*?|`")


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One way into a state: from ``sources`` (none: the message's start), when ``when``."""

    sources: tuple[str, ...]
    when: str
    requirements: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class State:
    """One row of the table."""

    name: str
    entries: tuple[Entry, ...]
    observable: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Lifecycle:
    """The states of a message, in table order; every source names one of them."""

    states: tuple[State, ...]

    def __post_init__(self) -> None:
        names = [state.name for state in self.states]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"a message's life needs distinct states, got {names}")
        for state in self.states:
            for entry in state.entries:
                unknown = sorted(set(entry.sources) - set(names))
                if unknown:
                    raise ValueError(f"{state.name!r} is entered from unknown states {unknown}")

    @property
    def requirements(self) -> tuple[str, ...]:
        """Every requirement ID the table cites, sorted, each once."""
        found = {r for s in self.states for e in s.entries for r in e.requirements}
        found |= {r for s in self.states for r in _REQUIREMENT.findall(s.observable)}
        return tuple(sorted(found))


def _plain(text: str) -> str:
    return _MARKUP.sub("", text).strip()


def _entries(cell: str) -> tuple[Entry, ...]:
    """Split an "entered when" cell at each "From *a*, *b* or *c*:"."""
    marks = list(_FROM.finditer(cell))
    spans: list[tuple[tuple[str, ...], str]] = []
    head = cell[: marks[0].start()] if marks else cell
    if head.strip():
        spans.append(((), head))
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(cell)
        spans.append((tuple(_SOURCE.findall(mark.group(1))), cell[mark.end() : end]))
    return tuple(
        Entry(
            sources=sources,
            when=_plain(text),
            requirements=tuple(dict.fromkeys(_REQUIREMENT.findall(text))),
        )
        for sources, text in spans
    )


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def parse_lifecycle(markdown: str, heading: str = HEADING) -> Lifecycle:
    """The table that follows ``heading`` in ``markdown`` (a chapter's text)."""
    lines = markdown.splitlines()
    try:
        start = lines.index(heading)
    except ValueError:
        raise ValueError(f"no heading {heading!r}") from None
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            rows.append(_cells(line))
        elif rows:
            break  # the first table only
    if len(rows) < 3 or [c.lower() for c in rows[0]] != [
        "state",
        "entered when",
        "observable as",
    ]:
        raise ValueError(f"no table | state | entered when | observable as | under {heading!r}")
    states = []
    for row in rows[2:]:
        if len(row) != 3 or not (name := _STATE.fullmatch(row[0])):
            raise ValueError(f"malformed row: {row}")
        states.append(
            State(name=name.group(1), entries=_entries(row[1]), observable=_plain(row[2]))
        )
    return Lifecycle(states=tuple(states))
