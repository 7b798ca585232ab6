"""The runtime profile: runtime scenarios through the adapter (ADP-015, RUN-001 … RUN-014).

Every vector of ``vectors/runtime.json`` is replayed operation by operation on
a durable runtime in a fresh directory — kills (``SIGKILL`` of the adapter
process, then ``rt-open`` of the same directory) and transfers to a second
runtime included — and each answer compared with the reference's: actor,
message and step ids, failures, heads, events, evictions, bundles (their
BLAKE3 digest and size), verification results and error classes.  A wrong
id or bundle is explained by the first place where the implementation's
objects (``rt-object``) or bundle part from the ones the vector records
(ADP-017.2).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.data._vectors import Vector, find_vectors_dir, load_vectors
from gritwit_conformance.diff._more import bundle_divergence
from gritwit_conformance.diff._objects import recorded_objects, render
from gritwit_conformance.harness import current_plan
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.vectors import replay_runtime

from .._check import check
from .._scenario import explain, impl_objects
from ._drive import directories, wire_call

pytestmark = pytest.mark.profile("runtime")

VECTORS_DIR = find_vectors_dir(current_plan().vectors)
#: Answer keys in the order a mismatch is explained: ids before what follows from them.
ORDER = ("actor", "message", "step", "steps", "head", "heads", "bundle", "size")


def _params() -> Iterator[Any]:
    if VECTORS_DIR is None:
        return
    first: set[str] = set()
    for vector in load_vectors(VECTORS_DIR):
        if vector.kind != "runtime":
            continue
        marks = [pytest.mark.req("ADP-015", *vector.data["requirements"])]
        group = vector.id.split("/")[1]
        if group not in first:
            first.add(group)
            marks.append(pytest.mark.smoke)
        yield pytest.param(vector, id=vector.id, marks=marks)


def _recording_call(impl: Implementation, seen: dict[str, str]) -> Any:
    """``wire_call`` that remembers the last runtime addressed and the last bundle exported."""
    call = wire_call(impl)

    def recording(cmd: str, args: dict[str, Any]) -> dict[str, Any]:
        reply: dict[str, Any] = call(cmd, args)
        seen["runtime"] = str(args.get("runtime", seen.get("runtime", "")))
        if cmd == "rt-export" and reply.get("ok"):
            seen["bundle"] = str(reply.get("bundle", ""))
        return reply

    return recording


def _explain(
    impl: Implementation, vector: Vector, seen: dict[str, str], expected: Any, got: Any, key: str
) -> str:
    """The first divergence behind the answer's ``key`` (ADP-017.2), decoded; '' if none."""
    reqs = ", ".join(vector.data["requirements"])
    want = recorded_objects(vector.data["operations"])
    last = impl.last_request, impl.last_response  # the lookups are not the culprit
    try:
        if key in ("bundle", "size") and seen.get("bundle") and "head" in expected:
            found = bundle_divergence(
                expected["actor"], expected["head"], want, seen["bundle"], requirement=reqs
            )
            return "" if found is None else "\n" + render(found)
        have = impl_objects(impl, "rt-object", seen.get("runtime", ""))
        return explain(key, expected.get(key), got.get(key), want, have, reqs)
    finally:
        impl.last_request, impl.last_response = last


@pytest.mark.parametrize("vector", list(_params()))
def test_runtime_scenario(impl: Implementation, vector: Vector, tmp_path: Path) -> None:
    reqs = ", ".join(vector.data["requirements"])
    operations = vector.data["operations"]
    seen: dict[str, str] = {}
    answers = replay_runtime(
        _recording_call(impl, seen),
        impl.kill,
        vector.data["open"],
        operations,
        directories(tmp_path),
    )
    for index, (op, got) in enumerate(zip(operations, answers, strict=False)):
        expected = op["expect"]
        if got == expected:
            continue
        where = f"runtime scenario {vector.id}, operation {index} ({op['op']}; {reqs})"
        keys = sorted(
            set(expected) | set(got),
            key=lambda k: (k not in ORDER, ORDER.index(k) if k in ORDER else 0, k),
        )
        wrong = [k for k in keys if expected.get(k) != got.get(k)]
        detail = ""
        for key in wrong:
            detail = _explain(impl, vector, seen, expected, got, key)
            if detail:
                break
        raise AssertionError(
            f"{where}: {', '.join(wrong)} not the reference's{detail}\n"
            f"  expected {json.dumps({k: expected.get(k) for k in wrong})[:600]}\n"
            f"  got      {json.dumps({k: got.get(k) for k in wrong})[:600]}"
        )
    impl.kill()  # leave no runtime open on a directory pytest removes


@pytest.mark.req("CONV-005", "ADP-015")
def test_runtime_scenarios_were_found(impl: Implementation) -> None:
    """Needs ``impl`` only so that it counts as not claimed where runtime is not (ADP-006)."""
    count = sum(1 for _ in _params())
    check(
        "CONV-005",
        count >= 30,
        expected="at least 30",
        came=count,
        what="expected at least 30 runtime scenario vectors, found",
    )
