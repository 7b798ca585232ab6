"""What an object refers to, and everything reachable from a step (RUN-009, RUN-010)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .._ids import ObjectId
from .._objects import Blob, GritObject, Mailbox, Message, Step, Tree

__all__ = ["WALK_PAGE", "on_previous_chain", "reachable", "reachable_paged", "references"]

#: Most ids :func:`reachable_paged` asks its loader for at once.
WALK_PAGE = 1000


def references(obj: GritObject) -> tuple[ObjectId, ...]:
    """The ids ``obj`` names, as a bundle walks them (RUN-009.1): tree entries, mailbox
    entries and base (OBJ-019), message content and previous, a step's core, previous,
    inbox and outbox.  A blob names none."""
    if isinstance(obj, Tree):
        return tuple(obj.entries.values())
    if isinstance(obj, Mailbox):
        entries = tuple(obj.entries.values())
        return entries if obj.base is None else (*entries, obj.base)
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


def reachable_paged(
    starts: Iterable[ObjectId],
    load_page: Callable[[list[ObjectId]], Iterable[tuple[ObjectId, GritObject | None]]],
) -> dict[ObjectId, GritObject | None]:
    """:func:`reachable` from each of ``starts`` together, breadth first: ``load_page`` is
    given up to :data:`WALK_PAGE` ids of the frontier at once and answers each of them
    (``None``: unreadable), so a store on a server is read in a few statements per page,
    not one per object (RUN-009, RUN-010).  The ids found are those :func:`reachable`
    finds from the starts, and each maps to what ``load_page`` answered for it."""
    seen: dict[ObjectId, GritObject | None] = {}
    frontier = list(dict.fromkeys(starts))
    queued = set(frontier)
    while frontier:
        page, frontier = frontier[:WALK_PAGE], frontier[WALK_PAGE:]
        for oid, obj in load_page(page):
            seen[oid] = obj
            if obj is None:
                continue
            for ref in references(obj):
                if ref not in queued:
                    queued.add(ref)
                    frontier.append(ref)
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
