"""How a command line's ``ACTOR`` argument names an actor: one function for every command.

``gritwit runtime history``, ``gritwit actor …`` and ``gritwit sandbox send|cat`` read
their ``ACTOR`` here, so that what an argument may be — today a text-form id (64
lowercase hex digits, ID-003) — changes in one place for all of them.
"""

from __future__ import annotations

from .._errors import GritError
from .._ids import ObjectId
from ..store import Store

__all__ = ["BadActorArg", "actor_arg"]


class BadActorArg(ValueError):
    """An ``ACTOR`` argument that names no actor: one line saying why."""


def actor_arg(store: Store | None, text: str) -> ObjectId:
    """The actor ``text`` names in ``store``: a text-form id (ID-003), else
    :class:`BadActorArg`.  (``store`` is for names an argument may one day be.)"""
    del store  # ids only, for now
    try:
        return ObjectId.from_hex(text)
    except (GritError, ValueError):
        raise BadActorArg(
            f"{text!r:.80} is not an actor id (64 lowercase hex digits, ID-003)"
        ) from None
