"""The status page as the service renders it, read without script (HTTP-014.4, HTTP-014.5).

Each page is fetched with httpx and parsed with the standard library's HTML parser, as a
browser with script off would read it (:mod:`status_page_html`).  What each page must
show is made from what the test did and from the protocol's own endpoints (``GET
/v1/actors``, ``…/history``, ``/v1/objects``) and the runtime's door, never from the
page's code: the list holds every actor with its status (a failed genesis said so), its
names, kind, pending count, residency and head step time; one actor's page holds its
names, status, steps with their times and the messages each read and sent, its head's
core, and its last failed attempt's text.  Every text from the store or a client — an
``mt``, a blob's ``runtime`` header, a failed mark's class, a failed attempt's text, a
blob's bytes — holding ``<script>`` and quotes reads back as that very text, with no
element or attribute it could have made; the same check run on a page rendered without
escaping fails.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from serve_helpers import Served, created, send, served, settle
from status_page_html import Page, read_page
from test_serve_watch import make_failed

import gritwit as g
from gritwit.runtime import ActorFailure, ActorView
from gritwit.serve import _watch, _watch_html
from gritwit.serve._engine_commands import EngineState
from gritwit.serve._engine_ops import StateOps
from gritwit.serve._port import BindName, EnginePort, Operation
from gritwit.serve._watch import ActorList, ActorPage, CoreEntry
from gritwit.wit import Failure

__all__ = ["served"]


class _InEngine(Operation[Any]):
    """A test's own reading or writing of the engine's state, in the engine's thread."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[EngineState], Any]) -> None:
        self.fn = fn

    def run(self, port: EnginePort) -> Any:
        assert isinstance(port, StateOps)
        return self.fn(port.state)


def _name_call(actor: str, name: str) -> BindName:
    """Bind ``name`` to ``actor`` (RUN-026.2), in the engine."""
    return BindName(name, g.ObjectId.from_hex(actor))


#: Text a client or the store may hold, made to break out of HTML text and attributes.
HOSTILE = "<script>alert(\"x\")</script>' onmouseover='alert(1)' \"><img src=x onerror=alert(2)>"
#: The only elements and attributes a page may hold: anything else was made by a text.
TAGS = {
    "html", "head", "meta", "title", "link", "script", "body", "header", "h1", "h2", "a",
    "span", "nav", "section", "div", "b", "main", "table", "thead", "tbody", "tr", "th",
    "td", "p", "aside", "ol", "ul", "li", "dl", "dt", "dd", "pre", "button",
}  # fmt: skip
ATTRIBUTES = {
    "lang", "charset", "name", "content", "rel", "href", "src", "defer", "class", "id",
    "title", "aria-label", "data-page", "data-actor", "data-status", "data-total",
    "data-fact", "data-step", "data-head", "type", "hidden",
}  # fmt: skip


def _page(served: Served, path: str, status: int = 200) -> Page:
    answer = served.client.get(path)
    assert answer.status_code == status, (path, answer.status_code, answer.text[:500])
    assert answer.headers["content-type"] == "text/html; charset=utf-8", path
    assert "default-src 'self'" in answer.headers["content-security-policy"]  # HTTP-014.3
    return read_page(answer.text)


def _kind(served: Served, code: str | None) -> str:
    """The ``runtime`` header of the ``wit`` blob ``code`` (WIT-001.2), read over HTTP."""
    if code is None:
        return "—"
    described = served.client.get(f"/v1/objects/{code}").json()
    return str(described["headers"]["runtime"])


def _entries(served: Served) -> dict[str, dict[str, Any]]:
    answer = served.client.get("/v1/actors", params={"limit": 1000}).json()
    return {entry["actor"]: entry for entry in answer["actors"]}


def _resident(served: Served, actor: str) -> str:
    def ask(state: EngineState) -> bool:
        return state.runtime.resident(g.ObjectId.from_hex(actor))

    return "yes" if served.service.engine.submit(_InEngine(ask)).result(30) else "no"


