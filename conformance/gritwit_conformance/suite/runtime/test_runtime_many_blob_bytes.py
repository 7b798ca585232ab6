"""A runtime whose steps read more blob data than it could keep in memory (RUN-001.1,
WIT-020.2).

A runtime may keep the objects it reads to serve later reads, but no more than some
bound: here a ``counter`` is sent five ``inc`` messages of 15 MiB blobs each (75 MiB in
all, past the 64 MiB of blob data the reference keeps), data that is no decimal, which
the counter ignores (WIT-020.2), and one empty ``inc``, which adds 1.  Every message is
read by a step that is adopted, with no failed attempt (ADP-015's ``attempts``), and
the count is 1: whatever a runtime drops from memory to stay within its bound, its
steps go on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal
from .._writers import count_of, inc

pytestmark = pytest.mark.profile("runtime")

#: Blobs of 15 MiB (under the 16 MiB of an encoded object, ENC-013), five of them.
BLOB = 15 * 2**20
BLOBS = 5


@pytest.mark.req("RUN-001.1", "WIT-020.2", "ADP-015")
def test_steps_reading_more_blob_data_than_a_runtime_keeps_go_on(
    impl: Implementation, tmp_path: Path
) -> None:
    runtime = call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path))["runtime"]
    actor = call_ok(impl, "ADP-015", "rt-genesis", runtime=runtime, actor="counter")["actor"]
    call_ok(impl, "RUN-001.1", "rt-run", runtime=runtime, max_steps=10)
    for i in range(BLOBS):
        # a different blob each, none a decimal: 'x' then the same byte throughout
        content = {"blob": (b"x" + bytes([65 + i]) * (BLOB - 1)).hex()}
        call_ok(impl, "ADP-015", "rt-send", runtime=runtime, to=actor, mt="inc", content=content)
    inc(impl, runtime, actor, "", clause="WIT-020.2")
    run = call_ok(impl, "RUN-001.1", "rt-run", runtime=runtime, max_steps=100)
    check_equal(
        ("RUN-001.1", "ADP-015"),
        {"failures": [], "attempts": []},
        {"failures": run["failures"], "attempts": run["attempts"]},
        f"rt-run's failures and failed attempts: a counter's steps reading {BLOBS} blobs "
        f"of {BLOB} bytes, none failing",
    )
    check(
        "RUN-001.1",
        actor in [a for a, _ in run["steps"]],
        expected=f"a step of the counter {actor[:12]}…",
        came=run["steps"],
        what="rt-run's steps",
    )
    check_equal(
        "WIT-020.2",
        b"1",
        count_of(impl, runtime, actor, clause="WIT-020.2"),
        f"the count after {BLOBS} inc messages of data that is no decimal and one empty",
    )
    call_ok(impl, "ADP-015", "rt-close", runtime=runtime)
