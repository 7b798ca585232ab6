"""The status page's HTML, rendered by the service (HTTP-014.3, HTTP-014.4).

The list of actors and one actor's page are whole HTML documents, readable with script
off: every number and status is in the document the service answers, the page's script
(``ui/app.js``) only refreshes them (HTTP-014.5).  Every text that comes from the store
or from a client — an actor's names, a failure's class and text, an ``mt``, an entry's
name, a blob's bytes — goes through :func:`html.escape` (quotes too), so that it reads
as text and is never parsed as markup (HTTP-014.4); ids are hexadecimal, made here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any, Final

from .._ids import ObjectId
from ..runtime import ActorView, Share
from ._watch import ActorList, ActorPage, CoreEntry, status_of

__all__ = ["actor_html", "list_html", "missing_html"]

#: The characters of an id shown; the whole id is its link's title.
SHORT: Final = 12
#: Shown where a value is absent.
NONE: Final = "—"


def _t(value: object) -> str:
    """``value`` as text in HTML, quotes escaped too (it may stand in an attribute)."""
    return escape(str(value), quote=True)


def _short(oid: str | None) -> str:
    return NONE if oid is None else oid[:SHORT]


def _id_span(oid: str, kind: str) -> str:
    """An id shortened, the whole one its title."""
    return f'<span class="{kind}" title="{_t(oid)}">{_short(oid)}</span>'


def _actor_link(actor: str) -> str:
    return f'<a class="id" href="/ui/actor/{_t(actor)}" title="{_t(actor)}">{_short(actor)}</a>'


def _page(title: str, kind: str, body: str, share: Share | None, spec: str) -> str:
    shared = "" if share is None else f" · share {share.k}/{share.n}"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_t(title)} · gritwit service</title>
<link rel="stylesheet" href="/ui/style.css">
<script src="/ui/app.js" defer></script>
</head>
<body data-page="{kind}">
<header>
  <h1><a href="/ui/">gritwit service</a></h1>
  <span id="version">protocol 1 · spec {_t(spec)}{shared}</span>
  <nav><a href="/ui/">actors</a> <a href="/metrics">metrics</a>
    <a href="/v1/openapi.json">OpenAPI</a></nav>
</header>
{body}
</body>
</html>
"""


def _yes_no(value: bool | None) -> str:
    return NONE if value is None else ("yes" if value else "no")


def status_text(view: ActorView) -> str:
    """The status in words: ``ok``, ``busy`` or the failed mark's class and attempts,
    saying so where the actor failed at its genesis (RUN-004.4, HTTP-007.9)."""
    failure = view.failure
    if failure is None:
        return status_of(view)
    count = "?" if failure.attempts is None else str(failure.attempts)
    where = " at its genesis" if view.genesis_failed else ""
    return f"failed{where}: {failure.error} ({count} attempts)"


def _row(view: ActorView) -> str:
    actor = view.actor.hex()
    status = status_of(view)
    cells = (
        f'<td class="status" title="{status}"></td>',
        f"<td>{_actor_link(actor)}</td>",
        f'<td class="names">{_t(", ".join(view.names)) if view.names else NONE}</td>',
        f'<td class="kind">{_t(view.kind) if view.kind is not None else NONE}</td>',
        f'<td class="state">{_t(status_text(view))}</td>',
        f'<td class="num pending">{view.pending}</td>',
        f'<td class="num share">{NONE if view.share is None else view.share}</td>',
        f'<td class="resident">{_yes_no(view.resident)}</td>',
        f'<td class="time">{_t(view.time) if view.time is not None else NONE}</td>',
    )
    return f'<tr class="{status}" data-actor="{actor}" data-status="{status}">{"".join(cells)}</tr>'


#: The list's columns, in order; the script fills a new row's cells in this order too.
COLUMNS: Final = ("", "actor", "names", "kind", "status", "pending", "share", "resident", "time")


