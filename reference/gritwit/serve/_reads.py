"""What the engine answers from the store: actors, histories, queries, objects, refs,
bundles (HTTP-006, HTTP-007, HTTP-009, HTTP-010).

Each function takes the engine's :class:`~._engine_commands.EngineState` and runs in the
engine's thread (an operation of :mod:`._port`, done by :class:`~._engine_ops.StateOps`);
none writes but :func:`put_object`, :func:`import_actor` (the failed mark is the runtime's
to clear, :mod:`._life`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from .._errors import ObjectNotFound
from .._ids import ObjectId
from .._json import JSON, object_to_json
from .._objects import Blob, Step
from ..runtime import (
    ActorView,
    ActorViews,
    Share,
    export_bundle,
    pending_timers,
    step_traffic,
    traffic_rows,
)
from ..store import format_step_time, head_ref, step_times
from ..wit import Failure
from ._engine_commands import EngineState

__all__ = [
    "ActorFilter",
    "actor_entry",
    "actor_page",
    "actor_views",
    "export_actor",
    "history_page",
    "timers_of",
    "import_actor",
    "last_error_text",
    "object_bytes",
    "object_json",
    "put_object",
    "query",
    "ref_target",
    "ref_targets",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ActorFilter:
    """The filters of ``GET /v1/actors`` (HTTP-007.2); ``None``: not given."""

    failed: bool | None = None
    busy: bool | None = None
    code: ObjectId | None = None
    share: Share | None = None
    after: ObjectId | None = None
    limit: int = 1000


def _step(state: EngineState, oid: ObjectId) -> Step:
    step = state.store.get_object(oid)
    if not isinstance(step, Step):
        raise ObjectNotFound("HTTP-007.4", f"{oid} is not a step")
    return step


def _timed(state: EngineState, entries: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Each entry's ``time`` (HTTP-007.7): the step time of its step ``key``, all of the
    page's steps read from the store at once (RUN-027.1)."""
    steps = [ObjectId.from_hex(entry[key]) for entry in entries]
    times = step_times(state.store, steps)
    for entry, step in zip(entries, steps, strict=True):
        entry["time"] = format_step_time(times.get(step))
    return entries


def actor_views(state: EngineState, only: ObjectId | None = None) -> ActorViews:
    """The actor view of the service's store (every front end's list): its share's index
    and residency from the runtime, busy from the engine's routing index caught up."""
    runtime = state.runtime
    return ActorViews(
        state.store,
        index=state.index,
        share=runtime.share,
        resident=runtime.resident,
        only=only,
        last_error=functools.partial(last_error_text, runtime.failures),
    )


#: The most characters of a failed attempt's text an actor view carries.
ERROR_TEXT_CHARS: Final = 4000


def last_error_text(failures: Sequence[Failure], actor: ObjectId) -> str | None:
    """The text of ``actor``'s last failed attempt among ``failures`` (the runtime's,
    oldest first, RUN-004), its exception's class and message, at most
    :data:`ERROR_TEXT_CHARS` characters; ``None`` where it has none."""
    for failure in reversed(failures):
        if failure.actor == actor:
            error = failure.error
            text = f"{type(error).__name__}: {error}"
            return text if len(text) <= ERROR_TEXT_CHARS else text[:ERROR_TEXT_CHARS] + "…"
    return None


def _entry(view: ActorView) -> dict[str, Any]:
    """One entry of HTTP-007.1 (HTTP-007.9 for an actor failed at its genesis: no head),
    with its ``names`` (HTTP-015.3) and ``time`` (HTTP-007.7)."""
    failure = view.failure
    return {
        "actor": view.actor.hex(),
        "head": None if view.head is None else view.head.hex(),
        "code": None if view.code is None else view.code.hex(),
        "failed": None if failure is None else {"class": failure.error, "reason": view.reason},
        "busy": view.pending > 0,
        "share": view.share,
        "names": list(view.names),
        "time": view.time,
    }


def actor_page(state: EngineState, where: ActorFilter) -> tuple[list[dict[str, Any]], str | None]:
    """``GET /v1/actors`` (HTTP-007.1, HTTP-007.2, HTTP-007.9): the entries and the
    ``next`` cursor."""
    views = actor_views(state)
    code = where.code

    def skip(actor: ObjectId) -> bool:  # before the actor's objects are read
        if where.share is not None and not views.in_share(actor, where.share):
            return True
        return where.failed is not None and views.marked(actor) != where.failed

    def keep(view: ActorView) -> bool:
        if code is not None and view.code != code:
            return False
        return where.busy is None or (view.pending > 0) == where.busy

    found = [
        _entry(view)
        for view in views.views(after=where.after, skip=skip, keep=keep, limit=where.limit)
    ]
    if len(found) > where.limit:
        return found[: where.limit], found[where.limit - 1]["actor"]
    return found, None


