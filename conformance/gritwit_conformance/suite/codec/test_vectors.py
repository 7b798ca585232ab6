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


def _answer(reply: Any) -> str:
    if reply.ok:
        return "ok"
    return f"{reply.error.get('class')} ({reply.error.get('message', '')})"[:300]


def _expect_error(vector: Vector, reply: Any, command: str) -> None:
    expected = vector.data["error"]
    assert not reply.ok and reply.error_class == expected, (
        f"{command} of {vector.id}: expected error class {expected!r} "
        f"({', '.join(vector.data['requirements'])}); the implementation answered {_answer(reply)}"
    )


@pytest.mark.req("CONV-004", "ID-004", "ADP-009")
@pytest.mark.parametrize("vector", list(_params()))
@pytest.mark.req("ENC-014", "ID-001", "OBJ-018")
def test_vector(impl: Implementation, vector: Vector) -> None:
    data = vector.data
    if vector.kind == "hash":
        reply = impl.call("hash", bytes=data["input"])
        assert reply.ok and reply.result["digest"] == data["digest"], (
            f"hash of {vector.id}: expected {data['digest']}, got {_answer(reply)} "
            f"{reply.result.get('digest')}"
        )
        return
    if vector.kind == "value":
        reply = impl.call("decode-value", bytes=data["input"])
        if data["result"] == "invalid":
            _expect_error(vector, reply, "decode-value")
        else:
            assert reply.ok, f"decode-value of {vector.id}: rejected valid input: {_answer(reply)}"
            assert reply.result["bytes"] == data["input"], (
                f"decode-value of {vector.id} re-encodes to {reply.result['bytes'][:200]}, "
                "not to the input (ENC-014)"
            )
        return
    reply = impl.call("decode", bytes=data["input"])
    id_reply = impl.call("id", bytes=data["input"])
    if data["result"] == "invalid":
        _expect_error(vector, reply, "decode")
        _expect_error(vector, id_reply, "id")
        return
    assert reply.ok, f"decode of {vector.id}: rejected valid input: {_answer(reply)}"
    if reply.result["object"] != data["decoded"]:
        found = description_divergence(
            data["decoded"], reply.result["object"], root="description", requirement="OBJ-018.1"
        )
        raise AssertionError(
            f"decode of {vector.id}: the description is not the vector's 'decoded' (OBJ-018)\n"
            f"{render(found)}\n  expected {data['decoded']}\n  got      {reply.result['object']}"
        )
    assert (
        reply.result["id"] == data["objectId"] and id_reply.result.get("id") == data["objectId"]
    ), (
        f"id of {vector.id}: expected {data['objectId']}, decode gave {reply.result['id']}, "
        f"id gave {id_reply.result.get('id')} (ID-001)"
    )
    encoded = impl.call("encode", object=data["decoded"])
    assert encoded.ok, f"encode of {vector.id}: rejected a valid description: {_answer(encoded)}"
    assert encoded.result["bytes"] == data["input"], (
        f"encode of {vector.id}: the bytes are not the vector's input (ENC-014), "
        + bytes_divergence(data["input"], str(encoded.result["bytes"]))
    )


@pytest.mark.req("CONV-005")
def test_vectors_were_found() -> None:
    assert VECTORS_DIR is not None, (
        "no golden vectors found: none in a gritwit checkout here, none installed with the "
        "suite; pass --vectors DIR to gritwit conform (pytest: --gritwit-vectors DIR)"
    )
