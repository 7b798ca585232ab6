"""Playing sandbox runs through an implementation (ADP-019), shared by the sandbox tests.

A vector's runs are sent as ``sandbox-run`` with the objects their ``core`` reaches
among those the vector records (ADP-019.6); answers are compared with the
reference's, and a wrong core id is explained by the first place where the
implementation's objects part from the recorded ones (ADP-017.2).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

import blake3
import pytest

import gritwit as g
from gritwit_conformance.data._vectors import Vector, load_vectors
from gritwit_conformance.diff._objects import first_divergence, render
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._messages import Response
from gritwit_conformance.suite._check import CLASS_RULE, Clause, check, fail, ok_answer
from gritwit_conformance.suite._scenario import VECTORS_DIR

Json = dict[str, Any]
#: The arguments of ``sandbox-run`` a vector operation carries (all but ``objects``).
RUN_ARGUMENTS = ("program", "core", "messages", "limits", "interpreter")
#: A counter: the program of every neighbour run (ADP-019.4).
COUNTER = (
    "import os\n"
    "n = int(open('n').read()) if os.path.exists('n') else 0\n"
    "open('n', 'w').write(str(n + 1))\n"
    "print(n + 1)\n"
)


def sandbox_params() -> Iterator[Any]:
    """One pytest param per vector of ``vectors/sandbox.json``, citing its requirements."""
    if VECTORS_DIR is None:
        return
    first: set[str] = set()
    for vector in load_vectors(VECTORS_DIR):
        if vector.kind != "sandbox":
            continue
        marks = [pytest.mark.req("ADP-019.6", *vector.data["requirements"])]
        group = vector.id.split("/")[1]
        if group not in first:
            first.add(group)
            marks.append(pytest.mark.smoke)
        yield pytest.param(vector, id=vector.id, marks=marks)


def children(description: Mapping[str, Any]) -> list[str]:
    """The ids a tree description names (OBJ-018); none for a blob."""
    entries = description.get("entries") if description.get("type") == "tree" else None
    return list(entries.values()) if isinstance(entries, dict) else []


def encodings(pool: Mapping[str, Mapping[str, Any]], core: str | None) -> list[str]:
    """The encodings (hex) of the objects ``core`` reaches in ``pool``, by ascending id."""
    reached: dict[str, str] = {}
    todo = [] if core is None else [core]
    while todo:
        oid = todo.pop()
        if oid in reached or oid not in pool:
            continue
        reached[oid] = g.encode_object(g.object_from_json(dict(pool[oid]))).hex()
        todo.extend(children(pool[oid]))
    return [reached[oid] for oid in sorted(reached)]


def build(files: Mapping[str, Any]) -> tuple[str, dict[str, Json]]:
    """A core of ``{name: bytes | {sub-entries}}``: its id and its objects' descriptions."""
    found: dict[str, Json] = {}

    def tree(node: Mapping[str, Any]) -> str:
        entries = {}
        for name, value in node.items():
            if isinstance(value, Mapping):
                entries[name] = g.ObjectId.from_hex(tree(value))
            else:
                blob = g.Blob(data=value)
                entries[name] = g.object_id(blob)
                found[entries[name].hex()] = g.object_to_json(blob)
        made = g.Tree(entries=entries)
        oid = g.object_id(made).hex()
        found[oid] = g.object_to_json(made)
        return oid

    return tree(files), found


def returned_objects(where: str, reply: Response) -> dict[str, Json]:
    """The objects a successful run answered, checked against its core (ADP-019.2)."""
    result = ok_answer(reply, "ADP-019.2", where)
    table: dict[str, Json] = {}
    previous = ""
    for encoded in result.get("objects", []):
        data = bytes.fromhex(encoded)
        oid = blake3.blake3(data).hexdigest()
        check(
            "ADP-019.2",
            oid > previous,
            expected="objects in ascending id order, each once",
            came=f"object {oid[:12]}… after {previous[:12] or 'none'}…",
            what=f"{where}: its objects",
        )
        previous = oid
        try:
            table[oid] = dict(g.object_to_json(g.decode_object(data)))
        except g.GritError as exc:
            fail(
                "ADP-019.2",
                expected="objects that decode",
                came=f"object {oid[:12]}… does not: {exc}",
                what=f"{where}: its objects",
            )
        check(
            ("ADP-019.2", "ENC-014"),
            g.encode_object(g.decode_object(data)) == data,
            expected="canonical encodings",
            came=f"object {oid[:12]}…, not canonical",
            what=f"{where}: its objects",
        )
    core = result.get("core")
    reached, todo = set(), [] if core is None else [core]
    while todo:
        oid = todo.pop()
        if oid in reached:
            continue
        if oid not in table:
            fail(
                "ADP-019.2",
                expected="every object the new core reaches among objects",
                came=f"object {oid[:12]}… missing",
                what=f"{where}: its objects",
            )
        reached.add(oid)
        todo.extend(children(table[oid]))
    extra = set(table) - reached
    check(
        "ADP-019.2",
        not extra,
        expected="only objects the new core reaches",
        came=lambda: f"{len(extra)} more: {', '.join(sorted(o[:12] + '…' for o in extra)[:3])}",
        what=f"{where}: its objects",
    )
    return table


