"""The engine's port: every operation a handler may ask of the engine, by name and type.

The service's handlers (and its token check, :mod:`._auth`) never hand the engine's
thread a function of their own: each request that reads or changes the store is one of
the frozen :class:`Operation` commands below, a :class:`~._engine_commands.Command` of
the type it is answered with, so that ``await ask(request, ActorEntry(actor))`` is
typed ``dict[str, Any] | None`` where it is asked.  An operation runs in the engine's
thread (HTTP-001: nothing else touches the store or the runtime) by calling the one
method of :class:`EnginePort` it names; the engine's implementation of the port is
:class:`~._engine_ops.StateOps`.  The sends, the creations and the settles are the
other commands (:mod:`._engine_commands`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar

from .._ids import ObjectId
from .._json import JSON
from .._objects import Blob
from ._audit import AuditEntry
from ._engine_commands import Command
from ._reads import ActorFilter
from ._tokens import TokenRecord
from ._watch import ActorList, Gauges
from ._watch import ActorPage as UiPage

__all__ = [
    "ActorEntry",
    "ActorFilter",
    "ActorInPrefix",
    "ActorPage",
    "AppendAudit",
    "AuditEntries",
    "BindName",
    "ClearFailed",
    "EnginePort",
    "ExportActor",
    "ForkActor",
    "HistoryPage",
    "ImportActor",
    "LoadTokens",
    "NamePage",
    "ObjectBytes",
    "ObjectJson",
    "Operation",
    "PutObject",
    "RefTarget",
    "RefTargets",
    "ResolveActor",
    "ResolveActors",
    "RevertActor",
    "RunQuery",
    "ServiceGauges",
    "UiActor",
    "UiList",
    "TimersOf",
    "WatchActors",
]

Answer = TypeVar("Answer", covariant=True)
#: A page of JSON entries and the cursor of the next (``None``: the last page).
Page = tuple[list[dict[str, Any]], str | None]


class EnginePort(Protocol):
    """What the engine does for the service, one method per operation, each run in the
    engine's thread on its store and runtime."""

    def resolve(self, text: str) -> ObjectId:
        """The actor ``text`` names, an id or a bound name (HTTP-015.1, RUN-026.4)."""

    def resolve_names(self, names: tuple[str, ...]) -> dict[str, ObjectId]:
        """Each of ``names`` resolved, read together (HTTP-005.7, HTTP-015.1)."""

    def bind(self, name: str, actor: ObjectId) -> None:
        """Bind ``name`` to ``actor`` from absent (HTTP-004.5, RUN-026.2)."""

    def run_query(self, actor: ObjectId, name: str) -> Blob:
        """Query ``name`` of ``actor``'s head (HTTP-006.1, HTTP-012.2)."""

    def actor_page(self, where: ActorFilter) -> Page:
        """One page of ``GET /v1/actors`` (HTTP-007.1, HTTP-007.2)."""

    def actor_entry(self, actor: ObjectId) -> dict[str, Any] | None:
        """``actor``'s entry, ``None`` without a head (HTTP-007.3)."""

    def history_page(self, actor: ObjectId, limit: int, before: ObjectId | None) -> Page | None:
        """One page of ``actor``'s history, ``None`` without a head (HTTP-007.4)."""

    def timers_of(self, actor: ObjectId) -> list[dict[str, Any]]:
        """``actor``'s pending timers (HTTP-007.10, TIM-005.2)."""

    def clear(self, actor: ObjectId) -> bool:
        """Remove ``actor``'s failed mark: whether it had one (HTTP-007.5, RUN-025)."""

    def export_actor(self, actor: ObjectId) -> bytes:
        """``actor``'s bundle (HTTP-010.1, RUN-009.1)."""

    def object_bytes(self, oid: ObjectId) -> bytes:
        """An object's canonical encoding (HTTP-009.1)."""

    def object_json(self, oid: ObjectId) -> JSON:
        """An object's JSON description (HTTP-009.1, OBJ-018)."""

    def put_object(self, data: bytes) -> ObjectId:
        """Store one object's canonical encoding (HTTP-009.2)."""

    def ref_targets(self, prefix: str) -> list[tuple[str, ObjectId]]:
        """The refs under ``prefix``, in name order (HTTP-009.3)."""

    def ref_target(self, name: str) -> ObjectId | None:
        """Ref ``name``'s target (HTTP-009.3)."""

    def import_actor(self, data: bytes) -> tuple[ObjectId, ObjectId]:
        """Import a bundle: its actor and head (HTTP-010.2, RUN-009)."""

    def name_page(self, after: str | None, limit: int) -> tuple[dict[str, str], str | None]:
        """One page of ``GET /v1/names`` (HTTP-015.2)."""

    def revert_actor(self, actor: ObjectId, step: ObjectId, head: ObjectId | None) -> ObjectId:
        """Revert ``actor`` to ``step``: its new head (HTTP-016.1, RUN-024)."""

    def fork_actor(self, actor: ObjectId, step: ObjectId, entries: Mapping[str, bytes]) -> ObjectId:
        """Fork ``actor`` at ``step``: the child (HTTP-017.1, RUN-008)."""

    def service_gauges(self) -> Gauges:
        """What a scrape of ``GET /metrics`` reads (HTTP-014.1)."""

    def watch_actors(self, limit: int) -> dict[str, Any]:
        """The status page's list of actors (HTTP-014.3)."""

    def ui_list(self, limit: int) -> ActorList:
        """The status page's list as its HTML shows it: at most ``limit`` actors (HTTP-014.5)."""

    def ui_actor(self, actor: ObjectId, steps: int) -> UiPage | None:
        """One actor's page with its ``steps`` newest steps; ``None``: no such actor."""

    def audit_entries(self, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` entries of the audit log, newest first (HTTP-020.2)."""

    def append_audit(self, entry: AuditEntry) -> ObjectId:
        """Append ``entry`` to the audit log (HTTP-020.1)."""

    def load_tokens(self) -> dict[str, TokenRecord]:
        """The store's tokens, by id (HTTP-018.5)."""

    def actor_in_prefix(self, prefix: str, actor: ObjectId) -> bool:
        """Whether a name that starts with ``prefix`` is bound to ``actor`` (HTTP-018.3)."""


class Operation(Command[Answer]):
    """One named operation of :class:`EnginePort`, answered with what it returns;
    ``wakes``: it may give the runtime work, so the engine runs again at once (a failed
    mark removed, HTTP-007.5; a bundle imported, HTTP-010.2; a revert or a fork)."""

    __slots__ = ()
    wakes: ClassVar[bool] = False

    def run(self, port: EnginePort) -> Answer:
        """Do it, in the engine's thread."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class ResolveActor(Operation[ObjectId]):
    """The actor a path's ``{actor}`` names (HTTP-015.1)."""

    text: str

    def run(self, port: EnginePort) -> ObjectId:
        return port.resolve(self.text)


@dataclass(frozen=True, slots=True)
class ResolveActors(Operation[dict[str, ObjectId]]):
    """The actors a batch's names name, read together (HTTP-005.7)."""

    names: tuple[str, ...]

    def run(self, port: EnginePort) -> dict[str, ObjectId]:
        return port.resolve_names(self.names)


@dataclass(frozen=True, slots=True)
class BindName(Operation[None]):
    """Bind a created actor's name once its genesis is durable (HTTP-004.5)."""

    name: str
    actor: ObjectId

    def run(self, port: EnginePort) -> None:
        port.bind(self.name, self.actor)


@dataclass(frozen=True, slots=True)
class RunQuery(Operation[Blob]):
    """Run query ``name`` against ``actor`` (HTTP-006.1, HTTP-012.2)."""

    actor: ObjectId
    name: str

    def run(self, port: EnginePort) -> Blob:
        return port.run_query(self.actor, self.name)


@dataclass(frozen=True, slots=True)
class ActorPage(Operation[Page]):
    """One page of the actor list (HTTP-007.1)."""

    where: ActorFilter

    def run(self, port: EnginePort) -> Page:
        return port.actor_page(self.where)


@dataclass(frozen=True, slots=True)
class ActorEntry(Operation[dict[str, Any] | None]):
    """One actor's entry (HTTP-007.3)."""

    actor: ObjectId

    def run(self, port: EnginePort) -> dict[str, Any] | None:
        return port.actor_entry(self.actor)


@dataclass(frozen=True, slots=True)
class HistoryPage(Operation[Page | None]):
    """One page of an actor's history (HTTP-007.4)."""

    actor: ObjectId
    limit: int
    before: ObjectId | None

    def run(self, port: EnginePort) -> Page | None:
        return port.history_page(self.actor, self.limit, self.before)


@dataclass(frozen=True, slots=True)
class TimersOf(Operation[list[dict[str, Any]]]):
    """An actor's pending timers (HTTP-007.10)."""

    actor: ObjectId

    def run(self, port: EnginePort) -> list[dict[str, Any]]:
        return port.timers_of(self.actor)


@dataclass(frozen=True, slots=True)
class ClearFailed(Operation[bool]):
    """Remove an actor's failed mark (HTTP-007.5); its messages run again."""

    actor: ObjectId
    wakes: ClassVar[bool] = True

    def run(self, port: EnginePort) -> bool:
        return port.clear(self.actor)


@dataclass(frozen=True, slots=True)
class ExportActor(Operation[bytes]):
    """An actor's bundle (HTTP-010.1)."""

    actor: ObjectId

    def run(self, port: EnginePort) -> bytes:
        return port.export_actor(self.actor)


@dataclass(frozen=True, slots=True)
class ObjectBytes(Operation[bytes]):
    """An object's canonical encoding (HTTP-009.1, ``form=raw``)."""

    oid: ObjectId

    def run(self, port: EnginePort) -> bytes:
        return port.object_bytes(self.oid)


@dataclass(frozen=True, slots=True)
class ObjectJson(Operation[JSON]):
    """An object's JSON description (HTTP-009.1)."""

    oid: ObjectId

    def run(self, port: EnginePort) -> JSON:
        return port.object_json(self.oid)


@dataclass(frozen=True, slots=True)
class PutObject(Operation[ObjectId]):
    """Store one object's canonical encoding (HTTP-009.2)."""

    data: bytes

    def run(self, port: EnginePort) -> ObjectId:
        return port.put_object(self.data)


@dataclass(frozen=True, slots=True)
class RefTargets(Operation[list[tuple[str, ObjectId]]]):
    """The refs under ``prefix`` (HTTP-009.3)."""

    prefix: str

    def run(self, port: EnginePort) -> list[tuple[str, ObjectId]]:
        return port.ref_targets(self.prefix)


@dataclass(frozen=True, slots=True)
class RefTarget(Operation[ObjectId | None]):
    """One ref's target (HTTP-009.3)."""

    name: str

    def run(self, port: EnginePort) -> ObjectId | None:
        return port.ref_target(self.name)


@dataclass(frozen=True, slots=True)
class ImportActor(Operation[tuple[ObjectId, ObjectId]]):
    """Import a bundle (HTTP-010.2); the imported actor runs."""

    data: bytes
    wakes: ClassVar[bool] = True

    def run(self, port: EnginePort) -> tuple[ObjectId, ObjectId]:
        return port.import_actor(self.data)


@dataclass(frozen=True, slots=True)
class NamePage(Operation[tuple[dict[str, str], str | None]]):
    """One page of the bound names (HTTP-015.2)."""

    after: str | None
    limit: int

    def run(self, port: EnginePort) -> tuple[dict[str, str], str | None]:
        return port.name_page(self.after, self.limit)


@dataclass(frozen=True, slots=True)
class RevertActor(Operation[ObjectId]):
    """Revert an actor to one of its steps (HTTP-016); ``head``: the head the client saw
    (HTTP-016.3)."""

    actor: ObjectId
    step: ObjectId
    head: ObjectId | None
    wakes: ClassVar[bool] = True

    def run(self, port: EnginePort) -> ObjectId:
        return port.revert_actor(self.actor, self.step, self.head)


@dataclass(frozen=True, slots=True)
class ForkActor(Operation[ObjectId]):
    """Fork an actor at one of its steps, with ``entries`` of its state set (HTTP-017)."""

    actor: ObjectId
    step: ObjectId
    entries: Mapping[str, bytes]
    wakes: ClassVar[bool] = True

    def run(self, port: EnginePort) -> ObjectId:
        return port.fork_actor(self.actor, self.step, self.entries)


@dataclass(frozen=True, slots=True)
class ServiceGauges(Operation[Gauges]):
    """What a scrape reads (HTTP-014.1)."""

    def run(self, port: EnginePort) -> Gauges:
        return port.service_gauges()


@dataclass(frozen=True, slots=True)
class WatchActors(Operation[dict[str, Any]]):
    """The status page's list, at most ``limit`` actors (HTTP-014.3)."""

    limit: int

    def run(self, port: EnginePort) -> dict[str, Any]:
        return port.watch_actors(self.limit)


@dataclass(frozen=True, slots=True)
class UiList(Operation[ActorList]):
    """The status page's list, rendered by the service (HTTP-014.5)."""

    limit: int

    def run(self, port: EnginePort) -> ActorList:
        return port.ui_list(self.limit)


@dataclass(frozen=True, slots=True)
class UiActor(Operation["UiPage | None"]):
    """One actor's page on the status page (HTTP-014.5)."""

    actor: ObjectId
    steps: int

    def run(self, port: EnginePort) -> UiPage | None:
        return port.ui_actor(self.actor, self.steps)


@dataclass(frozen=True, slots=True)
class AuditEntries(Operation[list[dict[str, Any]]]):
    """The newest ``limit`` audit entries (HTTP-020.2)."""

    limit: int

    def run(self, port: EnginePort) -> list[dict[str, Any]]:
        return port.audit_entries(self.limit)


@dataclass(frozen=True, slots=True)
class AppendAudit(Operation[ObjectId]):
    """Write one audit entry (HTTP-020.1)."""

    entry: AuditEntry

    def run(self, port: EnginePort) -> ObjectId:
        return port.append_audit(self.entry)


@dataclass(frozen=True, slots=True)
class LoadTokens(Operation[dict[str, TokenRecord]]):
    """Read the store's tokens (HTTP-018.5)."""

    def run(self, port: EnginePort) -> dict[str, TokenRecord]:
        return port.load_tokens()


@dataclass(frozen=True, slots=True)
class ActorInPrefix(Operation[bool]):
    """Whether some name under a token's ``prefix`` is bound to ``actor`` (HTTP-018.3)."""

    prefix: str
    actor: ObjectId

    def run(self, port: EnginePort) -> bool:
        return port.actor_in_prefix(self.prefix, self.actor)
