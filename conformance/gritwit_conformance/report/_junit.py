"""The JUnit XML of a conformance run, written from its JSON report (ADP-020.4).

pytest's own ``--junitxml`` knows nothing of our outcomes: it wrote an adapter
that broke in a test's call phase as a *failure*, so the JUnit file said
``errors="0" failures="185"`` where the terminal and the JSON said 184 errored.
This module writes the file from the JSON document instead, so every form tells
the same story.  Each outcome has one element, and its ``type`` attribute names
the outcome, so the JSON's counts can be read back from the file exactly:

========================  ======================================
outcome                   JUnit element
========================  ======================================
passed                    (none)
failed, unexpected-pass   ``<failure type="failed|unexpected-pass">``
errored                   ``<error type="errored">``
timed-out                 ``<error type="timeout">``
skipped, not-claimed,     ``<skipped type="…">`` with the reason as
not-applicable,           ``message``
expected-failure, not-run
========================  ======================================

A failing test's ``since`` notes (ADP-005.5, ADP-020.3) are ``<property name="since">`` of
the test case and end its message; the run's versions, verdict and the
version note are properties of the ``<testsuite>``.  Pure but for
:func:`write_junit`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from ._load import diagnosis_line
from ._story import run_status, selection_line, version_note

__all__ = ["JUNIT_ELEMENT", "junit_counts", "junit_xml", "write_junit"]

#: outcome -> (element, its ``type``); ``None``: a passed test holds no element.
JUNIT_ELEMENT: Final[dict[str, tuple[str, str] | None]] = {
    "passed": None,
    "failed": ("failure", "failed"),
    "unexpected-pass": ("failure", "unexpected-pass"),
    "errored": ("error", "errored"),
    "timed-out": ("error", "timeout"),
    "skipped": ("skipped", "skipped"),
    "not-claimed": ("skipped", "not-claimed"),
    "not-applicable": ("skipped", "not-applicable"),
    "expected-failure": ("skipped", "expected-failure"),
    "not-run": ("skipped", "not-run"),
}
#: Characters XML 1.0 cannot carry at all (the reasons are already visible text: defence).
_NOT_XML: Final = dict.fromkeys(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF], "?"
)


def _x(text: object) -> str:
    return str(text).translate(_NOT_XML)


def _case_names(test_id: str) -> tuple[str, str]:
    """``suite/codec/test_x.py::test_y[1]`` → (``suite.codec.test_x``, ``test_y[1]``)."""
    path, _, name = test_id.partition("::")
    return path.removesuffix(".py").replace("/", "."), name or path


def _message(result: dict[str, Any]) -> str:
    lines = [line for line in str(result["reason"]).splitlines() if line.strip()]
    first = lines[0] if lines else result["outcome"]
    since = result.get("since", [])
    diagnosis = diagnosis_line(result.get("diagnosis"))
    return (
        first
        + (f" [since: {'; '.join(since)}]" if since else "")
        + (f" [{diagnosis}]" if diagnosis else "")
    )


def junit_counts(document: dict[str, Any]) -> dict[str, int]:
    """``tests``, ``failures``, ``errors`` and ``skipped`` as the file states them."""
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for result in document["results"]:
        counts["tests"] += 1
        element = JUNIT_ELEMENT[result["outcome"]]
        if element is not None:
            counts[{"failure": "failures", "error": "errors"}.get(element[0], element[0])] += 1
    return counts


def _properties(parent: ET.Element, pairs: list[tuple[str, str]]) -> None:
    if pairs:
        box = ET.SubElement(parent, "properties")
        for name, value in pairs:
            ET.SubElement(box, "property", name=name, value=_x(value))


def _suite_properties(document: dict[str, Any]) -> list[tuple[str, str]]:
    from ._model import SUMMARY_KEY

    impl = document["implementation"]
    pairs = [
        ("status", run_status(document)),
        ("implementation", f"{impl.get('name', '')} {impl.get('version', '')}".strip()),
        ("command", str(impl.get("command", ""))),
        ("specVersion", str(document["specVersion"])),
        ("suiteVersion", str(document["suite"]["version"])),
        ("claimedSpec", str(document.get("claimedSpec") or "")),
        ("appliedSpec", str(document.get("appliedSpec") or "")),
        ("collected", str(document.get("collected", len(document["results"])))),
    ]
    for key in SUMMARY_KEY.values():
        total = sum(entry.get(key, 0) for entry in document["profiles"].values())
        pairs.append((key, str(total)))
    for key in ("incomplete", "interrupted"):
        if document.get(key):
            pairs.append((key, str(document[key])))
    chosen = selection_line(document)
    if chosen:
        pairs.append(("selection", chosen))
    pairs += [("versionNote", line) for line in version_note(document)]
    return pairs


def _in_order(results: list[dict[str, Any]], order: Sequence[str]) -> list[dict[str, Any]]:
    """``results`` in the order the tests ran (``order``: their ids); the rest after, by id."""
    rank = {test_id: index for index, test_id in enumerate(order)}
    return sorted(results, key=lambda r: (rank.get(r["id"], len(rank)), r["id"]))


def junit_xml(document: dict[str, Any], order: Sequence[str] = ()) -> str:
    """The JUnit XML text of a (valid) ``gritwit-report`` document.

    The test cases come in ``order`` (the ids in the order the tests ran), as pytest's
    JUnit gave them: a reader can tell what ran after what (the JSON is sorted by id).
    """
    counts = junit_counts(document)
    attrs = {k: str(v) for k, v in counts.items()}
    attrs["time"] = f"{float(document['duration']):.3f}"
    root = ET.Element("testsuites", {"name": "gritwit-conformance", **attrs})
    suite = ET.SubElement(
        root,
        "testsuite",
        {"name": "gritwit-conformance", "timestamp": str(document["started"]), **attrs},
    )
    _properties(suite, _suite_properties(document))
    for result in _in_order(document["results"], order):
        classname, name = _case_names(result["id"])
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_x(classname),
            name=_x(name),
            time=f"{float(result['duration']):.3f}",
        )
        pairs = [("outcome", result["outcome"]), ("profile", result["profile"])]
        pairs.append(("requirements", " ".join(result["requirements"])))
        pairs += [("since", note) for note in result.get("since", [])]
        _properties(case, pairs)
        element = JUNIT_ELEMENT[result["outcome"]]
        if element is None:
            continue
        tag, kind = element
        child = ET.SubElement(case, tag, type=kind, message=_x(_message(result)))
        if tag != "skipped":
            since = "".join(f"\nsince: {note}" for note in result.get("since", []))
            diagnosis = diagnosis_line(result.get("diagnosis"))
            child.text = _x(str(result["reason"]) + since + (f"\n{diagnosis}" if diagnosis else ""))
            if result.get("stderr"):  # what the adapter said meanwhile (ADP-020.7)
                ET.SubElement(case, "system-err").text = _x(result["stderr"])
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def write_junit(document: dict[str, Any], path: Path, order: Sequence[str] = ()) -> None:
    """Write :func:`junit_xml` to ``path`` whole (a signal cannot leave half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(junit_xml(document, order), encoding="utf-8")
    partial.replace(path)
