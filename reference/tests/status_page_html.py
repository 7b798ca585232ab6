"""Reading the status page's HTML back as a person without script sees it (HTTP-014.5).

:func:`read_page` parses a page with the standard library's HTML parser (which
unescapes text as a browser does) and keeps what the tests check: every element by tag
with its attributes, the list's rows by actor (their ``data-status`` and each cell's
text by class), an actor page's facts by ``data-fact``, its steps' rows, the core's
entry names, the text of every list item and of every ``script`` element.  Nothing here
knows how the service renders a page; it reads the HTML any page would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["Page", "read_page"]

#: Elements with no end tag (HTML's void elements).
_VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr"})


@dataclass
class Page:
    """What a parsed page holds."""

    elements: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)
    steps: list[dict[str, str]] = field(default_factory=list)
    entries: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    items: list[str] = field(default_factory=list)
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        # open elements: (tag, attrs, collected text) — text is gathered into each
        self._open: list[tuple[str, dict[str, str], list[str]]] = []
        self._row: dict[str, str] | None = None
        self._step: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        self.page.elements.append((tag, found))
        if tag == "tr" and "data-actor" in found:
            self._row = {"data-status": found.get("data-status", "")}
            self.page.rows[found["data-actor"]] = self._row
        if tag == "tr" and "data-step" in found:
            self._step = {"step": found["data-step"]}
            self.page.steps.append(self._step)
        if tag not in _VOID:
            self._open.append((tag, found, []))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, attrs, texts = self._open.pop()
            text = "".join(texts)
            if self._open:
                self._open[-1][2].append(text)
            self._closed(open_tag, attrs, text)
            if open_tag == tag:
                break

    def _closed(self, tag: str, attrs: dict[str, str], text: str) -> None:
        classes = attrs.get("class", "").split()
        if tag == "script":
            self.page.scripts.append(text)
        if tag == "li":
            self.page.items.append(text)
        if "id" in attrs:
            self.page.ids[attrs["id"]] = text
        if tag == "td":
            target = self._row if self._row is not None else self._step
            if target is not None and classes:
                target[classes[-1]] = text.strip()
        if tag == "tr":
            self._row = self._step = None
        if tag == "dd" and "data-fact" in attrs:
            self.page.facts[attrs["data-fact"]] = text.strip()
        if tag == "b" and self._open and "data-total" in self._open[-1][1]:
            self.page.facts["total:" + self._open[-1][1]["data-total"]] = text.strip()
        if tag == "span" and "entry-name" in classes:
            self.page.entries.append(text)

    def handle_data(self, data: str) -> None:
        self.page.text += data
        if self._open:
            self._open[-1][2].append(data)


def read_page(html: str) -> Page:
    """``html`` read as a browser without script reads it."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page