def _only_the_pages_own_markup(page: Page) -> None:
    """No element or attribute but the page's design's, one script: its own file."""
    made = [(tag, sorted(set(attrs) - ATTRIBUTES)) for tag, attrs in page.elements]
    assert all(tag in TAGS and not extra for tag, extra in made), [
        m for m in made if m[0] not in TAGS or m[1]
    ]
    scripts = [attrs.get("src") for tag, attrs in page.elements if tag == "script"]
    assert scripts == ["/ui/app.js"] and page.scripts == [""], (scripts, page.scripts)


@pytest.mark.req("HTTP-014.5", "HTTP-007.9", "RUN-004.4", "RUN-027.1")
def test_the_list_is_whole_without_script(served: Served) -> None:
    client = served.client
    counter = created(client, test="counter")
    send(client, counter, data=b"2")
    served.service.engine.submit(_name_call(counter, "shop-cart")).result(30)
    failed = make_failed(served, pokes=2)  # marked after it ran: a head
    genesis = created(client, test="failing")  # its genesis never adopted: no head
    settle(client)

    page = _page(served, "/ui/")
    _only_the_pages_own_markup(page)
    assert "Loading" not in page.text and "needs JavaScript" not in page.text
    entries = _entries(served)
    assert sorted(page.rows) == sorted([counter, failed, genesis]) == sorted(entries)
    assert entries[genesis]["head"] is None and entries[genesis]["failed"] is not None
    expected_status = {counter: "ok", failed: "failed", genesis: "failed"}
    expected_pending = {counter: "0", failed: "2", genesis: "1"}  # the genesis stays pending
    for actor, row in page.rows.items():
        entry = entries[actor]
        assert row["data-status"] == expected_status[actor], (actor, row)
        assert row["names"] == (", ".join(entry["names"]) or "—"), row
        assert row["kind"] == _kind(served, entry["code"]), row
        assert row["pending"] == expected_pending[actor], row
        assert row["time"] == (entry["time"] or "—"), row
        assert row["resident"] == _resident(served, actor), row
        assert row["share"] == "—", row  # no share (RUN-021)
    assert page.rows[counter]["names"] == "shop-cart"
    assert page.rows[counter]["state"] == "ok"
    mark = entries[failed]["failed"]["class"]
    assert page.rows[failed]["state"] == f"failed: {mark} (5 attempts)"
    assert page.rows[genesis]["state"].startswith("failed at its genesis: ")
    assert page.facts["total:actors"] == "3" and page.facts["total:failed"] == "2"
    assert page.facts["total:pending messages"] == "3"


