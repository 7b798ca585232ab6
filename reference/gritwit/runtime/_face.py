"""The runtime's face over its parts: the sends, the commit counts, who runs (issue 43).

:class:`RuntimeFace`, the lowest class of :class:`~gritwit.runtime.Runtime`, holds no
state of its own: it answers for the runtime's parts.  The sends from the outside
(RUN-001, RUN-019), :meth:`RuntimeFace.flush` and the counts of lost swaps (RUN-002) and
lost groups (RUN-017.4) are the commit part's (:class:`~gritwit.runtime._commit.Commits`),
what is pending for an actor is the routing part's
(:class:`~gritwit.runtime._catchup.CatchUp`, WIT-005, RUN-003); and it marks the actors
routing found with work to run: every actor, or only those of the runtime's share
(RUN-021.1, RUN-021.3 … RUN-021.5), in the set of actors to run that the runs own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .._codec import object_id
from .._ids import ObjectId
from .._objects import GritObject, Step, Tree
from ._attempt import Found
from ._catchup import CatchUp
from ._commit import Commits
from ._share import Share

__all__ = ["RuntimeFace"]


class RuntimeFace:
    """The runtime's methods that answer for its parts: sends, commits, routing, who runs."""

    # State set by Runtime.__init__ (._runtime) that these methods read.
    _commits: Commits
    _routing: CatchUp
    _dirty: set[ObjectId]
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
        It wakes runtimes waiting for swaps (RUN-020.6): no run of this runtime may follow.
        """
        self._commits.wake_others()
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

    def _mark_sent(self, actors: list[ObjectId]) -> None:
        """:meth:`_mark` the recipients of messages this runtime made (its steps' and its
        sends from the outside): one outside its share is another runtime's work, so the
        next group commit wakes the runtimes waiting for swaps (RUN-020.6); work for the
        share alone the run that commits it runs itself, and wakes no one."""
        share = self.share
        if share is None:
            self._dirty.update(actors)
            return
        mine = share.select(actors)
        if len(mine) < len(set(actors)):
            self._commits.wake_others()
        self._dirty.update(mine)

    # --- what is pending (CatchUp, WIT-005, RUN-003) ------------------------------------

    def _pending(self, actor: ObjectId) -> tuple[ObjectId | None, Step | None, Found]:
        """``actor``'s head id, head step and what is pending for it (WIT-005), the index
        caught up first where another writer moved the head (RUN-003.3, RUN-002.3;
        :meth:`CatchUp._pending <._catchup.CatchUp._pending>`)."""
        return self._routing._pending(actor)
