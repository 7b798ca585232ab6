"""A status page shows each actor's status as the service reads it (HTTP-014.5).

The page is optional (HTTP-014.3): a service that answers ``GET /ui/`` 404 skips these
tests. One that serves it answers HTML, and HTTP-014.5 holds it to showing each status
(ok, busy, failed, failed at its genesis) as the service reads it at every load, the
HTML alone, with no script run. The spec fixes no form for the page, so these tests
read it as a person would: its text and the words an element gives for itself (a
``title``, an ``aria-label``, an ``alt``), outside any script or style, counting the
words ``ok``, ``busy`` and ``failed``. Words a page shows whatever its actors do (a
legend, a heading, a total's label) count the same on every load, so the tests compare
two loads of one service: an actor added as ok must add an ``ok``, one the service
reads busy a ``busy``, one failed at its genesis a ``failed``. Whether an actor is busy
or failed is what ``GET /v1/actors/{actor}`` answers at the time (HTTP-007.9).

One actor's page is reached by a link of the list that names the actor's id; a list
that links none skips that test (HTTP-014.5 names the page, not where it is).
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from .._check import check, check_equal
from ._api import body_of, counter, create, media_type, send, settle, shown
from ._service import Services
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: The status words HTTP-014.5 names.
WORDS = ("ok", "busy", "failed")
#: Attributes in which an element gives its own words to a person.
_SAID = ("title", "aria-label", "alt")
_WORD = re.compile(r"[a-z]+")
#: How long the ``sleepy`` actor naps (WIT-030: at most 5,000 ms), while it is busy.
NAPS_MS = (2500, 4000, 5000)


class _Page(HTMLParser):
    """The words a page shows without script: its text and its elements' own words,
    outside ``script``, ``style`` and ``template``; and its links' targets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: Counter[str] = Counter()
        self.links: list[str] = []
        self._hidden = 0

    def _count(self, text: str) -> None:
        self.words.update(_WORD.findall(text.lower()))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
            return
        for name, value in attrs:
            if value is None:
                continue
            if name in _SAID:
                self._count(value)
            elif name == "href" and tag == "a":
                self.links.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._count(data)


def _load(client: httpx.Client, path: str, what: str) -> _Page:
    """``GET path``: 200 and HTML (HTTP-014.5: the HTML the service answers), read."""
    response = client.get(path)
    check(
        "HTTP-014.5",
        response.status_code == 200,
        expected="status 200 and the page",
        came=lambda: f"{response.status_code}: {shown(response)}",
        what=what,
    )
    check(
        "HTTP-014.5",
        media_type(response) == "text/html",
        expected="an HTML page (text/html)",
        came=response.headers.get("content-type", "no content-type"),
        what=what,
    )
    page = _Page()
    page.feed(response.text)
    page.close()
    return page


def _list(client: httpx.Client, what: str) -> _Page:
    """The status page's list of actors; the test is skipped where there is none."""
    if client.get("/ui/").status_code == 404:
        pytest.skip("HTTP-014.3: this service serves no status page at /ui/ (it is optional)")
    return _load(client, "/ui/", what)


def _more(
    word: str, before: _Page, after: _Page, *, expected: str, what: str, entry: Any = None
) -> None:
    """``after`` shows the status ``word`` more often than ``before``."""
    check(
        "HTTP-014.5",
        after.words[word] > before.words[word],
        expected=expected,
        came=lambda: (
            f'the word "{word}" shown {after.words[word]} time(s), as often as '
            f"{before.words[word]} before it"
            + ("" if entry is None else f"; GET /v1/actors/{{actor}} answers {entry}")
        ),
        what=what,
    )


def _entry(client: httpx.Client, actor: str) -> dict[str, Any]:
    """``GET /v1/actors/{actor}``: how the service reads the actor now (HTTP-007.9)."""
    answer = body_of(client.get(f"/v1/actors/{actor}"), 200, "HTTP-007.3")
    check(
        "HTTP-007.3",
        isinstance(answer, dict) and "busy" in answer and "failed" in answer,
        expected="an actor's entry with busy and failed",
        came=answer,
        what=f"GET /v1/actors/{actor}",
    )
    return dict(answer)


