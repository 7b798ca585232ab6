"""Catching up with the store: the routing index brought up to date with the refs (RUN-003).

:class:`CatchUp` tells what is pending for an actor (WIT-005).  When another writer
moved the actor's head since the routing index last caught up (RUN-002), the index
first catches up with the refs, re-reading only the outboxes of heads that moved
(RUN-003.1, RUN-002.3); the open commit group is committed before that, since the
index holds its members' provisional outboxes, which the refs do not have yet
(RUN-017.2).  Sends waiting in the group are routed again once the index caught up
(RUN-019.2).  A run catches up as it starts
(:meth:`~gritwit.runtime.Runtime.run_until_quiescent`: from the heads alone on its
first run, RUN-003, later from the refs that moved since).

It also marks the actors routing found with work to run: every actor, or only those of
the runtime's share (RUN-021.1, RUN-021.3 … RUN-021.5); and it is the runtime's face
of its commit part (:class:`~gritwit.runtime._commit.Commits`): the sends from the
outside (RUN-001, RUN-019), :meth:`CatchUp.flush`, and the counts of lost swaps
(RUN-002) and lost groups (RUN-017.4), which the part owns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .._codec import object_id
from .._ids import ObjectId
from .._objects import GritObject, Step, Tree
from ..store import Store, Version
from ..wit import OUTSIDE
from ._attempt import Found
from ._cache import ObjectCache
from ._commit import Commits
from ._disk import RunBounds
from ._group import CommitGroup
from ._hints import HeadHints
from ._index import RoutingIndex
from ._resident import UNREAD, ResidentActors
from ._share import Share

__all__ = ["CatchUp"]


class CatchUp:
    """What is pending for an actor, with the routing index caught up with the refs;
    who runs; and the runtime's face of its commit part (:class:`~._commit.Commits`)."""

    # State set by Runtime.__init__ (._runtime) that these methods read.
    _store: Store
    _cache: ObjectCache
    _index: RoutingIndex
    _group: CommitGroup
    _bounds: RunBounds
    _commits: Commits
    _dirty: set[ObjectId]
    _synced: Version | None
    _hints: HeadHints
    _residents: ResidentActors
    share: Share | None

    # --- the outside, and the open commit group (Commits, RUN-017, RUN-019) --------------

    async def send(
        self,
        recipient: ObjectId,
        content: ObjectId,
        headers: Mapping[str, str] | None = None,
        objects: Iterable[GritObject] = (),
        signal: bool = False,
    ) -> ObjectId:
        """Send a message from the outside; it is routed once its ref moved (RUN-001).

        Durable once the next run or :meth:`flush` returns (``send_commit="group"``,
        the default where the runtime groups, RUN-019.2), or when it returns
        (``send_commit="own"``, RUN-019.1).
        """
        (sent,) = self._commits._send_all([(recipient, content, headers, signal)], objects)
        return sent

    async def send_all(
        self,
        messages: Iterable[tuple[ObjectId, ObjectId, Mapping[str, str] | None, bool]],
        objects: Iterable[GritObject] = (),
    ) -> list[ObjectId]:
        """Send ``(recipient, content, headers, signal)`` messages from the outside, in order.

        One commit swapping each of the outside's mailboxes they touch (RUN-003.4), chained
        as if sent one by one (WIT-004); returns their ids.
        """
        return self._commits._send_all(messages, objects)

    def flush(self) -> None:
        """Commit the open group now: sends that joined it are durable when this returns.

        RUN-019.2.  A send whose outbox swap lost is made again, on its own (RUN-019.4).
        """
        self._commit_group()

    async def genesis(self, core: Tree, objects: Iterable[GritObject] = ()) -> ObjectId:
        """Send ``core``'s genesis message from the outside; returns the actor id (WIT-002)."""
        actor = object_id(core)
        await self.send(actor, actor, {"mt": "genesis"}, objects=(*objects, core))
        return actor

    def _commit_group(self) -> bool:
        """Commit the open group (RUN-017.2); ``False`` when a member or a send was lost
        (:meth:`Commits._commit_group <._commit.Commits._commit_group>`)."""
        return self._commits._commit_group()

    @property
    def conflicts(self) -> int:
        """How many head compare-and-swaps lost to another writer (RUN-002)."""
        return self._commits.conflicts

    @conflicts.setter
    def conflicts(self, count: int) -> None:
        self._commits.conflicts = count

    @property
    def group_losses(self) -> int:
        """How many group commits lost a member (RUN-017.4)."""
        return self._commits.group_losses

    # --- who runs (RUN-021) --------------------------------------------------------------

    def _mine(self, actors: set[ObjectId]) -> set[ObjectId]:
        """The actors of ``actors`` this runtime runs: those of its share (RUN-021.1)."""
        return actors if self.share is None else self.share.select(actors)

    def _mark(self, actors: Iterable[ObjectId]) -> None:
        """Mark ``actors`` to run: every actor, or only those of the share (RUN-021.1).

        An actor outside the share is never marked, so no run starts a transition of
        it, reports it busy or keeps it from being evicted (RUN-021.4, RUN-021.5);
        messages for it were sent all the same, for its share's runtime (RUN-021.3).
        """
        self._dirty.update(actors if self.share is None else self.share.select(actors))

    # --- catching up (RUN-003) -----------------------------------------------------------

    def _pending(self, actor: ObjectId) -> tuple[ObjectId | None, Step | None, Found]:
        """``actor``'s head id, head step and what is pending for it (WIT-005).

        A head another writer moved since the routing index caught up (RUN-002) may
        have read messages the index does not know of: the index catches up first,
        after the head was read, so that the walk meets its inbox entry and nothing
        is read twice (RUN-003.3, RUN-002.3).  Should the head move yet again, the
        compare-and-swap of the step built on it loses.
        """
        hints = self._hints
        read = hints.take(actor) if hints.held else UNREAD
        residents = self._residents
        last_id, last = (
            residents.head_step(actor) if read is UNREAD else residents.head_step(actor, read)
        )
        if not self._index.saw_head(actor, last_id):
            self._catch_up()
        inbox = residents.entries(None if last is None else last.inbox)
        return last_id, last, self._index.pending_for(self._cache, actor, inbox)

    def _catch_up(self) -> None:
        """Bring the routing index up to date with the refs now (RUN-003.1, RUN-002.3).

        The open commit group is committed first (RUN-017.2): the index holds its
        members' provisional outboxes, which the refs do not have yet.  A lost
        member rebuilds the index from the heads already (RUN-017.4).
        """
        group = self._group
        if (group.members or group.sends is not None) and not self._commit_group():
            return
        version, swaps = self._store.refs_changed_since(self._synced)
        self._mark(self._index.refresh(self._store, self._cache, swaps))
        self._synced = version

    def _route_grouped_sends(self) -> None:
        """Route the sends waiting in the open group again, after the index caught up
        with the refs, which do not hold them yet (RUN-019.2)."""
        sends = self._group.sends
        if sends is not None and not self._index.saw_outside(sends.entries.boxes):
            self._mark(self._index.set_outbox(OUTSIDE, sends.entries))
