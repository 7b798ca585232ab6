"""What an operator watches, read in the engine's thread (HTTP-014).

:func:`service_gauges` is what a scrape of ``GET /metrics`` reads (HTTP-014.1): the
messages pending for the actors with a head, and the runtime's resident actors and fuel
through its public face.  :func:`watch_actors` is what the status page lists
(HTTP-014.3): each actor with a head, its name if a ref names it, its head, its failed
mark, how many messages wait for it and whether it is resident.

A scrape reads every head step of the service's share, which is what a pending count
needs (WIT-005); the page's list reads the head steps of the actors it lists, at most
``limit``, and counts the rest by their refs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._ids import ObjectId
from .._objects import Step, Tree
from ..runtime import FAILED_PREFIX, placed_in
from ..store._refs import HEADS_PREFIX
from ..wit import mailbox_entries
from ._engine_commands import EngineState
from ._life import named

__all__ = ["Gauges", "service_gauges", "watch_actors"]


@dataclass(frozen=True, slots=True)
class Gauges:
    """What a scrape reads in the engine's thread (HTTP-014.1): the messages pending for
    the actors with a head, the resident actors, and the fuel spent so far."""

    pending: int
    resident: int
    fuel: int


def _pending(state: EngineState, actor: ObjectId, step: Step) -> int:
    """Messages pending for ``actor`` whose head is ``step`` (WIT-005): the routing index
    caught up before it, as for ``busy`` (HTTP-007.1)."""
    found = state.index.pending_for(state.store, actor, mailbox_entries(state.store, step.inbox))
    return sum(len(messages) for messages in found.values())


def _heads(state: EngineState) -> list[tuple[ObjectId, ObjectId]]:
    """Every actor with a head, and its head, in actor id order; the routing index caught
    up with the refs for :func:`_pending`."""
    store = state.store
    heads = store.list_ref_targets(HEADS_PREFIX)
    state.index.refresh(store)
    return [(ObjectId.from_hex(name[len(HEADS_PREFIX) :]), head) for name, head in heads]


def _steps(
    state: EngineState, heads: list[tuple[ObjectId, ObjectId]]
) -> list[tuple[ObjectId, ObjectId, Step]]:
    """``heads`` with each head's step read (a head that is no step left out)."""
    found = []
    for actor, head in heads:
        step = state.store.get_object(head)
        if isinstance(step, Step):
            found.append((actor, head, step))
    return found


def service_gauges(state: EngineState) -> Gauges:
    """The numbers a scrape reads at its time (HTTP-014.1): the pending messages of the
    actors of the service's share alone (HTTP-001.2), so that the shares' gauges add up."""
    runtime = state.runtime
    share = runtime.share
    listed = _heads(state)  # the index caught up: the placement records too (RUN-021.6)
    placed = state.index.placements.placed
    heads = [(a, h) for a, h in listed if share is None or placed_in(share, placed, a)]
    pending = sum(_pending(state, actor, step) for actor, _, step in _steps(state, heads))
    return Gauges(pending=pending, resident=runtime.resident_count, fuel=runtime.fuel_spent)


def watch_actors(state: EngineState, limit: int) -> dict[str, Any]:
    """The status page's list (HTTP-014.3): at most ``limit`` actors in id order, and
    how many there are."""
    store, runtime = state.store, state.runtime
    failed = {name[len(FAILED_PREFIX) :] for name in store.list_refs(FAILED_PREFIX)}
    names = {actor: found[0] for actor, found in named(state).items()}
    heads = _heads(state)
    actors = []
    for actor, head, step in _steps(state, heads[:limit]):  # only those listed are read
        text = actor.hex()
        mark = None
        if text in failed:
            record = runtime.failed(actor) or {}
            mark = {"class": str(record.get("error", "failed")), "attempts": record.get("attempts")}
        core = store.get_object(step.core)
        code = core.entries.get("wit") if isinstance(core, Tree) else None
        actors.append(
            {
                "actor": text,
                "name": names.get(actor),
                "head": head.hex(),
                "code": None if code is None else code.hex(),
                "failed": mark,
                "pending": _pending(state, actor, step),
                "resident": runtime.resident(actor),
            }
        )
    return {"actors": actors, "total": len(heads), "failed": len(failed)}
