"""Erasing a blob's content while its id stays verifiable (RUN-011).

The store drops the bytes and keeps a *tombstone* (the id and a reason); ``get``
of the id then fails ``erased`` while ``has`` still answers true.  Every tree,
message or step that names the id keeps its own id, since ids never change.
"""

from __future__ import annotations

from .._errors import Erased, InvalidObject
from .._ids import ObjectId
from .._objects import Blob
from ..store import Store

__all__ = ["erase_blob"]


def erase_blob(store: Store, blob_id: ObjectId, reason: str) -> bool:
    """Erase blob ``blob_id`` for ``reason``; ``False`` if it was erased already.

    RUN-011.1, RUN-011.6.

    An absent id → ``not-found``; a stored object that is not a blob →
    ``invalid-object``; unreadable bytes → ``corrupt-object``.  Nothing changes then.
    """
    if not reason:
        raise InvalidObject("RUN-011.2", "an erasure needs a non-empty reason")
    try:
        obj = store.get_object(blob_id)
    except Erased:
        return False
    if not isinstance(obj, Blob):
        raise InvalidObject("RUN-011.6", f"{blob_id} is a {type(obj).__name__.lower()}, not a blob")
    return store.backend.erase(blob_id, reason)
