"""The notes of the steps a runtime's group commit adopts (DUR-005.5, WIT-009.5).

A group commit says, for each head it swaps, the journal parts of the recipients whose
outbox entry the actor's steps changed (:func:`gritwit.runtime._notes.outbox_parts`):
a step that sends to one actor notes that actor's part alone, and a step that keeps its
last outbox notes none.  An unsaid swap would be noted in every other part — correct
for every reader, but each share's runtime would read every other share's steps — so
the counts are checked here, on PostgreSQL (the only store that notes), where the
suite's stores cannot see them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from gritwit import Blob, ObjectId, Store, Tree, object_id
from gritwit.runtime import Runtime
from gritwit.runtime._notes import part
from gritwit.store import head_ref
from gritwit.store._postgres import PostgresBackend
from gritwit.wit import test_actor_core


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    opened = Store.open(pg_url)
    try:
        opened.read_by_parts()  # a reader by parts joined: writers note (DUR-005.5)
        yield opened
    finally:
        opened.close()


def _noted(store: Store, actor: ObjectId, step: ObjectId) -> set[int]:
    """The parts whose journal holds a note of ``actor``'s head swapped to ``step``."""
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    with backend._connection() as conn:
        rows = conn.execute(
            "SELECT part FROM ref_journal_parts"
            " WHERE name = %s AND target = %s AND origin IS NOT NULL",
            (head_ref(actor).encode(), step.digest),
        ).fetchall()
    return {row[0] for row in rows}


@pytest.mark.req("DUR-005.5", "WIT-009.5", "RUN-017.2")
def test_a_group_notes_each_step_in_its_recipients_parts_only(store: Store) -> None:
    runtime = Runtime(store)

    async def scenario() -> tuple[ObjectId, ObjectId, ObjectId, ObjectId]:
        fanout = await runtime.genesis(*test_actor_core("fanout"))
        seed = 0
        while True:  # an echo in a part other than the fanout's
            seed += 1
            core, objects = test_actor_core("echo", {"seed": Blob(data=b"%d" % seed)})
            if part(object_id(core)) != part(fanout):
                echo = await runtime.genesis(core, objects)
                break
        await runtime.run_until_quiescent()
        name = Blob(data=echo.hex().encode())
        targets = Tree(entries={"a": object_id(name)})
        await runtime.send(fanout, object_id(targets), {"mt": "fanout"}, (name, targets))
        await runtime.run_until_quiescent()
        sent = store.get_ref(head_ref(fanout))
        assert sent is not None
        quiet = Blob(data=b"nothing to fan out")
        await runtime.send(fanout, object_id(quiet), {"mt": "other"}, (quiet,))
        await runtime.run_until_quiescent()
        kept = store.get_ref(head_ref(fanout))
        assert kept is not None and kept != sent
        return fanout, echo, sent, kept

    fanout, echo, sent, kept = asyncio.run(scenario())
    assert _noted(store, fanout, sent) == {part(echo)}, (
        "DUR-005.5: the fanout's step notes the part of the one recipient whose entry it "
        f"changed, {part(echo)}; noted {sorted(_noted(store, fanout, sent))}"
    )
    assert _noted(store, fanout, kept) == set(), (
        "DUR-005.5, WIT-009.5: a step that keeps its last outbox notes no part; "
        f"noted {sorted(_noted(store, fanout, kept))}"
    )
