"""A development version with its text's label (CONV-003.8) in every form the judge
writes: ``hello``, the JSON report (valid against its schema), the JUnit file, the HTML
page, the site's pages and badges, and the terminal's version line.

A version written ``X.Y.Z.devN+tH`` is longer than the ``X.Y.Z.devN`` these forms were
made for and carries a ``+``; each form must show it whole, so that a reader can tell
which text of ``spec/`` judged a run.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from test_report import report, result
from test_site import build

import gritwit
from gritwit_conformance.report import parse_report, render
from gritwit_conformance.report._junit import junit_xml
from gritwit_conformance.report._model import report_schema
from gritwit_conformance.report._story import version_note

#: A development version with its label, and one of the same N naming another text.
LABELLED = "0.4.0.dev7+t0123456789ab"
OTHER_TEXT = "0.4.0.dev7+tba9876543210"


def _document(suite: str, claimed: str) -> Any:
    impl = {"name": "label-grit", "version": "1.0.0", "language": "go", "spec": claimed}
    results = [
        result("suite/protocol/test_hs.py::test_hello", "protocol", ["ADP-005"], "passed"),
        result("suite/codec/test_x.py::test_y", "codec", ["ENC-007"], "failed", "differs"),
    ]
    document = report(impl, results, ["protocol", "codec"])
    for entry in document["profiles"].values():
        entry |= {"skipped": 0, "notRun": 0}
    document |= {"format": "gritwit-report/3", "collected": 2, "claimedSpec": claimed}
    document["appliedSpec"] = None
    document["specVersion"] = suite
    document["suite"]["version"] = suite
    return document


@pytest.mark.req("CONV-003.8", "CONV-003.2", "ADP-020.3")
def test_a_labelled_version_is_shown_whole_in_every_report_form(tmp_path: Path) -> None:
    document = _document(LABELLED, OTHER_TEXT)
    jsonschema.validate(document, report_schema())  # the report's own schema takes it
    loaded = parse_report("labelled.json", json.dumps(document).encode())
    assert loaded.spec_version == LABELLED
    junit = ET.fromstring(junit_xml(document))
    properties = {p.get("name"): p.get("value") for p in junit.iter("property")}
    assert properties.get("specVersion") == LABELLED, properties
    page = render([loaded])
    assert LABELLED in page and OTHER_TEXT in page, "the HTML page names both versions whole"
    # another text of the same N is judged older: the story says so (ADP-005.5)
    (line, *_) = version_note(document)
    assert f"claims spec {OTHER_TEXT}; this suite is {LABELLED}" in line, line
    assert "marked 'since'" in line, line
    site = build(tmp_path, ("labelled.json", document))
    index = (site / "index.html").read_text(encoding="utf-8")
    assert LABELLED in index, "the site's overview names the version whole"
    badges = list((site / "badges").rglob("*.json"))
    assert badges, "a badge per profile"
    for badge in badges:
        label = json.loads(badge.read_text(encoding="utf-8"))["label"]
        assert label.endswith(f" {LABELLED}"), label
    impl_pages = list((site / "impl").glob("*.html"))
    assert impl_pages and all(LABELLED in p.read_text(encoding="utf-8") for p in impl_pages)


@pytest.mark.req("CONV-003.8", "ADP-005.1", "ADP-005.4", "ADP-013")
def test_hello_claims_the_labelled_version_and_its_schema_takes_it() -> None:
    from gritwit.adapter import ReferenceAdapter

    hello = ReferenceAdapter().handle({"seq": 1, "cmd": "hello", "protocol": 1})
    assert hello["implementation"]["spec"] == gritwit.SPEC_VERSION == gritwit.__version__
    schema_path = Path(gritwit.__file__).parent / "schemas" / "adapter-protocol.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    pattern = _spec_pattern(schema)
    for claim in (gritwit.SPEC_VERSION, LABELLED, "0.4.0.dev7", "0.4.0"):
        assert re.fullmatch(pattern, claim), (claim, pattern)
    for wrong in ("0.4.0+t0123456789ab", "0.4.0.dev7+t0123", "0.4.0.dev7+g0123456789ab"):
        assert not re.fullmatch(pattern, wrong), (wrong, pattern)


def _spec_pattern(node: Any) -> str:
    """The ``pattern`` of ``implementation.spec`` in the protocol schema's hello answer."""
    if isinstance(node, dict):
        spec = (
            node.get("properties", {}).get("spec") if "name" in node.get("properties", {}) else None
        )
        if isinstance(spec, dict) and "pattern" in spec:
            return str(spec["pattern"])
        for value in node.values():
            found = _spec_pattern(value)
            if found:
                return found
    if isinstance(node, list):
        for value in node:
            found = _spec_pattern(value)
            if found:
                return found
    return ""