@pytest.mark.req("HTTP-014.5", "HTTP-007.6", "RUN-027.1", "RUN-004.4")
def test_an_actors_page_shows_its_steps_their_traffic_and_its_failure(served: Served) -> None:
    client = served.client
    echo = created(client, test="echo")
    fanout = created(client, test="fanout")
    served.service.engine.submit(_name_call(echo, "the-echo")).result(30)
    targets = {"tree": {"e": {"blob": echo.encode().hex()}}}
    assert client.post(
        f"/v1/actors/{fanout}/messages", json={"content": targets, "mt": "fanout"}
    ).is_success
    settle(client)
    history = client.get(f"/v1/actors/{echo}/history").json()["steps"]
    page = _page(served, f"/ui/actor/{echo}")
    _only_the_pages_own_markup(page)
    assert page.facts["actor"] == echo and page.facts["names"] == "the-echo"
    assert page.facts["status"] == "ok" and page.facts["failed"] == "—"
    assert page.facts["head"] == history[0]["step"]
    assert [s["step"] for s in page.steps] == [s["step"] for s in history]
    for shown, step in zip(page.steps, history, strict=True):
        assert shown["time"] == step["time"], (shown, step)  # HTTP-007.7's step time
    # the echo read fanout's "fanned" and sent "echo" back to it (WIT-019.1, WIT-021.1)
    assert page.steps[0]["read"].startswith(f"fanned from {fanout[:12]}"), page.steps[0]
    assert page.steps[0]["sent"].startswith(f"echo to {fanout[:12]}"), page.steps[0]
    assert page.steps[-1]["read"].startswith("genesis from the outside"), page.steps[-1]
    core = client.get(f"/v1/objects/{history[0]['core']}").json()
    assert page.entries == list(core["entries"])
    fan_page = _page(served, f"/ui/actor/{fanout}")
    sent = [step["sent"] for step in fan_page.steps]
    assert any(s.startswith(f"fanned to {echo[:12]}") for s in sent), fan_page.steps
    read = [step["read"] for step in fan_page.steps]
    assert any(r.startswith(f"echo from {echo[:12]}") for r in read), fan_page.steps

    failed = make_failed(served)
    failed_page = _page(served, f"/ui/actor/{failed}")
    mark = client.get(f"/v1/actors/{failed}").json()["failed"]
    assert failed_page.facts["status"] == f"failed: {mark['class']} (5 attempts)"
    assert mark["class"] in failed_page.facts["failed"]
    # the failed attempt's text, as the runtime saw it: the updater's new code is unknown
    assert f"[WIT-001.4] {mark['class']}" in failed_page.ids["error"], failed_page.ids

    genesis = created(client, test="failing")
    settle(client)
    genesis_page = _page(served, f"/ui/actor/{genesis}")
    assert genesis_page.facts["status"].startswith("failed at its genesis: ")
    assert genesis_page.facts["head"] == "—" and genesis_page.steps == []
    assert re.match(r"\w+: \S", genesis_page.ids["error"]), genesis_page.ids  # its text


@pytest.mark.req("HTTP-014.5", "HTTP-007.3", "HTTP-002.4")
def test_an_unknown_actor_has_no_page(served: Served) -> None:
    missing = _page(served, "/ui/actor/" + "ab" * 32, 404)
    assert "ab" * 32 in missing.text
    assert served.client.get("/ui/actor/not-an-id").status_code == 400
    assert served.client.get("/ui/actor/" + "ab" * 32 + "?x=1").status_code == 400
    assert served.client.post("/ui/actor/" + "ab" * 32).status_code == 405


def _hostile_store(served: Served) -> tuple[str, str]:
    """An actor sent a message whose ``mt`` and content are :data:`HOSTILE`, and an actor
    whose genesis core's ``wit`` blob names :data:`HOSTILE` as its runtime, marked failed
    with :data:`HOSTILE` as its class, whose last failed attempt's text is :data:`HOSTILE`
    too: written in the engine, as another writer of the store could have."""
    client = served.client
    counter = created(client, test="counter", state={"note": HOSTILE.encode().hex()})
    # its genesis a step of its own: under load a runtime may read the genesis and the
    # message in one step, and the newest step's text then begins with the genesis
    settle(client)
    assert send(client, counter, mt=HOSTILE, data=HOSTILE.encode()).is_success
    settle(client)

    def write(state: EngineState) -> str:
        store = state.store
        wit = g.Blob(data=b"x", headers={"runtime": HOSTILE})
        core = g.Tree(entries={"wit": store.put_object(wit)})
        actor = store.put_object(core)
        record = json.dumps({"actor": actor.hex(), "attempts": 5, "error": HOSTILE})
        mark = store.put_object(g.Blob(data=record.encode()))
        store.cas_ref(f"names/failed/{actor.hex()}", None, mark)
        state.runtime.failures.append(Failure(actor, ValueError(HOSTILE)))
        return actor.hex()

    return counter, served.service.engine.submit(_InEngine(write)).result(30)


