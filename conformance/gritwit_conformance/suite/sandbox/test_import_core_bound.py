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

from .._check import call_ok, check_equal, error_answer, ok_answer, suite_premise

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
    suite_premise(BOUND - 1 == 1024 + 1023 * 255 + 254, "the entries add up to the bound")
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
    return str(call_ok(impl, "SBX-006.18", "rt-open", path=str(path))["runtime"])


@pytest.mark.req("SBX-006.18", "SBX-006.15", "RUN-009.3", "RUN-009.8")
@pytest.mark.parametrize("extra", [1, 2])
@pytest.mark.req("CONV-004")
def test_an_import_whose_head_core_is_past_the_entries_bound_is_refused(
    impl: Implementation, tmp_path: Path, extra: int
) -> None:
    interpreter = str(call_ok(impl, "SBX-006.18", "sandbox-info")["interpreter"])
    actor, bundle, encoded = _bundle(interpreter, extra)
    entries = BOUND - 1 + extra
    runtime = _open(impl, tmp_path / "rt")
    try:
        reply = impl.call("rt-import", runtime=runtime, bundle=bundle.hex())
        ref = impl.call("rt-ref", runtime=runtime, name=f"heads/{actor}")
        head = ok_answer(ref, "SBX-006.18", f"rt-ref heads/{actor}").get("target")
        if entries <= BOUND:
            ok_answer(
                reply,
                ("SBX-006.18", "SBX-006.15"),
                f"rt-import of a head core of {entries} entries, the bound of 2**18",
            )
            check_equal(
                "RUN-009.8",
                g.compute_id(_step(encoded)).hex(),
                head,
                "the actor's head after the import: the bundle's head step",
            )
            return
        error_answer(
            reply,
            "SBX-006.18",
            "too-large",
            f"rt-import whose head's python-wasi core expands to {entries} entries, past "
            "2**18: its runs could not mount it",
        )
        check_equal("RUN-009.3", None, head, "the actor's head after the refused import")
        for data in encoded:
            got = impl.call("rt-object", runtime=runtime, id=g.compute_id(data).hex())
            error_answer(
                got,
                "RUN-009.3",
                "not-found",
                f"rt-object of {g.compute_id(data).hex()[:12]}… of the refused bundle: it "
                "stored nothing",
            )
    finally:
        impl.call("rt-close", runtime=runtime)


def _step(encoded: list[bytes]) -> bytes:
    steps = [data for data in encoded if isinstance(g.decode_object(data), g.Step)]
    suite_premise(len(steps) == 1, "the bundle holds one step")
    return steps[0]


@pytest.mark.req("SBX-006.18", "RUN-009.2", "RUN-009.6")
@pytest.mark.req("CONV-004")
def test_the_bundles_own_checks_come_before_the_core_bound(
    impl: Implementation, tmp_path: Path
) -> None:
    """A bundle past the bound that misses an object is ``not-found`` (RUN-009.2): the
    core's bound is checked only after every check of the bundle (SBX-006.18)."""
    interpreter = str(call_ok(impl, "SBX-006.18", "sandbox-info")["interpreter"])
    actor, _, encoded = _bundle(interpreter, 2)
    leaf = g.encode_object(LEAF)
    parts = ["gritwit-bundle/1", actor, g.compute_id(_step(encoded)).hex()]
    pruned = g.encode_value([*parts, [data for data in encoded if data != leaf]])
    runtime = _open(impl, tmp_path / "rt")
    try:
        reply = impl.call("rt-import", runtime=runtime, bundle=pruned.hex())
        error_answer(
            reply,
            ("RUN-009.2", "SBX-006.18"),
            "not-found",
            "rt-import of a bundle past the core bound missing an object the head reaches: "
            "the bundle's own checks come first",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
