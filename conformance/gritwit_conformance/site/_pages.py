"""The site's files as text, from a :class:`~._model.Site` (pure; no file is touched).

Every text that comes from a report (names, versions, test ids, reasons, marks) is
untrusted and goes through :func:`_t`: control characters made visible, HTML
escaped with quotes, so it is text wherever it lands.  Pages carry no script and a
Content-Security-Policy that forbids scripts and any fetch but the site's own
images, so the site works from a folder, offline.  Colour is never the only signal:
each cell says its status in words and spells out its counts (ADP-020: the counts
are the report's own).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Final

from gritwit._version import __version__

from ..report import Report, ReportError
from ..report._model import FAILING, OUTCOMES, Counts
from ..report._story import version_lines
from ._badge import Badge, badge, badge_svg, endpoint_json
from ._model import Entry, Implementation, Site, judged, slug
from ._style import CSS

__all__ = ["badge_path", "render_files"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' file:; base-uri 'none'"
_STATUS_WORD: Final = {
    "pass": "pass",
    "fail": "fail",
    "errored": "errored",
    "timed-out": "timed out",
    "incomplete": "incomplete",
    "xfail": "known failures",
    "skipped": "skipped",
    "not-applicable": "not applicable",
    "not-claimed": "not claimed",
    "none": "no tests",
}
_OUTCOME_WORD: Final = {
    "passed": "passed",
    "failed": "failed",
    "errored": "errored",
    "timed-out": "timed out",
    "not-claimed": "not claimed",
    "not-applicable": "not applicable",
    "expected-failure": "expected failure(s)",
    "unexpected-pass": "unexpected pass(es)",
    "skipped": "skipped",
    "not-run": "never ran",
}
assert set(_OUTCOME_WORD) == set(OUTCOMES)
#: Failures by requirement are listed open up to this many entries, else folded.
_OPEN_UP_TO: Final = 40


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if 0xD800 <= code <= 0xDFFF else f"\\x{code:02x}"


def _t(text: str) -> str:
    """Untrusted text as HTML text or attribute value."""
    return html.escape(_CONTROL.sub(_visible, text), quote=True)


def badge_path(impl: Implementation, entry: Entry, profile: str) -> str:
    """Where the badge of ``profile`` in ``entry`` lives, from the site's root, without suffix."""
    return f"badges/{impl.slug}/{slug(entry.version)}/{slug(profile)}"


def _page(title: str, body: list[str]) -> str:
    head = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_t(title)}</title><style>{CSS}</style></head><body>"
    )
    foot = f"<footer>Made by gritwit {_t(__version__)} (<code>gritwit site</code>).</footer>"
    return head + "\n".join(body) + foot + "</body></html>\n"


def _counts(counts: Counts) -> str:
    spans = [f'<span class="c-{o}">{n} {_OUTCOME_WORD[o]}</span>' for o, n in counts.items() if n]
    return f'<span class="counts">{"".join(spans) or "no tests"}</span>'


def _badge_of(impl: Implementation, entry: Entry, profile: str) -> Badge:
    summary = entry.report.profile(profile)
    counts = summary.counts if summary is not None else Counts()
    version = entry.report.implementation.version
    title = f"{impl.name} {version}" if version else impl.name
    return badge(title, profile, entry.version, counts, entry.report.selection_note)


def _cell(impl: Implementation, entry: Entry, profile: str, up: str) -> str:
    summary = entry.report.profile(profile)
    if summary is None:
        return (
            f'<td class="cell s-none" data-profile="{_t(profile)}">'
            '<span class="status">not in this report</span></td>'
        )
    counts = summary.counts
    b = _badge_of(impl, entry, profile)
    src = f"{up}{badge_path(impl, entry, profile)}.svg"
    img = f'<img src="{_t(src)}" alt="{_t(b.label)}: {_t(b.message)}" height="20">'
    ratio = (
        f'<span class="ratio"><span class="n-passed">{counts.passed}</span>/'
        f'<span class="n-judged">{judged(counts)}</span> passed</span>'
    )
    return (
        f'<td class="cell s-{counts.status}" data-profile="{_t(profile)}">'
        + img
        + f'<span class="status">{_STATUS_WORD[counts.status]}</span> '
        + (ratio if judged(counts) else "")
        + f"<br>{_counts(counts)}"
        + _selection_span(entry)
        + "</td>"
    )


