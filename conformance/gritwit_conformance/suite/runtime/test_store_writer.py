"""A writer through the store profile: a runtime catching up must see its swaps (RUN-020.5).

A runtime ``a`` runs on a directory (ADP-015); a second adapter process opens the same
path with ``store-open`` (ADP-010.6: one path, one store) and writes it as a runtime
would, with the store profile's ``put`` and ``ref-cas`` alone: it sends ``inc`` to a
counter from the outside (a message queued per WIT-004, a new mailbox of the outside's,
a compare-and-swap of the counter's ``names/outside-outbox/<h>``, RUN-003.4) and runs
that counter, building the step that reads what is pending for it (WIT-005, WIT-020) and
swapping ``heads/<actor>`` to it. It does both while ``a``'s ``rt-run`` is under way,
between ``a`` reading the refs and the counter's turn coming: the counter sorts after a
``sleepy`` actor whose ``nap`` holds the run (ADP-014's rounds take actors in ascending
id order), and the store writer starts once the run has adopted the step of an actor
sorting before the sleepy one (``commit: "step"``, RUN-017.1, so that step is swapped
before the nap). When the counter's turn comes, its head has read messages newer than
any ``a`` knew of when its run started: ``a`` must catch up with the store's refs as
they are (RUN-020.1, RUN-003.1), the store writer's swaps included, or it walks the
outside's chain back from an entry older than the head's inbox entry and reads every
message again (WIT-005, RUN-003.3, RUN-007.2). This happens twice, so that ``a`` catches
up twice in its life: a runtime that learns what moved from a record of swaps since its
last catch-up, as the reference's journal of swaps is, must find the store writer's
swaps there too.

Under any interleaving the counter has read every ``inc`` once when the run is over,
so the count is the sum of them, and ``a`` reports no failed attempt; only whether
``a`` met the moved head in its run depends on the store writer finishing within the
nap, which leaves it two seconds for two dozen commands. Each phase waits for ``a``'s step
by polling the ref (bounded at a minute), never by sleeping a guessed time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal
from .._store_writer import (
    AMOUNT,
    StoreWriter,
    check_whole_run,
    held_actors,
    held_run,
    open_stepwise,
)
from .._writers import count_of
from .._writers import second as second  # the store writer's process

pytestmark = pytest.mark.profile("runtime")

#: The ``nap`` that holds ``a``'s run (ms), well inside ``a``'s bound of ``LIMIT`` s.
NAP = 2000

#: Phases at most; the test stops early once the store writer's step was the counter's
#: head when its turn came in this many phases (``a`` met a moved head, and caught up).
PHASES, BITES = 4, 2


@pytest.mark.slow
@pytest.mark.profile("runtime", "store")
@pytest.mark.req(
    "RUN-020.5",
    "RUN-020.1",
    "RUN-003.1",
    "RUN-003.3",
    "RUN-003.4",
    "RUN-007.2",
    "WIT-005",
    "ADP-010.6",
)
@pytest.mark.req("RUN-020.3")
def test_a_runtime_catching_up_sees_what_the_store_profile_swapped(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    a = open_stepwise(impl, tmp_path)
    early, sleepy, counter = held_actors(impl, a)
    writer = StoreWriter(second, tmp_path)

    expected, bites = 0, 0
    for phase in range(PHASES):
        ran, read, mine = held_run(impl, a, writer, (early, sleepy, counter), NAP)
        expected += 1 + AMOUNT
        where = f"phase {phase}: a's rt-run answered {ran}"
        check_whole_run(ran, where)
        count = count_of(impl, a, counter, clause="RUN-020.5")
        check_equal(
            ("RUN-020.5", "RUN-020.1", "WIT-005", "RUN-003.3", "RUN-007.2"),
            str(expected).encode(),
            count,
            f"{where}; the counter counts {count!r}, not {expected}: each inc is read once. "
            f"The store writer swapped the outside's outbox, then the counter's head to a "
            f"step reading {len(read)} message(s), during a's run; a did not catch up with "
            "those swaps when it met the moved head, and read messages again (RUN-020.5, "
            "RUN-020.1, WIT-005, RUN-003.3, RUN-007.2)",
        )
        value = call_ok(impl, "RUN-020.5", "rt-ref", runtime=a, name=f"names/failed/{counter}")[
            "target"
        ]
        check("RUN-020.5", value is None, expected="nothing (null)", came=value)
        if mine in read and all(actor != counter for actor, _ in ran["steps"]):
            bites += 1  # the store writer's step was the head when the counter's turn came
            if bites == BITES:
                break