def _totals(listed: ActorList) -> str:
    busy = sum(1 for view in listed.views if status_of(view) == "busy")
    pending = sum(view.pending for view in listed.views)
    shown = (
        ("actors", listed.total),
        ("failed", listed.failed),
        ("busy", busy),
        ("pending messages", pending),
        ("resident", listed.resident),
    )
    return "".join(
        f'<div class="total" data-total="{label}"><b>{value:,}</b><span>{label}</span></div>'
        for label, value in shown
    )


def list_html(listed: ActorList, share: Share | None, spec: str) -> str:
    """The list of actors (HTTP-014.4): each one's status, names, kind, pending count,
    share, residency and head's step time, the totals above them."""
    head = "".join(f"<th>{_t(title)}</th>" for title in COLUMNS)
    rows = "".join(_row(view) for view in listed.views)  # no text between rows
    table = (
        f'<table id="actors"><thead><tr>{head}</tr></thead>\n<tbody>{rows}</tbody></table>'
        if listed.views
        else '<p class="note" id="none">No actor has a head or a failed mark yet.</p>'
    )
    more = (
        f'<p class="note" id="more">{len(listed.views):,} of {listed.total:,} actors shown'
        " (the first in id order); all of them: /v1/actors</p>"
        if listed.total > len(listed.views)
        else ""
    )
    body = f"""<section id="totals" aria-label="totals">{_totals(listed)}</section>
<div id="layout">
  <main id="main">
    <h2>Actors</h2>
    {table}
    {more}
    <p class="note" id="refreshed">As of the page's load;
      with JavaScript on it refreshes by itself.</p>
  </main>
  <aside>
    <h2>Live events</h2>
    <p id="events-state" class="note">Listed with JavaScript on, when asked.</p>
    <button id="listen" type="button" hidden>Listen</button>
    <ol id="events"></ol>
  </aside>
</div>"""
    return _page("actors", "list", body, share, spec)


def _facts(pairs: Iterable[tuple[str, str, str]]) -> str:
    return "".join(
        f'<dt>{_t(label)}</dt><dd data-fact="{key}">{value}</dd>' for key, label, value in pairs
    )


def _traffic(rows: Sequence[dict[str, Any]], role: str) -> str:
    """The messages one step read (``role`` ``sender``) or sent (``recipient``)."""
    if not rows:
        return NONE
    items = []
    for row in rows:
        party = row[role]
        who = "the outside" if party == "outside" else _actor_link(party)
        mt = NONE if row["mt"] is None else _t(row["mt"])
        items.append(
            f'<li><span class="mt">{mt}</span> {"from" if role == "sender" else "to"} {who}'
            f" {_id_span(row['message'], 'id note')}</li>"
        )
    return f'<ul class="traffic">{"".join(items)}</ul>'


def _blob_text(entry: CoreEntry) -> str:
    data = entry.data or b""
    try:
        text = data.decode("utf-8")
        printable = text.isprintable() or all(c.isprintable() or c in "\n\t" for c in text)
    except UnicodeDecodeError:
        printable = False
    shown = text if printable else data.hex()
    cut = "" if entry.size is None or entry.size <= len(data) else f" … ({entry.size:,} bytes)"
    return _t(shown + cut)


def _core_html(page: ActorPage) -> str:
    if not page.core:
        return f'<p class="note">{NONE}</p>'
    items = []
    for entry in page.core:
        shown = (
            f'<pre class="blob">{_blob_text(entry)}</pre>'
            if entry.type == "blob"
            else f'<span class="note">{_t(entry.type)}</span>'
        )
        items.append(
            f'<li><span class="entry-name">{_t(entry.name)}</span> '
            f"{_id_span(entry.object.hex(), 'id note')}"
            f"{shown}</li>"
        )
    more = (
        f'<p class="note">{len(page.core)} of {page.core_size} entries shown</p>'
        if page.core_size > len(page.core)
        else ""
    )
    return f'<ul class="tree">{"".join(items)}</ul>{more}'


