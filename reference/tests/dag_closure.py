"""The objects reachable from an id, walked by the tests' own reading of the spec.

Written apart from the reference's walk (``gritwit.runtime._reach``), so that a test of
bundles or verify compares the reference against an independent closure: the edges
RUN-009.1 lists — a step's ``core``, ``previous``, ``inbox`` and ``outbox``, tree and
mailbox entries, a mailbox's ``base`` (OBJ-019), a message's ``content`` and
``previous``.
"""

from __future__ import annotations

import gritwit as g
from gritwit.store import Store


def references(obj: g.GritObject) -> list[g.ObjectId]:
    """The ids ``obj`` names (RUN-009.1, OBJ-019)."""
    if isinstance(obj, g.Tree):
        return list(obj.entries.values())
    if isinstance(obj, g.Mailbox):
        return [*obj.entries.values(), *([obj.base] if obj.base is not None else [])]
    if isinstance(obj, g.Message):
        return [obj.content] + ([obj.previous] if obj.previous else [])
    if isinstance(obj, g.Step):
        return [i for i in (obj.core, obj.previous, obj.inbox, obj.outbox) if i is not None]
    return []


def closure(store: Store, start: g.ObjectId) -> set[g.ObjectId]:
    """Every id reachable from ``start``, ``start`` included."""
    seen: set[g.ObjectId] = set()
    todo = [start]
    while todo:
        oid = todo.pop()
        if oid not in seen:
            seen.add(oid)
            todo.extend(references(store.get_object(oid)))
    return seen
