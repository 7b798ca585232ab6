"""The idle timeout at its edge: an actor not used for exactly ``idle_after`` seconds is
evicted (RUN-012.3, RUN-014.1).

The protocol's clock is the machine's, so no suite can land a run on the very second an
actor's idle time reaches ``idle_after``; an injected clock does, before and after the
runtime's quick test of its oldest resident record has seen that record once.
"""

from __future__ import annotations

import pytest
from aio import run

import gritwit as g
from gritwit.runtime import LifecycleEvent, Runtime
from gritwit.wit import test_actor_core

#: The idle timeout of these tests, in seconds: exact in binary, as the clock's steps.
IDLE_AFTER = 10.0


class _Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.req("RUN-012.3", "RUN-014.1")
@pytest.mark.parametrize("looks", [0, 1, 2])
def test_an_actor_idle_for_exactly_idle_after_is_evicted(looks: int) -> None:
    """A counter used at t, then ``looks`` runs before its timeout (at t + 2, t + 4, …),
    then one at exactly t + ``idle_after``: that run archives it (reason ``idle``)."""
    clock = _Clock()
    rt = Runtime(g.Store.memory(), idle_after=IDLE_AFTER, clock=clock)
    events: list[LifecycleEvent] = []
    rt.subscribe(events.append)

    async def scenario() -> g.ObjectId:
        actor = await rt.genesis(*test_actor_core("counter", {}))
        await rt.run_until_quiescent()
        used = clock.now
        for look in range(looks):
            clock.now = used + 2.0 * (look + 1)
            await rt.run_until_quiescent()
        assert rt.resident(actor) and events == [], events
        clock.now = used + IDLE_AFTER
        await rt.run_until_quiescent()
        return actor

    actor = run(scenario())
    assert events == [LifecycleEvent("archived", actor, "idle")], events
    assert not rt.resident(actor)
