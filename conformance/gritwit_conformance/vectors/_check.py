"""Run one golden vector through the reference (CONV-004, ENC-014, ID-001, OBJ-017, OBJ-018).

Scenario vectors (ADP-014) are replayed on a fresh reference Wit runtime.

The generator runs every vector it writes through :func:`check_vector` and
refuses to write a file if the reference disagrees with the declared
expectation; ``gritwit vectors verify`` runs the committed files through it.

Both decode paths of the reference are checked: :func:`gritwit.decode_object`
(the fast path) and :func:`gritwit.decode_object_plain` (the spec-ordered
path); both must give the declared answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import gritwit as g

from ._expect import diagnostic
from ._runtime_build import runtime_problems
from ._scenario_build import scenario_problems

__all__ = ["check_vector"]

_Decoder = Callable[[bytes], object]


def _rejection(name: str, decoder: _Decoder, data: bytes, vector: Mapping[str, Any]) -> str | None:
    """None if ``decoder`` rejects ``data`` as the invalid ``vector`` says, else the problem."""
    try:
        decoder(data)
    except g.GritError as exc:
        if exc.error_class != vector["error"]:
            return f"{name} reports {exc.error_class}, expected {vector['error']}: {exc}"
        if exc.phase != vector["phase"]:
            return f"{name} reports phase {exc.phase}, expected {vector['phase']}"
        if exc.requirement not in vector["requirements"]:
            return f"{name} cites {exc.requirement}, not among {vector['requirements']}: {exc}"
        return None
    except Exception as exc:
        return f"{name} raised {type(exc).__name__} instead of a GritError: {exc}"
    return f"{name} accepts the input, expected {vector['error']}"


def _check_invalid(kind: str, vector: Mapping[str, Any], data: bytes) -> list[str]:
    if kind == "value":
        problem = _rejection("decode_value", g.decode_value, data, vector)
        return [] if problem is None else [problem]
    problems = []
    plain = _rejection("decode_object_plain", g.decode_object_plain, data, vector)
    if plain is not None:
        problems.append(plain)
    fast = _rejection("decode_object", g.decode_object, data, vector)
    if fast is not None:
        problems.append(fast)
    return problems


def _check_valid_object(vector: Mapping[str, Any], data: bytes) -> list[str]:
    try:
        obj = g.decode_object(data)
        plain = g.decode_object_plain(data)
    except Exception as exc:
        return [f"the reference rejects a valid vector: {type(exc).__name__}: {exc}"]
    problems = []
    if plain != obj:
        problems.append("decode_object and decode_object_plain disagree")
    if g.encode_object(obj) != data:
        problems.append("re-encoding the decoded object does not give the input (ENC-014)")
    if g.compute_id(data).hex() != vector["objectId"]:
        problems.append("BLAKE3-256 of the input is not objectId (ID-001)")
    if g.object_id(obj).hex() != vector["objectId"]:
        problems.append("object_id of the decoded object is not objectId (ID-001)")
    if g.object_to_json(obj) != vector["decoded"]:
        problems.append("object_to_json of the decoded object is not 'decoded' (OBJ-018)")
    try:
        built = g.object_from_json(vector["decoded"])
    except Exception as exc:
        problems.append(f"object_from_json rejects 'decoded': {exc}")
    else:
        if built != obj or g.encode_object(built) != data:
            problems.append("the object built from 'decoded' does not encode to the input")
    return problems


def _check_valid_value(vector: Mapping[str, Any], data: bytes) -> list[str]:
    try:
        value = g.decode_value(data)
    except Exception as exc:
        return [f"the reference rejects a valid vector: {type(exc).__name__}: {exc}"]
    problems = []
    if g.encode_value(value) != data:
        problems.append("re-encoding the decoded value does not give the input (ENC-014)")
    if diagnostic(value) != vector["diagnostic"]:
        problems.append(f"decoded value is {diagnostic(value):.80}, not the 'diagnostic'")
    return problems


def check_vector(kind: str, vector: Mapping[str, Any]) -> list[str]:
    """Problems found running ``vector`` (a file's JSON form) of group ``kind``; [] if none."""
    if kind == "scenario":
        return scenario_problems(vector)
    if kind == "runtime":
        return runtime_problems(vector)
    if kind == "sandbox":
        from ._sandbox import sandbox_problems

        return sandbox_problems(vector)
    data = bytes.fromhex(vector["input"])
    if kind == "hash":
        if g.compute_id(data).hex() != vector["digest"]:
            return ["BLAKE3-256 of the input is not 'digest' (ID-001)"]
        return []
    if vector["result"] == "invalid":
        return _check_invalid(kind, vector, data)
    if kind == "object":
        return _check_valid_object(vector, data)
    return _check_valid_value(vector, data)
