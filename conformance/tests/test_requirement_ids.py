"""The one pattern of a requirement ID: the spec's chapter prefixes, nothing else.

The trace, changes, mutation and vector tools all read IDs with
``gritwit_conformance.data._requirement_ids``. In free text only the spec's prefixes count:
"SHA-256" in a docstring once showed up in mutant reports as a requirement.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gritwit_conformance.data import _requirement_ids as ids

SPEC = Path(__file__).resolve().parents[2] / "spec"


def _table_prefixes() -> set[str]:
    text = (SPEC / "00-conventions.md").read_text(encoding="utf-8")
    section = text.split("## Requirement IDs", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {p for row in rows for p in re.findall(r"`([A-Z]+)`", row.split("|")[1])}


def test_the_prefixes_are_the_conventions_table() -> None:
    assert set(ids.PREFIXES) == _table_prefixes()


def test_every_bold_id_of_the_spec_is_one() -> None:
    found = re.findall(
        r"\*\*([A-Z]+-\d{3}(?:\.\d+)?)\*\*",
        "".join(p.read_text(encoding="utf-8") for p in sorted(SPEC.glob("0*.md"))),
    )
    assert found
    assert [rid for rid in found if not ids.WHOLE.match(rid)] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see ENC-007.2 and WASM-019", ["ENC-007.2", "WASM-019"]),
        ("the SHA-256 of the module, ABC-123, X-001", []),
        ("ID-004 (ID-004.1)", ["ID-004", "ID-004.1"]),
        ("ENC-0071 is too long, XENC-007 has no boundary", []),
    ],
)
def test_ids_in_text(text: str, expected: list[str]) -> None:
    assert ids.IN_TEXT.findall(text) == expected


def test_where_the_place_says_id_any_prefix_of_the_shape_counts() -> None:
    assert ids.SHAPED_IN_RAISE.findall('raise CodecError("ZZZ-012", "x")') == ["ZZZ-012"]
    assert ids.SHAPED_IN_TEXT.findall("ZZZ-001.3 and WIT-005") == ["ZZZ-001.3", "WIT-005"]


def test_whole() -> None:
    assert ids.WHOLE.match("SBX-005.25")
    assert not ids.WHOLE.match("SHA-256")
    assert not ids.WHOLE.match("SBX-005.25 ")
