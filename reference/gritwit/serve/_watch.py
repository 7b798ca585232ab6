"""What an operator watches, read in the engine's thread (HTTP-014).

:func:`service_gauges` is what a scrape of ``GET /metrics`` reads (HTTP-014.1): the
messages pending for the actors with a head, and the runtime's resident actors and fuel
through its public face.  :func:`list_actors` is what the status page lists (HTTP-014.3,
HTTP-014.4): the actor view (:class:`~gritwit.runtime.ActorView`) of each actor with a
head or a failed mark, as ``GET /v1/actors`` lists it (HTTP-007.9): its names, kind,
head, failed mark, share, how many messages wait for it, and whether it is resident
(``None`` for an actor of another share, which this service does not run);
:func:`watch_actors` is that list as the page's script reads it.  :func:`actor_page`
is one actor's page: its view with its last failed attempt's text, its recent steps
with their times and the messages each read and sent (HTTP-007.6), and its head's core.

A scrape reads every head step of the service's share, which is what a pending count
needs (WIT-005); the page's list reads the head steps of the actors it lists, at most
``limit``, and counts the rest by their refs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .._errors import GritError
from .._ids import ObjectId
from .._objects import Blob, Tree
from ..runtime import ActorView
from ._engine_commands import EngineState
from ._reads import actor_views, history_page

__all__ = [
    "ActorList",
    "ActorPage",
    "CoreEntry",
    "Gauges",
    "actor_page",
    "list_actors",
    "service_gauges",
    "status_of",
    "watch_actors",
]

#: The most entries of a head's core an actor's page shows, and the bytes of each blob.
CORE_ENTRIES: Final = 100
BLOB_SHOWN: Final = 256


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


def status_of(view: ActorView) -> str:
    """The status the page shows (HTTP-014.4): ``failed`` (marked, RUN-004.4), ``busy``
    (messages pending, WIT-005) or ``ok``; the page's colour for each is its design's."""
    if view.failure is not None:
        return "failed"
    return "busy" if view.pending > 0 else "ok"


@dataclass(frozen=True, slots=True)
class ActorList:
    """The status page's list (HTTP-014.4): at most a limit of actors in id order, how
    many there are, how many are marked failed, and how many the runtime keeps resident
    (RUN-012)."""

    views: tuple[ActorView, ...]
    total: int
    failed: int
    resident: int


def list_actors(state: EngineState, limit: int) -> ActorList:
    """The status page's list: at most ``limit`` actors in id order, an actor failed at
    its genesis among them (HTTP-007.9); only those listed are read."""
    views = actor_views(state)
    listed = views.views(limit=limit)[:limit]
    resident = state.runtime.resident_count
    return ActorList(tuple(listed), len(views.actors), views.failed, resident)


def _actor_json(view: ActorView) -> dict[str, Any]:
    failure = view.failure
    return {
        "actor": view.actor.hex(),
        "name": view.names[0] if view.names else None,
        "names": list(view.names),
        "kind": view.kind,
        "head": None if view.head is None else view.head.hex(),
        "code": None if view.code is None else view.code.hex(),
        "status": status_of(view),
        "failed": None
        if failure is None
        else {
            "class": failure.error,
            "attempts": failure.attempts,
            "genesis": view.genesis_failed,
        },
        "pending": view.pending,
        "share": view.share,
        # None: an actor of another share, which this service does not run
        "resident": view.resident,
        "time": view.time,
    }


def watch_actors(state: EngineState, limit: int) -> dict[str, Any]:
    """``/ui/actors.json``: :func:`list_actors` as the page's script reads it to refresh
    the statuses it shows (HTTP-014.5)."""
    listed = list_actors(state, limit)
    return {
        "actors": [_actor_json(view) for view in listed.views],
        "total": listed.total,
        "failed": listed.failed,
        "resident": listed.resident,
    }


@dataclass(frozen=True, slots=True)
class CoreEntry:
    """One entry of a head's core: its name, its object's id and type, and for a blob its
    first :data:`BLOB_SHOWN` bytes and its size."""

    name: str
    object: ObjectId
    type: str
    data: bytes | None
    size: int | None


@dataclass(frozen=True, slots=True)
class ActorPage:
    """One actor's page (HTTP-014.4): its view, its newest steps (``GET …/history``'s
    entries, with their times and the messages each read and sent, HTTP-007.6, HTTP-007.7),
    whether older ones follow, and its head's core's entries (the first
    :data:`CORE_ENTRIES`) and how many it has."""

    view: ActorView
    steps: tuple[dict[str, Any], ...]
    older: bool
    core: tuple[CoreEntry, ...]
    core_size: int


def _core(state: EngineState, core_id: ObjectId) -> tuple[tuple[CoreEntry, ...], int]:
    try:
        core = state.store.get_object(core_id)
    except GritError:
        return (), 0
    if not isinstance(core, Tree):
        return (), 0
    entries = []
    for name, oid in list(core.entries.items())[:CORE_ENTRIES]:
        try:
            obj = state.store.get_object(oid)
        except GritError:  # erased or absent (RUN-011): named, not shown
            entries.append(CoreEntry(name, oid, "absent", None, None))
            continue
        if isinstance(obj, Blob):
            entries.append(CoreEntry(name, oid, "blob", obj.data[:BLOB_SHOWN], len(obj.data)))
        else:
            entries.append(CoreEntry(name, oid, type(obj).__name__.lower(), None, None))
    return tuple(entries), len(core.entries)


def actor_page(state: EngineState, actor: ObjectId, steps: int) -> ActorPage | None:
    """``actor``'s page with its ``steps`` newest steps; ``None`` for an actor with
    neither a head nor a failed mark (HTTP-007.3)."""
    views = actor_views(state, only=actor)
    if not views.has(actor):
        return None
    view = views.view(actor)
    if view.head is None:  # failed at its genesis: no history (HTTP-007.9)
        return ActorPage(view, (), False, (), 0)
    page = history_page(state, actor, steps, None)
    found, older = ([], None) if page is None else page
    core, size = _core(state, ObjectId.from_hex(found[0]["core"])) if found else ((), 0)
    return ActorPage(view, tuple(found), older is not None, core, size)
