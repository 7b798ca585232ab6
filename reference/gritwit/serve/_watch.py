"""What an operator watches, read in the engine's thread (HTTP-014).

:func:`service_gauges` is what a scrape of ``GET /metrics`` reads (HTTP-014.1): the
messages pending for the actors with a head, and the runtime's resident actors and fuel
through its public face.  :func:`watch_actors` is what the status page lists
(HTTP-014.3): the actor view (:class:`~gritwit.runtime.ActorView`) of each actor with a
head or a failed mark, as ``GET /v1/actors`` lists it (HTTP-007.9): its names, head, failed
mark, share, how many messages wait for it, and whether it is resident (``None`` for an
actor of another share, which this service does not run).

A scrape reads every head step of the service's share, which is what a pending count
needs (WIT-005); the page's list reads the head steps of the actors it lists, at most
``limit``, and counts the rest by their refs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._engine_commands import EngineState
from ._reads import actor_views

__all__ = ["Gauges", "service_gauges", "watch_actors"]


@dataclass(frozen=True, slots=True)
class Gauges:
    """What a scrape reads in the engine's thread (HTTP-014.1): the messages pending for
    the actors with a head, the resident actors, and the fuel spent so far."""

    pending: int
    resident: int
    fuel: int


def service_gauges(state: EngineState) -> Gauges:
    """The numbers a scrape reads at its time (HTTP-014.1): the pending messages of the
    actors of the service's share alone that have a head (HTTP-001.2), so that the
    shares' gauges add up."""
    runtime = state.runtime
    views = actor_views(state)  # the index caught up: the placement records too (RUN-021.6)
    pending = sum(
        views.pending(actor)
        for actor in views.actors
        if views.head(actor) is not None and views.in_share(actor, runtime.share)
    )
    return Gauges(pending=pending, resident=runtime.resident_count, fuel=runtime.fuel_spent)


def watch_actors(state: EngineState, limit: int) -> dict[str, Any]:
    """The status page's list (HTTP-014.3): at most ``limit`` actors in id order, and
    how many there are, how many failed: the actor view, as ``GET /v1/actors`` lists
    it (an actor failed at its genesis too, HTTP-007.9)."""
    views = actor_views(state)
    actors = []
    for view in views.views(limit=limit)[:limit]:  # only those listed are read
        failure = view.failure
        actors.append(
            {
                "actor": view.actor.hex(),
                "name": view.names[0] if view.names else None,
                "names": list(view.names),
                "head": None if view.head is None else view.head.hex(),
                "code": None if view.code is None else view.code.hex(),
                "failed": None
                if failure is None
                else {"class": failure.error, "attempts": failure.attempts},
                "pending": view.pending,
                "share": view.share,
                # None: an actor of another share, which this service does not run
                "resident": view.resident,
                "time": view.time,
            }
        )
    return {"actors": actors, "total": len(views.actors), "failed": views.failed}
