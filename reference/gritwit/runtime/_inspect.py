"""Reading a runtime's state back from a store: heads, histories, checks (RUN-001, RUN-003).

Used by ``gritwit runtime heads|history|verify``.  Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._ids import ObjectId
from .._objects import Message, Step
from ..store import Store
from ..wit import mailbox_entries
from ._index import FAILED_PREFIX

__all__ = ["RuntimeCheck", "check_runtime", "heads", "history"]


def heads(store: Store) -> list[tuple[ObjectId, ObjectId, bool]]:
    """Every actor with a step: (actor, head step id, marked failed), in id order."""
    failed = {name[len(FAILED_PREFIX) :] for name in store.list_refs(FAILED_PREFIX)}
    result = []
    for name in store.list_refs("heads/"):
        target = store.get_ref(name)
        if target is not None:
            actor = name[len("heads/") :]
            result.append((ObjectId.from_hex(actor), target, actor in failed))
    return result


def history(store: Store, actor: ObjectId) -> list[tuple[ObjectId, Step]]:
    """``actor``'s steps from the first to the head (empty when it has none)."""
    chain: list[tuple[ObjectId, Step]] = []
    current = store.get_ref("heads/" + actor.hex())
    while current is not None:
        step = store.get_object(current)
        if not isinstance(step, Step):
            raise ValueError(f"{current} in the history of {actor} is not a step")
        chain.append((current, step))
        current = step.previous
    chain.reverse()
    return chain


def _reaches(store: Store, newer: ObjectId, older: ObjectId) -> bool:
    """Whether ``older`` is on the ``previous`` chain of message ``newer``."""
    current: ObjectId | None = newer
    while current is not None:
        if current == older:
            return True
        message = store.get_object(current)
        current = message.previous if isinstance(message, Message) else None
    return False


@dataclass(frozen=True, slots=True)
class RuntimeCheck:
    """What :func:`check_runtime` found."""

    actors: int
    steps: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_runtime(store: Store) -> RuntimeCheck:
    """Every head's history is its actor's, and inbox cursors only move forward along chains.

    A cursor that jumps to a message not after the previous one (a queue read
    twice, or a message read out of order) is reported.  Signals (a message
    without ``previous``) may replace a cursor: they supersede (WIT-005).
    """
    problems: list[str] = []
    count = 0
    listed = heads(store)
    for actor, _, _ in listed:
        chain = history(store, actor)
        count += len(chain)
        before: dict[ObjectId, ObjectId] = {}
        for oid, step in chain:
            if step.actor != actor:
                problems.append(f"step {oid} in the history of {actor} is of {step.actor}")
            inbox = mailbox_entries(store, step.inbox)
            for sender, old in before.items():
                new = inbox.get(sender)
                if new is None:
                    problems.append(f"step {oid}: the cursor for {sender} disappeared")
                elif not _reaches(store, new, old):
                    message = store.get_object(new)
                    if not (isinstance(message, Message) and message.previous is None):
                        problems.append(f"step {oid}: the cursor for {sender} moved backwards")
            before = inbox
    return RuntimeCheck(len(listed), count, tuple(problems))
