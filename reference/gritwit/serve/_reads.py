"""What the engine answers from the store: actors, histories, queries, objects, refs,
bundles (HTTP-006, HTTP-007, HTTP-009, HTTP-010).

Each function takes the engine's :class:`~._engine_commands.EngineState` and runs in the
engine's thread (a :class:`~._engine_commands.Call`); none writes but
:func:`put_object`, :func:`import_actor` (the failed mark is the runtime's to clear, :mod:`._life`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._errors import ObjectNotFound
from .._ids import ObjectId
from .._json import object_to_json
from .._objects import Blob, Step, Tree
from ..runtime import (
    FAILED_PREFIX,
    Share,
    export_bundle,
    failed_ref,
    names_of,
    pending_timers,
    placed_in,
    step_traffic,
    traffic_rows,
)
from ..store import format_step_time, head_ref, step_times
from ..wit import mailbox_entries
from ._engine_commands import EngineState
from ._life import named as actors_named

__all__ = [
    "ActorFilter",
    "actor_entry",
    "actor_page",
    "export_actor",
    "history_page",
    "timers_of",
    "import_actor",
    "object_bytes",
    "object_json",
    "put_object",
    "query",
    "ref_target",
    "ref_targets",
]

_HEADS = "heads/"


@dataclass(frozen=True, slots=True, kw_only=True)
class ActorFilter:
    """The filters of ``GET /v1/actors`` (HTTP-007.2); ``None``: not given."""

    failed: bool | None = None
    busy: bool | None = None
    code: ObjectId | None = None
    share: Share | None = None
    after: ObjectId | None = None
    limit: int = 1000


def _share_index(state: EngineState, actor: ObjectId) -> int | None:
    """``actor``'s share index under the service's share (RUN-021), ``None`` without one."""
    share = state.runtime.share
    if share is None:
        return None
    key = state.index.placements.placed.get(actor, actor)  # its placement key (RUN-021.6)
    return int.from_bytes(key.digest[:8], "big") % share.n


def _step(state: EngineState, oid: ObjectId) -> Step:
    step = state.store.get_object(oid)
    if not isinstance(step, Step):
        raise ObjectNotFound("HTTP-007.4", f"{oid} is not a step")
    return step


def _entry(
    state: EngineState, actor: ObjectId, head: ObjectId, failed: bool, names: list[str]
) -> dict[str, Any]:
    """One entry of HTTP-007.1 with the actor's ``names`` (HTTP-015.3; the routing index
    caught up before it)."""
    store = state.store
    step = _step(state, head)
    core = store.get_object(step.core)
    code = core.entries.get("wit") if isinstance(core, Tree) else None
    mark = None
    if failed:
        record = state.runtime.failed(actor) or {}
        attempts = record.get("attempts")
        mark = {
            "class": str(record.get("error", "failed")),
            "reason": f"marked failed after {attempts} failed attempts (RUN-004.4)",
        }
    inbox = mailbox_entries(store, step.inbox)
    return {
        "actor": actor.hex(),
        "head": head.hex(),
        "code": None if code is None else code.hex(),
        "failed": mark,
        "busy": bool(state.index.pending_for(store, actor, inbox)),
        "share": _share_index(state, actor),
        "names": names,
        "time": None,  # HTTP-007.7: set by _timed, one read of the store for a page
    }


def _timed(state: EngineState, entries: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Each entry's ``time`` (HTTP-007.7): the step time of its step ``key``, all of the
    page's steps read from the store at once (RUN-027.1)."""
    steps = [ObjectId.from_hex(entry[key]) for entry in entries]
    times = step_times(state.store, steps)
    for entry, step in zip(entries, steps, strict=True):
        entry["time"] = format_step_time(times.get(step))
    return entries


def _failed_names(state: EngineState) -> set[str]:
    return {name[len(FAILED_PREFIX) :] for name in state.store.list_refs(FAILED_PREFIX)}


def actor_page(state: EngineState, where: ActorFilter) -> tuple[list[dict[str, Any]], str | None]:
    """``GET /v1/actors`` (HTTP-007.1, HTTP-007.2): the entries and the ``next`` cursor."""
    store = state.store
    heads = store.list_ref_targets(_HEADS)  # heads first, then the outboxes (RUN-002.3)
    state.index.refresh(store)
    failed = _failed_names(state)
    named = actors_named(state)
    after = None if where.after is None else where.after.hex()
    found: list[dict[str, Any]] = []
    for name, head in heads:
        text = name[len(_HEADS) :]
        if after is not None and text <= after:
            continue
        actor = ObjectId.from_hex(text)
        if where.share is not None and not placed_in(
            where.share, state.index.placements.placed, actor
        ):
            continue
        if where.failed is not None and (text in failed) != where.failed:
            continue
        entry = _entry(state, actor, head, text in failed, named.get(actor, []))
        if where.code is not None and entry["code"] != where.code.hex():
            continue
        if where.busy is not None and entry["busy"] != where.busy:
            continue
        found.append(entry)
        if len(found) > where.limit:
            break
    if len(found) > where.limit:
        return _timed(state, found[: where.limit], "head"), found[where.limit - 1]["actor"]
    return _timed(state, found, "head"), None


def actor_entry(state: EngineState, actor: ObjectId) -> dict[str, Any] | None:
    """``GET /v1/actors/{actor}`` (HTTP-007.3): the entry, ``None`` without a head."""
    head = state.store.get_ref(head_ref(actor))
    if head is None:
        return None
    state.index.refresh(state.store)
    failed = state.store.get_ref(failed_ref(actor)) is not None
    return _timed(
        state, [_entry(state, actor, head, failed, names_of(state.store, actor))], "head"
    )[0]


def timers_of(state: EngineState, actor: ObjectId) -> list[dict[str, Any]]:
    """``GET /v1/actors/{actor}/timers`` (HTTP-007.9): the timers pending the actor set,
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


def object_json(state: EngineState, oid: ObjectId) -> Any:
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
