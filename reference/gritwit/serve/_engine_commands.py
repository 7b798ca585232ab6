"""What HTTP handlers ask the engine, and what it answers (HTTP-004, HTTP-005, HTTP-011).

Handlers never touch the store or the runtime: they submit one of these frozen commands
to the :class:`~gritwit.serve._engine.Engine` and await its future.  Sends and creations
are batched into one commit (RUN-003.4, HTTP-005.2); a settle waits for a run
(HTTP-011.1); every other request is a :class:`Call` of a function of the engine's
state, run in the engine's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._ids import ObjectId
from .._objects import GritObject
from ..runtime import RoutingIndex, Runtime
from ..store import Store
from ._content import NewCore

__all__ = [
    "Call",
    "Command",
    "Create",
    "Created",
    "EngineState",
    "Send",
    "SendBatch",
    "Sent",
    "Settle",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Send:
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
class SendBatch:
    """Send ``sends`` in their order as one send from the outside (HTTP-005.7): answered
    with one :class:`Sent` per send, or refused whole."""

    sends: tuple[Send, ...]


@dataclass(frozen=True, slots=True)
class Create:
    """Store a new core and send its genesis (HTTP-004.2), placed with the actor
    ``placement`` when given (HTTP-004.8, RUN-021.7)."""

    core: NewCore
    placement: ObjectId | None = None


@dataclass(frozen=True, slots=True)
class Settle:
    """Answer once a run that starts after this arrived answered quiescent (HTTP-011.1);
    ``deadline`` (:func:`time.monotonic`): when the request stops waiting (HTTP-011.2)."""

    deadline: float


@dataclass(frozen=True, slots=True)
class EngineState:
    """What a :class:`Call` may use: the store, the runtime, and the engine's own routing
    index (for whether an actor is busy, HTTP-007.1)."""

    store: Store
    runtime: Runtime
    index: RoutingIndex


@dataclass(frozen=True, slots=True)
class Call:
    """Run ``call`` on the engine's state in its thread; ``wakes``: it may give the
    runtime work (a failed mark removed, HTTP-007.5; a bundle imported, HTTP-010.2)."""

    call: Callable[[EngineState], Any]
    wakes: bool = False


Command = Send | SendBatch | Create | Settle | Call


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
