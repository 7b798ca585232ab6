"""A history whose objects add up to more than 32 MiB is walked whole (RUN-010.1,
RUN-010.4) and refused as a bundle for its size, never for an object missing
(RUN-009.1, ENC-013.2).

An implementation reads a walk's objects many at a time, and one that bounds what a
read holds (the reference: pages of at most 1,000 ids and 32 MiB, ``store/_paging.py``)
splits such a walk's objects over several reads. A page planned and then left out, or
a page's ids read from the wrong offset, loses objects the history holds: ``rt-verify``
would then report the history broken, and ``rt-export`` fail ``not-found`` where the
history is whole and only the bundle is too large.

The actor is ``echo`` with two state blobs of nearly 16 MiB each (ENC-013: an object's
encoding is at most 16 MiB) and a third of 4 KiB, so that its core reaches more than
32 MiB and no read bounded by 32 MiB can hold all of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, check_outcome

pytestmark = pytest.mark.profile("runtime")

#: ENC-013: the longest encoding of an object.
LIMIT = 16 * 1024 * 1024
#: Each large blob's data: its encoding (a few bytes of head more) stays within LIMIT.
LARGE = LIMIT - 1024
#: The state: two large blobs and a small one, more than 32 MiB together.
STATE = {"a": b"\x01" * LARGE, "b": b"\x02" * LARGE, "c": b"\x03" * 4096}


@pytest.mark.slow
@pytest.mark.req("RUN-010.1", "RUN-010.4", "RUN-009.1", "ENC-013.2", "STO-003.1", "CONV-004")
def test_a_history_past_32_mib_verifies_whole_and_exports_too_large(
    impl: Implementation, tmp_path: Path
) -> None:
    """``rt-verify`` of the actor walks every object and finds the history intact; its
    ``rt-export`` is refused ``too-large`` (the bundle would pass 16 MiB), and every
    state blob is still read back whole by ``rt-object``."""
    path = tmp_path / "rt"
    path.mkdir()
    runtime = call_ok(impl, "RUN-010.1", "rt-open", path=str(path))["runtime"]
    try:
        actor = call_ok(
            impl,
            "RUN-010.1",
            "rt-genesis",
            runtime=runtime,
            actor="echo",
            state={name: data.hex() for name, data in STATE.items()},
        )["actor"]
        ran = call_ok(impl, "RUN-010.1", "rt-run", runtime=runtime, max_steps=10)
        check_equal(
            "RUN-010.1",
            [actor],
            [stepped for stepped, _ in ran["steps"]],
            "the actors of rt-run's steps: the genesis adopted",
        )
        verified = call_ok(impl, "RUN-010.4", "rt-verify", runtime=runtime, actor=actor)
        check_equal(
            "RUN-010.4",
            {"verified": True, "steps": 1, "erased": []},
            verified,
            "rt-verify of an intact history of one step whose objects pass 32 MiB: "
            "every object walked and found",
        )
        check_outcome(
            "ENC-013.2",
            impl.call("rt-export", runtime=runtime, actor=actor),
            "too-large",
            "rt-export of an intact history of more than 32 MiB: the bundle would pass "
            "16 MiB, and no object of it is missing (not-found would say one is)",
        )
        for name, data in STATE.items():
            oid = g.object_id(g.Blob(data=data)).hex()
            got = call_ok(impl, "STO-003.1", "rt-object", runtime=runtime, id=oid)["bytes"]
            check(
                "STO-003.1",
                got == g.encode_object(g.Blob(data=data)).hex(),
                expected=f"the stored encoding of state blob {name!r}",
                came=f"{len(got) // 2} bytes, not those",
                what=f"rt-object of state blob {name!r}",
            )
    finally:
        call_ok(impl, "RUN-010.1", "rt-close", runtime=runtime)