def actor_entry(state: EngineState, actor: ObjectId) -> dict[str, Any] | None:
    """``GET /v1/actors/{actor}`` (HTTP-007.3, HTTP-007.9): the entry, ``None`` for an
    actor with neither a head nor a failed mark."""
    views = actor_views(state, only=actor)
    return _entry(views.view(actor)) if views.has(actor) else None


def timers_of(state: EngineState, actor: ObjectId) -> list[dict[str, Any]]:
    """``GET /v1/actors/{actor}/timers`` (HTTP-007.10): the timers pending the actor set,
    soonest first, from the timer party's head (TIM-005.2)."""
    return [
        {"id": t.id.hex(), "to": t.to.hex(), "mt": t.mt, "set_for": t.set_for}
        for t in pending_timers(state.store, actor)
    ]


def history_page(
    state: EngineState, actor: ObjectId, limit: int, before: ObjectId | None
) -> tuple[list[dict[str, Any]], str | None] | None:
    """``GET /v1/actors/{actor}/history`` (HTTP-007.4): steps newest first and the
    ``next`` cursor; ``None`` for an actor without a head."""
    head = state.store.get_ref(head_ref(actor))
    if head is None:
        return None
    current: ObjectId | None = head if before is None else _step(state, before).previous
    steps: list[dict[str, Any]] = []
    step = None if current is None else _step(state, current)
    while current is not None and step is not None and len(steps) < limit:
        previous = None if step.previous is None else _step(state, step.previous)
        read, sent = step_traffic(state.store, step, previous)  # HTTP-007.6
        steps.append(
            {
                "step": current.hex(),
                "core": step.core.hex(),
                "previous": None if step.previous is None else step.previous.hex(),
                "inbox": None if step.inbox is None else step.inbox.hex(),
                "outbox": None if step.outbox is None else step.outbox.hex(),
                "read": traffic_rows(read, "sender"),
                "sent": traffic_rows(sent, "recipient"),
                "time": None,  # HTTP-007.7: set below, the page's steps read at once
            }
        )
        current, step = step.previous, previous
    return _timed(state, steps, "step"), (
        steps[-1]["step"] if steps and current is not None else None
    )


def query(state: EngineState, actor: ObjectId, name: str) -> Blob:
    """Run query ``name`` against ``actor``'s head (HTTP-006.1, WIT-017)."""
    if state.runtime.head(actor) is None:
        raise ObjectNotFound("HTTP-006.3", f"the actor {actor} has no head")
    return state.runtime.query(actor, name)


def object_json(state: EngineState, oid: ObjectId) -> JSON:
    """An object's JSON description (HTTP-009.1, OBJ-018)."""
    return object_to_json(state.store.get_object(oid))


def object_bytes(state: EngineState, oid: ObjectId) -> bytes:
    """An object's stored canonical encoding (HTTP-009.1)."""
    return state.store.get(oid)


def put_object(state: EngineState, data: bytes) -> ObjectId:
    """Store one object's canonical encoding, checked as ``put`` checks it (HTTP-009.2)."""
    return state.store.put(data)


def ref_targets(state: EngineState, prefix: str) -> list[tuple[str, ObjectId]]:
    """The refs whose names start with ``prefix``, in name order (HTTP-009.3)."""
    return state.store.list_ref_targets(prefix)


def ref_target(state: EngineState, name: str) -> ObjectId | None:
    """The target of ref ``name`` (HTTP-009.3)."""
    return state.store.get_ref(name)


def export_actor(state: EngineState, actor: ObjectId) -> bytes:
    """``actor``'s bundle (HTTP-010.1, RUN-009.1); ``not-found`` without a head."""
    return export_bundle(state.store, actor)


def import_actor(state: EngineState, data: bytes) -> tuple[ObjectId, ObjectId]:
    """Import a bundle by RUN-009's rules (HTTP-010.2), refusing one whose head's core the
    service's runs could not mount (SBX-006.18, 400 ``too-large``): the actor and its head."""
    return state.runtime.import_bundle(data)
