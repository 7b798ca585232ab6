"""A ref cannot be swapped to an erased blob (REF-003.2, RUN-011.3, RUN-011.4).

An erased blob's bytes are gone and only its tombstone stays: ``has`` still answers true
(RUN-011.4) and ``get`` fails ``erased`` (RUN-011.3). A ``ref-cas`` to it must fail as a
swap to an absent object does (REF-003.2, ``not-found``) and leave the ref unset. A store
that checks a target's presence with ``has`` passes that first check and must still
refuse the swap itself (the reference on PostgreSQL: the swap's statement finds no
bytes and answers a missing target, which the store reports). The blob is stored and
erased by a runtime (``rt-erase``: the store profile erases nothing), which is then
closed; the store of the same path is opened (ADP-010.6) and swapped, for two refs, each
twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal, error_answer

pytestmark = pytest.mark.profile("runtime", "store")

#: The refs swapped to the erased blob.
NAMES = ("names/erased-target", "names/erased/target")


@pytest.mark.req("REF-003.2", "RUN-011.3", "RUN-011.4", "REF-005", "ADP-010.6")
@pytest.mark.req("CONV-004")
def test_a_ref_cannot_be_swapped_to_an_erased_blob(impl: Implementation, tmp_path: Path) -> None:
    path = tmp_path / "rt"
    path.mkdir()
    runtime = str(call_ok(impl, "ADP-010.6", "rt-open", path=str(path))["runtime"])
    actor = str(call_ok(impl, "RUN-011.3", "rt-genesis", runtime=runtime, actor="counter")["actor"])
    call_ok(impl, "RUN-011.3", "rt-run", runtime=runtime, max_steps=10)
    blob = g.object_id(g.Blob(data=b"7")).hex()
    call_ok(
        impl, "RUN-011.3", "rt-send", runtime=runtime, to=actor, mt="inc", content={"blob": "37"}
    )
    call_ok(impl, "RUN-011.3", "rt-erase", runtime=runtime, blob=blob, reason="REF-003.2 test")
    call_ok(impl, "ADP-010.6", "rt-close", runtime=runtime)
    store = str(call_ok(impl, "ADP-010.6", "store-open", kind="durable", path=str(path))["store"])
    check_equal(
        "RUN-011.4",
        True,
        call_ok(impl, "RUN-011.4", "has", store=store, id=blob)["present"],
        f"has of the erased blob {blob}: its tombstone stays",
    )
    error_answer(
        impl.call("get", store=store, id=blob), "RUN-011.3", "erased", f"get of the erased {blob}"
    )
    for name in NAMES:
        for attempt in (1, 2):
            what = f"ref-cas of {name} from none to the erased blob {blob} (attempt {attempt})"
            reply = impl.call("ref-cas", store=store, name=name, expected=None, new=blob)
            error_answer(reply, "REF-003.2", "not-found", what)
            check_equal(
                "REF-003.2",
                None,
                call_ok(impl, "REF-005", "ref-get", store=store, name=name)["id"],
                f"the id ref-get answers for {name} after {what}: still unset",
            )