def _selection_span(entry: Entry) -> str:
    """A cell of a run of some tests says so (ADP-020.8)."""
    note = entry.report.selection_note
    return f'<br><span class="selection warn">{_t(note)}</span>' if note else ""


def _entry_id(entry: Entry) -> str:
    return f"v-{slug(entry.version)}"


def _index(site: Site) -> str:
    n_reports = sum(len(i.entries) for i in site.implementations)
    body = [
        "<header><h1>Grit/Wit compliance</h1>",
        f'<p class="lead">{len(site.implementations)} implementation(s), {n_reports} '
        "report(s) of <code>gritwit conform</code>. A cell counts the tests of its profile "
        "that passed out of those that ran to a verdict; skipped, not claimed and not "
        "applicable tests count for nothing. Each implementation's page lists its failures "
        "by requirement and its badges.</p></header>",
        '<main><table class="overview" id="overview"><thead><tr>'
        '<th scope="col">implementation</th><th scope="col">spec</th>'
        '<th scope="col">verdict</th>',
    ]
    body += [f'<th scope="col" class="profile">{_t(p)}</th>' for p in site.profiles]
    body.append("</tr></thead><tbody>")
    for impl in site.implementations:
        for entry in impl.entries:
            version = entry.report.implementation.version
            body.append(
                f'<tr id="{_t(impl.slug)}-{_entry_id(entry)}">'
                f'<th scope="row"><a class="impl" '
                f'href="impl/{_t(impl.slug)}.html#{_entry_id(entry)}">'
                f'{_t(impl.name)}</a> <span class="impl-version">{_t(version)}</span></th>'
                f'<td class="spec">{_t(entry.version)}</td>'
                f'<td class="verdict v-{entry.verdict}">{entry.verdict}'
                + (" (of a selection)" if entry.report.selected is not None else "")
                + "</td>"
            )
            body += [_cell(impl, entry, p, "") for p in site.profiles]
            body.append("</tr>")
    body.append("</tbody></table></main>")
    return _page("Grit/Wit compliance", body)


def _homepage(url: str) -> str:
    if re.match(r"https?://", url, re.IGNORECASE):
        return f'<a href="{_t(url)}" rel="noopener noreferrer nofollow">{_t(url)}</a>'
    return _t(url)


def _facts(entry: Entry) -> str:
    report: Report = entry.report
    impl = report.implementation
    rows = [
        ("implementation version", _t(impl.version)),
        ("language", _t(impl.language)),
        ("homepage", _homepage(impl.homepage)),
        ("claims spec", _t(report.claimed_spec or impl.spec)),
        ("judged against spec", _t(entry.version)),
        (
            "suite",
            f"{_t(report.suite_name)} {_t(report.suite_version)} (spec {_t(report.spec_version)})",
        ),
        ("verdict", f'<span class="verdict v-{entry.verdict}">{entry.verdict}</span>'),
        ("started", _t(report.started)),
        ("duration", f"{report.duration:.1f} s"),
        ("report", f"<code>{_t(report.source.rsplit('/', 1)[-1])}</code>"),
    ]
    if report.incomplete or report.interrupted:
        rows.append(("incomplete", _t(report.incomplete or report.interrupted)))
    if report.selection:
        rows.append(("selection", _t(report.selection)))
    if impl.error:
        rows.append(("handshake error", _t(impl.error)))
    if entry.unknown_fields:
        shown = ", ".join(entry.unknown_fields[:8])
        more = f" and {len(entry.unknown_fields) - 8} more" if len(entry.unknown_fields) > 8 else ""
        rows.append(
            ("set aside", f"fields this gritwit does not know: <code>{_t(shown)}</code>{more}")
        )
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows if v)
    return f'<dl class="facts">{items}</dl>'


def _notes(entry: Entry) -> str:
    report = entry.report
    failing = [r for r in report.results if r.outcome in FAILING]
    lines = version_lines(
        claimed=report.claimed_spec or report.implementation.spec,
        applied=report.applied_spec,
        suite=report.spec_version,
        failing=len(failing),
        marked=sum(bool(r.since) for r in failing),
        left_out=sum(r.outcome == "not-applicable" for r in report.results),
    )
    if not lines:
        return ""
    return '<ul class="notes">' + "".join(f"<li>{_t(line)}</li>" for line in lines) + "</ul>"


