"""``gritwit site``: the static compliance site (ADP-020.6).

Built from the hand-written reports of ``test_report`` (alpha passes everything,
beta fails, errors and declares known failures) and from a hostile one; pages are
read back with the standard library's HTML parser (``test_report.parse_html``), badges
with ``xml.etree``, and every number is checked against the report files' own JSON,
not against the site's model.
"""

from __future__ import annotations

import argparse
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_report import (
    ATTR_BREAK,
    FAIL_REASON,
    HOSTILE,
    Node,
    V,
    alpha,
    beta,
    hostile_report,
    parse_html,
    report,
    result,
    write,
)

from gritwit_conformance.report import parse_report
from gritwit_conformance.site import add_site_parser
from gritwit_conformance.site._model import build_site
from gritwit_conformance.site._pages import render_files

#: Outcomes' summary keys that count for nothing in a cell (not judged).
NOT_JUDGED = ("notClaimed", "notApplicable", "skipped")
SUMMARY_KEYS = (
    "passed",
    "failed",
    "errored",
    "timedOut",
    "notClaimed",
    "notApplicable",
    "expectedFailures",
    "unexpectedPasses",
    "skipped",
    "notRun",
)
SVG = "{http://www.w3.org/2000/svg}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gritwit")
    add_site_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def build(tmp: Path, *documents: tuple[str, Any]) -> Path:
    """Write ``documents`` and run ``gritwit site`` on them; the site's folder."""
    paths = [str(write(tmp, name, doc)) for name, doc in documents]
    out = tmp / "site"
    args = _parser().parse_args(["site", *paths, "-o", str(out)])
    assert args.handler(args) == 0
    return out


def page(path: Path) -> Node:
    return parse_html(path.read_text(encoding="utf-8"))


def expected_cell(summary: dict[str, Any]) -> tuple[int, int]:
    """``(passed, judged)`` of one profile, from the report's JSON summary."""
    total = sum(summary.get(k, 0) for k in SUMMARY_KEYS)
    return summary["passed"], total - sum(summary.get(k, 0) for k in NOT_JUDGED)


def gamma() -> Any:
    """A ``/3`` report with outcomes that count for nothing (skipped, not applicable) and a
    time-out, against an applied spec version."""
    impl = {"name": "gamma-grit", "version": "0.0.1", "spec": "0.1.0"}
    results = [
        result("codec/test_a.py::one", "codec", ["ENC-007"], "passed"),
        result("codec/test_a.py::two", "codec", ["ENC-008"], "passed"),
        result("codec/test_a.py::new", "codec", ["ENC-020"], "not-applicable", "newer"),
        result("codec/test_a.py::slow", "codec", ["ADP-012"], "timed-out", "no response"),
        result("store/test_s.py::put", "store", ["STO-002"], "passed"),
    ]
    document = report(impl, results, ["codec", "store"])
    for entry in document["profiles"].values():
        entry |= {"skipped": 0, "notRun": 0}
    document["results"].append(
        result("store/test_s.py::big", "store", ["STO-003"], "skipped", "no big disk")
    )
    document["profiles"]["store"]["skipped"] = 1
    document["profiles"]["codec"]["failedRequirements"] = ["ADP-012"]
    return document | {
        "format": "gritwit-report/3",
        "collected": len(document["results"]),
        "claimedSpec": "0.1.0",
        "appliedSpec": "0.1.0",
    }


def rows(index: Node) -> list[Node]:
    (table,) = index.find_all("table", "overview")
    (body,) = table.find_all("tbody")
    return body.find_all("tr")


def cell_numbers(cell: Node) -> tuple[int, int] | None:
    passed, judged = cell.find_all("span", "n-passed"), cell.find_all("span", "n-judged")
    if not passed:
        return None
    return int(passed[0].text()), int(judged[0].text())


