"""JSON descriptions read as OBJ-018 says, each rule on its own.

* anything but a JSON object → ``invalid-object``;
* text holding a lone surrogate, wherever it is (a header name or value, a tree
  entry name, the ``type``, an unknown field) → ``invalid-utf8``, before any object
  rule — so it wins over a missing field;
* JSON objects are unordered: headers and tree entries given in any order encode to
  the canonical bytes (ENC-010).
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import check_equal, error_answer, ok_answer

pytestmark = pytest.mark.profile("codec")

ZERO = "00" * 32


def _encode(impl: Implementation, description: Any) -> Any:
    return impl.call("encode", check=False, object=description)


@pytest.mark.req("OBJ-018.2")
@pytest.mark.parametrize("description", [[], ["blob"], "blob", 7, None, True])
@pytest.mark.req("CONV-004")
def test_a_description_that_is_not_an_object_is_invalid_object(
    impl: Implementation, description: Any
) -> None:
    error_answer(_encode(impl, description), "OBJ-018.2", "invalid-object")


LONE = "\ud800"
SURROGATES = {
    "header-value": {"type": "blob", "data": "", "headers": {"mt": "a" + LONE}},
    "header-name": {"type": "blob", "data": "", "headers": {LONE: "x"}},
    "tree-entry-name": {"type": "tree", "entries": {"a" + LONE: ZERO}},
    "type": {"type": "blob" + LONE, "data": ""},
    "unknown-field": {"type": "blob", "data": "", "x": LONE},
    "in-a-list": {"type": "blob", "data": "", "x": ["ok", LONE]},
    "with-a-missing-field": {"type": "message", "headers": {"mt": LONE}},
}


@pytest.mark.req("OBJ-018.3", "ENC-008.1")
@pytest.mark.parametrize("where", sorted(SURROGATES))
@pytest.mark.req("CONV-004")
def test_a_lone_surrogate_anywhere_is_invalid_utf8_first(impl: Implementation, where: str) -> None:
    reply = _encode(impl, SURROGATES[where])
    error_answer(reply, "OBJ-018.3", "invalid-utf8", f"encode of a lone surrogate in the {where}")


@pytest.mark.req("OBJ-018.4", "ENC-010", "ENC-014.1")
def test_headers_and_entries_in_any_order_encode_canonically(impl: Implementation) -> None:
    blob = g.Blob(data=b"", headers={"b": "1", "a": "2", "cc": "3"})
    reply = _encode(impl, {"type": "blob", "data": "", "headers": {"cc": "3", "b": "1", "a": "2"}})
    what = "encode of headers given cc, b, a"
    check_equal(
        "ENC-010", g.encode_object(blob).hex(), ok_answer(reply, "OBJ-018.4")["bytes"], what
    )
    tree = g.Tree(entries={"z": g.object_id(blob), "a": g.object_id(blob)})
    described = {
        "type": "tree",
        "entries": {"z": g.object_id(blob).hex(), "a": g.object_id(blob).hex()},
    }
    reply = _encode(impl, described)
    what = "encode of tree entries given z, a"
    check_equal(
        "ENC-010", g.encode_object(tree).hex(), ok_answer(reply, "OBJ-018.4")["bytes"], what
    )


@pytest.mark.req("OBJ-018.4", "OBJ-018.5")
def test_a_header_value_that_looks_like_an_id_stays_text(impl: Implementation) -> None:
    """Only ids are translated to bytes: a 64-hex-digit header value is still text."""
    blob = g.Blob(data=b"", headers={"ref": ZERO})
    reply = _encode(impl, {"type": "blob", "data": "", "headers": {"ref": ZERO}})
    what = "encode of a header value of 64 hex digits (text, not an id)"
    check_equal(
        "OBJ-018.5", g.encode_object(blob).hex(), ok_answer(reply, "OBJ-018.4")["bytes"], what
    )