def _profiles(impl: Implementation, entry: Entry) -> Iterator[str]:
    yield (
        f'<table class="profiles" id="{_entry_id(entry)}-profiles"><thead><tr>'
        '<th scope="col">profile</th><th scope="col">claimed</th><th scope="col">result</th>'
        '<th scope="col">badge</th></tr></thead><tbody>'
    )
    for profile, summary in entry.report.profiles:
        b = _badge_of(impl, entry, profile)
        path = f"../{badge_path(impl, entry, profile)}"
        yield (
            f'<tr data-profile="{_t(profile)}"><th scope="row">{_t(profile)}</th>'
            f"<td>{'yes' if summary.claimed else 'no'}</td>"
            + _cell(impl, entry, profile, "../")
            + f'<td class="badge"><a href="{_t(path)}.svg">SVG</a> · '
            f'<a href="{_t(path)}.json">endpoint JSON</a><br>'
            f"<code>![{_t(b.label)}]({_t(badge_path(impl, entry, profile))}.svg)</code></td></tr>"
        )
    yield "</tbody></table>"


def _failures(entry: Entry) -> Iterator[str]:
    groups = entry.failures_by_requirement()
    yield f'<h3 id="{_entry_id(entry)}-failures">Failures by requirement ({len(groups)})</h3>'
    if not groups:
        yield "<p>No test failed, errored, timed out or passed unexpectedly.</p>"
        return
    # Open when short; a broken adapter fails every test, under every clause it cites.
    opened = " open" if sum(len(r) for _, r in groups) <= _OPEN_UP_TO else ""
    for rid, results in groups:
        name = _t(rid) or "(no requirement cited)"
        anchor = f"{_entry_id(entry)}-{slug(rid) or 'none'}"
        yield (
            f'<details class="req" id="{_t(anchor)}"{opened}><summary>'
            f'<span class="requirement">{name}</span>: {len(results)} failing test(s)'
            '</summary><ul class="tests">'
        )
        for result in results:
            since = "".join(f"<li>since: {_t(mark)}</li>" for mark in result.since)
            yield (
                f'<li class="o-{result.outcome}"><span class="outcome">{result.outcome}</span>'
                f'<code class="test-id">{_t(result.id)}</code>'
                + (f'<ul class="since">{since}</ul>' if since else "")
                + (f'<p class="diagnosis">{_t(result.diagnosis)}</p>' if result.diagnosis else "")
                + (f'<pre class="reason">{_t(result.reason)}</pre>' if result.reason else "")
                + "</li>"
            )
        yield "</ul></details>"


def _impl_page(impl: Implementation) -> str:
    body = [
        '<nav><a href="../index.html">← all implementations</a></nav>',
        f'<header><h1 id="name">{_t(impl.name)}</h1>',
        f'<p class="lead">{len(impl.entries)} report(s): '
        + ", ".join(f'<a href="#{_entry_id(e)}">spec {_t(e.version)}</a>' for e in impl.entries)
        + "</p></header><main>",
    ]
    for entry in impl.entries:
        body.append(f'<section id="{_entry_id(entry)}"><h2>spec {_t(entry.version)}</h2>')
        body += [_facts(entry), _notes(entry), *_profiles(impl, entry), *_failures(entry)]
        body.append("</section>")
    body.append("</main>")
    return _page(f"{impl.name}: Grit/Wit compliance", body)


def render_files(site: Site) -> dict[str, str]:
    """Every file of the site: its path from the site's root → its text."""
    if not site.implementations:
        raise ReportError("gritwit site", ["no report given"])
    files = {"index.html": _index(site)}
    for impl in site.implementations:
        files[f"impl/{impl.slug}.html"] = _impl_page(impl)
        for entry in impl.entries:
            for profile, _ in entry.report.profiles:
                b = _badge_of(impl, entry, profile)
                files[badge_path(impl, entry, profile) + ".svg"] = badge_svg(b)
                files[badge_path(impl, entry, profile) + ".json"] = endpoint_json(b)
    return files
