"""Where to start on a failing run (ADP-020.9).

* the failed requirements are ranked by how many failing tests cite them;
* failures are grouped by their first difference, one group per bug: what varies from
  test to test (vector names, numbers, hex, quoted text) does not split a group, and the
  strict decoder's reading of a wrong encoding names the rule the bytes break;
* ``replay`` names the first differing byte of two byte strings, and the strict
  decoder's reading of the adapter's.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit_conformance.diff._more import bytes_divergence, strict_reading
from gritwit_conformance.report._triage import (
    first_difference_key,
    ranked_requirements,
    triage_lines,
)
from gritwit_conformance.runs._replay import Difference, Step, render


def _result(test: str, rids: list[str], outcome: str, reason: str) -> dict[str, Any]:
    return {"id": test, "requirements": rids, "outcome": outcome, "reason": reason}


@pytest.mark.req("ADP-020.9")
def test_failed_requirements_are_ranked_by_failing_tests() -> None:
    results = [
        _result("a", ["ID-003", "ENC-010"], "failed", "x"),
        _result("b", ["ENC-010"], "failed", "x"),
        _result("c", ["ENC-010", "OBJ-014"], "errored", "x"),
        _result("d", ["OBJ-014"], "timed-out", "x"),
        _result("e", ["ZZZ-001"], "passed", ""),  # passing tests count for nothing
        _result("f", ["ZZZ-002"], "skipped", "why"),
    ]
    assert ranked_requirements(results) == [("ENC-010", 3), ("OBJ-014", 2), ("ID-003", 1)]
    lines = triage_lines({"results": results})
    assert lines[0].startswith("triage: failed requirements by failing tests: ENC-010 ×3, ")
    assert triage_lines({"results": results[4:]}) == [], "nothing failed: nothing to triage"


@given(
    st.lists(st.from_regex(r"[a-z]{1,8}/[a-z-]{1,12}", fullmatch=True), min_size=2, max_size=5),
    st.lists(st.integers(0, 10**6), min_size=2, max_size=5),
)
@pytest.mark.req("ADP-020.9")
def test_one_bug_is_one_group_whatever_varies(names: list[str], numbers: list[int]) -> None:
    reasons = [
        f"AssertionError: decode of {name}: expected error class 'unsorted-keys' (ENC-010.2), "
        f"{number} bytes; the implementation answered ok <answer to decode: {{...}}>"
        for name, number in zip(names, numbers, strict=False)
    ]
    keys = {first_difference_key(reason) for reason in reasons}
    assert len(keys) == 1, keys
    (key,) = keys
    assert "ENC-010.2" in key, "a requirement ID is kept whole"


@pytest.mark.req("ADP-020.9")
def test_different_bugs_are_different_groups() -> None:
    one = first_difference_key("decode of a/b: expected error class 'x' (ENC-010)")
    other = first_difference_key("decode of a/b: expected error class 'x' (ENC-011)")
    third = first_difference_key("encode of a/b: the bytes are not the vector's input (ENC-014)")
    assert len({one, other, third}) == 3


@pytest.mark.req("ADP-020.9", "ENC-010")
def test_a_wrong_encoding_is_read_by_the_strict_decoder() -> None:
    # {"a": 1, "b": 2} canonically; the adapter wrote "b" first.
    text = bytes_divergence("a2616101616202", "a2616202616101")
    assert "first different byte at offset 2" in text
    assert "read by the strict decoder: unsorted-keys at byte 4 (ENC-010)" in text
    key = first_difference_key(f"encode of object/x: the bytes differ, {text}")
    assert key == "the bytes break unsorted-keys (ENC-010)"
    # The other side: bytes the decoder takes say nothing of it.
    assert "strict decoder" not in bytes_divergence("a2616101616202", "a2616101616203")
    assert strict_reading("a2616101616203") == ""
    assert strict_reading("not hex") == ""
    assert strict_reading("1817") == "non-shortest at byte 0 (ENC-007.2)"


@pytest.mark.req("ADP-020.7", "ADP-020.9")
def test_replay_names_the_first_differing_byte() -> None:
    request = {"seq": 1, "cmd": "encode", "object": {"type": "blob", "data": ""}}
    got = {"seq": 1, "ok": True, "bytes": "a2616202616101"}
    expected = {"seq": 1, "ok": True, "bytes": "a2616101616202"}
    step = Step(index=3, request=request, got=got, expected=expected, recorded=None)
    text = render(step, Difference("$.bytes", got["bytes"], expected["bytes"]), 3, ["ENC-010"])
    assert "first different byte at offset 2 (of 7 expected, 7 got)" in text, text
    assert "unsorted-keys at byte 4 (ENC-010)" in text
    # Not bytes: no byte line.
    other = render(step, Difference("$.ok", True, False), 3, [])
    assert "first different byte" not in other
