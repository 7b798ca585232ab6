"""What the service parties' cores share: a table of pending entries under two levels of
hex digits, and an imported actor's requests taken as read (TIM-006.2, TIM-007.3,
PORT-007.1, PORT-007.5).

The timer party keeps its pending timers and the port party its requests in flight the
same way (PORT-007.1 lays its table out as TIM-006.2 does, so both are this one code): an
entry of the party's core (``timers``, ``requests``) is a tree whose entries are named by
the first two hex digits of an id's text form, each a tree whose entries are named by
the next two, each a tree with one entry per item of those four digits, named by the
item's id followed by its sender's (128 hex digits). No tree of the table is empty.

A step that changes one item so rewrites three small trees, not the whole table: with
one level of 256 subtrees, 101,000 timers pending put about 400 entries in each, and
every fire rewrote one of them; with two, a level holds at most 256 entries and the last
about one for every 65,536 pending.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from .._codec import object_id
from .._errors import RefConflict
from .._ids import ObjectId
from .._objects import GritObject, Mailbox, Step, Tree
from ..store import Store, head_ref
from ..wit import ObjectReader, mailbox_map
from ..wit._model import get_tree
from ._parties import party_core, party_wit

__all__ = ["absorb_party_import", "party_head_core", "table_items", "table_with"]

#: How often a step is built again after a lost swap before it gives up.
_LOST_SWAPS: Final = 8
#: The hex digits of an item's name that name its tree at each level (TIM-006.2).
_LEVELS: Final = ((0, 2), (2, 4))


def table_items(
    reader: ObjectReader, core: Tree | None, entry: str
) -> Iterator[tuple[str, ObjectId]]:
    """Every item of ``core``'s table ``entry`` as (name, value), walking each level of
    digits (TIM-006.2, PORT-007.1); a level that is not a tree holds nothing."""
    top_id = None if core is None else core.entries.get(entry)
    trees = [] if top_id is None else [top_id]
    for _ in _LEVELS:
        found = (get_tree(reader, oid) for oid in trees)
        trees = [oid for tree in found if tree is not None for oid in tree.entries.values()]
    for oid in trees:
        tree = get_tree(reader, oid)
        yield from ({} if tree is None else tree.entries).items()


def table_with(
    reader: ObjectReader,
    core: Tree,
    entry: str,
    changes: Mapping[str, ObjectId | None],
    objects: list[GritObject],
) -> Tree:
    """``core`` with its table ``entry`` changed: each name of ``changes`` (an id's text
    followed by its sender's) set to its value, or removed (``None``), rewriting only the
    trees of the digits it touches, and leaving out a tree emptied (TIM-006.2); new trees
    are added to ``objects``."""
    top_id = core.entries.get(entry)
    new_top = _level(reader, top_id, changes, 0, objects)
    out = {name: oid for name, oid in core.entries.items() if name != entry}
    if new_top is not None:
        out[entry] = new_top
    return Tree(entries=out)


def _level(
    reader: ObjectReader,
    tree_id: ObjectId | None,
    changes: Mapping[str, ObjectId | None],
    depth: int,
    objects: list[GritObject],
) -> ObjectId | None:
    """The tree ``tree_id`` at ``depth`` (0: the table's top) with ``changes`` made; its
    new id, or ``None`` once it holds nothing."""
    old = None if tree_id is None else get_tree(reader, tree_id)
    entries: dict[str, ObjectId] = {} if old is None else dict(old.entries)
    if depth == len(_LEVELS):
        for name, value in changes.items():
            if value is None:
                entries.pop(name, None)
            else:
                entries[name] = value
    else:
        start, end = _LEVELS[depth]
        by_digits: dict[str, dict[str, ObjectId | None]] = {}
        for name, value in changes.items():
            by_digits.setdefault(name[start:end], {})[name] = value
        for digits, items in by_digits.items():
            sub = _level(reader, entries.get(digits), items, depth + 1, objects)
            if sub is None:
                entries.pop(digits, None)
            else:
                entries[digits] = sub
    if not entries:
        return None
    tree = Tree(entries=entries)
    objects.append(tree)
    return object_id(tree)


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
