"""Third-party test data: RFC 8949 Appendix A and the official BLAKE3 vectors.

The data lives in ``../shared/external`` next to the project, which a plain clone
does not have; set ``GRITWIT_EXTERNAL`` to another directory holding the two files
(``cbor_rfc8949_appendix_a.json``: ``appendix_a.json`` of github.com/cbor/test-vectors;
``blake3_test_vectors.json``: ``test_vectors/test_vectors.json`` of
github.com/BLAKE3-team/BLAKE3), or these tests skip.  The facts they check are also embedded in
the generator (``gritwit_conformance.vectors._appendix_a``,
``gritwit_conformance.vectors._identifiers``) and so in the committed vectors: here we make
sure those embedded tables match the
third-party files exactly, and run the reference on the files directly.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.vectors._appendix_a import ADMITTED, REJECTED
from gritwit_conformance.vectors._identifiers import BLAKE3_CASES, blake3_input

REPO = Path(__file__).resolve().parents[2]
EXTERNAL = Path(os.environ.get("GRITWIT_EXTERNAL") or REPO.parent / "shared" / "external")
APPENDIX_A = EXTERNAL / "cbor_rfc8949_appendix_a.json"
BLAKE3 = EXTERNAL / "blake3_test_vectors.json"
#: What to do when the data is missing (the skip reasons say it).
GET_IT = (
    "set GRITWIT_EXTERNAL to a directory holding cbor_rfc8949_appendix_a.json "
    "(appendix_a.json of github.com/cbor/test-vectors) and blake3_test_vectors.json "
    "(test_vectors/test_vectors.json of github.com/BLAKE3-team/BLAKE3)"
)

pytestmark = pytest.mark.skipif(
    not EXTERNAL.is_dir(),
    reason=f"third-party test data not found at {EXTERNAL} (not part of a clone): {GET_IT}; "
    "the committed vectors embed the same data, checked by test_vectors.py",
)


def _load(path: Path) -> Any:
    if not path.is_file():
        pytest.skip(f"{path} not found: {GET_IT}")
    return json.loads(path.read_text(encoding="utf-8"))


def _appendix_items() -> list[dict[str, Any]]:
    if not APPENDIX_A.is_file():
        return []
    items: list[dict[str, Any]] = json.loads(APPENDIX_A.read_text(encoding="utf-8"))
    return items


def _blake3_cases() -> list[dict[str, Any]]:
    if not BLAKE3.is_file():
        return []
    cases: list[dict[str, Any]] = json.loads(BLAKE3.read_text(encoding="utf-8"))["cases"]
    return cases


_ADMITTED = {hex_item: (diag, value) for hex_item, diag, value, _ in ADMITTED}
_REJECTED = {hex_item: (diag, error, req) for hex_item, diag, error, req in REJECTED}


def _strictly_equal(left: object, right: object) -> bool:
    if type(left) is not type(right):
        return False
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_strictly_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_strictly_equal(left[k], right[k]) for k in left)
    return left == right


def _outside_the_subset(item: dict[str, Any]) -> bool:
    """Independent of our table: does the file itself show the item is not in the subset?"""
    if "decoded" not in item:  # tags, simple values, special floats: diagnostic only
        return "diagnostic" in item and not item["diagnostic"].startswith(("h'", '"'))
    value = item["decoded"]
    if not item["roundtrip"]:  # re-encoding does not give the input: not canonical (ENC-014)
        return True
    if isinstance(value, float):
        return True
    if isinstance(value, int) and not isinstance(value, bool):
        return not -(2**64) <= value <= 2**64 - 1
    return False


@pytest.mark.req("ENC-014", "CONV-005")
def test_appendix_a_table_covers_exactly_the_file() -> None:
    items = _load(APPENDIX_A)
    in_file = [item["hex"] for item in items]
    in_table = [*_ADMITTED, *_REJECTED]
    assert len(in_table) == len(set(in_table)) == len(ADMITTED) + len(REJECTED)
    assert len(in_file) == len(set(in_file))
    assert sorted(in_table) == sorted(in_file)


@pytest.mark.req("ENC-014", "ENC-015")
def test_appendix_a_admitted_values_match_the_file() -> None:
    for item in _load(APPENDIX_A):
        if item["hex"] not in _ADMITTED:
            continue
        diag, value = _ADMITTED[item["hex"]]
        if "decoded" in item:
            assert _strictly_equal(item["decoded"], value), item["hex"]
        else:  # byte strings: the file gives diagnostic notation
            assert item["diagnostic"] == diag, item["hex"]
        assert item["roundtrip"]


@pytest.mark.req("ENC-003", "ENC-004", "ENC-006", "ENC-009")
def test_appendix_a_rejections_are_justified_by_the_file() -> None:
    for item in _load(APPENDIX_A):
        if item["hex"] not in _REJECTED:
            continue
        _, error, _ = _REJECTED[item["hex"]]
        if error == "non-text-key":
            assert item["diagnostic"] == "{1: 2, 3: 4}"
        elif item["hex"][:2] in ("c2", "c3"):  # bignums: integers beyond 64 bits
            assert not -(2**64) <= item["decoded"] <= 2**64 - 1
        else:
            assert _outside_the_subset(item), item


@pytest.mark.req("ENC-003", "ENC-004", "ENC-006", "ENC-009", "ENC-014", "ENC-015", "CONV-004")
@pytest.mark.parametrize("item", _appendix_items(), ids=lambda item: item["hex"][:24])
def test_reference_on_appendix_a(item: dict[str, Any]) -> None:
    data = bytes.fromhex(item["hex"])
    if item["hex"] in _ADMITTED:
        value = g.decode_value(data)
        assert g.encode_value(value) == data
        if "decoded" in item:
            assert _strictly_equal(value, item["decoded"])
        return
    _, error, requirement = _REJECTED[item["hex"]]
    with pytest.raises(g.GritError) as caught:
        g.decode_value(data)
    assert caught.value.error_class == error
    assert caught.value.requirement == requirement
    if "decoded" in item and isinstance(item["decoded"], float) and math.isfinite(item["decoded"]):
        with pytest.raises(g.GritError) as refused:
            g.encode_value(item["decoded"])  # type: ignore[arg-type]  # floats are refused
        assert refused.value.error_class == "forbidden-type"


@pytest.mark.req("ID-001", "CONV-005")
def test_blake3_table_matches_the_official_vectors() -> None:
    official = _load(BLAKE3)["cases"]
    assert [(c["input_len"], c["hash"][:64]) for c in official] == list(BLAKE3_CASES)


@pytest.mark.req("ID-001")
@pytest.mark.parametrize("case", _blake3_cases(), ids=lambda case: str(case["input_len"]))
def test_reference_ids_on_the_official_blake3_vectors(case: dict[str, Any]) -> None:
    data = blake3_input(case["input_len"])
    assert len(data) == case["input_len"]
    assert g.compute_id(data).hex() == case["hash"][:64]
    assert len(g.compute_id(data).digest) == 32  # ID-002: no algorithm tag


@pytest.mark.req("ID-001", "ENC-014", "CONV-005")
def test_committed_vectors_carry_the_external_data() -> None:
    vectors = REPO / "vectors"
    identifiers = json.loads((vectors / "identifiers.json").read_text())
    hashes = {
        v["input"]: v["digest"]
        for grp in identifiers["groups"]
        if grp["kind"] == "hash"
        for v in grp["vectors"]
    }
    for case in _load(BLAKE3)["cases"]:
        assert hashes[blake3_input(case["input_len"]).hex()] == case["hash"][:64]
    encoding = json.loads((vectors / "encoding.json").read_text())
    inputs = {
        v["input"]: v
        for grp in encoding["groups"]
        if "Rfc8949AppendixA" in {f for v in grp["vectors"] for f in v["flags"]}
        for v in grp["vectors"]
    }
    for item in _load(APPENDIX_A):
        vector = inputs[item["hex"]]
        assert vector["result"] == ("valid" if item["hex"] in _ADMITTED else "invalid")
