"""What the engine does for an actor's life over HTTP: names, revert, clear, fork
(HTTP-015 … HTTP-017, HTTP-004.4, HTTP-007.5).

Each function takes the engine's :class:`~._engine_commands.EngineState` and runs in the
engine's thread (an operation of :mod:`._port`), through the runtime's own
operations (RUN-008, RUN-024, RUN-025, RUN-026), so a service does what the runtime and
the command line do, and nothing of its own.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._ids import ObjectId
from ..cores import state_blobs
from ..runtime import ChildExists, actor_names, bind_name, fork, name_ref, resolve_actor
from ._engine_commands import EngineState
from ._problems import HttpProblem

__all__ = [
    "bind",
    "clear",
    "fork_actor",
    "name_page",
    "resolve",
    "revert_actor",
    "taken_by",
]


def resolve(state: EngineState, text: str) -> ObjectId:
    """The actor ``text`` names: its id, or the actor its name is bound to (HTTP-015.1,
    RUN-026.4); ``invalid-ref-name`` for text that is no name, ``not-found`` for a name
    bound to nothing."""
    return resolve_actor(state.store, text)


def taken_by(state: EngineState, name: str) -> ObjectId | None:
    """The actor ``name`` is bound to, ``None`` when it is free (HTTP-004.5)."""
    return state.store.get_ref(name_ref(name))


def bind(state: EngineState, name: str, actor: ObjectId) -> None:
    """Bind ``name`` to ``actor`` by a compare-and-swap from absent (HTTP-004.5, RUN-026.2):
    ``ref-conflict`` when it names another actor."""
    bind_name(state.store, name, actor)


def name_page(
    state: EngineState, after: str | None, limit: int
) -> tuple[dict[str, str], str | None]:
    """``GET /v1/names`` (HTTP-015.2): names after ``after``, at most ``limit``, each with
    its actor, and the ``next`` cursor."""
    page: dict[str, str] = {}
    last = None
    for name, actor in actor_names(state.store).items():
        if after is not None and name.encode() <= after.encode():
            continue
        if len(page) == limit:
            return page, last
        page[name] = actor.hex()
        last = name
    return page, None


def revert_actor(
    state: EngineState, actor: ObjectId, step: ObjectId, head: ObjectId | None = None
) -> ObjectId:
    """Revert ``actor`` to ``step`` through the runtime (HTTP-016.1, RUN-024): the new head."""
    return state.runtime.revert(actor, step, head=head)


def clear(state: EngineState, actor: ObjectId) -> bool:
    """Remove ``actor``'s failed mark through the runtime (HTTP-007.5, RUN-025)."""
    return state.runtime.clear_failed(actor)


def fork_actor(
    state: EngineState, actor: ObjectId, step: ObjectId, entries: Mapping[str, bytes]
) -> ObjectId:
    """Fork ``actor`` at ``step`` with ``entries`` set (HTTP-017.1, RUN-008): the child.

    A child with a head already is 409 ``ref-conflict`` naming it (HTTP-017.4), so that a
    client that repeats a fork whose answer it lost finds the child it made."""
    try:
        return fork(state.store, actor, step, state_blobs(entries))
    except ChildExists as exc:
        raise HttpProblem(
            409, "ref-conflict", f"HTTP-017.4: {exc}", extra={"actor": exc.child.hex()}
        ) from None