@pytest.mark.req("ADP-020.6", "CONV-003")
def test_overview_counts_every_profile_as_its_report_does(tmp_path: Path) -> None:
    documents = {"alpha-grit": alpha(), "beta-grit": beta(), "gamma-grit": gamma()}
    site = build(tmp_path, *((f"{name}.json", doc) for name, doc in documents.items()))
    index = page(site / "index.html")
    heads = [th.text() for th in index.find_all("th", "profile")]
    assert heads == ["codec", "harness", "protocol", "store"]
    found = rows(index)
    assert [r.find_all("a", "impl")[0].text() for r in found] == list(documents)
    for row in found:
        document = documents[row.find_all("a", "impl")[0].text()]
        (spec,) = row.find_all("td", "spec")
        assert spec.text() == (document.get("appliedSpec") or document["specVersion"])
        for cell in row.find_all("td", "cell"):
            summary = document["profiles"].get(cell.attrs["data-profile"])
            if summary is None:
                assert cell_numbers(cell) is None and not cell.find_all("img")
                continue
            passed, judged = expected_cell(summary)
            assert cell_numbers(cell) == ((passed, judged) if judged else None)
            for key in SUMMARY_KEYS:  # every count the report gives, spelled out
                spans = [
                    s.text() for s in cell.find_all("span") if "c-" in s.attrs.get("class", "")
                ]
                if summary.get(key):
                    assert any(s.startswith(f"{summary[key]} ") for s in spans), (key, spans)
    verdicts = [r.find_all("td", "verdict")[0].text() for r in found]
    assert verdicts == ["pass", "fail", "fail"]  # a time-out fails a run (ADP-020.2)


@pytest.mark.req("ADP-020.6", "CONV-003")
def test_a_badge_per_implementation_version_and_profile(tmp_path: Path) -> None:
    site = build(tmp_path, ("a.json", alpha()), ("b.json", beta()))
    for name, document in (("alpha-grit", alpha()), ("beta-grit", beta())):
        for profile, summary in document["profiles"].items():
            stem = site / "badges" / name / document["specVersion"] / profile
            svg = ET.parse(stem.with_suffix(".svg")).getroot()
            texts = [t.text for t in svg.iter(f"{SVG}text")]
            endpoint = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
            assert set(endpoint) == {"schemaVersion", "label", "message", "color"}
            assert endpoint["schemaVersion"] == 1
            assert texts == [endpoint["label"], endpoint["message"]]
            assert endpoint["label"] == f"{profile} {document['specVersion']}"
            passed, judged = expected_cell(summary)
            if not summary["claimed"]:
                assert endpoint["message"] == "not claimed"
            elif summary["failed"] or summary["unexpectedPasses"]:
                assert endpoint["message"] == f"fail {passed}/{judged}"
                assert endpoint["color"] == "red"
            else:
                assert endpoint["message"] == f"{passed}/{judged} passed"
                assert endpoint["color"] == "brightgreen"
    # Every badge an page shows is a file of the site.
    for html_file in site.rglob("*.html"):
        for img in page(html_file).find_all("img"):
            assert (html_file.parent / img.attrs["src"]).resolve().is_file(), img.attrs["src"]


@pytest.mark.req("ADP-020.6", "ADP-020.3", "CONV-004", "CONV-005")
def test_the_implementation_page_lists_failures_by_requirement_with_marks(
    tmp_path: Path,
) -> None:
    document = beta()
    document["results"][1]["since"] = ["changed in 0.1.0: ENC-007 <b>added</b>"]
    document = report(document["implementation"], document["results"], ["codec", "protocol"])
    for entry in document["profiles"].values():
        entry |= {"skipped": 0, "notRun": 0}
    document |= {
        "format": "gritwit-report/3",
        "collected": len(document["results"]),
        "claimedSpec": "0.0.9",
        "appliedSpec": None,
    }
    site = build(tmp_path, ("b.json", document))
    impl = page(site / "impl" / "beta-grit.html")
    failing = [
        r for r in document["results"] if r["outcome"] in ("failed", "errored", "unexpected-pass")
    ]
    cited = sorted({rid for r in failing for rid in r["requirements"]})
    groups = {
        d.find_all("span", "requirement")[0].text(): _items(d)
        for d in impl.find_all("details", "req")
    }
    assert list(groups) == cited
    for rid, items in groups.items():  # each failing test under every requirement it cites
        ids = [i.find_all("code", "test-id")[0].text() for i in items]
        assert ids == [r["id"] for r in failing if rid in r["requirements"]]
    items = groups["ENC-007"]
    assert [i.find_all("code", "test-id")[0].text() for i in items] == [
        f"{V}[encoding.json:ints/0x1817]"
    ]
    (item,) = items
    assert item.find_all("pre", "reason")[0].text() == FAIL_REASON
    (since,) = item.find_all("ul", "since")
    assert since.text() == "since: changed in 0.1.0: ENC-007 <b>added</b>"
    notes = impl.find_all("ul", "notes")[0].text()
    assert (
        f"1 of the {len(failing)} failing test(s) concern clauses added or changed since 0.0.9"
        in notes
    )


