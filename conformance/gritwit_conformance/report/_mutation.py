"""The *mutation* section of the HTML report: how many wrong variants of the reference it catches.

Input is a ``gritwit-mutation/1`` document written by ``gritwit mutate``
(validated here for the fields this page reads; anything else is a
:class:`~gritwit_conformance.report.ReportError`).  Pure: a dict in, HTML lines out.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from ._matrix import spec_url
from ._model import ReportError

__all__ = ["MUTATION_FORMAT", "load_mutation", "mutation_section"]

MUTATION_FORMAT = "gritwit-mutation/1"
_COUNTS = ("mutants", "killed", "timeout", "survived", "uncovered", "equivalent")
_ALIVE = ("survived", "uncovered", "error")
_MAX_LISTED = 200


def load_mutation(path: Path) -> dict[str, Any]:
    """Read and check a mutation report; raise :class:`ReportError` if it is not one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ReportError(str(path), [f"cannot read a mutation report: {exc}"]) from None
    problems = []
    if not isinstance(document, dict) or document.get("format") != MUTATION_FORMAT:
        problems.append(f"not a {MUTATION_FORMAT} document")
    else:
        for key in ("total", "groups", "modules", "requirements"):
            if not isinstance(document.get(key), dict):
                problems.append(f"missing object {key!r}")
        if not isinstance(document.get("mutants"), list):
            problems.append("missing list 'mutants'")
    if problems:
        raise ReportError(str(path), problems)
    return dict(document)


def _t(value: object) -> str:
    return html.escape(str(value), quote=True)


def _score(tally: dict[str, Any]) -> str:
    score = tally.get("score")
    return "–" if score is None else f"{float(score):.1f} %"


def _table(caption: str, rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    out = [f'<table class="mutation"><caption>{_t(caption)}</caption><thead><tr>']
    out.append('<th scope="col"></th>')
    out += [f'<th scope="col">{c}</th>' for c in (*_COUNTS, "score")]
    out.append("</tr></thead><tbody>")
    for name, tally in rows:
        cells = "".join(f"<td>{_t(tally.get(c, 0))}</td>" for c in _COUNTS)
        out.append(f'<tr><th scope="row">{name}</th>{cells}<td>{_score(tally)}</td></tr>')
    out.append("</tbody></table>")
    return out


def _rid(rid: str, base_url: str) -> str:
    url = spec_url(base_url, rid.split(".")[0])
    return f'<a href="{_t(url)}">{_t(rid)}</a>' if url else _t(rid)


def mutation_section(document: dict[str, Any], base_url: str) -> list[str]:
    """The ``<section>`` for one mutation report."""
    complete = "" if document.get("complete", True) else " (incomplete: time budget reached)"
    out = [
        '<section aria-labelledby="mutation-title">',
        '<h2 id="mutation-title">Mutation score of the suite</h2>',
        '<p class="lead">Mutants are small wrong variants of the reference, each run behind '
        "the stdio adapter against the conformance tests of its profiles. Score = (killed + "
        f"timed out) / (mutants − equivalent){_t(complete)}.</p>",
    ]
    groups = [(_t(g), t) for g, t in document["groups"].items()]
    out += _table("By group", [*groups, ("total", document["total"])])
    out += _table(
        "By module", [(f"<code>{_t(m)}</code>", t) for m, t in document["modules"].items()]
    )
    out += _table(
        "By requirement (mutants attributed to the code enforcing it)",
        [(_rid(r, base_url), t) for r, t in document["requirements"].items()],
    )
    alive = [m for m in document["mutants"] if isinstance(m, dict) and m.get("status") in _ALIVE]
    out.append(f"<details><summary>Surviving mutants ({len(alive)})</summary><ul>")
    for record in alive[:_MAX_LISTED]:
        out.append(
            f"<li><code>{_t(record.get('id'))}</code> <code>{_t(record.get('module'))}:"
            f"{_t(record.get('line'))}</code> {_t(record.get('operator'))}: "
            f"<code>{_t(record.get('original'))}</code> → "
            f"<code>{_t(record.get('replacement'))}</code> "
            f"({_t(', '.join(map(str, record.get('requirements', []))))})</li>"
        )
    if len(alive) > _MAX_LISTED:
        out.append(f"<li>… and {len(alive) - _MAX_LISTED} more in the JSON report</li>")
    out.append("</ul></details></section>")
    return out
