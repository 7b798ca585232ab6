"""The runtime's face over its commit part: the sends and the commit counts.

:class:`RuntimeFace`, the base class of :class:`~gritwit.runtime.Runtime`, holds no
state of its own: it answers for the commit part.  The sends from the outside (RUN-001,
RUN-019), :meth:`RuntimeFace.flush` and the counts of lost swaps (RUN-002) and lost
groups (RUN-017.4) are the commit part's (:class:`~gritwit.runtime._commit.Commits`),
asked through its public door, :class:`~gritwit.runtime._seams.GroupCommits`.
Who runs (RUN-021) is the runs' (:class:`~gritwit.runtime._schedule.Scheduler`), what is
pending for an actor the routing part's (:class:`~gritwit.runtime._catchup.CatchUp`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .._codec import object_id
from .._ids import ObjectId
from .._objects import GritObject, Tree
from ._seams import GroupCommits

__all__ = ["RuntimeFace"]


class RuntimeFace:
    """The runtime's methods that answer for its commit part: sends and commits."""

    # State set by Runtime.__init__ (._runtime) that these methods read.
    _commits: GroupCommits

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
        (sent,) = self._commits.send_all([(recipient, content, headers, signal)], objects)
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
        return self._commits.send_all(messages, objects)

    def flush(self) -> None:
        """Commit the open group now: sends that joined it are durable when this returns.

        RUN-019.2.  A send whose outbox swap lost is made again, on its own (RUN-019.4).
        It wakes runtimes waiting for swaps (RUN-020.6): no run of this runtime may follow.
        """
        self._commits.wake_others()
        self._commits.commit_group()

    async def genesis(
        self, core: Tree, objects: Iterable[GritObject] = (), *, placement: ObjectId | None = None
    ) -> ObjectId:
        """Send ``core``'s genesis message from the outside; returns the actor id (WIT-002).

        ``placement``: the id its header ``placement`` names, so that the new actor runs
        in that actor's share (RUN-021.7); without it the actor is placed by its own id.
        """
        actor = object_id(core)
        headers = {"mt": "genesis"}
        if placement is not None:
            headers["placement"] = placement.hex()  # RUN-021.7: an id's text form
        await self.send(actor, actor, headers, objects=(*objects, core))
        return actor

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
