"""A runtime catching up after a thousand swaps of the part of the head it met (RUN-020.5).

As in :mod:`.test_store_writer_journal`, a runtime ``a`` runs on a directory (ADP-015)
and a second adapter process writes the same path through the store profile
(ADP-010.6): while ``a``'s ``rt-run`` is held by a ``sleepy`` actor's ``nap``, the
store writer sends ``inc`` to a counter sorting after the sleepy one (its mailbox
``names/outside-outbox/<h>``, ``h`` the counter's digit, RUN-003.4) and adopts the
counter's next step itself, so that when the counter's turn comes ``a`` meets a head
moved under it and must catch up with the store's refs as they are (RUN-020.5,
RUN-020.1, RUN-003.1) or read messages again (WIT-005, RUN-003.3, RUN-007.2).

Unlike that test, every swap the store writer makes after its step, in the nap, is of a
ref in the *same part* as the counter's head and mailbox, for an implementation that
divides its record of swaps by the ref's name as the reference does (16 parts,
:mod:`gritwit.store._pg_schema`: the 16th hex digit of the actor id ending
``heads/<id>``, ``h`` for the outside's mailbox, else the name's CRC-32): a ref of the
store writer's own, or the counter's head itself, moved on to an empty step of the
store writer's and back, an odd number of times.  So ``a``, whose last catch-up (in
the first phase) is older than all of them, is more than a prune's worth (512) but
fewer than the 8,192 swaps the reference's journal keeps behind in that part: it must
be served every swap since, the inc's and the step's among them, and a record pruned
of the last 8,192 leaves them out.  Where the store writer also swaps its own ref
8,300 times between the phases, ``a`` is further behind than such a record keeps and
must read the refs whole.  RUN-020.5: whatever the implementation keeps to tell a
runtime what moved MUST record every swap, whichever interface made it.  Under any
interleaving the counter has read every ``inc`` once when a run is over; only whether
``a`` met the moved head depends on the store writer finishing within the nap (each
phase is tried again, a few times at most, until it did).
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, fail
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

#: Swaps in the counter's part in the second phase's nap, after the store writer's step:
#: odd, and past the next prune of a record of 512 pruned at every 512th swap (1,024
#: after the step make one certain), far fewer than 8,192.
AFTER = 1101
#: Swaps of the store writer's own ref between the phases: none, or past the 8,192 the
#: reference's journal keeps.
BETWEEN = (0, 8300)
#: The naps (ms) of the first phase (two dozen commands) and of the second (``AFTER``
#: swaps more; a nap is 5,000 at most, WIT-030.1), inside ``a``'s bound of 10 s.
NAPS = (2000, 5000)
#: Tries of each phase at most.
TRIES = 4


def _own(digit: str) -> str:
    """A ref of the store writer's own (REF-001.1) in the part of the hex digit ``digit``:
    the low four bits of its name's CRC-32."""
    for n in range(1000):
        name = f"names/journal-filler-{n}"
        if zlib.crc32(name.encode()) % 16 == int(digit, 16):
            return name
    raise AssertionError(f"no name in part {digit}")


def _blobs(writer: StoreWriter) -> tuple[g.ObjectId, g.ObjectId]:
    return writer.put(g.Blob(data=b"one")), writer.put(g.Blob(data=b"two"))


def _after(writer: StoreWriter, counter: str, kind: str) -> None:
    """:data:`AFTER` swaps in the counter's part: of the store writer's own ref, or of
    the counter's head, from the store writer's step to an empty step on it and back,
    ending on the empty one (RUN-001: a step that reads nothing changes no count)."""
    if kind == "own":
        RefSwaps(writer, _own(counter[15])).swap(AFTER, _blobs(writer))
        return
    head = writer.ref(f"heads/{counter}")
    step = None if head is None else writer.get(head)
    if head is None or not isinstance(step, g.Step):
        fail("ADP-010.6", expected="a step", came=step, what=f"the head of {counter}")
    empty = writer.put(
        g.Step(
            actor=step.actor,
            core=step.core,
            previous=head,
            inbox=step.inbox,
            outbox=step.outbox,
        )
    )
    RefSwaps(writer, f"heads/{counter}").swap(AFTER, (head, empty))


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
@pytest.mark.parametrize("between", BETWEEN)
@pytest.mark.parametrize("kind", ["own", "head"])
def test_a_runtime_a_thousand_swaps_behind_in_the_part_of_the_moved_head_catches_up(
    impl: Implementation, second: Implementation, tmp_path: Path, kind: str, between: int
) -> None:
    a = open_stepwise(impl, tmp_path)
    actors = held_actors(impl, a, clause="RUN-020.5")
    counter = actors[2]
    writer = StoreWriter(second, tmp_path)
    expected = 0
    for phase in range(2):
        if phase:  # between a's catching up and its next
            RefSwaps(writer, _own(counter[15])).swap(between, _blobs(writer))
        for attempt in range(TRIES):
            ran, read, mine = held_run(
                impl,
                a,
                writer,
                actors,
                NAPS[phase],
                (lambda: _after(writer, counter, kind)) if phase else (lambda: None),
            )
            check_whole_run(ran, f"phase {phase}, try {attempt}")
            expected += 1 + AMOUNT
            count = count_of(impl, a, counter, clause="RUN-020.5")
            check_equal(
                ("RUN-020.5", "RUN-020.1", "WIT-005", "RUN-003.3", "RUN-007.2"),
                str(expected).encode(),
                count,
                f"phase {phase}, try {attempt}: the counter counts {count!r}, not {expected}: "
                "each inc is read once. The store writer sent the counter inc and adopted its "
                f"step during a's run, then swapped {AFTER} times a ref in the counter's part "
                f"({kind}), {between} swaps of its own ref before; a did not catch up with "
                "those swaps when it met the moved head, and read messages again (RUN-020.5, "
                "RUN-020.1, WIT-005, RUN-003.3, RUN-007.2)",
            )
            if mine in read and all(actor != counter for actor, _ in ran["steps"]):
                break  # a met the store writer's step as the counter's head: it caught up
