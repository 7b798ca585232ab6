"""A blob another runtime erased is erased for a runtime that read it before (RUN-011.3,
RUN-020.1, RUN-020.2).

A runtime may keep the blobs its transitions read and skip asking the store for a
tombstone while it knows no erasure came since it found one clean; the reference on
PostgreSQL knows so by the store's count of erasures, read with each head it reads (one
ref, or many at once) and taken back from each erasure of its own (DUR-005.4).  Here the
first runtime erases a blob of its own (so that it knows a count), its counters'
transitions read a message's content twice, then a second process's runtime on the same
path (ADP-015, ADP-010.6) erases that content and sends each counter one more ``inc``
whose content is that blob (RUN-011.5: putting it again does not restore it).  The first
runtime's next run reads each counter's head before its transition (RUN-020.2), after
the erasure returned: each transition reads an erased blob, fails (RUN-011.3) and never
counts.  Once with one counter, once with two.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal
from .._writers import second as second  # the other writer's process

pytestmark = pytest.mark.profile("runtime")

#: The content the first runtime erases itself (a count only in its first counter's
#: history once ``NEXT`` is counted), and the one the other runtime erases (never a
#: counter's count after the incs before the erasure: 11, and 8).
OWN, NEXT, ERASED = b"1", b"2", b"4"
#: Steps each run may take: every pending transition and its retries (RUN-004.3).
STEPS = 50


def _inc(side: Implementation, runtime: str, actor: str, content: bytes) -> None:
    call_ok(
        side,
        "RUN-011.3",
        "rt-send",
        runtime=runtime,
        to=actor,
        mt="inc",
        content={"blob": content.hex()},
    )


def _run(side: Implementation, runtime: str) -> None:
    call_ok(side, "RUN-011.3", "rt-run", runtime=runtime, max_steps=STEPS)


def _count(side: Implementation, runtime: str, actor: str) -> int:
    answer = call_ok(side, "RUN-011.3", "rt-query", runtime=runtime, actor=actor, name="count")
    return int(bytes.fromhex(answer["data"]))


@pytest.mark.req("RUN-011.3", "RUN-020.1", "RUN-020.2", "ADP-015", "ADP-010.6")
@pytest.mark.req("CONV-004")
@pytest.mark.parametrize("counters", [1, 2], ids=["one head", "two heads"])
def test_a_blob_another_runtime_erased_is_not_counted_by_a_runtime_that_read_it(
    impl: Implementation, second: Implementation, tmp_path: Path, counters: int
) -> None:
    path = tmp_path / "rt"
    path.mkdir()
    runtime = str(call_ok(impl, "ADP-015", "rt-open", path=str(path), first_delay=0)["runtime"])
    actors = [
        str(
            call_ok(
                impl,
                "RUN-011.3",
                "rt-genesis",
                runtime=runtime,
                actor="counter",
                state={"t": bytes([i]).hex()},  # distinct states: distinct actors
            )["actor"]
        )
        for i in range(counters)
    ]
    _run(impl, runtime)
    for content in (OWN, NEXT):
        _inc(impl, runtime, actors[0], content)
        _run(impl, runtime)
    own = g.object_id(g.Blob(data=OWN)).hex()
    call_ok(impl, "RUN-011.3", "rt-erase", runtime=runtime, blob=own, reason="the runtime's own")
    for _ in range(2):  # the content read twice: any cache holds it as clean
        for actor in actors:
            _inc(impl, runtime, actor, ERASED)
        _run(impl, runtime)
    before = [_count(impl, runtime, actor) for actor in actors]
    check_equal(
        "RUN-011.3",
        [11, 8][:counters],
        before,
        "the counters' counts before the other runtime's erasure",
    )
    other = str(call_ok(second, "ADP-015", "rt-open", path=str(path), first_delay=0)["runtime"])
    erased = g.object_id(g.Blob(data=ERASED)).hex()
    call_ok(second, "RUN-011.3", "rt-erase", runtime=other, blob=erased, reason="another's")
    for actor in actors:
        _inc(second, other, actor, ERASED)  # its content is the erased blob (RUN-011.5)
    call_ok(second, "ADP-015", "rt-close", runtime=other)
    _run(impl, runtime)
    check_equal(
        ("RUN-011.3", "RUN-020.2"),
        before,
        [_count(impl, runtime, actor) for actor in actors],
        f"the counters' counts after another runtime erased the blob {erased} their "
        "transitions read twice, then sent each an inc whose content is that blob: each "
        "transition reading it fails (RUN-011.3), so no inc is counted",
    )