def _items(group: Node) -> list[Node]:
    """The test items of one requirement's list of failures."""
    (tests,) = group.find_all("ul", "tests")
    return [c for c in tests.children if isinstance(c, Node) and c.tag == "li"]


@pytest.mark.req("ADP-020.6", "CONV-004")
def test_hostile_text_is_text_in_pages_and_badges(tmp_path: Path) -> None:
    document = hostile_report()
    site = build(tmp_path, ("h.json", document))
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert all(re.fullmatch(r"[a-z0-9./-]+", f) for f in files), files
    for html_file in site.rglob("*.html"):
        text = html_file.read_text(encoding="utf-8")
        assert "<script" not in text.lower()
        assert "<img src=x" not in text.lower()
        dom = parse_html(text)
        for node in dom.iter():
            assert not any(name.startswith("on") for name in node.attrs)
            assert not node.attrs.get("href", "").lower().startswith("javascript:")
    index = page(site / "index.html")
    (row,) = rows(index)
    assert row.find_all("a", "impl")[0].text() == HOSTILE
    assert row.find_all("span", "impl-version")[0].text() == ATTR_BREAK
    (impl_page,) = (site / "impl").iterdir()
    impl = page(impl_page)
    assert impl.by_id("name").text() == HOSTILE
    assert f"{HOSTILE} &amp; {ATTR_BREAK}" in [p.text() for p in impl.find_all("pre", "reason")]
    assert f"{V}[{ATTR_BREAK}]" in [c.text() for c in impl.find_all("code", "test-id")]
    for svg_file in site.rglob("*.svg"):
        svg = ET.parse(svg_file).getroot()  # well-formed XML despite the name
        (title,) = svg.iter(f"{SVG}title")
        assert title.text is not None and title.text.startswith(f"{HOSTILE} {ATTR_BREAK}: ")


@pytest.mark.req("ADP-020.6")
def test_the_site_needs_no_network(tmp_path: Path) -> None:
    site = build(tmp_path, ("a.json", alpha()), ("b.json", beta()))
    for html_file in site.rglob("*.html"):
        dom = page(html_file)
        assert not dom.find_all("script") and not dom.find_all("link")
        (csp,) = [m for m in dom.find_all("meta") if m.attrs.get("http-equiv")]
        assert "default-src 'none'" in csp.attrs["content"]
        for img in dom.find_all("img"):
            assert "://" not in img.attrs["src"]
        external = {a.attrs["href"] for a in dom.find_all("a") if "://" in a.attrs["href"]}
        assert external <= {"https://alpha.example/", "https://beta.example/"}
    for svg_file in site.rglob("*.svg"):
        text = svg_file.read_text(encoding="utf-8")
        assert "href" not in text and "@import" not in text and "url(" not in text


@pytest.mark.req("ADP-020.6")
def test_unknown_fields_are_set_aside_and_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = beta()
    document["exchanges"] = {"whatever": [1, 2]}
    document["results"][1]["replay"] = [{"request": "hello"}]
    site = build(tmp_path, ("b.json", document))
    assert "set aside 2 field(s)" in capsys.readouterr().err
    impl = page(site / "impl" / "beta-grit.html")
    assert "$.exchanges" in impl.text() and "$.results[1].replay" in impl.text()
    # What the report does know is still checked: a summary that lies is refused.
    document["profiles"]["codec"]["passed"] = 5
    path = write(tmp_path, "lie.json", document)
    args = _parser().parse_args(["site", str(path), "-o", str(tmp_path / "lie")])
    assert args.handler(args) == 1
    assert "$.profiles.codec.passed: says 5" in capsys.readouterr().err
    assert not (tmp_path / "lie").exists()