def _busy_page(client: httpx.Client, sleepy: str) -> tuple[_Page, dict[str, Any]]:
    """The list loaded while ``sleepy`` naps with its message pending: busy before the
    page's load and after it, so busy when the page read it. A nap the machine outran is
    tried again, longer."""
    for nap in NAPS_MS:
        send(client, sleepy, {"blob": str(nap).encode().hex()}, mt="nap")
        before = _entry(client, sleepy)
        page = _list(client, "GET /ui/ while the sleepy actor naps, busy")
        after = _entry(client, sleepy)
        if before["busy"] is True and after["busy"] is True and after["failed"] is None:
            return page, after
        settle(client)
    pytest.skip(f"the sleepy actor's naps of {NAPS_MS} ms each ended before the page loaded")


@pytest.mark.req("HTTP-014.5", "HTTP-014.3", "HTTP-002.1")
@pytest.mark.req("HTTP-004.2", "HTTP-005.2", "HTTP-007.3", "HTTP-007.9", "HTTP-011.1")
@pytest.mark.req("RUN-004.4", "WIT-024", "WIT-030.1")
def test_the_list_shows_each_status_as_the_service_reads_it(services: Services) -> None:
    client = services.start().client
    empty = _list(client, "GET /ui/ of a service with no actor")
    counter(client)
    settle(client)
    healthy = _list(client, "GET /ui/ once a counter ran, ok")
    _more(
        "ok",
        empty,
        healthy,
        expected="the page shows the counter ok: one word ok more than with no actor",
        what="GET /ui/ once a counter ran (HTTP-014.5: each status as the service reads it)",
    )
    sleepy = str(create(client, test="sleepy")["actor"])
    settle(client)
    rested = _list(client, "GET /ui/ with a counter and a sleepy actor, both ok")
    napping, entry = _busy_page(client, sleepy)
    _more(
        "busy",
        rested,
        napping,
        expected="the page shows the sleepy actor busy while its nap is pending: one word "
        "busy more than when it rested",
        what="GET /ui/ while GET /v1/actors/{actor} reads the sleepy actor busy",
        entry=entry,
    )
    settle(client)
    calm = _list(client, "GET /ui/ once the nap was read")
    failing = str(create(client, test="failing")["actor"])
    settle(client)
    marked = _entry(client, failing)
    check(
        "RUN-004.4",
        isinstance(marked["failed"], dict) and marked["head"] is None,
        expected="the failing test actor marked failed at its genesis, with no head",
        came=marked,
        what=f"GET /v1/actors/{failing}, settled",
    )
    failed = _list(client, "GET /ui/ once the failing actor was marked failed")
    _more(
        "failed",
        calm,
        failed,
        expected="the page shows the failing actor failed at its genesis: one word failed "
        "more than before it was made",
        what="GET /ui/ once an actor failed at its genesis (HTTP-014.5)",
        entry=marked,
    )


def _page_of(client: httpx.Client, listed: _Page, actor: str) -> str:
    """The path of the list's link to ``actor``'s page, on the service's own origin."""
    origin = urlsplit(str(client.base_url))
    for link in listed.links:
        parts = urlsplit(link)
        if actor not in parts.path:
            continue
        if parts.netloc and parts.netloc != origin.netloc:
            continue
        if parts.path.startswith("/ui"):
            return parts.path
    pytest.skip(f"the status page's list links no page of {actor} under /ui")


@pytest.mark.req("HTTP-014.5", "HTTP-014.3", "HTTP-002.1")
@pytest.mark.req("HTTP-004.2", "HTTP-007.3", "HTTP-007.9", "HTTP-011.1")
@pytest.mark.req("RUN-004.4", "WIT-024")
def test_an_actors_page_shows_its_status_as_the_service_reads_it(services: Services) -> None:
    client = services.start().client
    healthy = counter(client)
    failing = str(create(client, test="failing")["actor"])
    settle(client)
    check_equal(
        "HTTP-007.9",
        (None, True),
        (_entry(client, healthy)["failed"], isinstance(_entry(client, failing)["failed"], dict)),
        what="the counter's failed mark (none) and whether the failing actor has one",
    )
    listed = _list(client, "GET /ui/ with a counter and an actor failed at its genesis")
    ok = _load(client, _page_of(client, listed, healthy), f"the page of the counter {healthy}")
    bad = _load(client, _page_of(client, listed, failing), f"the page of {failing}, failed")
    _more(
        "ok",
        bad,
        ok,
        expected="the counter's page shows it ok: the word ok more often than on the page "
        "of the actor failed at its genesis",
        what=f"the page of the counter {healthy} (HTTP-014.5)",
    )
    _more(
        "failed",
        ok,
        bad,
        expected="the failing actor's page shows it failed: the word failed more often "
        "than on the counter's page",
        what=f"the page of {failing}, failed at its genesis (HTTP-014.5)",
    )
