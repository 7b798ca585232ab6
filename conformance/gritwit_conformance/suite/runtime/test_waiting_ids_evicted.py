"""Ids no actor has, written to run after run, stay within ``max_resident`` (RUN-012.10).

Messages to ids no actor has wait for a genesis that may never come (WIT-009.4).
An attempt of such an id uses it (RUN-012.6); from then on it is idle (RUN-012.1), and
the capacity rule evicts it like any idle actor. A runtime that keeps every such id, as
"messages pending", holds memory for every id ever written to.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal

pytestmark = pytest.mark.profile("runtime")

#: Most resident actors, the runs, and the fresh ids each run's sends go to.
MAX_RESIDENT, RUNS, PER_RUN = 3, 3, 4


def _fresh(run: int, i: int) -> str:
    """An id no actor has: a hash of nothing any core is (WIT-009.4)."""
    return hashlib.sha256(b"RUN-012.10 %d %d" % (run, i)).hexdigest()


@pytest.mark.req("RUN-012.10", "RUN-012.2", "RUN-012.6", "ADP-015")
def test_ids_waiting_for_genesis_are_evicted_run_after_run(
    impl: Implementation, tmp_path: Path
) -> None:
    """Three runs, each after sends to four fresh ids, with ``max_resident`` 3.

    Each id is used by its run's attempt, which finds no genesis (RUN-012.6); then it
    is idle, so after every run at most three of them are resident: the others were
    archived for capacity (RUN-012.2). ``rt-evict`` then evicts every one left, for
    none of them is busy.
    """
    (tmp_path / "rt").mkdir()
    runtime = str(
        call_ok(
            impl, "RUN-012.10", "rt-open", path=str(tmp_path / "rt"), max_resident=MAX_RESIDENT
        )["runtime"]
    )
    try:
        archived: set[str] = set()
        written: set[str] = set()
        for run in range(RUNS):
            for i in range(PER_RUN):
                to = _fresh(run, i)
                written.add(to)
                impl.call("rt-send", runtime=runtime, to=to, mt="x", content={"blob": "01"})
            report = call_ok(impl, "RUN-012.10", "rt-run", runtime=runtime, max_steps=20)
            check_equal(
                "RUN-012.10", [], report["steps"], f"no genesis: nothing is adopted: {report}"
            )
            events = call_ok(impl, "RUN-012.10", "rt-events", runtime=runtime)["events"]
            archived |= {e["actor"] for e in events if e["event"] == "archived"}
            resident = written - archived
            value = len(resident)
            check(
                # used by the attempt that found no genesis (RUN-012.6), then evicted by the
                # capacity rule as any idle actor (RUN-012.2)
                ("RUN-012.10", "RUN-012.6", "RUN-012.2"),
                value <= MAX_RESIDENT,
                expected=f"at most {MAX_RESIDENT}",
                came=value,
                what=f"after run {run + 1}, {len(resident)} ids no actor has are still resident, "
                f"max_resident {MAX_RESIDENT}: once looked at they are idle, and the "
                f"capacity rule evicts them as any idle actor",
            )
        left = set(call_ok(impl, "RUN-012.10", "rt-evict", runtime=runtime)["evicted"])
        check_equal(
            "RUN-012.10",
            written - archived,
            left,
            f"rt-evict evicts every id left waiting for its genesis, none busy "
            f"(RUN-012.10): evicted {sorted(left)}, left before {sorted(written - archived)}",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
