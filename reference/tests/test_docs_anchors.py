"""Requirement IDs in the built docs are anchors, and every mention of one links to it.

``docs/conf.py`` gives each requirement statement of the rendered spec the anchor of
its ID in lower case (``spec/06-wit.html#wit-020.3``) and turns every other mention of
an ID in the HTML pages into a link to it.  These tests build the docs from a copy of
the working tree (``sphinx-build -W``, so any warning fails the build) and read the
HTML back: every ID ``gritwit trace`` finds in ``spec/`` has its anchor in its own
chapter, no mention in the spec or the guides is left without a link, and every link
whose text is an ID lands on that ID's statement.  The ``gritwit report`` matrix links
requirements the same way; its links are checked against the same pages.
"""

from __future__ import annotations

import fcntl
import json
import os
import posixpath
import re
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import guide_commands as gc
import pytest

from gritwit_conformance.report._matrix import spec_url
from gritwit_conformance.trace import collect_definitions

ROOT = Path(__file__).resolve().parents[2]
DEFINED, _DUPLICATES = collect_definitions(ROOT / "spec")
_PREFIXES = "|".join(sorted({rid.partition("-")[0] for rid in DEFINED}, key=len, reverse=True))
MENTION = re.compile(rf"\b(?:{_PREFIXES})-[0-9]{{3}}(?:\.[0-9]+)?\b")

#: Elements whose text is not prose: code blocks, scripts, the page title.
_SKIPPED = {"pre", "script", "style", "title", "textarea"}


