"""Lifecycle events are not persisted (RUN-014.4).

Events live in the runtime's memory only: an observer sees what happened since it
last looked, in this process. After a restart (``SIGKILL``, then ``rt-open`` of the
same directory), ``rt-events`` answers only the events of the new runtime — never
the ``archived`` events that the killed process emitted and nobody collected — and
the steps adopted afterwards are those of a run that never evicted anything. Every
answer is compared with the in-process reference fed the same commands, and the
first events after the restart are checked from the spec alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal
from ._drive import SideBySide

pytestmark = pytest.mark.profile("runtime")


@pytest.mark.smoke
@pytest.mark.req("RUN-014.4", "RUN-014.2", "RUN-007.1")
def test_events_emitted_before_a_restart_are_gone_after_it(
    impl: Implementation, tmp_path: Path
) -> None:
    both = SideBySide(impl, tmp_path, clause="RUN-014.4")
    try:
        both.open("a")
        actors = [
            both("a", "rt-genesis", actor="counter", state={"n": n})["actor"] for n in ("00", "01")
        ]
        both("a", "rt-run", max_steps=20)
        both("a", "rt-events")  # collected: the genesis restores, if any
        evicted = both("a", "rt-evict")["evicted"]
        check_equal("RUN-014.4", sorted(actors), sorted(evicted), "the evicted")
        both.kill()  # the two `archived` events were never collected
        both.open("a")
        both("a", "rt-send", to=actors[0], mt="inc", content={"blob": ""})
        both("a", "rt-run", max_steps=20)
        events = both("a", "rt-events")["events"]
        kinds = [(e["event"], e["actor"]) for e in events]
        check(
            "RUN-014.4",
            ("archived", actors[1]) not in kinds,
            expected=f"an event of the killed process came back after the restart: {events}",
            came=("archived", actors[1]),
        )
        check(
            "RUN-014.4",
            all(e["actor"] == actors[0] for e in events),
            expected="a value, not empty",
            came=events,
        )
    finally:
        both.kill()