def _check_hostile(served: Served, counter: str, marked: str) -> None:
    """Every page shows :data:`HOSTILE` as its text and holds nothing it could make."""
    listed = _page(served, "/ui/")
    _only_the_pages_own_markup(listed)
    assert listed.rows[marked]["kind"] == HOSTILE
    assert listed.rows[marked]["state"] == f"failed at its genesis: {HOSTILE} (5 attempts)"
    page = _page(served, f"/ui/actor/{counter}")
    _only_the_pages_own_markup(page)
    assert page.steps[0]["read"].startswith(f"{HOSTILE} from the outside"), page.steps[0]
    assert HOSTILE in page.text  # the core's entry "note", a blob's bytes
    page = _page(served, f"/ui/actor/{marked}")
    _only_the_pages_own_markup(page)
    assert page.facts["kind"] == HOSTILE and page.ids["error"] == f"ValueError: {HOSTILE}"
    assert page.facts["failed"].startswith(HOSTILE)


@pytest.mark.req("HTTP-014.4")
def test_every_text_from_the_store_or_a_client_is_shown_as_text(served: Served) -> None:
    counter, marked = _hostile_store(served)
    _check_hostile(served, counter, marked)
    listed = served.client.get("/ui/actors.json").json()  # the script sets it as text
    assert {e["actor"]: e["kind"] for e in listed["actors"]}[marked] == HOSTILE