@dataclass
class Page:
    """What the checks need from one HTML page."""

    ids: set[str] = field(default_factory=set)
    #: (href, text) of every link whose whole text is a requirement ID
    links: list[tuple[str, str]] = field(default_factory=list)
    #: requirement IDs mentioned outside any link
    unlinked: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._open: list[tuple[str, str | None]] = []  # (tag, href of an <a>)
        self._link_text: list[str] = []
        self._code_text: list[str] | None = None

    def _within(self, tags: set[str]) -> bool:
        return any(tag in tags for tag, _href in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.page.ids.add(str(values["id"]))
        if tag in ("br", "img", "hr", "meta", "link", "input", "wbr"):
            return
        if tag == "a":
            self._link_text = []
        if tag == "code" and self._code_text is None:
            self._code_text = []
        self._open.append((tag, values.get("href") if tag == "a" else None))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, href = self._open.pop()
            if open_tag == "code" and self._code_text is not None and tag == "code":
                text = "".join(self._code_text).strip()
                self._code_text = None
                if MENTION.fullmatch(text) and not self._within({"a"} | _SKIPPED):
                    self.page.unlinked.append(text)
            if open_tag == "a":
                text = "".join(self._link_text).strip()
                if href is not None and MENTION.fullmatch(text):
                    self.page.links.append((href, text))
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._within({"a"}):
            self._link_text.append(data)
        if self._code_text is not None:
            self._code_text.append(data)
            return  # code that is more than an ID (`req("ENC-007")`) is not a mention
        if self._within(_SKIPPED | {"a"}):
            return
        self.page.unlinked.extend(MENTION.findall(data))


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page


def link_problems(pages: dict[str, Page]) -> list[str]:
    """Unlinked mentions, and ID links that do not land on their ID's statement.

    ``pages`` maps a page's path in the build (``guide/validate.html``) to its reading.
    """
    problems = []
    for name, page in sorted(pages.items()):
        problems += [f"{name}: {rid} is not a link" for rid in page.unlinked]
        for href, rid in page.links:
            target, _, fragment = href.partition("#")
            path = name  # "#anchor": this page
            if target:
                path = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
            want = f"spec/{Path(DEFINED[rid]).stem}.html" if rid in DEFINED else "(undefined)"
            if (path, fragment) != (want, rid.lower()):
                problems.append(f"{name}: {rid} links to {href}, not {want}#{rid.lower()}")
            elif fragment not in pages[path].ids:
                problems.append(f"{name}: {rid} links to {href}, which has no such anchor")
    return problems


@dataclass(frozen=True)
class Build:
    out: Path
    returncode: int
    log: str

    def pages(self) -> dict[str, Page]:
        found = [self.out / "index.html", *self.out.glob("spec/*.html")]
        found += self.out.glob("guide/*.html")
        return {p.relative_to(self.out).as_posix(): read_page(p.read_text("utf-8")) for p in found}


def _build(base: Path) -> Build:
    tree = base / "repo"
    tree.mkdir()
    gc.copy_tree(ROOT, tree)
    out = base / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-bhtml", "-q", "-W", "--keep-going", "docs", str(out)],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return Build(out=out, returncode=proc.returncode, log=proc.stdout + proc.stderr)


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The docs of a copy of the working tree, built with ``-W --keep-going``: once per
    run, also when pytest-xdist spreads these tests over several workers."""
    pytest.importorskip("myst_parser", reason="needs the docs extra: pip install -e '.[docs]'")
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _build(tmp_path_factory.mktemp("docs"))
    shared = tmp_path_factory.getbasetemp().parent  # this run's, shared by its workers
    with open(shared / "docs-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        base, result = shared / "docs-build", shared / "docs-build.json"
        if not result.exists():
            base.mkdir()
            built = _build(base)
            result.write_text(json.dumps([built.returncode, built.log]), encoding="utf-8")
        returncode, log = json.loads(result.read_text(encoding="utf-8"))
        return Build(out=base / "html", returncode=returncode, log=log)


@pytest.mark.req("CONV-005")
def test_the_docs_build_without_warnings(build: Build) -> None:
    assert build.returncode == 0 and "WARNING" not in build.log, build.log[-5000:]


@pytest.mark.req("CONV-005")
def test_every_requirement_id_is_an_anchor_in_its_chapter(build: Build) -> None:
    """Each of the IDs ``gritwit trace`` reads from spec/ — requirements and clauses."""
    assert len(DEFINED) > 300 and any("." in rid for rid in DEFINED)
    pages = build.pages()
    missing = [
        f"{rid} in spec/{Path(chapter).stem}.html"
        for rid, chapter in DEFINED.items()
        if rid.lower() not in pages[f"spec/{Path(chapter).stem}.html"].ids
    ]
    assert not missing, f"{len(missing)} IDs without an anchor: {missing[:20]}"


@pytest.mark.req("CONV-005")
def test_every_mention_of_an_id_links_to_its_statement(build: Build) -> None:
    pages = build.pages()
    assert not link_problems(pages), "\n".join(link_problems(pages)[:40])
    # A sample, so that a page with no links at all cannot pass: guides and spec prose.
    expected = {
        "guide/validate.html": ("../spec/01-encoding.html#enc-016", "ENC-016"),
        "guide/mutation.html": ("../spec/06-wit.html#wit-012.3", "WIT-012.3"),
        "guide/message-life.html": ("../spec/06-wit.html#wit-020", "WIT-020"),
        "spec/00-conventions.html": ("01-encoding.html#enc-002", "ENC-002"),
        "spec/02-objects.html": ("#obj-016", "OBJ-016"),
        "spec/06-wit.html": ("#wit-020.3", "WIT-020.3"),  # a clause's ID links to itself
        "index.html": ("spec/01-encoding.html#enc-007", "ENC-007"),
    }
    for name, link in expected.items():
        assert link in pages[name].links, (name, link, pages[name].links[:10])


@pytest.mark.req("CONV-005")
def test_report_links_land_on_the_statements(build: Build) -> None:
    """``gritwit report`` links a requirement to ``<chapter>.html#<id>`` under a base URL."""
    pages = build.pages()
    for rid in DEFINED:
        url = spec_url("", rid)
        assert url is not None
        page, _, fragment = url.partition("#")
        assert fragment in pages[f"spec/{page}"].ids, url


@pytest.mark.req("CONV-005")
def test_the_link_check_sees_unlinked_and_misdirected_mentions() -> None:
    rid = next(r for r in DEFINED if "." in r)
    chapter = f"spec/{Path(DEFINED[rid]).stem}.html"
    good = f'<p id="{rid.lower()}"><a href="#{rid.lower()}"><strong>{rid}</strong></a></p>'
    pages = {
        chapter: read_page(good),
        "guide/a.html": read_page(f"<p>see {rid} and <code>{rid}</code></p>"),
        "guide/b.html": read_page(f'<p><a href="../{chapter}#{rid.lower()}x">{rid}</a></p>'),
        "guide/c.html": read_page(f'<p><a href="../spec/other.html#{rid.lower()}">{rid}</a></p>'),
        "guide/d.html": read_page(f'<pre>{rid}</pre><p><code>req("{rid}")</code></p>'),
    }
    problems = link_problems(pages)
    assert sum(p.startswith("guide/a.html") for p in problems) == 2
    assert any(p.startswith("guide/b.html") for p in problems)
    assert any(p.startswith("guide/c.html") for p in problems)
    assert not any(p.startswith((chapter, "guide/d.html")) for p in problems)
