"""The engine's side of its port: :class:`StateOps`, each operation of
:class:`~._port.EnginePort` done on the engine's state, in the engine's thread.

Each method calls the function of :mod:`._reads`, :mod:`._life`, :mod:`._watch`,
:mod:`._audit` or :mod:`._tokens` that does the work, looked up here when called, so
that a declared wrong server (``gritwit_conformance.wrong``) bends one operation by
replacing its name in this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._ids import ObjectId
from .._json import JSON
from .._objects import Blob
from ..store._refs import ACTOR_NAMES_PREFIX
from ._audit import AuditEntry
from ._audit import append as append_audit
from ._audit import read as read_audit
from ._engine_commands import EngineState
from ._life import bind, clear, fork_actor, name_page, resolve, revert_actor
from ._reads import (
    ActorFilter,
    actor_entry,
    actor_page,
    export_actor,
    history_page,
    import_actor,
    object_bytes,
    object_json,
    put_object,
    query,
    ref_target,
    ref_targets,
    timers_of,
)
from ._tokens import TokenRecord, load_tokens
from ._watch import ActorList, Gauges, list_actors, service_gauges, watch_actors
from ._watch import ActorPage as UiPage
from ._watch import actor_page as ui_actor_page

__all__ = ["StateOps"]

Page = tuple[list[dict[str, Any]], str | None]


@dataclass(frozen=True, slots=True)
class StateOps:
    """:class:`~._port.EnginePort` on the engine's ``state`` (HTTP-001: the engine's
    thread alone touches the store and the runtime)."""

    state: EngineState

    def resolve(self, text: str) -> ObjectId:
        return resolve(self.state, text)

    def resolve_names(self, names: tuple[str, ...]) -> dict[str, ObjectId]:
        return {name: resolve(self.state, name) for name in names}

    def bind(self, name: str, actor: ObjectId) -> None:
        bind(self.state, name, actor)

    def run_query(self, actor: ObjectId, name: str) -> Blob:
        return query(self.state, actor, name)

    def actor_page(self, where: ActorFilter) -> Page:
        return actor_page(self.state, where)

    def actor_entry(self, actor: ObjectId) -> dict[str, Any] | None:
        return actor_entry(self.state, actor)

    def history_page(self, actor: ObjectId, limit: int, before: ObjectId | None) -> Page | None:
        return history_page(self.state, actor, limit, before)

    def timers_of(self, actor: ObjectId) -> list[dict[str, Any]]:
        return timers_of(self.state, actor)

    def clear(self, actor: ObjectId) -> bool:
        return clear(self.state, actor)

    def export_actor(self, actor: ObjectId) -> bytes:
        return export_actor(self.state, actor)

    def object_bytes(self, oid: ObjectId) -> bytes:
        return object_bytes(self.state, oid)

    def object_json(self, oid: ObjectId) -> JSON:
        return object_json(self.state, oid)

    def put_object(self, data: bytes) -> ObjectId:
        return put_object(self.state, data)

    def ref_targets(self, prefix: str) -> list[tuple[str, ObjectId]]:
        return ref_targets(self.state, prefix)

    def ref_target(self, name: str) -> ObjectId | None:
        return ref_target(self.state, name)

    def import_actor(self, data: bytes) -> tuple[ObjectId, ObjectId]:
        return import_actor(self.state, data)

    def name_page(self, after: str | None, limit: int) -> tuple[dict[str, str], str | None]:
        return name_page(self.state, after, limit)

    def revert_actor(self, actor: ObjectId, step: ObjectId, head: ObjectId | None) -> ObjectId:
        return revert_actor(self.state, actor, step, head=head)

    def fork_actor(self, actor: ObjectId, step: ObjectId, entries: Mapping[str, bytes]) -> ObjectId:
        return fork_actor(self.state, actor, step, entries)

    def service_gauges(self) -> Gauges:
        return service_gauges(self.state)

    def watch_actors(self, limit: int) -> dict[str, Any]:
        return watch_actors(self.state, limit)

    def ui_list(self, limit: int) -> ActorList:
        return list_actors(self.state, limit)

    def ui_actor(self, actor: ObjectId, steps: int) -> UiPage | None:
        return ui_actor_page(self.state, actor, steps)

    def audit_entries(self, limit: int) -> list[dict[str, Any]]:
        return read_audit(self.state.store, limit)

    def append_audit(self, entry: AuditEntry) -> ObjectId:
        return append_audit(self.state.store, entry)

    def load_tokens(self) -> dict[str, TokenRecord]:
        return load_tokens(self.state.store)

    def actor_in_prefix(self, prefix: str, actor: ObjectId) -> bool:
        targets = self.state.store.list_ref_targets(ACTOR_NAMES_PREFIX + prefix)
        return any(target == actor for _, target in targets)
