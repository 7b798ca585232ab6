"""A plain assertion's mark is read from the suite's own words, never from the answer an
implementation gave (ADP-005.5): the answer's text could name any clause and any term."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gritwit_conformance.data._versions import SpecHistory, parse_changes
from gritwit_conformance.trace._suite_words import (
    CHECK_WORDS,
    common_terms,
    suite_words_in,
    words_of_test,
)

pytestmark = pytest.mark.req("ADP-005.5")

HELPERS = """
def shown(reply):
    return f"the answer {reply}"


def decoded(reply):
    assert reply.ok, f"decode refused a valid object (OBJ-003.1): {shown(reply)}"
"""

TESTS = """
import pytest

from ._helpers import decoded

CLAUSE = "ENC-010"


@pytest.mark.req("OBJ-003.1", "OBJ-018")
def test_decode(impl):
    decoded(impl.call("decode", bytes="a0"))
"""

CHANGES = """# Spec changes

## 0.3.0 (from 0.2.0)

- OBJ-003.1 — changed: a field left out.
- OBJ-018.7 — added: a description's `base`.
"""


def _suite(tmp_path: Path) -> Path:
    suite = tmp_path / "suite"
    (suite / "codec").mkdir(parents=True)
    (suite / "codec" / "_helpers.py").write_text(textwrap.dedent(HELPERS), encoding="utf-8")
    (suite / "codec" / "test_x.py").write_text(textwrap.dedent(TESTS), encoding="utf-8")
    return suite


def test_the_ids_and_terms_of_the_answer_choose_no_mark(tmp_path: Path) -> None:
    suite = _suite(tmp_path)
    words = words_of_test(suite, "codec/test_x.py", "test_decode")
    # its own literals, its helpers' (through the import) and its module's names
    assert "decode refused a valid object (OBJ-003.1): " in words and "ENC-010" in words
    failure = (
        "decode refused a valid object (OBJ-003.1): the answer <answer to decode: "
        '{"ok":false,"error":{"class":"invalid-object","message":"OBJ-018.7: no `base`"}}>'
    )
    said = suite_words_in(failure, words)
    assert "OBJ-003.1" in said and "OBJ-018.7" not in said and "base" not in said
    every = frozenset({"OBJ-003.1", "OBJ-018", "OBJ-018.7"})
    history = SpecHistory(
        current="0.3.0", records={"0.2.0": every, "0.3.0": every}, entries=parse_changes(CHANGES)
    )
    cited = ["OBJ-003.1", "OBJ-018"]
    assert history.since(cited, "0.2.0", message=said) == [
        "changed in 0.3.0: OBJ-003.1 changed: a field left out."
    ]
    # read from the whole text, the answer's OBJ-018.7 would have marked it too
    both = history.since(cited, "0.2.0", message=failure)
    assert any("OBJ-018.7" in note for note in both)
    assert words_of_test(suite, "codec/test_x.py", "no_such_test") == frozenset()


def test_a_term_most_messages_name_is_common(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    (suite / "runtime").mkdir(parents=True)
    lines = [f"def test_{i}(x):\n    assert x, 'the runtime r{i} ran'\n" for i in range(40)]
    lines.append("def test_z(x):\n    assert x, 'a share left out'\n")
    (suite / "runtime" / "test_r.py").write_text("\n".join(lines), encoding="utf-8")
    (suite / "codec").mkdir()
    other = [f"def test_{i}(x):\n    assert x, 'a text {i}'\n" for i in range(60)]
    (suite / "codec" / "test_c.py").write_text("\n".join(other), encoding="utf-8")
    common = common_terms(suite, ["runtime", "share", "ring"])
    # runtime: 40 of 101 messages; share: one (under 2 % of all, 5 % of its folder's)
    assert "runtime" in common and "share" not in common and "ring" not in common
    assert common >= CHECK_WORDS
