"""Group commit: the steps of several transitions in one store transaction (RUN-017).

A :class:`CommitGroup` collects built transitions — *members*, in the order the
runtime adopts them — and commits them with :meth:`CommitGroup.commit`: every
member's objects first, then each member's head swap in group order, all in one
:meth:`~gritwit.store.Store.batch` (one sync on the durable store).  Until then
the runtime treats each member as adopted in memory only (its *provisional*
head), so a later member may be built on an earlier one's step — a later step
of the same actor, or a transition reading a message an earlier member sent
(RUN-017.3).  Each member records that *basis*: the provisional steps it was
built on.

A member whose swap conflicts (another writer moved the head, RUN-002) is lost,
and so is every later member whose basis holds a lost step (RUN-017.4): it read
a message that was never sent, or continues a step that was never adopted.  The
other members commit.  Lost steps are remembered, so a transition built on one
before the commit (in a worker thread) is refused when it arrives
(:meth:`CommitGroup.add` answers ``False``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .._errors import RefConflict
from .._ids import ObjectId
from .._objects import Step
from ..store import Store, head_ref
from ..wit import Assembled
from ._cache import ObjectCache

__all__ = ["COMMIT", "COMMIT_MODES", "GROUP_SIZE", "CommitGroup", "Member"]

#: The runtime's commit modes (RUN-017.1): one transaction per group, or per step.
COMMIT_MODES = ("group", "step")
#: The default commit mode, chosen by measurement (RUN-017, rationale).
COMMIT = "group"
#: Most steps in one group before it is committed (RUN-017.2).
GROUP_SIZE = 256


@dataclass(frozen=True, slots=True)
class Member:
    """One transition of a group: its actor, the head it started from and what it built."""

    actor: ObjectId
    expected: ObjectId | None
    built: Assembled
    #: The provisional steps (of this group) the transition was built on (RUN-017.3).
    basis: frozenset[ObjectId]


class CommitGroup:
    """The open group of a runtime: members in adoption order and their provisional heads."""

    __slots__ = ("_cache", "_heads", "_lost", "members", "size")

    def __init__(self, cache: ObjectCache, size: int = GROUP_SIZE) -> None:
        self._cache = cache
        #: Most members before the runtime commits the group.
        self.size = size
        self.members: list[Member] = []
        #: Each actor's latest provisional step in the group.
        self._heads: dict[ObjectId, tuple[ObjectId, Step]] = {}
        #: Steps of members lost at a commit (RUN-017.4), for transitions built on them.
        self._lost: set[ObjectId] = set()

    def __len__(self) -> int:
        return len(self.members)

    @property
    def full(self) -> bool:
        return len(self.members) >= self.size

    def provisional(self, actor: ObjectId) -> tuple[ObjectId, Step] | None:
        """``actor``'s latest step in the group and its id, or ``None``."""
        return self._heads.get(actor)

    def basis(self, actors: Iterable[ObjectId]) -> frozenset[ObjectId]:
        """The provisional steps of ``actors`` (an actor and its senders) (RUN-017.3)."""
        heads = self._heads
        return frozenset(heads[a][0] for a in actors if a in heads)

    def add(
        self,
        actor: ObjectId,
        expected: ObjectId | None,
        built: Assembled,
        basis: frozenset[ObjectId],
    ) -> bool:
        """Add a built transition; ``False`` (nothing added) if its basis was lost (RUN-017.4)."""
        if basis & self._lost:
            return False
        # A lost step rebuilt from the same inputs is the same step (ID-001): it is a
        # member again, and what is built on it is not lost (else the rerun spins).
        self._lost.discard(built.step_id)
        self.members.append(Member(actor, expected, built, basis))
        self._heads[actor] = (built.step_id, built.step)
        self._cache.pin(built)  # later members read its objects before they are stored
        return True

    def commit(self, store: Store) -> tuple[list[Member], list[Member]]:
        """Commit every member: objects, then head swaps in order (RUN-017.2 … RUN-017.4).

        Returns the members adopted and the members lost, each in group order.  If
        the store raises anything but a conflict, nothing of the group is kept
        (its transaction rolls back) and the group is emptied all the same.
        """
        members, self.members = self.members, []
        self._heads = {}
        adopted: list[Member] = []
        lost: list[Member] = []
        stored = False
        try:
            with store.batch() as batch:
                batch.put_encoded(e for m in members for e in m.built.encodings)
                gone: set[ObjectId] = set()
                for member in members:
                    if not member.basis & gone:
                        try:
                            batch.cas_ref(
                                head_ref(member.actor),
                                member.expected,
                                member.built.step_id,
                                target=member.built.step,
                            )
                        except RefConflict:
                            pass
                        else:
                            adopted.append(member)
                            continue
                    gone.add(member.built.step_id)
                    lost.append(member)
            stored = True
        finally:
            for member in members:
                self._cache.unpin(member.built, stored=stored)
        self._lost.update(m.built.step_id for m in lost)
        return adopted, lost

    def abandon(self) -> list[Member]:
        """Drop every member without storing anything (an error escaped the run)."""
        members, self.members = self.members, []
        self._heads = {}
        for member in members:
            self._cache.unpin(member.built, stored=False)
        self._lost.update(m.built.step_id for m in members)
        return members
