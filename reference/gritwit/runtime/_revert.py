"""Reverting an actor to an earlier step of its own history, and clearing its failed mark
(RUN-024, RUN-025).

Both are store-level operations, like :func:`~gritwit.runtime.fork`: a revert adopts one
new step by compare-and-swap of the actor's head (one writer, RUN-002), a clear deletes
one ref by compare-and-swap.  :class:`~gritwit.runtime.Runtime` wraps them
(:meth:`~gritwit.runtime.Runtime.revert`, :meth:`~gritwit.runtime.Runtime.clear_failed`)
so that what it keeps in memory follows.

A revert step needs no field of its own (RUN-024.5): it is a step whose core is an
earlier step's and whose inbox and outbox are its ``previous``'s, so ``verify_actor``
(RUN-010) judges it as any step, and the cursors never move back.
"""

from __future__ import annotations

from .._errors import FrozenCore, InvalidRefTarget, ObjectNotFound, RefConflict
from .._ids import ObjectId
from .._objects import Step, Tree
from ..store import Store, head_ref
from ..wit._cores import FROZEN_ENTRIES
from ._index import failed_ref

__all__ = ["FROZEN_ENTRIES", "clear_failed", "plan_revert", "revert"]


def plan_revert(
    store: Store, actor: ObjectId, to_step: ObjectId, expected: ObjectId | None = None
) -> tuple[ObjectId, Step]:
    """The head *H* a revert of ``actor`` to ``to_step`` swaps from, and the revert step.

    Checks in the order of RUN-024.6 and raises the first failure; stores nothing.  Reads
    the steps from *H* down to ``to_step`` (or to the actor's first step when it is not
    on the chain), and the two cores when *H*'s is frozen (RUN-024.7).  ``expected``:
    the head the caller chose ``to_step`` against; another head fails ``ref-conflict``
    (RUN-024.10).
    """
    head = store.get_ref(head_ref(actor))
    if head is None:
        raise ObjectNotFound("RUN-024.6", f"actor {actor} has no head to revert")
    if expected is not None and head != expected:
        raise RefConflict(
            "RUN-024.10", f"the head of {actor} is {head}, not {expected}", current=head
        )
    target = store.get_object(to_step)  # not-found, corrupt-object (STO-003, STO-004)
    if not isinstance(target, Step) or target.actor != actor:
        raise InvalidRefTarget("RUN-024.6", f"{to_step} is not a step of {actor}")
    if to_step == head:
        raise InvalidRefTarget("RUN-024.6", f"{to_step} is the head of {actor}: nothing to revert")
    last = store.get_object(head)
    assert isinstance(last, Step)  # a head names a step of its actor (RUN-001, RUN-020.3)
    if not _below(store, actor, last, to_step):
        raise InvalidRefTarget(
            "RUN-024.6", f"{to_step} is a step of {actor} that is not in its history"
        )
    if last.core != target.core:
        _check_frozen(store, last.core, target.core)
    step = Step(actor=actor, core=target.core, previous=head, inbox=last.inbox, outbox=last.outbox)
    return head, step


def _below(store: Store, actor: ObjectId, head: Step, wanted: ObjectId) -> bool:
    """Whether ``wanted`` is reached from ``head`` through ``previous`` without passing a
    step of another actor (RUN-024.6): a forked child's chain stops at its first step."""
    step = head
    while step.previous is not None:
        if step.previous == wanted:
            return True
        below = store.get_object(step.previous)
        if not isinstance(below, Step) or below.actor != actor:
            return False
        step = below
    return False


def _check_frozen(store: Store, head_core: ObjectId, core: ObjectId) -> None:
    """RUN-024.7: a frozen head's ``wit``, ``wit_update`` and ``frozen`` stay as they are."""
    now, then = store.get_object(head_core), store.get_object(core)
    assert isinstance(now, Tree) and isinstance(then, Tree)  # cores are trees (WIT-007.2)
    if "frozen" not in now.entries:
        return
    for name in FROZEN_ENTRIES:
        if now.entries.get(name) != then.entries.get(name):
            raise FrozenCore("RUN-024.7", f"the head's core is frozen; {name!r} would change")


def revert(
    store: Store, actor: ObjectId, to_step: ObjectId, expected: ObjectId | None = None
) -> ObjectId:
    """Revert ``actor`` to ``to_step``: adopt a new step with that step's core and the
    head's inbox and outbox, whose ``previous`` is the head; return its id (RUN-024.1).

    The step is stored before the head moves (RUN-001.1); a head moved by another writer
    since it was read fails ``ref-conflict`` (RUN-024.1) and is not reverted again, and
    so does a head other than ``expected`` where it is given (RUN-024.10).
    """
    head, step = plan_revert(store, actor, to_step, expected)
    new = store.put_object(step)
    try:
        store.cas_ref(head_ref(actor), head, new)
    except RefConflict as exc:
        raise RefConflict(
            "RUN-024.1", f"the head of {actor} moved since it was read", current=exc.current
        ) from None
    return new


def clear_failed(store: Store, actor: ObjectId) -> bool:
    """Delete ``actor``'s failed mark by compare-and-swap; ``False`` when it had none.

    RUN-025.1; a swap lost to another writer reads the ref again (RUN-025.2): unset,
    the answer is ``False``; set again, that mark is deleted.
    """
    name = failed_ref(actor)
    while True:
        mark = store.get_ref(name)
        if mark is None:
            return False
        try:
            store.cas_ref(name, mark, None)
        except RefConflict:  # cleared or marked again meanwhile: read it again
            continue
        return True
