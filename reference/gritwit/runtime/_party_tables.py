"""What the service parties' cores share: a table of pending entries under two hex digits,
and an imported actor's requests taken as read (TIM-006.2, TIM-007.3, PORT-007.1, PORT-007.5).

The timer party keeps its pending timers and the port party its requests in flight the
same way: an entry of the party's core (``timers``, ``requests``) is a tree whose entries
are named by the first two hex digits of an id's text form, each a tree with one entry per
item of those digits, named by the item's id followed by its sender's (128 hex digits).
A step that changes one item so rewrites two small trees, not the whole table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .._codec import object_id
from .._errors import RefConflict
from .._ids import ObjectId
from .._objects import GritObject, Mailbox, Step, Tree
from ..store import Store, head_ref
from ..wit import ObjectReader, mailbox_map
from ..wit._model import get_tree
from ._parties import party_core, party_wit

__all__ = ["absorb_party_import", "party_head_core", "table_with"]

#: How often a step is built again after a lost swap before it gives up.
_LOST_SWAPS: Final = 8


def table_with(
    reader: ObjectReader,
    core: Tree,
    entry: str,
    changes: Mapping[str, ObjectId | None],
    objects: list[GritObject],
) -> Tree:
    """``core`` with its table ``entry`` changed: each name of ``changes`` (an id's text
    followed by its sender's) set to its value, or removed (``None``), rewriting only the
    subtrees of the two hex digits it touches; new trees are added to ``objects``."""
    top_id = core.entries.get(entry)
    top = None if top_id is None else get_tree(reader, top_id)
    subs: dict[str, ObjectId] = {} if top is None else dict(top.entries)
    by_prefix: dict[str, dict[str, ObjectId | None]] = {}
    for name, value in changes.items():
        by_prefix.setdefault(name[:2], {})[name] = value
    for prefix, items in by_prefix.items():
        old = None if prefix not in subs else get_tree(reader, subs[prefix])
        entries = {} if old is None else dict(old.entries)
        for name, value in items.items():
            if value is None:
                entries.pop(name, None)
            else:
                entries[name] = value
        if entries:
            sub = Tree(entries=entries)
            objects.append(sub)
            subs[prefix] = object_id(sub)
        else:
            subs.pop(prefix, None)
    out = {name: oid for name, oid in core.entries.items() if name != entry}
    if subs:
        table = Tree(entries=subs)
        objects.append(table)
        out[entry] = object_id(table)
    return Tree(entries=out)


def party_head_core(store: Store, party: ObjectId) -> Tree | None:
    """The core of the service party ``party``'s head step, read from the store alone
    (TIM-006.2, PORT-007.1); ``None`` before its first step."""
    head = store.get_ref(head_ref(party))
    if head is None:
        return None
    step = store.get_object(head)
    found = store.get_object(step.core) if isinstance(step, Step) else None
    return found if isinstance(found, Tree) else None


def absorb_party_import(
    store: Store, party: ObjectId, name: str, actor: ObjectId, head: Step
) -> None:
    """Take an imported actor's messages to the service party ``party`` (named ``name``)
    as read before its head moves (TIM-007.3, PORT-007.5): a step of the party whose inbox
    entry for ``actor`` is the actor's outbox entry for the party."""
    entry = mailbox_map(store, head.outbox).get(party)
    if entry is None:
        return
    for _ in range(_LOST_SWAPS):
        last_id = store.get_ref(head_ref(party))
        last = None if last_id is None else store.get_object(last_id)
        last = last if isinstance(last, Step) else None
        inbox = {} if last is None else dict(mailbox_map(store, last.inbox))
        if inbox.get(actor) == entry:
            return
        inbox[actor] = entry
        objects: list[GritObject] = []
        if last is None:
            objects += [party_wit(name), party_core(name)]
        box = Mailbox(entries=inbox)
        step = Step(
            actor=party,
            previous=last_id,
            core=object_id(party_core(name)) if last is None else last.core,
            inbox=object_id(box),
            outbox=None if last is None else last.outbox,
        )
        objects += [box, step]
        store.put_objects(objects)
        try:
            store.cas_ref(head_ref(party), last_id, object_id(step))
            return
        except RefConflict:
            continue