@pytest.mark.req("ADP-020.6", "CONV-003")
def test_versions_get_their_own_badges_and_duplicates_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = beta() | {"specVersion": "0.2.0"}
    site = build(tmp_path, ("b1.json", beta()), ("b2.json", newer))
    assert (site / "badges/beta-grit/0.1.0/codec.svg").is_file()
    assert (site / "badges/beta-grit/0.2.0/codec.svg").is_file()
    impl = page(site / "impl" / "beta-grit.html")
    assert [h.text() for h in impl.find_all("h2")] == ["spec 0.2.0", "spec 0.1.0"]
    paths = [str(write(tmp_path, n, beta())) for n in ("x.json", "y.json")]
    args = _parser().parse_args(["site", *paths, "-o", str(tmp_path / "dup")])
    assert args.handler(args) == 1
    assert "both report 'beta-grit' against spec 0.1.0" in capsys.readouterr().err
    assert not (tmp_path / "dup").exists()


_text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)


def _xml_legal(text: str) -> bool:
    return all(
        0x20 <= ord(c) < 0xD800 or 0xE000 <= ord(c) <= 0xFFFD or ord(c) > 0xFFFF for c in text
    )


@settings(max_examples=60, deadline=None)
@given(name=_text.filter(bool), reason=_text.filter(bool))
@pytest.mark.req("ADP-020.6", "CONV-004")
def test_any_name_and_reason_come_back_as_text(name: str, reason: str) -> None:
    document = beta()
    document["implementation"]["name"] = name
    document["results"][1]["reason"] = reason
    files = render_files(build_site([parse_report("r.json", json.dumps(document).encode())]))
    assert all(re.fullmatch(r"[a-z0-9./-]+", path) for path in files), sorted(files)
    (impl_path,) = [p for p in files if p.startswith("impl/")]
    impl = parse_html(files[impl_path])
    assert impl.by_id("name").text() == name
    assert reason in [p.text() for p in impl.find_all("pre", "reason")]
    (row,) = rows(parse_html(files["index.html"]))
    assert row.find_all("a", "impl")[0].text() == name
    for path, text in files.items():
        if path.endswith(".svg"):
            (title,) = ET.fromstring(text).iter(f"{SVG}title")
            if _xml_legal(name):
                assert title.text is not None and title.text.startswith(f"{name} 0.3.0: ")
        elif path.endswith(".json"):
            assert json.loads(text)["schemaVersion"] == 1


@pytest.mark.req("ADP-020.8", "ADP-020.6")
def test_badges_and_pages_of_a_selection_say_so(tmp_path: Path) -> None:
    """A badge from a 9-test selection read like a verdict (``store | fail 3/9``)."""
    chosen = beta() | {"format": "gritwit-report/3", "collected": len(beta()["results"]),
                        "claimedSpec": None, "appliedSpec": None}  # fmt: skip
    for entry in chosen["profiles"].values():
        entry |= {"skipped": 0, "notRun": 0}
    chosen["selection"] = {"selected": 9, "of": 2504, "rerun": None,
                           "requirements": ["STO-002"], "tests": []}  # fmt: skip
    site = build(tmp_path, ("whole.json", alpha()), ("chosen.json", chosen))
    note = "selection: 9 of 2504 tests"
    for profile in chosen["profiles"]:
        stem = site / "badges" / "beta-grit" / chosen["specVersion"] / profile
        endpoint = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
        assert endpoint["message"].endswith(f"({note})"), endpoint
        svg = ET.parse(stem.with_suffix(".svg")).getroot()
        assert any(note in (t.text or "") for t in svg.iter(f"{SVG}text"))
    # The other side: a whole run's badges say nothing of a selection.
    for stem in (site / "badges" / "alpha-grit").rglob("*.json"):
        assert "selection" not in json.loads(stem.read_text(encoding="utf-8"))["message"]
    found = {r.find_all("a", "impl")[0].text(): r for r in rows(page(site / "index.html"))}
    assert found["beta-grit"].find_all("td", "verdict")[0].text() == "fail (of a selection)"
    assert found["alpha-grit"].find_all("td", "verdict")[0].text() == "pass"
    assert all(note in c.text() for c in found["beta-grit"].find_all("td", "cell"))
    assert not any("selection" in c.text() for c in found["alpha-grit"].find_all("td", "cell"))
    impl_page = (site / "impl" / "beta-grit.html").read_text(encoding="utf-8")
    assert "selected 9 of 2504 tests" in impl_page and note in impl_page
