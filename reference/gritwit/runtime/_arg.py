"""How a command line's ``ACTOR`` argument names an actor: one function for every command.

``gritwit runtime history``, ``gritwit actor …`` and ``gritwit sandbox send|cat`` read
their ``ACTOR`` here: a text-form id (64 lowercase hex digits, ID-003), or, given the
store, an actor's name (RUN-026.4).
"""

from __future__ import annotations

from .._errors import GritError
from .._ids import ObjectId
from ..store import Store
from ._names import resolve_actor

__all__ = ["BadActorArg", "actor_arg"]


class BadActorArg(ValueError):
    """An ``ACTOR`` argument that names no actor: one line saying why."""


def actor_arg(store: Store | None, text: str) -> ObjectId:
    """The actor ``text`` names: a text-form id (ID-003) or, in ``store``, a name bound
    under ``names/actors/`` (RUN-026.4); else :class:`BadActorArg`.  Without a store,
    ids only."""
    if store is not None:
        try:
            return resolve_actor(store, text)
        except GritError as exc:
            raise BadActorArg(
                f"{text!r:.80} is neither an actor id (64 lowercase hex digits, ID-003) nor "
                f"a name of this store ({exc.error_class}, {exc.requirement})"
            ) from None
    try:
        return ObjectId.from_hex(text)
    except (GritError, ValueError):
        raise BadActorArg(
            f"{text!r:.80} is not an actor id (64 lowercase hex digits, ID-003)"
        ) from None