def _step_row(index: int, step: dict[str, Any]) -> str:
    return (
        f'<tr data-step="{_t(step["step"])}">'
        f'<td class="num">{"head" if index == 0 else f"-{index}"}</td>'
        f'<td class="time">{_t(step["time"]) if step["time"] else NONE}</td>'
        f'<td class="id" title="{_t(step["step"])}">{_short(step["step"])}</td>'
        f'<td class="read">{_traffic(step["read"], "sender")}</td>'
        f'<td class="sent">{_traffic(step["sent"], "recipient")}</td></tr>'
    )


def actor_html(page: ActorPage, share: Share | None, spec: str) -> str:
    """One actor's page (HTTP-014.4): its names, status, failed mark and its last failed
    attempt's text, its newest steps with their times and the messages each read and
    sent, and its head's core."""
    view = page.view
    actor = view.actor.hex()
    status = status_of(view)
    failure = view.failure
    failed = NONE
    if failure is not None:
        failed = f'<span class="mark">{_t(failure.error)}</span> {_t(view.reason)}'
    error = (
        f'<pre class="error" id="error">{_t(view.last_error)}</pre>'
        if view.last_error is not None
        else (
            '<p class="note" id="error">The failure\'s text: not seen by this service'
            " (a failed mark records its class alone).</p>"
            if failure is not None
            else ""
        )
    )
    facts = _facts(
        (
            ("actor", "actor", f'<span class="id">{actor}</span>'),
            ("names", "names", _t(", ".join(view.names)) if view.names else NONE),
            ("status", "status", f'<span class="state">{_t(status_text(view))}</span>'),
            ("kind", "kind", _t(view.kind) if view.kind is not None else NONE),
            ("head", "head", f'<span class="id">{view.head.hex() if view.head else NONE}</span>'),
            ("time", "head's step time", _t(view.time) if view.time else NONE),
            ("code", "code", f'<span class="id">{view.code.hex() if view.code else NONE}</span>'),
            ("pending", "pending messages", str(view.pending)),
            ("share", "share", NONE if view.share is None else str(view.share)),
            ("resident", "resident", _yes_no(view.resident)),
            ("failed", "failed", failed),
        ),
    )
    head = "".join(f"<th>{t}</th>" for t in ("", "time", "step", "read", "sent"))
    steps = "\n".join(_step_row(i, step) for i, step in enumerate(page.steps))
    history = (
        f'<table id="history"><thead><tr>{head}</tr></thead><tbody>\n{steps}\n</tbody></table>'
        if page.steps
        else f'<p class="note">No step: its genesis {"failed" if failure else "has not run"}.</p>'
    )
    older = (
        f'<p class="note">Older steps: /v1/actors/{actor}/history?before='
        f"{_t(page.steps[-1]['step'])}</p>"
        if page.older
        else ""
    )
    names = f" ({_t(', '.join(view.names))})" if view.names else ""
    body = f"""<div id="layout">
  <main id="main" data-actor="{actor}" data-head="{view.head.hex() if view.head else ""}">
    <p><a href="/ui/" id="back">← all actors</a></p>
    <section class="panel {status}" id="entry" data-status="{status}">
      <h2>Actor <span class="id">{_short(actor)}</span>{names}</h2>
      <dl class="entry">{facts}</dl>
      {error}
    </section>
    <section class="panel"><h2>Recent steps, newest first</h2>{history}{older}</section>
    <section class="panel"><h2>State: the head step's core</h2>{_core_html(page)}</section>
  </main>
</div>"""
    return _page(f"actor {_short(actor)}", "actor", body, share, spec)


def missing_html(actor: ObjectId, share: Share | None, spec: str) -> str:
    """The page of an actor with neither a head nor a failed mark (HTTP-007.3)."""
    body = (
        '<div id="layout"><main id="main"><p><a href="/ui/" id="back">← all actors</a></p>'
        f'<p class="mark">No actor {actor.hex()} here: it has neither a head nor a failed'
        " mark.</p></main></div>"
    )
    return _page("no such actor", "missing", body, share, spec)
