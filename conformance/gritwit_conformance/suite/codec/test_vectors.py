"""Every golden vector through the implementation (profile ``codec``; CONV-005).

Each vector's own ``requirements`` become this test's requirement IDs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gritwit_conformance.data._vectors import Vector, find_vectors_dir, load_vectors
from gritwit_conformance.diff._more import bytes_divergence, description_divergence
from gritwit_conformance.diff._objects import render
from gritwit_conformance.harness import current_plan
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._messages import Response
from gritwit_conformance.suite._check import (
    check,
    check_equal,
    check_outcome,
    describe,
    fail,
    ok_answer,
)

VECTORS_DIR = find_vectors_dir(current_plan().vectors)


def _params() -> Iterator[Any]:
    if VECTORS_DIR is None:
        return
    seen: set[tuple[str, str]] = set()
    for vector in load_vectors(VECTORS_DIR):
        if vector.kind in ("scenario", "runtime", "sandbox"):  # the other profiles' own
            continue
        marks = [pytest.mark.req(*vector.data["requirements"])]
        key = (vector.file, str(vector.data.get("result", "valid")))
        if key not in seen:  # the first valid and first invalid vector of each file
            seen.add(key)
            marks.append(pytest.mark.smoke)
        yield pytest.param(vector, id=f"{vector.file}:{vector.id}", marks=marks)


pytestmark = pytest.mark.profile("codec")


def _rules(vector: Vector, clause: str) -> tuple[str, ...]:
    """The rules a vector's check judges: the one of the check, then the vector's own."""
    return tuple(dict.fromkeys((clause, *vector.data["requirements"])))


def _expect_error(vector: Vector, reply: Response, command: str) -> None:
    expected = vector.data["error"]
    rules = tuple(vector.data["requirements"])
    check_outcome(rules, reply, expected, f"{command} of {vector.id}")


@pytest.mark.req("CONV-004", "ID-004", "ADP-009")
@pytest.mark.parametrize("vector", list(_params()))
@pytest.mark.req("ENC-014", "ID-001", "OBJ-018")
def test_vector(impl: Implementation, vector: Vector) -> None:
    data = vector.data
    if vector.kind == "hash":
        reply = impl.call("hash", bytes=data["input"])
        digest = ok_answer(reply, _rules(vector, "ID-001"), f"hash of {vector.id}")["digest"]
        check_equal(_rules(vector, "ID-001"), data["digest"], digest, f"hash of {vector.id}")
        return
    if vector.kind == "value":
        reply = impl.call("decode-value", bytes=data["input"])
        if data["result"] == "invalid":
            _expect_error(vector, reply, "decode-value")
        else:
            what = f"decode-value of {vector.id}"
            again = ok_answer(reply, _rules(vector, "ENC-014"), what)["bytes"]
            check_equal(_rules(vector, "ENC-014"), data["input"], again, f"{what}, re-encoded")
        return
    reply = impl.call("decode", bytes=data["input"])
    id_reply = impl.call("id", bytes=data["input"])
    if data["result"] == "invalid":
        _expect_error(vector, reply, "decode")
        _expect_error(vector, id_reply, "id")
        return
    decoded = ok_answer(reply, _rules(vector, "OBJ-018"), f"decode of {vector.id}")
    if decoded.get("object") != data["decoded"]:
        found = description_divergence(
            data["decoded"], decoded.get("object"), root="description", requirement="OBJ-018.1"
        )
        fail(
            _rules(vector, "OBJ-018"),
            expected=f"the vector's 'decoded' {describe(data['decoded'])}",
            came=f"{describe(decoded.get('object'))}\n{render(found)}",
            what=f"decode of {vector.id}",
        )
    rules = _rules(vector, "ID-001")
    check_equal(rules, data["objectId"], decoded.get("id"), f"the id decode of {vector.id} gives")
    ided = ok_answer(id_reply, rules, f"id of {vector.id}")
    check_equal(rules, data["objectId"], ided.get("id"), f"id of {vector.id}")
    encoded = impl.call("encode", object=data["decoded"])
    what = f"encode of {vector.id}"
    got = str(ok_answer(encoded, _rules(vector, "ENC-014"), what)["bytes"])
    check(
        _rules(vector, "ENC-014"),
        got == data["input"],
        expected="the vector's input bytes",
        came=lambda: bytes_divergence(data["input"], got),
        what=what,
    )


@pytest.mark.req("CONV-005")
def test_vectors_were_found() -> None:
    check(
        "CONV-005",
        VECTORS_DIR is not None,
        expected="golden vectors: in a gritwit checkout here, installed with the suite, or "
        "named by --vectors DIR to gritwit conform (pytest: --gritwit-vectors DIR)",
        came="none found",
    )
