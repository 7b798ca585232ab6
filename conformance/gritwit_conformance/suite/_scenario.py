"""Replaying scenario vectors through an implementation (ADP-014, ADP-016).

Shared by the ``wit`` profile (``vectors/scenarios.json``) and the ``wasm``
profile (``vectors/wasm.json``): each operation is sent as ``wit-<op>``
(``load`` as ``wasm-load``) and every answer compared with what the reference
recorded — actor ids, message ids, ordered step ids, failures, heads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

import gritwit as g
from gritwit._schemas import load_schema
from gritwit_conformance._implementation import Implementation
from gritwit_conformance._state import settings
from gritwit_conformance._vectors import Vector, find_vectors_dir, load_vectors

Json = dict[str, Any]
VECTORS_DIR = find_vectors_dir(settings.vectors)


def scenario_params(file: str, requirement: str) -> Iterator[Any]:
    """One pytest param per scenario vector of ``file``, citing ``requirement`` too."""
    if VECTORS_DIR is None:
        return
    first: set[str] = set()
    for vector in load_vectors(VECTORS_DIR):
        if vector.kind != "scenario" or vector.file != file:
            continue
        marks = [pytest.mark.req(requirement, *vector.data["requirements"])]
        group = vector.id.split("/")[1]
        if group not in first:
            first.add(group)
            marks.append(pytest.mark.smoke)
        yield pytest.param(vector, id=vector.id, marks=marks)


def _wut_schema() -> Any:
    return jsonschema.Draft202012Validator(load_schema("wut.schema.json"))


def ok(impl: Implementation, where: str, cmd: str, **args: Any) -> Json:
    reply = impl.call(cmd, **args)
    assert reply.ok, f"{where}: {cmd} failed: {reply.error}"
    return dict(reply.result)


def _describe_step(impl: Implementation, runtime: str, step: str | None) -> str:
    """The implementation's step as JSON (OBJ-018), to show what differs."""
    if step is None:
        return "none"
    reply = impl.call("wit-object", runtime=runtime, id=step)
    if not reply.ok:
        return f"(wit-object failed: {reply.error})"
    try:
        return json.dumps(g.object_to_json(g.decode_object(bytes.fromhex(reply.result["bytes"]))))
    except (g.GritError, ValueError) as exc:  # ValueError: hex of odd length
        return f"(undecodable: {exc})"


def _answer(impl: Implementation, runtime: str, op: Json, where: str) -> Json:
    args = {k: v for k, v in op.items() if k not in ("op", "expect")}
    if op["op"] == "load":  # ADP-016: no runtime
        reply = impl.call("wasm-load", **args)
    else:
        reply = impl.call(f"wit-{op['op']}", runtime=runtime, **args)
    if not reply.ok:
        return {"error": reply.error_class}
    result = dict(reply.result)
    if op["op"] == "query" and op["name"] == "wut":
        try:
            document = json.loads(bytes.fromhex(result["data"]))
        except (ValueError, RecursionError) as exc:
            raise AssertionError(f"{where}: the wut blob is not JSON (WIT-018): {exc}") from None
        problems = [e.message for e in _wut_schema().iter_errors(document)]
        assert not problems, f"{where}: wut document breaks wut.schema.json (WIT-018): {problems}"
        return {"wut": document["name"]}
    if op["op"] == "run":
        result["heads"] = {
            actor: ok(impl, where, "wit-head", runtime=runtime, actor=actor)["step"]
            for actor in op["expect"]["heads"]
        }
    return result


def replay_scenario(impl: Implementation, vector: Vector) -> None:
    """Replay ``vector`` on a new runtime of ``impl``; fail on the first differing answer."""
    reqs = ", ".join(vector.data["requirements"])
    runtime = ok(impl, vector.id, "wit-open")["runtime"]
    for index, op in enumerate(vector.data["operations"]):
        where = f"scenario {vector.id}, operation {index} ({op['op']}; {reqs})"
        got = _answer(impl, runtime, op, where)
        expected = op["expect"]
        order = ("actor", "message", "steps", "failures", "quiescent", "heads")
        for key in sorted(expected, key=lambda k: order.index(k) if k in order else 9):
            value = expected[key]
            if got.get(key) == value:
                continue
            detail = ""
            heads = got.get("heads") or {}  # none if the run answered an error
            wrong = [a for a in value if heads.get(a) != value[a]] if key == "heads" else []
            if wrong:
                detail = "\n  implementation's step: " + _describe_step(
                    impl, runtime, heads.get(wrong[0])
                )
            raise AssertionError(
                f"{where}: {key} differs from the reference\n  expected {json.dumps(value)}"
                f"\n  got      {json.dumps(got.get(key, got.get('error')))}{detail}"
            )
    ok(impl, vector.id, "wit-close", runtime=runtime)
