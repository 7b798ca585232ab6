"""A head moved by another writer after the routing index caught up (RUN-002.3, RUN-003.3).

Runtime ``a`` loads its routing index when a run starts, and reads an actor's head
afresh before each transition.  If another writer ``b`` of the same durable store
sends to the actor *and* runs it in between, the head ``a`` reads has read messages
newer than the outside's outbox entry ``a``'s index holds.  Walking back from that
stale entry (WIT-005) never meets the inbox entry: it would deliver every message of
the chain again — genesis and ``inc 1`` — and the compare-and-swap would succeed,
because the head did not move after ``a`` read it.  Every message must be read once.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from core_numbers import head_count
from test_runtime import _say

import gritwit as g
from gritwit.runtime import Runtime, check_runtime, history
from gritwit.runtime._resident import UNREAD, ResidentActors
from gritwit.wit import OUTSIDE, mailbox_entries, test_actor_core


@pytest.mark.parametrize("commit", ["group", "step"])
@pytest.mark.req("RUN-003.3", "RUN-002.3", "WIT-005")
def test_a_head_moved_by_another_writer_during_a_run_reads_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, commit: str
) -> None:
    a = Runtime(g.Store.open(tmp_path), commit=commit, send_commit="own")
    b = Runtime(
        g.Store.open(tmp_path), commit=commit, send_commit="own"
    )  # a second writer of the same store

    async def start() -> g.ObjectId:
        core, objects = test_actor_core("counter")
        actor = await a.genesis(core, objects)
        await a.run_until_quiescent()
        await _say(a, actor, "inc", "1")  # pending; a's index holds it as the outside's entry
        return actor

    actor = asyncio.run(start())

    async def other_writer() -> None:
        await b.run_until_quiescent()  # reads inc 1
        await _say(b, actor, "inc", "2")
        await b.run_until_quiescent()  # reads inc 2: the head's inbox is past a's entry

    def b_meanwhile() -> None:  # in its own thread and event loop: a's run is in progress
        thread = threading.Thread(target=asyncio.run, args=(other_writer(),))
        thread.start()
        thread.join()

    residents = a._residents
    head_step = ResidentActors.head_step
    interleaved: list[g.ObjectId] = []

    def head_step_after_b(
        self: ResidentActors, of: g.ObjectId, read: object = UNREAD
    ) -> tuple[g.ObjectId | None, g.Step | None]:
        if self is residents and of == actor and not interleaved:  # a's run, before its read
            interleaved.append(of)
            b_meanwhile()
            assert head_count(g.Store.open(tmp_path), actor) == 1 + 2  # b read inc 1 and inc 2
        return head_step(self, of, read)  # type: ignore[arg-type]

    monkeypatch.setattr(ResidentActors, "head_step", head_step_after_b)
    report = asyncio.run(a.run_until_quiescent())
    assert interleaved and report.quiescent and not report.failures

    store = g.Store.open(tmp_path)
    assert head_count(store, actor) == 1 + 2, "a message was read twice (RUN-003.3, WIT-005)"
    read: list[g.ObjectId] = []
    for _, step in history(store, actor):  # the inbox entry for the outside never goes back
        entry = mailbox_entries(store, step.inbox).get(OUTSIDE)
        assert entry is not None and entry not in read[:-1], (
            f"step re-reads {entry}: the inbox went back along the chain (WIT-005)"
        )
        if not read or read[-1] != entry:
            read.append(entry)
    assert len(read) == 3  # genesis, inc 1, inc 2: each read once
    assert check_runtime(store).ok
