"""Reading a counter's number out of a store: the tests' one way to do it."""

from __future__ import annotations

import gritwit as g
from gritwit.store import Store, head_ref


def entry_number(store: Store, step_id: g.ObjectId, entry: str) -> int:
    """The number held in the blob ``entry`` of ``step_id``'s core tree."""
    step = store.get_object(step_id)
    assert isinstance(step, g.Step)
    core = store.get_object(step.core)
    assert isinstance(core, g.Tree)
    blob = store.get_object(core.entries[entry])
    assert isinstance(blob, g.Blob)
    return int(blob.data)


def head_count(store: Store, actor: g.ObjectId) -> int:
    """The ``count`` of ``actor``'s head: a built-in counter's count (WIT-018)."""
    head = store.get_ref(head_ref(actor))
    assert head is not None, f"{actor} has no head"
    return entry_number(store, head, "count")
