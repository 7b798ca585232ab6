"""What HTTP handlers ask the engine, and what it answers (HTTP-004, HTTP-005, HTTP-011).

Handlers never touch the store or the runtime: they submit one of these frozen commands
to the :class:`~gritwit.serve._engine.Engine` and await its future.  Each is a
:class:`Command` of the type it is answered with, so that a handler's ``await ask(...)``
is typed by the command it asks.  Sends and creations are batched into one commit
(RUN-003.4, HTTP-005.2); a settle waits for a run (HTTP-011.1); every other request is
one of the engine's named operations (:mod:`._port`), run in the engine's thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from .._ids import ObjectId
from .._objects import GritObject
from ..runtime import RoutingIndex, Runtime
from ..store import Store
from ._content import NewCore

__all__ = [
    "Command",
    "Create",
    "Created",
    "EngineState",
    "Send",
    "SendBatch",
    "Sent",
    "Settle",
]

#: What a command is answered with.
Answer = TypeVar("Answer", covariant=True)


class Command(Generic[Answer]):
    """A request to the engine, answered with an ``Answer`` (its future's result)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Sent:
    """A send's answer: its message, and whether a key found it sent before (HTTP-005.3)."""

    message: ObjectId
    replayed: bool


@dataclass(frozen=True, slots=True)
class Created:
    """A creation's answer (HTTP-004.2): the genesis message is ``None`` when it existed."""

    actor: ObjectId
    message: ObjectId | None
    existed: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Send(Command[Sent]):
    """Send ``content`` from the outside to ``recipient`` (HTTP-005.1), keyed or not
    (HTTP-005.3); ``placement``: a genesis's header ``placement`` (RUN-021.7, HTTP-004.8)."""

    recipient: ObjectId
    content: ObjectId
    objects: tuple[GritObject, ...]
    mt: str | None
    signal: bool
    key: str | None
    placement: ObjectId | None = None


@dataclass(frozen=True, slots=True)
class SendBatch(Command[list[Sent]]):
    """Send ``sends`` in their order as one send from the outside (HTTP-005.7): answered
    with one :class:`Sent` per send, or refused whole."""

    sends: tuple[Send, ...]


@dataclass(frozen=True, slots=True)
class Create(Command[Created]):
    """Store a new core and send its genesis (HTTP-004.2), placed with the actor
    ``placement`` when given (HTTP-004.8, RUN-021.7)."""

    core: NewCore
    placement: ObjectId | None = None


@dataclass(frozen=True, slots=True)
class Settle(Command[bool]):
    """Answer once a run that starts after this arrived answered quiescent (HTTP-011.1);
    ``deadline`` (:func:`time.monotonic`): when the request stops waiting (HTTP-011.2)."""

    deadline: float


@dataclass(frozen=True, slots=True)
class EngineState:
    """What the engine's operations (:mod:`._engine_ops`) use: the store, the runtime,
    and the engine's own routing index (for whether an actor is busy, HTTP-007.1)."""

    store: Store
    runtime: Runtime
    index: RoutingIndex
