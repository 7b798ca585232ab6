"""Integrity of one actor's whole history, forks and erasures included (RUN-010, RUN-011)."""

from __future__ import annotations

from dataclasses import dataclass

from .._errors import CorruptObject, Erased, GritError, ObjectNotFound
from .._ids import ObjectId
from .._objects import GritObject, Message, Step, Tree
from ..store import Store, head_ref
from ..wit import mailbox_entries
from ._fork import FORK_ENTRY, fork_origin
from ._reach import on_previous_chain, reachable

__all__ = ["ActorCheck", "verify_actor"]


@dataclass(frozen=True, slots=True)
class ActorCheck:
    """What :func:`verify_actor` found: counts, erased ids and located problems."""

    actor: ObjectId
    steps: int
    objects: int
    #: Blobs whose content was erased; their ids are accepted as verified (RUN-011).
    erased: tuple[ObjectId, ...]
    #: ``(id, what is wrong)``, the id being the object at fault.
    problems: tuple[tuple[ObjectId, str], ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_actor(store: Store, actor: ObjectId) -> ActorCheck:
    """Walk everything reachable from ``actor``'s head and check it (RUN-010.1 … RUN-010.4).

    Every object must re-hash and decode (STO-004; an erased blob counts as
    verified, RUN-011); each step on the ``previous`` chain must be of the actor
    whose history it is — the child's until its first step, whose core's
    ``fork`` entry names the parent and the step it continues (RUN-008), the
    parent's before; inbox cursors only move forward along chains, as
    :func:`~gritwit.runtime.check_runtime` checks them.
    """
    problems: list[tuple[ObjectId, str]] = []
    erased: list[ObjectId] = []

    def load(oid: ObjectId) -> GritObject | None:
        try:
            return store.get_object(oid)
        except Erased:
            erased.append(oid)
        except (CorruptObject, ObjectNotFound) as exc:
            problems.append((oid, f"{exc.error_class}: {exc.detail}"))
        return None

    head = store.get_ref(head_ref(actor))
    if head is None:
        return ActorCheck(actor, 0, 0, (), ((actor, "the actor has no head"),))
    found = reachable(head, load)
    chain = _chain(found, head)
    problems.extend(_check_actors(found, actor, chain))
    problems.extend(_check_cursors(store, chain))
    located = tuple(sorted(problems, key=lambda p: (p[0].digest, p[1])))
    erased_ids = tuple(sorted(set(erased), key=lambda oid: oid.digest))
    return ActorCheck(actor, len(chain), len(found), erased_ids, located)


def _chain(found: dict[ObjectId, GritObject | None], head: ObjectId) -> list[tuple[ObjectId, Step]]:
    """The readable steps from ``head`` back along ``previous``, oldest first."""
    chain: list[tuple[ObjectId, Step]] = []
    current: ObjectId | None = head
    while current is not None:
        step = found.get(current)
        if not isinstance(step, Step):
            break  # unreadable (already reported) or not a step (reported by the caller)
        chain.append((current, step))
        current = step.previous
    chain.reverse()
    return chain


def _check_actors(
    found: dict[ObjectId, GritObject | None],
    actor: ObjectId,
    chain: list[tuple[ObjectId, Step]],
) -> list[tuple[ObjectId, str]]:
    problems: list[tuple[ObjectId, str]] = []
    if chain and chain[0][1].previous is not None:
        problems.append((chain[0][0], f"previous {chain[0][1].previous} is not a readable step"))
    expected = actor
    for index in range(len(chain) - 1, -1, -1):
        oid, step = chain[index]
        if step.actor != expected:
            problems.append((oid, f"step of {step.actor} in the history of {expected}"))
            break  # below a break the history is not this actor's: report it once
        before = chain[index - 1] if index > 0 else None
        if before is None or before[1].actor == expected:
            continue
        origin = _fork_of(found, step)  # the first step of a fork (RUN-010.2, RUN-008.2)
        if origin != (before[1].actor, before[0]) or step.core != expected:
            problems.append((oid, f"step of {expected} continues {before[0]} without a fork"))
            break
        expected = before[1].actor
    return problems


def _fork_of(
    found: dict[ObjectId, GritObject | None], step: Step
) -> tuple[ObjectId, ObjectId] | None:
    core = found.get(step.core)
    if not isinstance(core, Tree) or FORK_ENTRY not in core.entries:
        return None
    blob = found.get(core.entries[FORK_ENTRY])
    return None if blob is None else fork_origin(blob)


def _check_cursors(store: Store, chain: list[tuple[ObjectId, Step]]) -> list[tuple[ObjectId, str]]:
    """Inbox cursors move only forward along chains (the rule of ``check_runtime``)."""
    problems: list[tuple[ObjectId, str]] = []
    before: dict[ObjectId, ObjectId] = {}
    for oid, step in chain:
        try:
            inbox = mailbox_entries(store, step.inbox)
            for sender, old in before.items():
                new = inbox.get(sender)
                if new is None:
                    problems.append((oid, f"the cursor for {sender} disappeared"))
                elif not on_previous_chain(store.get_object, new, old):
                    message = store.get_object(new)
                    if not (isinstance(message, Message) and message.previous is None):
                        problems.append((oid, f"the cursor for {sender} moved backwards"))
        except GritError:
            continue  # an unreadable inbox or message is already reported by the walk
        before = inbox
    return problems
