"""Reading a core's next objects together: a walk's read-ahead (SBX-006.15, SBX-006.16).

A walk over a core (the count of SBX-006.15, at a mount and where a core enters,
SBX-006.17) reads each distinct object once.  Read one by one, each read is a store
query and several calls through the transition's readers; a reader that offers
``read_ahead(oids, budget)`` gives the objects of the next entries in one go instead,
read as ``get_object`` reads each, in order from the first: up to an object it would
fail on (left to ``get_object``, which raises its error), a tree (whose entries the walk
counts before it reads on), or the object that takes the blob data read past ``budget``
(a walk reads at most its bound plus one object, SBX-006.16).  A reader that offers none
reads nothing ahead, and the walk reads object by object as before.

A genesis walks its core twice with the same bounds: the bound's walk where the core
enters (SBX-006.17) and the mount's count (SBX-006.15), over the same objects read once
(:class:`~gritwit.wit._model.ReadOnce`).  Its reader's ``_walks`` (:func:`walks_of`) keeps
what a walk that ended within its bounds found, for the other to take as its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .._ids import ObjectId
from .._objects import GritObject, Tree

__all__ = ["read_ahead", "read_ahead_through", "walks_of"]


def walks_of(reader: object) -> dict[Any, Any] | None:
    """The memo of core walks of the transition ``reader`` reads for, where it keeps one
    (a genesis's, :class:`~gritwit.wit._model.ReadOnce`), else ``None``."""
    walks = getattr(reader, "_walks", None)
    return walks if isinstance(walks, dict) else None


def read_ahead(reader: object, oids: Sequence[ObjectId], budget: int) -> dict[ObjectId, GritObject]:
    """``reader.read_ahead(oids, budget)`` where ``reader`` offers it, else nothing."""
    method = getattr(reader, "read_ahead", None)
    return {} if method is None else dict(method(oids, budget))


def read_ahead_through(
    held: Callable[[ObjectId], GritObject | None],
    base: object,
    oids: Sequence[ObjectId],
    budget: int,
) -> dict[ObjectId, GritObject]:
    """A layer's read-ahead: what it holds itself (``held``: read already, so no bytes of
    the budget), up to and with the first tree it holds, and ``base``'s read-ahead of the
    ids before that tree it does not hold."""
    found: dict[ObjectId, GritObject] = {}
    if list(map(held, oids)).count(None) == len(oids):  # it holds none: all from base
        return read_ahead(base, oids, budget)
    rest: list[ObjectId] = []
    for oid in oids:
        obj = held(oid)
        if obj is None:
            rest.append(oid)
            continue
        found[oid] = obj
        if type(obj) is Tree:
            break
    if rest:
        found.update(read_ahead(base, rest, budget))
    return found
