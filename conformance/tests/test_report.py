"""``gritwit report``: loading, validating and rendering conformance reports as HTML.

The fixtures are written by hand (two implementations: one passing everything,
one with failures, errors, known failures and an unclaimed profile); the page is
read back with the standard library's HTML parser, never by string matching on
the renderer's own templates.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit_conformance.report import (
    ReportError,
    add_report_parser,
    load_report,
    main_report,
    parse_report,
    render,
    render_reports,
    report_schema,
    spec_url,
)
from gritwit_conformance.trace import collect_definitions

ROOT = Path(__file__).resolve().parents[2]
STATUS_WORDS = {"pass", "fail", "errored", "known failures", "not claimed", "no tests"}

# -- a small DOM, built with html.parser -------------------------------------------------

_VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr", "area", "col", "base"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> list[Node]:
        found = [self]
        for child in self.children:
            if isinstance(child, Node):
                found += child.iter()
        return found

    def find_all(self, tag: str, cls: str | None = None) -> list[Node]:
        return [
            n
            for n in self.iter()
            if n.tag == tag and (cls is None or cls in n.attrs.get("class", "").split())
        ]

    def by_id(self, ident: str) -> Node:
        (node,) = [n for n in self.iter() if n.attrs.get("id") == ident]
        return node


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(page: str) -> Node:
    builder = _Builder()
    builder.feed(page)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


# -- hand-written fixtures ---------------------------------------------------------------

_KEYS = {
    "passed": "passed",
    "failed": "failed",
    "errored": "errored",
    "not-claimed": "notClaimed",
    "expected-failure": "expectedFailures",
    "unexpected-pass": "unexpectedPasses",
    "timed-out": "timedOut",
    "not-applicable": "notApplicable",
}


def result(id: str, profile: str, reqs: list[str], outcome: str, reason: str = "") -> Any:
    return {
        "id": id,
        "profile": profile,
        "requirements": reqs,
        "outcome": outcome,
        "reason": reason,
        "duration": 0.01,
    }


def report(impl: dict[str, Any], results: list[Any], claimed: list[str], **top: Any) -> Any:
    """A report; the per-profile summary is tallied here, independently of gritwit."""
    profiles: dict[str, Any] = {}
    for r in results:
        entry = profiles.setdefault(
            r["profile"],
            {"claimed": r["profile"] in claimed, "failedRequirements": []}
            | {k: 0 for k in _KEYS.values()},
        )
        entry[_KEYS[r["outcome"]]] += 1
        if r["outcome"] in ("failed", "errored", "unexpected-pass"):
            entry["failedRequirements"] = sorted({*entry["failedRequirements"], *r["requirements"]})
    document = {
        "format": "gritwit-report/1",
        "suite": {"name": "gritwit-conformance", "version": "0.1.0"},
        "specVersion": "0.1.0",
        "protocol": 1,
        "implementation": {"profiles": claimed, "command": "./adapter", **impl},
        "started": "2026-11-21T05:00:00Z",
        "duration": 12.3,
        "profiles": profiles,
        "results": results,
    }
    return document | top


V = "suite/codec/test_vectors.py::test_vector"
COUNTEREXAMPLE = "Falsifying example: test_decode(data=b'\\x18\\x17')"
FAIL_REASON = f"expected error class non-shortest, got malformed\n{COUNTEREXAMPLE}"
ERROR_REASON = "adapter broke: internal: panic: index out of range [3]"


def alpha() -> Any:
    """Passes everything."""
    impl = {"name": "alpha-grit", "version": "1.2.0", "language": "rust", "spec": "0.1.0"}
    return report(
        impl | {"homepage": "https://alpha.example/"},
        [
            result(f"{V}[encoding.json:ints/0x00]", "codec", ["ENC-007", "ENC-014"], "passed"),
            result(f"{V}[encoding.json:ints/0x1817]", "codec", ["ENC-007"], "passed"),
            result("codec/test_d.py::test_hostile", "codec", ["ENC-016", "CONV-004"], "passed"),
            result("store/test_refs.py::cas", "store", ["REF-004"], "passed"),
            result("store/test_obj.py::put", "store", ["STO-002", "STO-003"], "passed"),
            result("suite/protocol/test_hs.py::test_hello", "protocol", ["ADP-005"], "passed"),
        ],
        claimed=["codec", "store", "protocol"],
        started="2026-11-21T05:00:00Z",
    )


def beta() -> Any:
    """Claims codec only; fails, errors, declares known failures."""
    impl = {"name": "beta-grit", "version": "0.3.0", "language": "go", "spec": "0.1.0"}
    return report(
        impl | {"homepage": "https://beta.example/"},
        [
            result(f"{V}[encoding.json:ints/0x00]", "codec", ["ENC-007", "ENC-014"], "passed"),
            result(f"{V}[encoding.json:ints/0x1817]", "codec", ["ENC-007"], "failed", FAIL_REASON),
            result(
                "codec/test_d.py::test_hostile",
                "codec",
                ["ENC-016", "CONV-004"],
                "errored",
                ERROR_REASON,
            ),
            result("codec/test_o.py::names", "codec", ["OBJ-011"], "expected-failure", "no NFC"),
            result("codec/test_o.py::hdrs", "codec", ["OBJ-007"], "unexpected-pass", "stale"),
            result("store/test_refs.py::cas", "store", ["REF-004"], "not-claimed", "no store"),
            result("store/test_obj.py::put", "store", ["STO-002", "STO-003"], "not-claimed"),
            result("suite/protocol/test_hs.py::test_hello", "protocol", ["ADP-005"], "passed"),
            result("suite/conftest.py::setup", "harness", [], "passed"),
        ],
        claimed=["codec", "protocol", "harness"],
        started="2026-11-22T06:30:00+00:00",
    )


def write(tmp: Path, name: str, document: Any) -> Path:
    path = tmp / name
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


@pytest.fixture
def page(tmp_path: Path) -> Node:
    paths = [write(tmp_path, "alpha.json", alpha()), write(tmp_path, "beta.json", beta())]
    return parse_html(render_reports(paths))


def row_cells(page: Node, row_id: str) -> list[Node]:
    return page.by_id(row_id).find_all("td")


def status(cell: Node) -> str:
    (span,) = cell.find_all("span", "status")
    return span.text().replace("✓", "").replace("✗", "").replace("⚠", "").strip(" ≈–·")


def counts(cell: Node) -> str:
    return "".join(span.text() for span in cell.find_all("span", "counts"))


# -- the matrix -------------------------------------------------------------------------


@pytest.mark.req("CONV-005")
def test_matrix_has_one_column_per_report_and_rows_by_profile_then_requirement(page: Node) -> None:
    (table,) = page.find_all("table", "matrix")
    assert [th.find_all("a")[0].text() for th in table.find_all("th", "impl")] == [
        "alpha-grit",
        "beta-grit",
    ]
    bodies = table.find_all("tbody")
    assert [b.attrs["id"] for b in bodies] == [
        "profile-codec",
        "profile-harness",
        "profile-protocol",
        "profile-store",
    ]
    codec_rows = [tr.attrs["id"] for tr in bodies[0].find_all("tr", "req")]
    assert codec_rows == [
        f"r-codec-{rid}"
        for rid in ("conv-004", "enc-007", "enc-014", "enc-016", "obj-007", "obj-011")
    ]
    assert [tr.attrs["id"] for tr in bodies[1].find_all("tr", "req")] == ["r-harness-none"]
    for body in bodies:  # the summary row comes first in each group
        assert body.find_all("tr")[0].attrs["class"] == "summary"


@pytest.mark.req("CONV-004")
def test_cells_count_outcomes_in_words(page: Node) -> None:
    expected = {
        "r-codec-enc-007": [("pass", "2 passed"), ("fail", "1 passed · 1 failed")],
        "r-codec-conv-004": [("pass", "1 passed"), ("errored", "1 errored")],
        "r-codec-obj-011": [("no tests", ""), ("known failures", "1 expected failure")],
        "r-codec-obj-007": [("no tests", ""), ("fail", "1 unexpected pass")],
        "r-store-sto-003": [("pass", "1 passed"), ("not claimed", "1 not claimed")],
        "r-harness-none": [("no tests", ""), ("pass", "1 passed")],
    }
    for row_id, cells in expected.items():
        found = [(status(c), counts(c)) for c in row_cells(page, row_id)]
        assert found == cells, row_id
    classes = [c.attrs["class"] for c in row_cells(page, "r-codec-enc-007")]
    assert classes == ["cell s-pass", "cell s-fail"]


@pytest.mark.req("CONV-004")
def test_every_cell_says_its_status_in_text_not_colour_alone(page: Node) -> None:
    cells = page.find_all("td", "cell")
    assert len(cells) > 20
    for cell in cells:
        assert status(cell) in STATUS_WORDS | {"not in this report"}, cell.text()


@pytest.mark.req("CONV-004")
def test_failing_cells_drill_down_to_tests_with_reasons_and_counterexamples(page: Node) -> None:
    passing, failing = row_cells(page, "r-codec-enc-007")
    assert not passing.find_all("details")
    (details,) = failing.find_all("details")
    assert details.find_all("summary")[0].text() == "Show 1 failing test"
    (item,) = details.find_all("li")
    assert item.find_all("code")[0].text() == f"{V}[encoding.json:ints/0x1817]"
    assert item.find_all("pre")[0].text() == FAIL_REASON  # the minimal counterexample too
    (_, errored) = row_cells(page, "r-codec-conv-004")
    assert errored.find_all("pre")[0].text() == ERROR_REASON
    assert errored.find_all("span", "outcome")[0].text() == "errored"
    (_, xfail) = row_cells(page, "r-codec-obj-011")
    assert xfail.find_all("summary")[0].text() == "Show 1 known failure"


@pytest.mark.req("CONV-005")
def test_profile_summary_row_counts_and_links_failed_requirements(page: Node) -> None:
    summary = page.by_id("profile-codec").find_all("tr", "summary")[0]
    alpha_cell, beta_cell = summary.find_all("td")
    assert status(alpha_cell) == "pass"
    assert counts(alpha_cell) == "claimed · 3 passed"
    assert status(beta_cell) == "fail"
    assert counts(beta_cell) == (
        "claimed · 1 passed · 1 failed · 1 errored · 1 expected failure · 1 unexpected pass"
    )
    links = beta_cell.find_all("a")
    assert [a.text() for a in links] == ["CONV-004", "ENC-007", "ENC-016", "OBJ-007"]
    for a in links:
        assert page.by_id(a.attrs["href"].removeprefix("#")).tag == "tr"
    store = page.by_id("profile-store").find_all("tr", "summary")[0].find_all("td")
    assert counts(store[1]) == "not claimed · 2 not claimed"
    harness = page.by_id("profile-harness").find_all("tr", "summary")[0].find_all("td")
    assert status(harness[0]) == "not in this report"


@pytest.mark.req("CONV-005")
def test_requirement_rows_link_to_the_spec_anchor(tmp_path: Path) -> None:
    path = write(tmp_path, "beta.json", beta())
    for base, prefix in (
        (None, "spec/"),
        ("https://example.org/gritwit/spec", "https://example.org/gritwit/spec/"),
        ("../docs/", "../docs/"),
    ):
        html = render_reports([path]) if base is None else render_reports([path], base_url=base)
        row = parse_html(html).by_id("r-codec-enc-007")
        assert row.find_all("th")[0].find_all("a")[0].attrs["href"] == (
            f"{prefix}01-encoding.html#enc-007"
        )


@pytest.mark.req("CONV-005")
def test_every_requirement_of_the_spec_links_to_its_own_chapter() -> None:
    defined, _ = collect_definitions(ROOT / "spec")
    assert len(defined) > 50
    for rid, chapter in defined.items():
        assert spec_url("", rid) == f"{chapter.removesuffix('.md')}.html#{rid.lower()}"


@pytest.mark.req("CONV-003")
def test_each_implementation_has_a_header_with_versions_and_time(page: Node) -> None:
    card = page.by_id("impl-2")
    assert card.find_all("h3")[0].text() == "beta-grit 0.3.0"
    fields = dict(
        zip(
            [dt.text() for dt in card.find_all("dt")],
            [dd.text() for dd in card.find_all("dd")],
            strict=True,
        )
    )
    assert fields["language"] == "go"
    assert fields["spec"] == "0.1.0"
    assert fields["suite"] == "gritwit-conformance 0.1.0"
    assert fields["started"] == "2026-11-22T06:30:00+00:00"
    assert fields["duration"] == "12.3 s"
    assert fields["claims"] == "codec, protocol, harness"
    column = page.by_id("col-2").text()
    for part in ("beta-grit", "0.3.0", "go", "spec 0.1.0", "suite 0.1.0", "2026-11-22T06:30"):
        assert part in column


@pytest.mark.req("CONV-003")
def test_differing_spec_versions_are_flagged(tmp_path: Path) -> None:
    older = beta()
    older["implementation"]["spec"] = "0.0.9"
    newer = alpha() | {"specVersion": "0.2.0"}
    page = parse_html(
        render_reports([write(tmp_path, "a.json", newer), write(tmp_path, "b.json", older)])
    )
    (warnings,) = page.find_all("ul", "warnings")
    text = warnings.text()
    assert "different spec versions (0.1.0, 0.2.0)" in text
    # The lines the terminal and JUnit give too (ADP-020.3): beta fails 3 tests, none
    # marked 'since' (a gritwit-report/1 file has no such field).
    assert (
        "beta-grit 0.3.0: implementation claims spec 0.0.9; this suite is 0.1.0: 0 of the 3 "
        "failing test(s) concern clauses added or changed since 0.0.9 (marked 'since')."
    ) in text
    assert "beta-grit 0.3.0: --spec-version 0.0.9 leaves out tests of clauses added" in text
    assert "alpha-grit 1.2.0: implementation claims spec 0.1.0; this suite is 0.2.0" in text
    assert "targets 0.0.9" in page.by_id("impl-2").text()


@pytest.mark.req("ADP-020.1", "ADP-020.3")
def test_a_version_three_report_shows_since_notes_and_the_applied_version(
    tmp_path: Path,
) -> None:
    """``since``, ``claimedSpec``, ``appliedSpec``, timed-out and not-applicable (ADP-020)."""
    document = beta()
    document["results"][1]["since"] = ["changed in 0.1.0: ENC-007 <b>added</b>"]
    document["results"].append(
        result("codec/test_t.py::slow", "codec", ["ADP-012"], "timed-out", "no response")
    )
    document["results"].append(
        result("codec/test_t.py::new", "codec", ["ENC-020"], "not-applicable", "newer")
    )
    document = report(
        document["implementation"], document["results"], ["codec", "protocol", "harness"]
    )
    for entry in document["profiles"].values():
        entry |= {"skipped": 0, "notRun": 0}
    document["profiles"]["codec"]["failedRequirements"].append("ADP-012")
    document |= {
        "format": "gritwit-report/3",
        "collected": len(document["results"]),
        "claimedSpec": "0.0.9",
        "appliedSpec": "0.0.9",
    }
    path = write(tmp_path, "three.json", document)
    loaded = load_report(path)
    assert loaded.claimed_spec == loaded.applied_spec == "0.0.9"
    assert loaded.results[0].since == ()  # sorted by id: codec/test_d.py::test_hostile
    text = render_reports([path])
    assert "since: changed in 0.1.0: ENC-007 &lt;b&gt;added&lt;/b&gt;" in text
    assert "1 of the 4 failing test(s) concern clauses added or changed since 0.0.9" in text
    assert "--spec-version 0.0.9 applied: 1 test(s) of clauses added since 0.0.9" in text
    assert "1 timed out" in text and "1 not applicable" in text
    # The same document as /2 cannot carry them: refused, not misread.
    path.write_text(json.dumps(document | {"format": "gritwit-report/2"}), encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        load_report(path)
    assert "'timed-out' and 'not-applicable' need gritwit-report/3" in str(caught.value)
    assert "'claimedSpec', 'appliedSpec', 'since' need gritwit-report/3" in str(caught.value)
    # And /3 without the version fields is incomplete.
    del document["claimedSpec"]
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ReportError, match="requires 'claimedSpec'"):
        load_report(path)


# -- untrusted input ------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script>'
ATTR_BREAK = "\"'><img src=x onerror=alert(1)>"


def hostile_report() -> Any:
    document = beta()
    document["implementation"] |= {
        "name": HOSTILE,
        "version": ATTR_BREAK,
        "language": "</td></tr></table><h1>",
        "homepage": "javascript:alert(1)",
        "command": HOSTILE,
        "spec": ATTR_BREAK,
        "error": HOSTILE,
    }
    document["results"][1]["id"] = f"{V}[{ATTR_BREAK}]"
    document["results"][1]["reason"] = f"{HOSTILE} &amp; {ATTR_BREAK}"
    return document


@pytest.mark.req("CONV-004")
def test_hostile_text_is_escaped_everywhere(tmp_path: Path) -> None:
    html = render_reports([write(tmp_path, "<x>.json", hostile_report())])
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered
    page = parse_html(html)
    allowed = {"#document", "html", "head", "meta", "title", "style", "body", "header", "h1"}
    allowed |= {"p", "ul", "li", "main", "section", "h2", "div", "article", "h3", "dl", "dt"}
    allowed |= {"dd", "span", "code", "time", "strong", "table", "caption", "thead", "tr", "th"}
    allowed |= {"a", "tbody", "td", "details", "summary", "pre", "footer"}
    assert {n.tag for n in page.iter()} <= allowed
    for node in page.iter():
        assert not any(name.startswith("on") for name in node.attrs)
        assert not node.attrs.get("href", "").lower().startswith("javascript:")
        assert "src" not in node.attrs
    (cell,) = row_cells(page, "r-codec-enc-007")
    assert cell.find_all("pre")[0].text() == f"{HOSTILE} &amp; {ATTR_BREAK}"
    assert cell.find_all("code")[0].text() == f"{V}[{ATTR_BREAK}]"
    assert page.by_id("impl-1").find_all("h3")[0].text() == f"{HOSTILE} {ATTR_BREAK}"
    assert len(page.find_all("h1")) == 1


_text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=60)


@given(name=_text.filter(bool), reason=_text)
@pytest.mark.req("CONV-004")
def test_any_text_comes_back_unchanged_through_the_page(name: str, reason: str) -> None:
    document = beta()
    document["implementation"]["name"] = name
    document["results"][1]["reason"] = reason or "x"
    page = parse_html(render([parse_report("r.json", json.dumps(document).encode())]))
    assert page.by_id("impl-1-name").text() == f"{name} 0.3.0"
    (cell,) = row_cells(page, "r-codec-enc-007")
    assert cell.find_all("pre")[0].text() == (reason or "x")


@pytest.mark.req("CONV-004")
def test_control_characters_in_reasons_are_made_visible(tmp_path: Path) -> None:
    document = beta()
    document["results"][1]["reason"] = "\x1b[31mred\x1b[0m\x00 \ud800 tab\tline\n"
    html = render_reports([write(tmp_path, "c.json", document)])
    assert "\x1b" not in html and "\x00" not in html
    (cell,) = row_cells(parse_html(html), "r-codec-enc-007")
    assert cell.find_all("pre")[0].text() == "\\x1b[31mred\\x1b[0m\\x00 \\ud800 tab\tline\n"


@pytest.mark.req("CONV-005")
def test_the_page_is_self_contained(page: Node) -> None:
    assert not page.find_all("script") and not page.find_all("link")
    (csp,) = [m for m in page.find_all("meta") if m.attrs.get("http-equiv")]
    assert "default-src 'none'" in csp.attrs["content"]
    hrefs = [a.attrs["href"] for a in page.find_all("a")]
    external = {h for h in hrefs if not h.startswith(("#", "spec/"))}
    assert external == {"https://alpha.example/", "https://beta.example/"}


# -- invalid reports --------------------------------------------------------------------


def _edit(change: Any) -> bytes:
    document = beta()
    change(document)
    return json.dumps(document).encode()


def _set(path: list[Any], value: Any) -> Any:
    def change(document: Any) -> None:
        for key in path[:-1]:
            document = document[key]
        document[path[-1]] = value

    return change


INVALID = {
    "not-json": (b"<testsuite/>", "not JSON"),
    "not-utf8": (b'{"format": "\xff"}', "not UTF-8"),
    "deep": (b"[" * 100_000 + b"]" * 100_000, "not JSON: nested too deeply"),
    "nan": (_edit(_set(["duration"], 1.0)).replace(b"1.0", b"NaN"), "NaN is not JSON"),
    "duplicate-key": (b'{"format": 1, "format": 2}', "duplicate key 'format'"),
    "not-object": (b"[]", "$: [] is not of type 'object'"),
    "format": (_edit(_set(["format"], "gritwit-report/4")), "$.format: 'gritwit-report/4'"),
    "missing": (_edit(lambda d: d.pop("specVersion")), "'specVersion' is a required property"),
    "spec-version": (_edit(_set(["specVersion"], "one")), "$.specVersion: 'one' does not match"),
    "outcome": (_edit(_set(["results", 0, "outcome"], "exploded")), "$.results[0].outcome"),
    "requirement": (
        _edit(_set(["results", 2, "requirements"], ["enc-7"])),
        "$.results[2].requirements[0]: 'enc-7' does not match",
    ),
    "count": (
        _edit(_set(["profiles", "codec", "passed"], 7)),
        "$.profiles.codec.passed: says 7, but 1 result(s) of profile 'codec' are 'passed'",
    ),
    "failed-reqs": (
        _edit(_set(["profiles", "codec", "failedRequirements"], [])),
        "$.profiles.codec.failedRequirements: says [], but the failing results cite",
    ),
    "dup-id": (
        _edit(_set(["results", 1, "id"], f"{V}[encoding.json:ints/0x00]")),
        "$.results[1].id: test id 'suite/codec/test_vectors.py::test_vector[encoding.json:"
        "ints/0x00]' appears twice",
    ),
    "no-summary": (
        _edit(lambda d: d["profiles"].pop("harness")),
        "no summary for profile 'harness'",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID))
@pytest.mark.req("CONV-003", "CONV-005")
def test_invalid_reports_are_refused_with_a_clear_error(tmp_path: Path, case: str) -> None:
    data, expected = INVALID[case]
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    with pytest.raises(ReportError) as caught:
        render_reports([write(tmp_path, "good.json", alpha()), path])
    assert str(caught.value).startswith(f"{path}: not a valid gritwit-report/3 report:")
    assert expected in str(caught.value)


@pytest.mark.req("CONV-003")
def test_cli_reports_a_bad_file_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.html"
    missing = tmp_path / "missing.json"
    args = _parser().parse_args(["report", str(missing), "-o", str(out)])
    assert main_report(args) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"gritwit report: {missing}: not a valid") and "cannot read" in err
    assert not out.exists()


# -- the schema, the CLI, determinism ---------------------------------------------------


@pytest.mark.req("CONV-003", "CONV-005")
def test_schema_is_a_valid_2020_12_schema_and_accepts_the_fixtures() -> None:
    jsonschema.Draft202012Validator.check_schema(report_schema())
    for document in (alpha(), beta()):
        jsonschema.Draft202012Validator(report_schema()).validate(document)


@pytest.mark.req("CONV-005")
def test_summaries_made_by_the_harness_are_accepted() -> None:
    build_summary = pytest.importorskip(
        "gritwit_conformance.runs._run_report",
        reason="gritwit_conformance is not importable: pip install -e . from the repository root",
    ).build_summary
    document = beta()
    document["profiles"] = build_summary(copy.deepcopy(document["results"]), ["codec"])
    parse_report("harness.json", json.dumps(document).encode())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gritwit")
    add_report_parser(parser.add_subparsers(dest="command", required=True))
    return parser


@pytest.mark.req("CONV-005")
def test_cli_writes_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(write(tmp_path, "a.json", alpha())), str(write(tmp_path, "b.json", beta()))]
    out = tmp_path / "page.html"
    base = "https://example.org/spec/"
    args = _parser().parse_args(["report", *paths, "-o", str(out), "--spec-base-url", base])
    assert args.handler(args) == 0
    expected = render_reports([Path(p) for p in paths], base_url=base)
    assert out.read_text(encoding="utf-8") == expected
    capsys.readouterr()
    args = _parser().parse_args(["report", paths[0], "-o", "-"])
    assert args.handler(args) == 0
    assert capsys.readouterr().out == render_reports([Path(paths[0])])


@given(order=st.permutations(range(len(beta()["results"]))), indent=st.sampled_from([None, 2]))
@pytest.mark.req("CONV-005")
def test_output_depends_only_on_the_content(order: list[int], indent: int | None) -> None:
    document = beta()
    shuffled = dict(reversed(document.items())) | {
        "results": [document["results"][i] for i in order]
    }
    first = render_data("r.json", json.dumps(document).encode())
    second = render_data("r.json", json.dumps(shuffled, indent=indent).encode())
    assert first == second


def render_data(name: str, data: bytes) -> str:
    return render([parse_report(name, data)])


@pytest.mark.req("CONV-005")
def test_output_is_the_same_across_processes(tmp_path: Path) -> None:
    paths = [write(tmp_path, "a.json", alpha()), write(tmp_path, "b.json", beta())]
    code = (
        "import sys; from pathlib import Path; "
        "from gritwit_conformance.report import render_reports; "
        "sys.stdout.write(render_reports([Path(p) for p in sys.argv[1:]]))"
    )
    outputs = set()
    for seed in ("1", "2", "3"):
        env = os.environ | {"PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code, *map(str, paths)],
            env=env,
            capture_output=True,
            timeout=60,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert outputs.pop().decode() == render_reports(paths)


@pytest.mark.req("ADP-020.4")
def test_junit_lists_the_tests_in_the_order_they_ran_and_counts_as_the_json() -> None:
    """The JSON is sorted by id; JUnit keeps the run's order (a reader of it, such as
    test_wrong_adapters.py, tells what passed after a broken exchange)."""
    from gritwit_conformance.report._junit import junit_xml

    document = beta()
    document["profiles"]["codec"] |= {"skipped": 0, "notRun": 0}
    ids = [r["id"] for r in document["results"]]
    ran = list(reversed(ids))
    root = ET.fromstring(junit_xml(document, ran))
    names = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert [f"{k.replace('.', '/')}.py::{n}" for k, n in names] == ran
    kinds = {
        c.get("name"): [(e.tag, e.get("type")) for e in c if e.tag != "properties"]
        for c in root.iter("testcase")
    }
    assert kinds["test_hostile"] == [("error", "errored")]  # never a <failure>
    assert kinds["names"] == [("skipped", "expected-failure")]
    assert kinds["hdrs"] == [("failure", "unexpected-pass")]
    assert (root.get("errors"), root.get("failures"), root.get("skipped")) == ("1", "2", "3")
    assert root.get("tests") == str(len(ids))
