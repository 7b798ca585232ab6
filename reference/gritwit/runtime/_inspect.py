"""Reading a runtime's state back from a store: heads, histories, checks (RUN-001, RUN-003).

Used by ``gritwit runtime heads|history|verify``.  Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .._ids import ObjectId
from .._objects import Step
from ..store import Store
from ._index import FAILED_PREFIX
from ._verify import verify_heads

__all__ = ["RuntimeCheck", "check_runtime", "heads", "history"]


def heads(store: Store) -> list[tuple[ObjectId, ObjectId, bool]]:
    """Every actor with a step: (actor, head step id, marked failed), in id order."""
    failed = {name[len(FAILED_PREFIX) :] for name in store.list_refs(FAILED_PREFIX)}
    result = []
    for name, target in store.list_ref_targets("heads/"):  # one read for all
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


@dataclass(frozen=True, slots=True)
class RuntimeCheck:
    """What :func:`check_runtime` found."""

    actors: int
    steps: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_runtime(
    store: Store, progress: Callable[[int, int, int], object] = lambda done, total, steps: None
) -> RuntimeCheck:
    """Check every head's whole history with :func:`~gritwit.runtime.verify_actor` (RUN-010).

    Each history must be its actor's (a fork's inherited steps included, RUN-008),
    every object must re-hash, and inbox cursors only move forward along chains:
    a cursor that jumps to a message not after the previous one (a queue read
    twice, or out of order) is reported; a signal may replace a cursor (WIT-005).
    The heads are those listed at one moment (one read), verified
    :data:`VERIFY_GROUP` at a time, each group in one paged walk; ``progress`` is told
    the actors verified, of how many, and their steps, after each group.
    """
    problems: list[str] = []
    count = 0
    listed = heads(store)
    for start in range(0, len(listed), VERIFY_GROUP):  # one walk a group: a few reads
        group = [(actor, head) for actor, head, _ in listed[start : start + VERIFY_GROUP]]
        for report in verify_heads(store, group):
            count += report.steps
            problems.extend(f"{report.actor}: {oid}: {message}" for oid, message in report.problems)
        progress(min(start + VERIFY_GROUP, len(listed)), len(listed), count)
    return RuntimeCheck(len(listed), count, tuple(problems))


#: Actors :func:`check_runtime` verifies in one walk (:func:`verify_heads`): their
#: histories are held together, so this bounds its memory.
VERIFY_GROUP = 64
