"""Reading a runtime's state back from a store: heads, histories, what each step read
and sent, checks (RUN-001, RUN-003).

Used by ``gritwit runtime heads|history|verify``, ``gritwit actor history`` and
``GET /v1/actors/{actor}/history`` (HTTP-007.6).  Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._ids import ObjectId
from .._objects import Step
from ..store import Store, head_ref
from ..store._refs import HEADS_PREFIX
from ..wit import OUTSIDE, mailbox_entries, pending
from ._index import FAILED_PREFIX
from ._verify import verify_heads

__all__ = [
    "RuntimeCheck",
    "Traffic",
    "check_runtime",
    "heads",
    "history",
    "revert_sources",
    "step_traffic",
    "traffic_rows",
]


def heads(store: Store) -> list[tuple[ObjectId, ObjectId, bool]]:
    """Every actor with a step: (actor, head step id, marked failed), in id order: what
    :func:`check_runtime` verifies.  The lists people read (``runtime heads``, ``actor
    list``, the service's) render :class:`~._view.ActorViews` instead, which also holds
    an actor failed at its genesis, its names and what waits for it."""
    failed = {name[len(FAILED_PREFIX) :] for name in store.list_refs(FAILED_PREFIX)}
    result = []
    for name, target in store.list_ref_targets(HEADS_PREFIX):  # one read for all
        actor = name[len(HEADS_PREFIX) :]
        result.append((ObjectId.from_hex(actor), target, actor in failed))
    return result


def history(store: Store, actor: ObjectId) -> list[tuple[ObjectId, Step]]:
    """``actor``'s steps from the first to the head (empty when it has none)."""
    chain: list[tuple[ObjectId, Step]] = []
    current = store.get_ref(head_ref(actor))
    while current is not None:
        step = store.get_object(current)
        if not isinstance(step, Step):
            raise ValueError(f"{current} in the history of {actor} is not a step")
        chain.append((current, step))
        current = step.previous
    chain.reverse()
    return chain


def revert_sources(steps: Sequence[tuple[ObjectId, Step]]) -> dict[ObjectId, ObjectId]:
    """The revert steps of a history (``steps`` first to head, as :func:`history` gives
    them), each mapped to the nearest step below it whose core it holds.

    A revert step carries no mark of its own; a reader tells it by its shape (RUN-024.5):
    a step whose ``previous`` is a step of the same actor with the same inbox and outbox
    (it read nothing and sent nothing), and whose core is the core of a step of that
    actor below it.  A forked child's first step reads and sends nothing too, but its
    ``previous`` is the parent's (RUN-008.5), so it is none."""
    found: dict[ObjectId, ObjectId] = {}
    below: dict[tuple[ObjectId, ObjectId], ObjectId] = {}  # (actor, core) -> nearest step
    previous: Step | None = None
    for step_id, step in steps:
        if (
            previous is not None
            and previous.actor == step.actor
            and (previous.inbox, previous.outbox) == (step.inbox, step.outbox)
        ):
            source = below.get((step.actor, step.core))
            if source is not None:
                found[step_id] = source
        below[(step.actor, step.core)] = step_id
        previous = step
    return found


@dataclass(frozen=True, slots=True)
class Traffic:
    """One message a step read or sent: the other ``party`` (its sender, or its
    recipient), the ``message``'s id and its ``mt`` header (``None`` without one)."""

    party: ObjectId
    message: ObjectId
    mt: str | None


def _gained(
    store: Store, before: Mapping[ObjectId, ObjectId], after: Mapping[ObjectId, ObjectId]
) -> list[Traffic]:
    """The messages a mailbox gained from ``before`` to ``after``, by party in id order,
    each party's oldest first."""
    found = []
    for party in sorted(after):
        if before.get(party) != after[party]:
            for item in pending(store, after[party], before.get(party)):
                found.append(Traffic(party, item.id, item.mt))
    return found


def step_traffic(
    store: Store, step: Step, previous: Step | None
) -> tuple[list[Traffic], list[Traffic]]:
    """The messages ``step`` read (its inbox moved past them, WIT-005) and sent (its
    outbox gained them, WIT-004), against ``previous``, the step its ``previous`` names
    (``None`` for a first step).  A revert step reads and sends nothing (RUN-024.5)."""
    inbox_before = mailbox_entries(store, None if previous is None else previous.inbox)
    outbox_before = mailbox_entries(store, None if previous is None else previous.outbox)
    read = _gained(store, inbox_before, mailbox_entries(store, step.inbox))
    sent = _gained(store, outbox_before, mailbox_entries(store, step.outbox))
    return read, sent


def traffic_rows(items: Sequence[Traffic], role: str) -> list[dict[str, Any]]:
    """``items`` as JSON: ``{role: party, "message": M, "mt": mt}`` each, a ``sender`` that
    is the outside (WIT-012) as ``"outside"`` and any other party by its id — the form
    ``gritwit actor history --json`` prints and ``GET /v1/actors/{actor}/history``
    answers (HTTP-007.6)."""
    return [
        {
            role: "outside" if role == "sender" and item.party == OUTSIDE else item.party.hex(),
            "message": item.message.hex(),
            "mt": item.mt,
        }
        for item in items
    ]


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
