"""The *teleport* section of the HTML report: a matrix of implementation pairs (RUN-009.7).

Input is one or more ``gritwit-teleport/1`` documents written by ``gritwit teleport``
(validated here for the fields this page reads; anything else is a
:class:`~gritwit_conformance.report.ReportError`).  Rows are the implementation an
actor left (A of a direction), columns the one it moved to; implementations are told
apart by name, version and command, so two processes of one command share a row and a
column (their cell is on the diagonal).  A cell merges every direction of the
documents from its row to its column: each scenario's outcome, and why it did not
pass.  A pair whose scenarios could not run is *not run*, never a pass.  Pure: dicts
in, HTML lines out.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Final

from ._html import _t
from ._model import ReportError

__all__ = ["TELEPORT_FORMAT", "load_teleport", "pair_status", "teleport_section"]

TELEPORT_FORMAT: Final = "gritwit-teleport/1"
#: status → (glyph, word, CSS class of the matrix's cells)
_STATUS: Final = {
    "pass": ("✓", "pass", "s-pass"),
    "partial": ("◐", "partial", "s-skipped"),
    "fail": ("✗", "fail", "s-fail"),
    "errored": ("⚠", "errored", "s-errored"),
    "not-run": ("–", "not run", "s-not-claimed"),
    "none": ("·", "no run", "s-none"),
}
_OUTCOMES: Final = ("passed", "failed", "errored", "not-run")


def load_teleport(path: Path) -> dict[str, Any]:
    """Read and check a teleport report; raise :class:`ReportError` if it is not one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ReportError(str(path), [f"cannot read a teleport report: {exc}"]) from None
    problems = []
    if not isinstance(document, dict) or document.get("format") != TELEPORT_FORMAT:
        problems.append(f"not a {TELEPORT_FORMAT} document")
    else:
        impls = document.get("implementations")
        if not (isinstance(impls, dict) and {"a", "b"} <= set(impls)):
            problems.append("missing object 'implementations' with 'a' and 'b'")
        directions = document.get("directions")
        if not isinstance(directions, list) or not all(
            isinstance(d, dict)
            and d.get("from") in ("a", "b")
            and d.get("to") in ("a", "b")
            and isinstance(d.get("scenarios"), list)
            for d in directions
        ):
            problems.append("'directions' is not a list of {from, to, scenarios}")
    if problems:
        raise ReportError(str(path), problems)
    return dict(document)


def _key(entry: dict[str, Any]) -> tuple[str, str, str]:
    return (str(entry.get("name") or "?"), str(entry.get("version") or ""), str(entry["command"]))


def pair_status(outcomes: list[dict[str, Any]]) -> str:
    """One word for a cell: fail, errored, not-run, partial, pass (or none: no direction)."""
    seen = Counter(str(o.get("status")) for o in outcomes)
    if not outcomes:
        return "none"
    if seen["failed"]:
        return "fail"
    if seen["errored"]:
        return "errored"
    if not seen["passed"]:
        return "not-run"
    return "pass" if seen["passed"] == len(outcomes) else "partial"


def _cells(
    documents: list[dict[str, Any]],
) -> tuple[list[tuple[str, str, str]], dict[tuple[Any, Any], list[dict[str, Any]]]]:
    order: list[tuple[str, str, str]] = []
    cells: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for document in documents:
        impls = document["implementations"]
        for role in ("a", "b"):
            if _key(impls[role]) not in order:
                order.append(_key(impls[role]))
        for direction in document["directions"]:
            cell = (_key(impls[direction["from"]]), _key(impls[direction["to"]]))
            cells.setdefault(cell, []).extend(
                s for s in direction["scenarios"] if isinstance(s, dict)
            )
    return order, cells


def _label(key: tuple[str, str, str]) -> str:
    name, version, command = key
    return (
        f'{_t(name)} <span class="version">{_t(version)}</span><br>'
        f'<span class="impl-meta"><code>{_t(command)}</code></span>'
    )


def _cell(outcomes: list[dict[str, Any]]) -> str:
    status = pair_status(outcomes)
    glyph, word, css = _STATUS[status]
    counts = Counter(str(o.get("status")) for o in outcomes)
    text = " · ".join(f"{counts[o]} {o.replace('-', ' ')}" for o in _OUTCOMES if counts[o])
    items = []
    for o in outcomes:
        reason = str(o.get("reason") or "")
        cites = ", ".join(map(str, o.get("requirements") or ()))
        items.append(
            f'<li class="o-{_t(str(o.get("status")))}"><span class="outcome">'
            f"{_t(str(o.get('status')))}</span> <code>{_t(str(o.get('scenario')))}</code>"
            + (f' <span class="cites">{_t(cites)}</span>' if cites else "")
            + (f'<pre class="reason">{_t(reason)}</pre>' if reason else "")
            + "</li>"
        )
    drill = (
        f'<details class="drill"><summary>Scenarios</summary><ul class="tests">'
        f"{''.join(items)}</ul></details>"
        if items
        else ""
    )
    return (
        f'<td class="cell {css}"><span class="status"><span aria-hidden="true">{glyph}</span> '
        f'{word}</span><span class="counts">{_t(text)}</span>{drill}</td>'
    )


def teleport_section(documents: list[dict[str, Any]]) -> list[str]:
    """The ``<section>`` with the matrix of pairs of every document given."""
    order, cells = _cells(documents)
    out = [
        '<section aria-labelledby="teleport-title">',
        '<h2 id="teleport-title">Teleport: actors moved between implementations</h2>',
        '<p class="lead">Each scenario runs on the row\'s implementation, moves its actors '
        "to the column's and back (gritwit teleport); every step id after a move must be the "
        "reference's continuing the same bundle (RUN-009.7). A pair whose implementation does "
        "not claim the runtime profile is <em>not run</em>, never a pass.</p>",
        '<div class="matrix-wrap"><table class="matrix" id="teleport">',
        "<caption>Moves from the implementation of each row to that of each column</caption>",
        '<thead><tr><th scope="col" class="corner">from \\ to</th>',
    ]
    out += [
        f'<th scope="col" class="impl" style="overflow-wrap: anywhere">{_label(key)}</th>'
        for key in order
    ]
    out.append("</tr></thead><tbody>")
    for row in order:
        wrap = "white-space: normal; max-width: 24rem; overflow-wrap: anywhere"
        out.append(f'<tr><th scope="row" style="{wrap}">{_label(row)}</th>')
        out += [_cell(cells.get((row, column), [])) for column in order]
        out.append("</tr>")
    out.append("</tbody></table></div></section>")
    return out
