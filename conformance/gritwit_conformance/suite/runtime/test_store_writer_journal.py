"""A runtime catching up after more swaps than a bounded record of them keeps (RUN-020.5).

As in :mod:`.test_store_writer`, a runtime ``a`` runs on a directory (ADP-015) and a
second adapter process writes the same path through the store profile (ADP-010.6): while
``a``'s ``rt-run`` is held by a ``sleepy`` actor's ``nap``, it sends ``inc`` to a counter
sorting after the sleepy one and adopts the counter's next step itself, so that when the
counter's turn comes ``a`` meets a head moved under it and must catch up with the store's
refs as they are (RUN-020.5, RUN-020.1, RUN-003.1) or read messages again (WIT-005,
RUN-003.3, RUN-007.2).

Here ``a`` catches up once (the first phase), then the store writer swaps a ref of its own
(``names/journal-filler``, no runtime's) more times than a record of swaps of a bounded
size keeps — the reference's journal keeps 8,192 and prunes at every 512th — and only
then comes the second phase, in whose nap the store writer also swaps that ref several
hundred times more after its step. A runtime that learns what moved from such a record
must see that its last catch-up is older than the record reaches back, and read the
refs whole instead of taking the swaps left as all that moved; and a pruning must keep
the record's numbering going, so that the swaps since that catch-up are never taken for
older ones. RUN-020.5: whatever the implementation keeps to tell a runtime what moved
MUST record every swap, whichever interface made it. Under any interleaving the counter
has read every ``inc`` once when a run is over; only whether ``a`` met the moved head
depends on the store writer finishing within the nap (each phase is tried again, a few
times at most, until it did).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal
from .._store_writer import (
    AMOUNT,
    RefSwaps,
    StoreWriter,
    check_whole_run,
    held_actors,
    held_run,
    open_stepwise,
)
from .._writers import count_of
from .._writers import second as second  # the store writer's process

pytestmark = pytest.mark.profile("runtime")

#: The store writer's own ref, which no runtime reads (REF-001.1).
FILLER = "names/journal-filler"
#: Swaps of it between the phases: more than the reference's journal keeps (8,192) and
#: a prune's worth (512) more.
BETWEEN = 8192 + 512
#: Swaps of it in the second phase's nap, after the store writer's step: past the next
#: prune of a journal pruned at every 512th swap.
AFTER = 640
#: The naps (ms) of the first phase (two dozen commands) and of the second (``AFTER``
#: swaps more; a nap is 5,000 at most, WIT-030.1), inside ``a``'s bound of 10 s
#: (:data:`.test_store_writer.LIMIT`).
NAPS = (2000, 5000)
#: Tries of each phase at most.
TRIES = 4


def _filler(writer: StoreWriter) -> tuple[RefSwaps, tuple[g.ObjectId, g.ObjectId]]:
    """The store writer's swaps of :data:`FILLER`, and the two blobs they swap between."""
    blobs = (writer.put(g.Blob(data=b"one")), writer.put(g.Blob(data=b"two")))
    return RefSwaps(writer, FILLER), blobs


def _phase(
    impl: Implementation,
    a: str,
    writer: StoreWriter,
    actors: tuple[str, str, str],
    nap: int,
    after: tuple[RefSwaps, tuple[g.ObjectId, g.ObjectId], int],
) -> tuple[int, bool]:
    """One run of ``a`` held by a nap, in which the store writer sends the counter ``inc``,
    adopts its next step and then swaps its own ref ``after`` times; what the counter
    gained, and whether ``a`` met the store writer's step as the counter's head."""
    counter = actors[2]
    filler, blobs, times = after
    ran, read, mine = held_run(impl, a, writer, actors, nap, lambda: filler.swap(times, blobs))
    check_whole_run(ran, f"a run held by a nap of {nap} ms")
    bit = mine in read and all(actor != counter for actor, _ in ran["steps"])
    return 1 + AMOUNT, bit


@pytest.mark.slow
@pytest.mark.profile("runtime", "store")
@pytest.mark.req(
    "RUN-020.5",
    "RUN-020.1",
    "RUN-020.3",
    "RUN-003.3",
    "RUN-007.2",
    "WIT-005",
    "ADP-010.6",
)
def test_a_runtime_catching_up_after_thousands_of_swaps_sees_the_moved_head(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    a = open_stepwise(impl, tmp_path)
    actors = held_actors(impl, a, clause="RUN-020.5")
    counter = actors[2]
    writer = StoreWriter(second, tmp_path)
    filler, blobs = _filler(writer)
    expected = 0
    for phase, (naps, after) in enumerate(((NAPS[0], 0), (NAPS[1], AFTER))):
        if phase:
            filler.swap(BETWEEN, blobs)  # between a's catching up and its next
        for attempt in range(TRIES):
            gained, bit = _phase(impl, a, writer, actors, naps, (filler, blobs, after))
            expected += gained
            count = count_of(impl, a, counter, clause="RUN-020.5")
            check_equal(
                ("RUN-020.5", "RUN-020.1", "WIT-005", "RUN-003.3", "RUN-007.2"),
                str(expected).encode(),
                count,
                f"phase {phase}, try {attempt}: the counter counts {count!r}, not {expected}: "
                f"each inc is read once. The store writer swapped its own ref {filler.swaps} "
                "times in all, and the outside's outbox and the counter's head during a's "
                "run; a did not catch up with those swaps when it "
                "met the moved head, and read messages again (RUN-020.5, RUN-020.1, WIT-005, "
                "RUN-003.3, RUN-007.2)",
            )
            if bit:  # a met the store writer's step as the counter's head: it caught up
                break
