"""The bound on a core's entries, at import (SBX-006.18).

SBX-006.15 bounds a ``python-wasi`` core at 262 144 (2**18) entries where it is mounted
(``test_core_expansion.py``) and on what a run leaves (``test_core_entries_left.py``); a
runtime refuses such a core where it enters.  A bundle's head brings a core in too: an
import whose head's core expands past the bound fails ``too-large`` and imports nothing,
after RUN-009.2's checks and before RUN-009.4's head read, and one at the bound is
imported.  The bundles are made here by hand from the clause's count: a head step whose
core is a ``wit`` blob beside 1 023 directories of 255 files and one of 254 (2**18 - 1
entries), plus one or two files.  The bound in bytes at import, under the importing
runtime's core limit (SBX-007.7), is ``test_runtime_core_limit.py``'s.  Written against
``gritwit_conformance.wrong.runtime_import_core_unbounded``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

pytestmark = [pytest.mark.profile("sandbox"), pytest.mark.profile("runtime")]

LEAF = g.Blob(data=b"x")
BOUND = 2**18


def _bundle(interpreter: str, extra: int) -> tuple[str, bytes, list[bytes]]:
    """The actor, a bundle whose head's core mounts 2**18 - 1 + ``extra`` entries, and
    its objects' encodings."""
    full = g.Tree(entries={f"f{i}": g.object_id(LEAF) for i in range(255)})
    short = g.Tree(entries={f"f{i}": g.object_id(LEAF) for i in range(254)})
    entries = {f"d{i:04}": g.object_id(full) for i in range(1023)}
    entries["d1023"] = g.object_id(short)
    entries.update({f"z{i}": g.object_id(LEAF) for i in range(extra)})
    assert BOUND - 1 == 1024 + 1023 * 255 + 254
    headers = {"interpreter": interpreter, "runtime": "python-wasi", "sandbox": "1"}
    wit = g.Blob(data=b"print(1)\n", headers=headers)
    core = g.Tree(entries={**entries, "wit": g.object_id(wit)})
    step = g.Step(actor=g.object_id(core), core=g.object_id(core))
    made: list[g.GritObject] = [LEAF, full, short, wit, core, step]
    objects = sorted(made, key=lambda o: g.object_id(o).digest)
    encoded = [g.encode_object(o) for o in objects]
    actor = g.object_id(core).hex()
    value: list[Any] = ["gritwit-bundle/1", actor, g.object_id(step).hex(), encoded]
    return actor, g.encode_value(value), encoded


def _open(impl: Implementation, path: Path) -> str:
    path.mkdir(exist_ok=True)
    return str(impl.call("rt-open", path=str(path)).expect_ok()["runtime"])


@pytest.mark.req("SBX-006.18", "SBX-006.15", "RUN-009.3", "RUN-009.8")
@pytest.mark.parametrize("extra", [1, 2])
def test_an_import_whose_head_core_is_past_the_entries_bound_is_refused(
    impl: Implementation, tmp_path: Path, extra: int
) -> None:
    interpreter = str(impl.call("sandbox-info").expect_ok()["interpreter"])
    actor, bundle, encoded = _bundle(interpreter, extra)
    entries = BOUND - 1 + extra
    runtime = _open(impl, tmp_path / "rt")
    try:
        reply = impl.call("rt-import", runtime=runtime, bundle=bundle.hex())
        head = impl.call("rt-ref", runtime=runtime, name=f"heads/{actor}").expect_ok()["target"]
        if entries <= BOUND:
            assert reply.ok, (
                f"a head core of {entries} entries, the bound of 2**18, must be imported "
                f"(SBX-006.18, SBX-006.15): {reply.error}"
            )
            assert head == g.compute_id(_step(encoded)).hex(), (
                "the import sets the head to the bundle's head step (RUN-009.8)"
            )
            return
        assert not reply.ok and reply.error_class == "too-large", (
            f"an import whose head's python-wasi core expands to {entries} entries, past "
            f"2**18, must fail too-large: its runs could not mount it (SBX-006.18): "
            f"{reply.result or reply.error}"
        )
        assert head is None, f"a refused import sets no head (RUN-009.3): {head}"
        for data in encoded:
            got = impl.call("rt-object", runtime=runtime, id=g.compute_id(data).hex())
            assert not got.ok and got.error_class == "not-found", (
                f"a refused import stores nothing (RUN-009.3), but it stored {got}"
            )
    finally:
        impl.call("rt-close", runtime=runtime)


def _step(encoded: list[bytes]) -> bytes:
    steps = [data for data in encoded if isinstance(g.decode_object(data), g.Step)]
    assert len(steps) == 1
    return steps[0]


@pytest.mark.req("SBX-006.18", "RUN-009.2", "RUN-009.6")
def test_the_bundles_own_checks_come_before_the_core_bound(
    impl: Implementation, tmp_path: Path
) -> None:
    """A bundle past the bound that misses an object is ``not-found`` (RUN-009.2): the
    core's bound is checked only after every check of the bundle (SBX-006.18)."""
    interpreter = str(impl.call("sandbox-info").expect_ok()["interpreter"])
    actor, _, encoded = _bundle(interpreter, 2)
    leaf = g.encode_object(LEAF)
    parts = ["gritwit-bundle/1", actor, g.compute_id(_step(encoded)).hex()]
    pruned = g.encode_value([*parts, [data for data in encoded if data != leaf]])
    runtime = _open(impl, tmp_path / "rt")
    try:
        reply = impl.call("rt-import", runtime=runtime, bundle=pruned.hex())
        assert not reply.ok and reply.error_class == "not-found", (
            "a bundle missing an object the head reaches fails not-found (RUN-009.2), "
            f"before its core's bound is checked (SBX-006.18): {reply.result or reply.error}"
        )
    finally:
        impl.call("rt-close", runtime=runtime)
