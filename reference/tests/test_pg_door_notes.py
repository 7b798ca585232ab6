"""The notes of a service party's steps, adopted through the runtime's door (DUR-005.5,
TIM-001.4).

A step the timer service adopts moves the party's head as a transition's step does, and
its writer says which journal parts the swap notes (:func:`gritwit.runtime._notes.
outbox_parts`): the parts of the recipients whose outbox entry the step changed.  A step
that sends nothing notes no part; a step that fires to one actor notes that actor's part
alone.  An unsaid swap would be noted in every other part — still correct for every
reader, but each share's runtime would read the party's every step; so these counts are
checked here, on PostgreSQL (the only store that notes), where the suite's stores cannot
see them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from gritwit import Blob, ObjectId, Store, Tree, object_id
from gritwit.runtime import SERVICE_TEST_ACTORS, TIMER, Runtime, TimerService
from gritwit.runtime._notes import part
from gritwit.store._postgres import PostgresBackend
from gritwit.wit import TEST_ACTORS, test_actor_core

ACTORS = {**TEST_ACTORS, **SERVICE_TEST_ACTORS}
HEAD = f"heads/{TIMER.hex()}"


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    opened = Store.open(pg_url)
    try:
        opened.read_by_parts()  # a reader by parts joined: writers note (DUR-005.5)
        yield opened
    finally:
        opened.close()


def _request(after: int) -> tuple[ObjectId, list[Blob | Tree]]:
    """A ``timer`` message's content for ``alarm`` (TIM-008.1)."""
    headers = {"mt": "timer-set", "timer-mt": "ring", "timer-after": str(after)}
    request, content = Blob(data=b"", headers=headers), Blob(data=b"x")
    tree = Tree(entries={"request": object_id(request), "content": object_id(content)})
    return object_id(tree), [request, content, tree]


def _noted(store: Store, step: ObjectId) -> set[int]:
    """The parts whose journal holds a note of the party's head swapped to ``step``."""
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    with backend._connection() as conn:
        rows = conn.execute(
            "SELECT part FROM ref_journal_parts"
            " WHERE name = %s AND target = %s AND origin IS NOT NULL",
            (HEAD.encode(), step.digest),
        ).fetchall()
    return {row[0] for row in rows}


@pytest.mark.req("DUR-005.5", "TIM-001.4", "WIT-009.5")
def test_a_timer_partys_steps_note_the_parts_of_the_actors_they_fire_to_only(
    store: Store,
) -> None:
    """The party's first step (no head before it) and a later one that only takes a
    request send nothing: no part is noted; the step that fires to ``alarm`` notes
    ``alarm``'s part alone (``alarm`` is chosen in a part other than the party's own)."""
    now = [1_000]
    runtime = Runtime(store, actors=ACTORS)
    service = TimerService(runtime.service_door, clock=lambda: now[0])

    async def alarm_in_another_part() -> ObjectId:
        seed = 0
        while True:
            seed += 1
            core, objects = test_actor_core("alarm", {"seed": Blob(data=b"%d" % seed)})
            if part(object_id(core)) != part(TIMER):
                actor = await runtime.genesis(core, objects)
                await runtime.run_until_quiescent()
                return actor

    async def ask(actor: ObjectId, after: int) -> None:
        content, objects = _request(after)
        await runtime.send(actor, content, {"mt": "timer"}, objects, False)
        await runtime.run_until_quiescent()

    actor = asyncio.run(alarm_in_another_part())
    asyncio.run(ask(actor, 100))
    first = service.run_pass()  # the party's first step: it takes the request
    assert first is not None
    runtime.flush()
    assert _noted(store, first) == set(), "DUR-005.5: a step that sends nothing notes no part"
    now[0] += 100
    fired = service.run_pass()  # the timer falls due: one message to the alarm
    assert fired is not None
    runtime.flush()
    assert _noted(store, fired) == {part(actor)}, (
        "DUR-005.5: a step notes the part of the one recipient whose entry it changed"
    )
    asyncio.run(ask(actor, 100))
    kept = service.run_pass()  # takes the second request; its outbox is the last one's
    assert kept is not None
    runtime.flush()
    assert _noted(store, kept) == set(), (
        "DUR-005.5: a step that keeps its last outbox notes no part"
    )
