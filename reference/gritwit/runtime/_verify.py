"""Integrity of one actor's whole history, forks and erasures included (RUN-010, RUN-011)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from .._errors import Erased, GritError
from .._ids import ObjectId
from .._objects import Blob, GritObject, Message, Step, Tree
from ..store import Store, head_ref
from ..wit import mailbox_entries
from ._fork import FORK_ENTRY, fork_origin
from ._kinds import wrong_kinds
from ._reach import on_previous_chain, reachable, reachable_paged

__all__ = ["ActorCheck", "verify_actor", "verify_heads"]


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
    verified, RUN-011), and every id name an object of its field's kind (OBJ-020.1,
    OBJ-019.2 for a ``base``);
    each step on the ``previous`` chain must be of the actor whose history it is —
    the child's until its first step, whose core's
    ``fork`` entry names the parent and the step it continues (RUN-008), the
    parent's before; inbox cursors only move forward along chains, as
    :func:`~gritwit.runtime.check_runtime` checks them.
    """
    head = store.get_ref(head_ref(actor))
    if head is None:
        return ActorCheck(actor, 0, 0, (), ((actor, "the actor has no head"),))
    return verify_heads(store, [(actor, head)])[0]


def verify_heads(store: Store, heads: Sequence[tuple[ObjectId, ObjectId]]) -> list[ActorCheck]:
    """:func:`verify_actor` of each ``(actor, head)``, the actor's head being ``head``: one
    walk for all of them, breadth first, a page of ids a read (RUN-010), so many short
    histories cost a few statements, not a few each.  The reports are those
    :func:`verify_actor` gives each alone; the caller bounds memory by how many heads
    it passes (every object the walk reads is kept but large blobs, until it returns).
    """
    failed: dict[ObjectId, str] = {}
    erased: set[ObjectId] = set()

    def load_page(page: list[ObjectId]) -> Iterator[tuple[ObjectId, GritObject | None]]:
        for oid, outcome in store.get_objects_each(page):  # a page a statement or two
            if isinstance(outcome, Erased):
                erased.add(oid)
            elif isinstance(outcome, GritError):  # corrupt-object, not-found (STO-004)
                failed[oid] = f"{outcome.error_class}: {outcome.detail}"
            else:
                yield oid, _kept(outcome)
                continue
            yield oid, None

    walked = reachable_paged((head for _, head in heads), load_page)
    reader = _Walked(store, walked)
    return [_check(reader, actor, head, failed, erased) for actor, head in heads]


def _check(
    reader: _Walked,
    actor: ObjectId,
    head: ObjectId,
    failed: dict[ObjectId, str],
    erased: set[ObjectId],
) -> ActorCheck:
    """The report for ``actor`` at ``head`` from a walk that read everything reachable."""
    found = reachable(head, reader.found.__getitem__)  # in memory: this history's ids
    problems = [(oid, failed[oid]) for oid in found if oid in failed]
    problems.extend((w.named, f"invalid-object: {w}") for w in wrong_kinds(found))  # OBJ-020.2
    chain = _chain(found, head)
    problems.extend(_check_actors(reader, actor, chain))
    problems.extend(_check_cursors(reader, chain))
    located = tuple(sorted(problems, key=lambda p: (p[0].digest, p[1])))
    erased_ids = tuple(sorted((oid for oid in found if oid in erased), key=lambda o: o.digest))
    return ActorCheck(actor, len(chain), len(found), erased_ids, located)


#: Blobs larger than this are not kept by the walk (a step may hold 80 MiB, RUN-022):
#: :class:`_Walked` reads one again if a check needs it.
KEPT_BLOB_BYTES = 4096
#: What the walk keeps for a larger blob it read (compared by identity).
_UNKEPT: Final = Blob(data=b"")


def _kept(obj: GritObject) -> GritObject:
    """``obj``, or :data:`_UNKEPT` for a blob past :data:`KEPT_BLOB_BYTES`."""
    return _UNKEPT if isinstance(obj, Blob) and len(obj.data) > KEPT_BLOB_BYTES else obj


@dataclass(frozen=True, slots=True)
class _Walked:
    """The objects the walk read, by id; any other (unreadable, or a large blob not kept)
    read from the store again, raising what :meth:`~gritwit.store.Store.get_object` raises."""

    store: Store
    found: dict[ObjectId, GritObject | None]

    def get_object(self, oid: ObjectId) -> GritObject:
        obj = self.found.get(oid)
        if obj is None or obj is _UNKEPT:
            return self.store.get_object(oid)
        return obj

    def has(self, oid: ObjectId) -> bool:
        return self.found.get(oid) is not None or self.store.has(oid)


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
    reader: _Walked,
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
        origin = _fork_of(reader, step)  # the first step of a fork (RUN-010.2, RUN-008.2)
        if origin != (before[1].actor, before[0]) or step.core != expected:
            problems.append((oid, f"step of {expected} continues {before[0]} without a fork"))
            break
        expected = before[1].actor
    return problems


def _fork_of(reader: _Walked, step: Step) -> tuple[ObjectId, ObjectId] | None:
    core = reader.found.get(step.core)
    if not isinstance(core, Tree) or FORK_ENTRY not in core.entries:
        return None
    blob_id = core.entries[FORK_ENTRY]
    blob = reader.found.get(blob_id)
    if blob is _UNKEPT:  # a large blob, not kept by the walk: read again
        try:
            blob = reader.get_object(blob_id)
        except GritError:
            return None
    return None if blob is None else fork_origin(blob)


def _check_cursors(
    reader: _Walked, chain: list[tuple[ObjectId, Step]]
) -> list[tuple[ObjectId, str]]:
    """Inbox cursors move only forward along chains (the rule of ``check_runtime``), read
    from what the walk found: every inbox and message of the chain is reachable."""
    problems: list[tuple[ObjectId, str]] = []
    before: dict[ObjectId, ObjectId] = {}
    for oid, step in chain:
        try:
            inbox = mailbox_entries(reader, step.inbox)
            for sender, old in before.items():
                new = inbox.get(sender)
                if new is None:
                    problems.append((oid, f"the cursor for {sender} disappeared"))
                elif not on_previous_chain(reader.get_object, new, old):
                    message = reader.get_object(new)
                    if not (isinstance(message, Message) and message.previous is None):
                        problems.append((oid, f"the cursor for {sender} moved backwards"))
        except GritError:
            continue  # an unreadable inbox or message is already reported by the walk
        before = inbox
    return problems
