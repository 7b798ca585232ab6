"""The runtime profile: runtime scenarios through the adapter (ADP-015, RUN-001 … RUN-014).

Every vector of ``vectors/runtime.json`` is replayed operation by operation on
a durable runtime in a fresh directory — kills (``SIGKILL`` of the adapter
process, then ``rt-open`` of the same directory) and transfers to a second
runtime included — and each answer compared with the reference's: actor,
message and step ids, failures, heads, events, evictions, bundles (their
BLAKE3 digest and size), verification results and error classes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gritwit.vectors import replay_runtime
from gritwit_conformance._implementation import Implementation
from gritwit_conformance._state import settings
from gritwit_conformance._vectors import Vector, find_vectors_dir, load_vectors

from ._drive import directories, wire_call

pytestmark = pytest.mark.profile("runtime")

VECTORS_DIR = find_vectors_dir(settings.vectors)


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


@pytest.mark.parametrize("vector", list(_params()))
def test_runtime_scenario(impl: Implementation, vector: Vector, tmp_path: Path) -> None:
    reqs = ", ".join(vector.data["requirements"])
    operations = vector.data["operations"]
    answers = replay_runtime(
        wire_call(impl), impl.kill, vector.data["open"], operations, directories(tmp_path)
    )
    for index, (op, got) in enumerate(zip(operations, answers, strict=False)):
        expected = op["expect"]
        if got == expected:
            continue
        where = f"runtime scenario {vector.id}, operation {index} ({op['op']}; {reqs})"
        keys = sorted(set(expected) | set(got))
        differ = [k for k in keys if expected.get(k) != got.get(k)]
        raise AssertionError(
            f"{where}: {', '.join(differ)} differ from the reference\n"
            f"  expected {json.dumps({k: expected.get(k) for k in differ})[:1500]}\n"
            f"  got      {json.dumps({k: got.get(k) for k in differ})[:1500]}"
        )
    impl.kill()  # leave no runtime open on a directory pytest removes


@pytest.mark.req("CONV-005", "ADP-015")
def test_runtime_scenarios_were_found(impl: Implementation) -> None:
    """Needs ``impl`` only so that it counts as not claimed where runtime is not (ADP-006)."""
    count = sum(1 for _ in _params())
    assert count >= 30, f"expected at least 30 runtime scenario vectors, found {count}"
