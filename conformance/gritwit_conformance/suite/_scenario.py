"""Replaying scenario vectors through an implementation (ADP-014, ADP-016).

Shared by the ``wit`` profile (``vectors/scenarios.json``) and the ``wasm``
profile (``vectors/wasm.json``): each operation is sent as ``wit-<op>``
(``load`` as ``wasm-load``) and every answer compared with what the reference
recorded — actor ids, message ids, ordered step ids, failures, heads.  When
an id is not the reference's, the failure shows why (ADP-017): the first
place where the implementation's objects (read with ``wit-object``) part from
the ones the vector records (:mod:`gritwit_conformance.diff._objects`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema
import pytest

from gritwit._schemas import load_schema
from gritwit_conformance.data._vectors import Vector, find_vectors_dir, load_vectors
from gritwit_conformance.diff._objects import (
    Divergence,
    Lookup,
    describe_bytes,
    first_divergence,
    list_divergence,
    recorded_objects,
    render,
    show_data,
)
from gritwit_conformance.harness import current_plan
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import call_ok, check, describe, fail

Json = dict[str, Any]
VECTORS_DIR = find_vectors_dir(current_plan().vectors)


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


def impl_objects(impl: Implementation, cmd: str, runtime: str) -> Lookup:
    """A lookup of the implementation's objects through ``cmd`` (``wit-object``, ``rt-object``)."""

    def lookup(oid: str) -> Mapping[str, Any] | str:
        reply = impl.call(cmd, runtime=runtime, id=oid)
        if not reply.ok:
            return f"{cmd} answers {reply.error_class}"
        return describe_bytes(oid, str(reply.result.get("bytes", "")))

    return lookup


def explain(key: str, expected: Any, got: Any, want: Lookup, have: Lookup, requirement: str) -> str:
    """Why the answer's ``key`` is not the expected one, decoded (ADP-017); '' if not an id."""
    found = divergence(key, expected, got, want, have, requirement)
    return "" if found is None else "\n" + render(found)


def divergence(
    key: str, expected: Any, got: Any, want: Lookup, have: Lookup, requirement: str
) -> Divergence | None:
    """The first place the answer's ``key`` parts from the expected one, with the rule of
    that place (:class:`~gritwit_conformance.diff._objects.Divergence`), or None."""
    found = None
    if key in ("actor", "message", "step", "head") and isinstance(expected, str):
        root = {"actor": "the actor's core", "message": "the message sent"}.get(key, key)
        found = first_divergence(
            expected, got if isinstance(got, str) else None, want, have,
            root=root, requirement=requirement,
        )  # fmt: skip
    elif key == "steps" and isinstance(expected, list) and isinstance(got, list):
        found = list_divergence(expected, got, want, have, requirement=requirement)
    elif key == "heads" and isinstance(expected, dict):
        heads = got if isinstance(got, dict) else {}
        for actor in sorted(expected):
            if heads.get(actor) != expected[actor]:
                found = first_divergence(
                    expected[actor], heads.get(actor), want, have,
                    root=f"head of actor {actor[:12]}…", requirement=requirement,
                )  # fmt: skip
                break
    elif key == "data" and isinstance(expected, str) and isinstance(got, str):
        found = Divergence(
            path=("the query's blob", "data"),
            expected=show_data(expected),
            got=show_data(got),
            requirement=requirement,
        )
    return found


def _answer(
    impl: Implementation, runtime: str, op: Json, where: str, rules: tuple[str, ...]
) -> Json:
    args = {k: v for k, v in op.items() if k not in ("op", "expect", "objects")}
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
            fail("WIT-018", expected="the wut blob JSON", came=str(exc), what=where)
        problems = [e.message for e in _wut_schema().iter_errors(document)]
        check(
            "WIT-018",
            not problems,
            expected="a wut document as wut.schema.json describes",
            came=lambda: describe(problems),
            what=where,
        )
        return {"wut": document["name"]}
    if op["op"] == "run":
        result["heads"] = {
            actor: call_ok(impl, rules, "wit-head", runtime=runtime, actor=actor)["step"]
            for actor in op["expect"]["heads"]
        }
    return result


def replay_scenario(impl: Implementation, vector: Vector) -> None:
    """Replay ``vector`` on a new runtime of ``impl``; fail on the first differing answer."""
    rules = tuple(vector.data["requirements"])
    reqs = ", ".join(rules)
    want = recorded_objects(vector.data["operations"])
    runtime = call_ok(impl, rules, "wit-open")["runtime"]
    for index, op in enumerate(vector.data["operations"]):
        where = f"scenario {vector.id}, operation {index} ({op['op']})"
        got = _answer(impl, runtime, op, where, rules)
        expected = op["expect"]
        order = ("actor", "message", "steps", "failures", "quiescent", "heads")
        for key in sorted(expected, key=lambda k: order.index(k) if k in order else 9):
            value = expected[key]
            if got.get(key) == value:
                continue
            answered = got.get(key, got.get("error"))
            last = impl.last_request, impl.last_response  # the lookups are not the culprit
            detail = explain(
                key, value, answered, want, impl_objects(impl, "wit-object", runtime), reqs
            )
            impl.last_request, impl.last_response = last
            # a run's failures are wit-run's answer too: one class per failed transition,
            # the class of the rule it broke (ADP-014), beside the scenario's own rules
            fail(
                (*rules, "ADP-014") if key == "failures" else rules,
                expected=f"{json.dumps(value)[:300]} (the reference's)",
                came=f"{json.dumps(answered)[:300]}{detail}",
                what=f"{where}: {key}",
            )
    call_ok(impl, rules, "wit-close", runtime=runtime)
