"""Render a :class:`~._matrix.Matrix` as one self-contained HTML page.

Everything that comes from a report is untrusted (implementations write their
own names, versions, reasons…): every piece of text goes through :func:`_t`,
which drops nothing but makes control characters visible and escapes HTML
(quotes too, so it is safe in attributes).  The page carries no script at all
and a Content-Security-Policy that forbids scripts and any external fetch, so
even a mistake here could not run code.  Drill-down uses ``<details>``.

Colour is never the only signal: every cell starts with a status word and
spells its counts out (CONV-004: failures are shown with their reasons, which
name the error classes; CONV-003: each column records the spec and suite
versions).  Output depends only on the reports and the base URL.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from pathlib import PurePath
from typing import Final

from gritwit._version import __version__

from ._matrix import Cell, Matrix, ProfileBlock, spec_url
from ._model import FAILING, Counts, ProfileSummary, Report, Result
from ._story import version_lines
from ._style import CSS

__all__ = ["render_matrix"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

# status -> (glyph, word); the glyph is decoration (aria-hidden), the word is the signal.
_STATUS: Final = {
    "pass": ("✓", "pass"),
    "fail": ("✗", "fail"),
    "errored": ("⚠", "errored"),
    "timed-out": ("⏱", "timed out"),
    "incomplete": ("⧖", "incomplete"),
    "xfail": ("≈", "known failures"),
    "skipped": ("↷", "skipped"),
    "not-applicable": ("∅", "not applicable"),
    "not-claimed": ("–", "not claimed"),
    "none": ("·", "no tests"),
}
_STATUS_HELP: Final = {
    "pass": "all tests passed",
    "fail": "a test failed, or a known failure passed",
    "errored": "the adapter or harness broke",
    "timed-out": "the adapter gave no answer within the time limit (ADP-012): not an "
    "assertion failure, but no pass either",
    "incomplete": "the run ended before a test ran (a signal, a crashed worker): not a pass",
    "xfail": "only declared known failures",
    "skipped": "no test ran: skipped for a reason the test gives (not a pass)",
    "not-applicable": "left out by --spec-version: every clause the test cites is newer",
    "not-claimed": "profile not claimed",
    "none": "no test in the report",
}
# outcome -> (singular, plural)
_COUNT_WORDS: Final = {
    "passed": ("passed", "passed"),
    "failed": ("failed", "failed"),
    "errored": ("errored", "errored"),
    "timed-out": ("timed out", "timed out"),
    "not-claimed": ("not claimed", "not claimed"),
    "not-applicable": ("not applicable", "not applicable"),
    "expected-failure": ("expected failure", "expected failures"),
    "unexpected-pass": ("unexpected pass", "unexpected passes"),
    "skipped": ("skipped", "skipped"),
    "not-run": ("never ran", "never ran"),
}
_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    return f"\\u{ord(char):04x}" if 0xD800 <= ord(char) <= 0xDFFF else f"\\x{ord(char):02x}"


def _t(text: str) -> str:
    """Untrusted text as HTML text or attribute value: controls made visible, escaped."""
    return html.escape(_CONTROL.sub(_visible, text), quote=True)


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def _counts_text(counts: Counts) -> str:
    parts = [_plural(n, *_COUNT_WORDS[o]) for o, n in counts.items() if n]
    return " · ".join(parts) if parts else "no tests"


def _status(status: str) -> str:
    glyph, word = _STATUS[status]
    return f'<span class="status"><span aria-hidden="true">{glyph}</span> {word}</span>'


def _impl_label(report: Report) -> str:
    impl = report.implementation
    return f"{impl.name} {impl.version}".strip()


def _homepage(url: str) -> str:
    if re.match(r"https?://", url, re.IGNORECASE):
        return f'<a href="{_t(url)}" rel="noopener noreferrer nofollow">{_t(url)}</a>'
    return _t(url)


def _claimed(report: Report) -> str:
    """The version the implementation claims: the report's ``claimedSpec`` (``/3``), else
    the ``spec`` its ``hello`` gave."""
    return report.claimed_spec or report.implementation.spec


def _spec_line(report: Report) -> str:
    """Spec version of the suite, flagged when the implementation targets another one."""
    target = _claimed(report)
    text = _t(report.spec_version)
    if target and target != report.spec_version:
        text += f' <span class="warn">(⚠ implementation targets {_t(target)})</span>'
    if report.applied_spec:
        text += f" (applied: --spec-version {_t(report.applied_spec)})"
    return text


def _version_lines(report: Report) -> list[str]:
    """The same lines the terminal and JUnit give (ADP-020.3)."""
    failing = [r for r in report.results if r.outcome in FAILING]
    return version_lines(
        claimed=_claimed(report),
        applied=report.applied_spec,
        suite=report.spec_version,
        failing=len(failing),
        marked=sum(bool(r.since) for r in failing),
        left_out=sum(r.outcome == "not-applicable" for r in report.results),
    )


def _warnings(reports: Sequence[Report]) -> list[str]:
    warnings = []
    versions = sorted({r.spec_version for r in reports})
    if len(versions) > 1:
        warnings.append(
            "The reports check different spec versions ("
            + ", ".join(_t(v) for v in versions)
            + "): compare their columns with care."
        )
    for index, report in enumerate(reports, 1):
        impl = report.implementation
        label = f'<a href="#impl-{index}">{_t(_impl_label(report))}</a>'
        warnings += [f"{label}: {_t(line)}." for line in _version_lines(report)]
        if impl.error:
            warnings.append(f"{label}: handshake failed: {_t(impl.error)}")
        if not report.complete:
            ran = sum(r.outcome != "not-run" for r in report.results)
            why = report.incomplete or f"interrupted by {report.interrupted}"
            never = ", ".join(report.not_run_profiles) or "none"
            warnings.append(
                f"{label}: INCOMPLETE run ({_t(why)}): {ran} of {report.collected} "
                f"collected test(s) ran; profiles with tests never reached: {_t(never)}."
            )
        for test, reason in report.stale_known_failures:
            warnings.append(
                f"{label}: stale known failure <code>{_t(test)}</code> ({_t(reason)}) matches "
                "no test of the run (ADP-005.3)."
            )
    return warnings


def _card(index: int, report: Report, totals: Counts) -> str:
    impl = report.implementation
    rows = [
        ("language", _t(impl.language or "—")),
        ("spec", _spec_line(report)),
        ("suite", f"{_t(report.suite_name)} {_t(report.suite_version)}"),
        ("protocol", str(report.protocol)),
        ("started", f'<time datetime="{_t(report.started)}">{_t(report.started)}</time>'),
        ("duration", f"{report.duration:.1f} s"),
        ("claims", _t(", ".join(impl.profiles)) or "no profile"),
        ("report", f"<code>{_t(PurePath(report.source).name)}</code>"),
    ]
    wide = [
        ("homepage", _homepage(impl.homepage) if impl.homepage else "—"),
        ("command", f"<code>{_t(impl.command)}</code>"),
    ]
    if impl.error:
        wide.append(("error", f'<span class="warn">{_t(impl.error)}</span>'))
    if report.selection:  # a run of some tests only says which (ADP-020)
        wide.append(("selection", f'<span class="warn">{_t(report.selection)}</span>'))
    if not report.complete:
        why = _t(report.incomplete or f"interrupted by {report.interrupted}")
        wide.append(("run", f'<span class="warn">incomplete ({why}): not a pass</span>'))
    # A run that did not finish is never green, whatever the tests that ran say.
    overall = totals.status
    if not report.complete and overall in (
        "pass",
        "xfail",
        "skipped",
        "not-applicable",
        "not-claimed",
        "none",
    ):
        overall = "incomplete"
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    body += "".join(f'<dt>{k}</dt><dd class="wide">{v}</dd>' for k, v in wide)
    return (
        f'<article class="card" id="impl-{index}" aria-labelledby="impl-{index}-name">'
        f'<h3 id="impl-{index}-name">{_t(impl.name)} '
        f'<span class="version">{_t(impl.version)}</span></h3>'
        f"<dl>{body}</dl>"
        f'<p class="overall s-{overall}">{_status(overall)}'
        f'<span class="counts">{_counts_text(totals)}</span></p>'
        "</article>"
    )


def _column_head(index: int, report: Report) -> str:
    impl = report.implementation
    meta = " · ".join(
        part
        for part in (
            _t(impl.language),
            f"spec {_t(report.spec_version)}",
            f"suite {_t(report.suite_version)}",
        )
        if part
    )
    return (
        f'<th scope="col" class="impl" id="col-{index}">'
        f'<a class="impl-name" href="#impl-{index}">{_t(impl.name)}</a> '
        f'<span class="version">{_t(impl.version)}</span>'
        f'<span class="impl-meta">{meta}</span>'
        f'<span class="impl-meta">{_t(report.started)}</span></th>'
    )


def _test_item(result: Result) -> str:
    reason = result.reason or "(no reason given)"
    cites = ", ".join(result.requirements) or "no requirement"
    since = "".join(f'<span class="since">since: {_t(note)}</span>' for note in result.since)
    diagnosis = f'<p class="diagnosis">{_t(result.diagnosis)}</p>' if result.diagnosis else ""
    stderr = (
        f'<details class="stderr"><summary>adapter stderr</summary><pre>{_t(result.stderr)}</pre>'
        "</details>"
        if result.stderr
        else ""
    )
    return (
        f'<li class="o-{result.outcome}"><span class="outcome">{_t(result.outcome)}</span>'
        f'<code class="test-id">{_t(result.id)}</code>'
        f'<span class="cites">cites {_t(cites)}</span>{since}{diagnosis}'
        f'<pre class="reason">{_t(reason)}</pre>{stderr}</li>'
    )


def _drill(cell: Cell) -> str:
    if not cell.drill:
        return ""
    failing = cell.failing
    known = len(cell.drill) - failing
    label = ", ".join(
        part
        for part in (
            _plural(failing, "failing test") if failing else "",
            _plural(known, "known failure") if known else "",
        )
        if part
    )
    items = "".join(_test_item(r) for r in cell.drill)
    return (
        f'<details class="drill"><summary>Show {label}</summary>'
        f'<ul class="tests">{items}</ul></details>'
    )


def _cell(cell: Cell) -> str:
    status = cell.counts.status
    counts = f'<span class="counts">{_counts_text(cell.counts)}</span>' if cell.counts.total else ""
    return f'<td class="cell s-{status}">{_status(status)}{counts}{_drill(cell)}</td>'


def _row_id(profile: str, rid: str | None) -> str:
    return f"r-{profile}-{rid.lower() if rid else 'none'}"


def _summary_cell(block: ProfileBlock, summary: ProfileSummary | None, total: Cell) -> str:
    if summary is None:
        return '<td class="cell s-none"><span class="status">not in this report</span></td>'
    status = total.counts.status
    claim = "claimed" if summary.claimed else "not claimed"
    failed = ""
    if summary.failed_requirements:
        links = ", ".join(
            f'<a href="#{_row_id(block.name, rid)}">{_t(rid)}</a>'
            for rid in summary.failed_requirements
        )
        failed = f'<span class="failed-reqs">failed requirements: {links}</span>'
    return (
        f'<td class="cell s-{status}">{_status(status)}'
        f'<span class="counts">{claim} · {_counts_text(summary.counts)}</span>{failed}</td>'
    )


def _profile(block: ProfileBlock, base_url: str) -> Iterator[str]:
    yield f'<tbody class="profile" id="profile-{_t(block.name)}">'
    yield (
        f'<tr class="summary"><th scope="row">Profile {_t(block.name)}'
        '<span class="sub">summary of the profile</span></th>'
    )
    for summary, total in zip(block.summaries, block.totals, strict=True):
        yield _summary_cell(block, summary, total)
    yield "</tr>"
    for row in block.rows:
        if row.requirement is None:
            head = "no requirement cited"
        else:
            url = spec_url(base_url, row.requirement)
            label = _t(row.requirement)
            head = f'<a href="{_t(url)}">{label}</a>' if url else label
        yield f'<tr class="req" id="{_row_id(block.name, row.requirement)}">'
        yield f'<th scope="row">{head}</th>'
        yield from (_cell(cell) for cell in row.cells)
        yield "</tr>"
    yield "</tbody>"


def _legend() -> str:
    items = "".join(
        f'<li><span class="swatch s-{status}" aria-hidden="true">{glyph}</span>'
        f"<span><strong>{word}</strong>: {_STATUS_HELP[status]}</span></li>"
        for status, (glyph, word) in _STATUS.items()
    )
    return f'<ul class="legend" aria-label="legend">{items}</ul>'


def render_matrix(matrix: Matrix, base_url: str, extra: Sequence[str] = ()) -> str:
    """The whole page; ``extra`` is more sections (HTML lines) after the matrix."""
    reports = matrix.reports
    n = len(reports)
    names = ", ".join(_t(_impl_label(r)) for r in reports)
    spec_versions = ", ".join(_t(v) for v in sorted({r.spec_version for r in reports}))
    suites = ", ".join(_t(v) for v in sorted({r.suite_version for r in reports}))
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="gritwit {_t(__version__)}">',
        f"<title>Grit conformance: {names}</title>",
        f"<style>{CSS}</style></head><body>",
        "<header><h1>Grit conformance report</h1>",
        f'<p class="lead">{_plural(n, "implementation")} · spec {spec_versions} · '
        f"conformance suite {suites}</p>",
    ]
    warnings = _warnings(reports)
    if warnings:
        out.append('<ul class="warnings" role="note">')
        out += [f"<li>{w}</li>" for w in warnings]
        out.append("</ul>")
    out += [
        "</header><main>",
        '<section aria-labelledby="impls"><h2 id="impls">Implementations</h2>',
    ]
    out.append('<div class="cards">')
    out += [_card(i, r, t) for i, (r, t) in enumerate(zip(reports, matrix.totals, strict=True), 1)]
    out += ["</div></section>", '<section aria-labelledby="matrix-title">']
    out += [
        '<h2 id="matrix-title">Compliance matrix</h2>',
        '<p class="lead">One column per implementation; rows by profile, then by the '
        "requirement IDs the tests cite (linked to the spec; a test counts in the row of each "
        "requirement it cites). Open a cell's details for its failing tests and reasons.</p>",
        _legend(),
        '<div class="matrix-wrap"><table class="matrix" id="matrix">',
        "<caption>Test outcomes per profile and requirement (rows) and implementation "
        "(columns)</caption>",
        '<thead><tr><th scope="col" class="corner">Profile / requirement</th>',
    ]
    out += [_column_head(i, r) for i, r in enumerate(reports, 1)]
    out.append("</tr></thead>")
    for block in matrix.profiles:
        out += _profile(block, base_url)
    out += ["</table></div></section>", *extra, "</main>"]
    sources = ", ".join(f"<code>{_t(PurePath(r.source).name)}</code>" for r in reports)
    out.append(f"<footer>Rendered by gritwit {_t(__version__)} from {sources}.</footer>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
