"""Threads racing to swap the same refs, released together each round (DUR-003, REF-004.3)."""

from __future__ import annotations

import contextlib
import threading

import gritwit as g
from gritwit.store import Store


def race(store: Store, threads: int, rounds: int) -> list[list[int]]:
    """``threads`` threads each swap ``names/round/<r>`` from unset to a blob of their own,
    released together each round; the winners of each round (those whose swap returned)."""
    gate = threading.Barrier(threads)
    mine = [[store.put_object(g.Blob(data=b"%d/%d" % (t, r))) for r in range(rounds)]
            for t in range(threads)]  # fmt: skip
    winners: list[list[int]] = [[] for _ in range(rounds)]

    def run(t: int) -> None:
        for r in range(rounds):
            gate.wait(timeout=60)
            with contextlib.suppress(g.RefConflict):
                store.cas_ref(f"names/round/{r}", None, mine[t][r])
                winners[r].append(t)

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    for r, won in enumerate(winners):
        if len(won) == 1:
            assert store.get_ref(f"names/round/{r}") == mine[won[0]][r]
    return winners


def move_head(store: Store, actor: g.ObjectId) -> None:
    """Another writer moves ``actor``'s head on by a step of its own that keeps the head's
    core, inbox and outbox (a step that reads and sends nothing), so that a runtime's next
    swap of that head from where it last read it loses (REF-004.3, RUN-017.4)."""
    head = store.get_ref(f"heads/{actor.hex()}")
    step = store.get_object(head) if head is not None else None
    assert isinstance(step, g.Step), f"{actor.hex()} has no step for a head"
    other = g.Step(actor=actor, core=step.core, previous=head, inbox=step.inbox, outbox=step.outbox)
    store.put_object(other)
    store.cas_ref(f"heads/{actor.hex()}", head, g.object_id(other))  # the other writer wins
