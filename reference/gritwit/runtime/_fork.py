"""Forking an actor at any step of its history, in constant time (RUN-008)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

from .._codec import object_id
from .._errors import GritError, InvalidObject, InvalidRefTarget, RefConflict
from .._ids import ObjectId
from .._objects import Blob, GritObject, Step, Tree
from ..store import Store, head_ref

__all__ = ["FORK_ENTRY", "ChildExists", "fork", "fork_blob", "fork_origin"]

#: The core entry that makes a child's id differ from its parent's (RUN-008).
FORK_ENTRY: Final = "fork"


class ChildExists(RefConflict):
    """``ref-conflict`` of a fork whose child has a head already (RUN-008.6); ``child`` is
    its id, which a service names in its answer (HTTP-017.4)."""

    def __init__(self, child: ObjectId, current: ObjectId | None) -> None:
        super().__init__("RUN-008.6", f"the child {child} has a head already", current=current)
        self.child = child


def fork_blob(parent: ObjectId, step: ObjectId) -> Blob:
    """The ``fork`` blob: a JSON object ``{"actor": <parent>, "step": <step>}`` (RUN-008.2)."""
    text = json.dumps({"actor": parent.hex(), "step": step.hex()}, sort_keys=True)
    return Blob(data=text.encode("utf-8"), headers={"content-type": "application/json"})


def fork_origin(blob: GritObject) -> tuple[ObjectId, ObjectId] | None:
    """(parent actor, step) named by a ``fork`` blob, or ``None`` if it is not one."""
    if not isinstance(blob, Blob):
        return None
    try:
        record = json.loads(blob.data)
        return ObjectId.from_hex(record["actor"]), ObjectId.from_hex(record["step"])
    except (ValueError, TypeError, KeyError, GritError):
        return None


def fork(
    store: Store,
    actor: ObjectId,
    at_step: ObjectId,
    new_actor_state: Mapping[str, GritObject] | None = None,
) -> ObjectId:
    """Start a new actor whose history continues ``actor``'s at ``at_step``; return its id.

    Reads ``at_step`` and its core only, whatever the history's length (RUN-008.8):
    the child's first step points back at ``at_step``, so nothing is copied.
    ``new_actor_state`` sets (or replaces) core entries of the child.  The child's id
    is its core's (RUN-008.4); its first step continues ``at_step`` with its inbox and
    no outbox (RUN-008.5); its head is set by compare-and-swap from unset
    (``ref-conflict`` if it exists, RUN-008.6).
    """
    step = store.get_object(at_step)
    if not isinstance(step, Step) or step.actor != actor:
        raise InvalidRefTarget("RUN-008.1", f"{at_step} is not a step of {actor}")
    core = store.get_object(step.core)
    if not isinstance(core, Tree):
        raise InvalidRefTarget("RUN-008.1", f"the core of {at_step} is not a tree")
    entries = dict(core.entries)
    for name, obj in (new_actor_state or {}).items():
        if name == FORK_ENTRY:
            raise InvalidObject("RUN-008.3", f"the entry {FORK_ENTRY!r} is set by fork itself")
        entries[name] = store.put_object(obj)
    entries[FORK_ENTRY] = store.put_object(fork_blob(actor, at_step))
    child_core = Tree(entries=entries)
    child = store.put_object(child_core)
    # The outbox starts empty: carried over, the parent's messages would be pending
    # again from the child at every recipient (WIT-005) and be delivered twice.
    first = Step(actor=child, core=child, previous=at_step, inbox=step.inbox)
    try:
        store.cas_ref(head_ref(child), None, store.put_object(first))
    except RefConflict as exc:  # the same fork made before, or the child set otherwise
        raise ChildExists(child, exc.current) from None
    assert child == object_id(child_core)
    return child