def answer(reply: Response) -> Json:
    if not reply.ok:
        return {"error": reply.error_class}
    result = dict(reply.result)
    if "interpreter" in result:
        return {"interpreter": result["interpreter"]}
    return {k: result.get(k) for k in ("stdout", "core", "sends")}


def ran(
    impl: Implementation, program: str, *, rule: Clause = "ADP-019.2", **args: Any
) -> dict[str, Any]:
    """The result of a ``sandbox-run`` of ``program`` that must succeed (ADP-019.2), its
    returned objects checked (ADP-019.6).  ``rule``: the clause a failure breaks, when it
    is more than ADP-019.2's (a run at a limit, which that limit's clause lets pass)."""
    reply = impl.call("sandbox-run", program=program, **args)
    result = ok_answer(reply, rule)
    returned_objects(f"sandbox-run of {program[:40]!r}", reply)
    return result


def failure_class(impl: Implementation, program: str, **args: Any) -> str | None:
    """The class a ``sandbox-run`` of ``program`` fails with, or None if it succeeds."""
    reply = impl.call("sandbox-run", program=program, **args)
    return None if reply.ok else reply.error_class


def _as_words(failure: str | None) -> str:
    return "a successful run" if failure is None else f"failure {failure}"


def check_class(clause: Clause, expected: str | None, got: str | None, what: str) -> None:
    """``got``, what :func:`failure_class` answered, is ``expected``: a class, or ``None``
    for a run that succeeds; a failure says both in words.  Where a class is expected it
    is a check of CONV-004 too (:data:`CLASS_RULE`, the class reported exactly)."""
    check(
        clause,
        got == expected,
        expected=_as_words(expected),
        came=_as_words(got),
        what=what,
        by_term=() if expected is None else (CLASS_RULE,),
    )


def run_stream(program: str, messages: list[Any], blocks: int) -> bytes:
    """The first ``blocks`` blocks of the run's stream SHA-256(seed ‖ n) of SBX-005.5, for
    ``program`` with no core and ``messages``, computed here from the formula."""
    transition = {"format": "gritwit-sandbox/1", "core": None, "messages": messages}
    seed = hashlib.sha256(
        b"gritwit-sandbox/1\0"
        + program.encode()
        + b"\0"
        + json.dumps(transition, sort_keys=True, separators=(",", ":")).encode()
    ).digest()
    return b"".join(hashlib.sha256(seed + n.to_bytes(8, "little")).digest() for n in range(blocks))


def run(impl: Implementation, where: str, **args: Any) -> Response:
    """``sandbox-run``; an ``unsupported-command`` is a missing command of a claimed profile."""
    return impl.call("sandbox-run", **args)


def replay(impl: Implementation, vector: Vector) -> None:
    """Play ``vector`` on ``impl``; fail on the first answer that is not the reference's."""
    reqs = ", ".join(vector.data["requirements"])
    pool: dict[str, Json] = {}
    for index, op in enumerate(vector.data["operations"]):
        where = f"sandbox vector {vector.id}, operation {index} ({op['op']}; {reqs})"
        pool.update(op.get("given", {}))
        if op["op"] == "info":
            reply = impl.call("sandbox-info")
        else:
            args = {k: op[k] for k in RUN_ARGUMENTS if k in op}
            reply = run(impl, where, objects=encodings(pool, op.get("core")), **args)
        got = answer(reply)
        have: dict[str, Json] = (
            returned_objects(where, reply) if reply.ok and "objects" in reply.result else {}
        )
        expected = op["expect"]
        pool.update(op.get("objects", {}))
        for key in ("interpreter", "error", "stdout", "core", "sends"):
            if key not in expected and key not in got:
                continue
            if got.get(key) == expected.get(key) and key in got:
                continue
            detail = ""
            if key == "core" and isinstance(expected.get(key), str):
                found = first_divergence(
                    expected[key], got.get(key) if isinstance(got.get(key), str) else None,
                    lambda oid: pool.get(oid, "not recorded in the vector"),
                    lambda oid: have.get(oid, "not among the answered objects"),  # noqa: B023 - called at once
                    root="the new core", requirement="SBX-004.2",
                )  # fmt: skip
                detail = "" if found is None else "\n" + render(found)
            elif key == "stdout":
                detail = "\n  (as text: expected {!r}, got {!r})".format(
                    bytes.fromhex(expected.get(key) or "")[:200],
                    bytes.fromhex(str(got.get(key) or ""))[:200]
                    if isinstance(got.get(key), str)
                    else None,
                )
            raise AssertionError(
                f"{where}: {key} is not the reference's{detail}"
                f"\n  expected {json.dumps(expected)[:400]}"
                f"\n  got      {json.dumps(got)[:400]}"
            )