@pytest.mark.req("HTTP-014.4")
def test_the_escaping_check_fails_on_a_page_that_does_not_escape(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above, on pages rendered with the text put in as it is: it fails."""
    counter, marked = _hostile_store(served)
    monkeypatch.setattr(_watch_html, "_t", str)
    with pytest.raises(AssertionError):
        _check_hostile(served, counter, marked)


@pytest.mark.req("HTTP-014.5")
def test_the_failed_attempts_text_is_the_actors_last_and_bounded() -> None:
    """An actor's page shows its own last failed attempt, not another's, cut to a bound."""
    from gritwit.serve._reads import ERROR_TEXT_CHARS, last_error_text

    one, other = g.ObjectId.from_hex("01" * 32), g.ObjectId.from_hex("02" * 32)
    failures = [
        Failure(one, ValueError("first")),
        Failure(one, KeyError("second")),
        Failure(other, ValueError("another's")),
    ]
    assert last_error_text(failures, one) == "KeyError: 'second'"
    assert last_error_text(failures, g.ObjectId.from_hex("03" * 32)) is None
    long = last_error_text([Failure(one, ValueError("x" * 10_000))], one)
    assert long is not None and long.startswith("ValueError: xxx")
    # cut to the bound the page promises, 4,000 characters, and marked cut
    assert len(long) == 4000 + 1 == ERROR_TEXT_CHARS + 1 and long.endswith("…")
    exact = "ValueError: " + "x" * (ERROR_TEXT_CHARS - len("ValueError: "))
    assert last_error_text([Failure(one, ValueError(exact[12:]))], one) == exact  # not cut


# --- The pages rendered from views the test makes (HTTP-014.5) ----------------------------
#
# The service's pages show what a store holds; these render views made here, so that
# each case the page's design tells apart (a busy actor, a list cut short, a core blob
# of text, of other bytes, cut or whole, a core entry that is no blob) is there at once.

SPEC = "1.0"


def _oid(n: int) -> g.ObjectId:
    return g.ObjectId.from_hex(f"{n:02x}" * 32)


def _view(
    n: int,
    *,
    pending: int = 0,
    failure: ActorFailure | None = None,
    share: int | None = None,
    last_error: str | None = None,
) -> ActorView:
    """Actor ``n``'s view, with a head: ``pending`` messages, ``failure`` its mark."""
    return ActorView(
        actor=_oid(n),
        head=_oid(0xEE),
        names=(),
        code=None,
        kind=None,
        failure=failure,
        pending=pending,
        share=share,
        resident=None,
        time=None,
        last_error=last_error,
    )


@pytest.mark.req("HTTP-014.5")
def test_the_lists_totals_count_the_busy_and_its_note_tells_what_is_left_out() -> None:
    views = (_view(1), _view(2, pending=2), _view(3, pending=1, failure=ActorFailure("x", 5)))
    page = read_page(_watch_html.list_html(ActorList(views, 3, 1, 0), None, SPEC))
    assert [row["data-status"] for row in page.rows.values()] == ["ok", "busy", "failed"]
    # one actor busy (pending, not failed); the failed one's pending counts in the total
    assert page.facts["total:busy"] == "1", page.facts
    assert page.facts["total:pending messages"] == "3", page.facts
    assert "more" not in page.ids, page.ids  # every actor listed: no note of the rest
    cut = read_page(_watch_html.list_html(ActorList(views[:2], 3, 1, 0), None, SPEC))
    assert cut.ids["more"].startswith("2 of 3 actors shown"), cut.ids
    assert cut.facts["total:busy"] == "1", cut.facts


def _core_entries() -> tuple[list[CoreEntry], list[str]]:
    """A core's entries of every kind the page shows, and each entry's item as a reader
    sees it: its name, its short id, then a blob's text (hexadecimal where it is not
    text, its size said where it was cut) or the entry's type."""
    cases = (
        ("text", "blob", b"one\ntwo\tthree", 13, "one\ntwo\tthree"),
        ("control", "blob", b"a\x01b", 3, "610162"),
        ("cut", "blob", b"x" * 256, 300, "x" * 256 + " … (300 bytes)"),
        ("whole", "blob", b"y" * 256, 256, "y" * 256),
        ("sub", "tree", None, None, "tree"),
        ("gone", "absent", None, None, "absent"),
    )
    entries, items = [], []
    for n, (name, kind, data, size, shown) in enumerate(cases, start=0x10):
        entries.append(CoreEntry(name, _oid(n), kind, data, size))
        items.append(f"{name} {_oid(n).hex()[:12]}{shown}")
    return entries, items


@pytest.mark.req("HTTP-014.5", "HTTP-014.4")
def test_an_actors_page_shows_each_core_entry_as_what_it_is() -> None:
    entries, items = _core_entries()
    whole = ActorPage(_view(1, share=2), (), False, tuple(entries), len(entries))
    page = read_page(_watch_html.actor_html(whole, None, SPEC))
    assert page.entries == [entry.name for entry in entries]
    assert page.items == items
    assert "entries shown" not in page.text  # every entry shown: no count of them
    assert page.facts["share"] == "2", page.facts
    assert "error" not in page.ids, page.ids  # not failed: no failure's text to speak of
    cut = ActorPage(_view(1), (), False, tuple(entries[:2]), 9)
    assert "2 of 9 entries shown" in read_page(_watch_html.actor_html(cut, None, SPEC)).text


@pytest.mark.req("HTTP-014.5", "RUN-004.4")
def test_a_failed_actors_page_says_where_its_failures_text_was_not_seen() -> None:
    unseen = _view(1, failure=ActorFailure("TypeError", 5))
    page = read_page(_watch_html.actor_html(ActorPage(unseen, (), False, (), 0), None, SPEC))
    assert page.ids["error"].startswith("The failure's text: not seen"), page.ids
    seen = _view(1, failure=ActorFailure("TypeError", 5), last_error="TypeError: bad")
    page = read_page(_watch_html.actor_html(ActorPage(seen, (), False, (), 0), None, SPEC))
    assert page.ids["error"] == "TypeError: bad", page.ids


# --- What the service reads for the pages (HTTP-014.5) ------------------------------------


@pytest.mark.req("HTTP-014.5", "HTTP-007.6", "HTTP-002.3")
def test_an_actors_page_shows_its_twenty_newest_steps_and_where_the_older_are(
    served: Served,
) -> None:
    client = served.client
    counter = created(client, test="counter")
    settle(client)  # the genesis alone: read after a send, it reads the send too (WIT-012.6)
    for _ in range(21):  # one step each: the genesis's and 21 more
        send(client, counter, data=b"1")
        settle(client)
    history = client.get(f"/v1/actors/{counter}/history", params={"limit": 100}).json()
    assert len(history["steps"]) == 22, history
    page = _page(served, f"/ui/actor/{counter}")
    assert [s["step"] for s in page.steps] == [s["step"] for s in history["steps"][:20]]
    older = f"Older steps: /v1/actors/{counter}/history?before={history['steps'][19]['step']}"
    assert older in page.text, page.text[-600:]
    echo = created(client, test="echo")
    settle(client)
    assert "Older steps" not in _page(served, f"/ui/actor/{echo}").text  # its one step
    # the page script's list gives each actor's code as the protocol's list does
    listed = client.get("/ui/actors.json").json()["actors"]
    entries = _entries(served)
    assert {e["actor"]: e["code"] for e in listed} == {a: e["code"] for a, e in entries.items()}
    assert all(e["code"] is not None for e in listed), listed
    # the list defines no query parameter: one is refused, as an actor's page refuses it
    assert client.get("/ui/", params={"x": "1"}).status_code == 400


@pytest.mark.req("HTTP-014.5", "RUN-011")
def test_an_actors_page_reads_a_hundred_core_entries_and_256_bytes_of_a_blob(
    served: Served,
) -> None:
    """The core's first 100 entries, each blob's first 256 bytes and its size; an entry
    that is no blob by its type, one whose object is absent (erased) named all the same."""

    def read(state: EngineState) -> tuple[tuple[CoreEntry, ...], int, dict[str, g.ObjectId]]:
        store = state.store
        big = store.put_object(g.Blob(data=b"z" * 300))
        entries = {
            "0big": big,
            "1sub": store.put_object(g.Tree(entries={"big": big})),
            "2gon": _oid(0xAB),  # in no store
        }  # names of one length: the tree's order is then their bytewise order
        for n in range(98):
            entries[f"n{n:03}"] = store.put_object(g.Blob(data=str(n).encode()))
        core, size = _watch._core(state, store.put_object(g.Tree(entries=entries)))
        return core, size, entries

    core, size, entries = served.service.engine.submit(_InEngine(read)).result(30)
    assert size == 101 and len(core) == 100, (size, len(core))
    assert [entry.name for entry in core] == sorted(entries)[:100]
    assert core[0] == CoreEntry("0big", entries["0big"], "blob", b"z" * 256, 300), core[0]
    assert core[1] == CoreEntry("1sub", entries["1sub"], "tree", None, None), core[1]
    assert core[2] == CoreEntry("2gon", _oid(0xAB), "absent", None, None), core[2]
    assert core[3] == CoreEntry("n000", entries["n000"], "blob", b"0", 1), core[3]


@pytest.mark.req("HTTP-014.5", "HTTP-007.9")
def test_the_list_shows_a_thousand_actors_and_says_where_the_rest_are(served: Served) -> None:
    """1,001 actors marked failed at their genesis, written in the engine: the page lists
    the first 1,000 and says so, as the page script's list does."""

    def write(state: EngineState) -> None:
        store = state.store
        for n in range(1001):
            actor = store.put_object(
                g.Tree(entries={"n": store.put_object(g.Blob(data=b"%d" % n))})
            )
            record = json.dumps({"actor": actor.hex(), "attempts": 5, "error": "TypeError"})
            mark = store.put_object(g.Blob(data=record.encode()))
            store.cas_ref(f"names/failed/{actor.hex()}", None, mark)

    served.service.engine.submit(_InEngine(write)).result(120)
    page = _page(served, "/ui/")
    assert len(page.rows) == 1000, len(page.rows)
    assert page.ids["more"].startswith("1,000 of 1,001 actors shown"), page.ids
    assert page.facts["total:actors"] == "1,001", page.facts
    listed = served.client.get("/ui/actors.json").json()
    assert (len(listed["actors"]), listed["total"]) == (1000, 1001)
