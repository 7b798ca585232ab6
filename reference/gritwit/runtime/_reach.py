"""What an object refers to, and everything reachable from a step (RUN-009, RUN-010)."""

from __future__ import annotations

from collections.abc import Callable

from .._ids import ObjectId
from .._objects import Blob, GritObject, Mailbox, Message, Step, Tree

__all__ = ["on_previous_chain", "references", "reachable"]


def references(obj: GritObject) -> tuple[ObjectId, ...]:
    """The ids ``obj`` names: tree and mailbox entries, message content and previous,
    a step's core, previous, inbox and outbox.  A blob names none."""
    if isinstance(obj, Tree):
        return tuple(obj.entries.values())
    if isinstance(obj, Mailbox):
        return tuple(obj.entries.values())
    if isinstance(obj, Message):
        return (obj.content,) if obj.previous is None else (obj.content, obj.previous)
    if isinstance(obj, Step):
        found = (obj.core, obj.previous, obj.inbox, obj.outbox)
        return tuple(oid for oid in found if oid is not None)
    assert isinstance(obj, Blob)
    return ()


def reachable(
    start: ObjectId, load: Callable[[ObjectId], GritObject | None]
) -> dict[ObjectId, GritObject | None]:
    """Every id reachable from ``start``; ``load`` returns ``None`` for one it cannot read
    (its references are then unknown).  Iterative, so a long history cannot overflow."""
    seen: dict[ObjectId, GritObject | None] = {}
    stack = [start]
    while stack:
        oid = stack.pop()
        if oid in seen:
            continue
        obj = load(oid)
        seen[oid] = obj
        if obj is not None:
            stack.extend(ref for ref in references(obj) if ref not in seen)
    return seen


def on_previous_chain(
    load: Callable[[ObjectId], GritObject | None], newer: ObjectId, older: ObjectId
) -> bool:
    """Whether ``older`` is on the ``previous`` chain of message ``newer`` (``newer`` included)."""
    current: ObjectId | None = newer
    while current is not None:
        if current == older:
            return True
        message = load(current)
        current = message.previous if isinstance(message, Message) else None
    return False
