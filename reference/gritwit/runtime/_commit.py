"""Commits: sends from the outside, the open commit group, who runs (RUN-017, RUN-019, RUN-021).

:class:`Commits` sends messages from the outside: committed on their own and durable
when the send returns (RUN-001), or, with ``send_commit="group"``, built on the
outbox the open group's sends left and joining the group (RUN-019.2).  It commits
the open :class:`~gritwit.runtime._group.CommitGroup` (RUN-017.2): a lost member's
provisional state is undone (RUN-017.4) and sends whose outbox swap lost are made
again on their own (RUN-019.4); an error that escaped a run drops it unstored.  What
each commit adds to the store counts toward the run's bytes (:mod:`._disk`, RUN-023).  And
it marks the actors that routing or a reload found with work to run: every actor,
or only those of the runtime's share (RUN-021.1, RUN-021.3 … RUN-021.5).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping

from .._codec import object_id
from .._ids import ObjectId
from .._objects import GritObject, Tree
from ..store import Store
from ..wit import (
    OUTSIDE,
    OutsideSend,
    SentOutbox,
    build_outside_send,
    outside_ref,
    read_outside,
    send_from_outside,
)
from ._cache import ObjectCache
from ._disk import RunBounds, fresh_bytes
from ._group import CommitGroup
from ._hints import HeadHints
from ._index import RoutingIndex
from ._resident import ResidentActors
from ._share import Share

__all__ = ["Commits"]


class Commits:
    """Sends from the outside, commits of the open group, and marking actors to run."""

    # State set by Runtime.__init__ (._runtime) that these methods read.
    _store: Store
    _old_outside_ref: Callable[[], ObjectId | None]
    _cache: ObjectCache
    _index: RoutingIndex
    _group: CommitGroup
    _group_sends: bool
    _bounds: RunBounds
    _residents: ResidentActors
    _dirty: set[ObjectId]
    _sink: list[tuple[ObjectId, ObjectId]]
    _idle_now: dict[ObjectId, tuple[ObjectId, ...]] | None
    _hints: HeadHints
    _wake: asyncio.Future[None] | None
    conflicts: int
    group_losses: int
    share: Share | None
    #: Whether the next group commit wakes runtimes waiting for swaps (RUN-020.6).
    _wakes_others: bool = False

    # --- the outside ---------------------------------------------------------------------

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
        (sent,) = self._send_all([(recipient, content, headers, signal)], objects)
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
        return self._send_all(messages, objects)

    def _send_all(
        self,
        messages: Iterable[tuple[ObjectId, ObjectId, Mapping[str, str] | None, bool]],
        objects: Iterable[GritObject],
    ) -> list[ObjectId]:
        """:meth:`send_all`, which awaits nothing, without a coroutine (for :meth:`send`)."""
        if self._group_sends:
            sent, entries = self._send_with_group(list(messages), list(objects))
        else:
            # built on the mailboxes last seen, a hint (RUN-020.1): no read of their refs
            sent, entries, conflicts = send_from_outside(
                self._store, messages, objects, self._index.outside_seen
            )
            self.conflicts += conflicts
        self._mark_sent(self._index.set_outbox(OUTSIDE, entries))
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)  # a run waiting on long transitions looks again
        return sent

    def _send_with_group(
        self, messages: list[OutsideSend], objects: list[GritObject]
    ) -> tuple[list[ObjectId], SentOutbox]:
        """Build sends on the outbox the group's sends left, and let them join it (RUN-019.2).

        Nothing is stored: the open group stores them and swaps the outside's mailboxes
        they touch when it commits (RUN-019.3).  Built on the mailboxes the group's sends
        left, else on the refs as read: read again only for a mailbox the group has not
        touched yet (RUN-003.4); a send to one recipient, the usual one, builds on the
        mailbox the routing index last saw at its ref (this process's last commit of it,
        or the last catch-up) without reading it: a hint (RUN-020.1), which a swap that
        loses corrects (RUN-019.4: sent again from the winner's mailbox, the index read
        again).
        """
        sends = self._group.sends
        new = []
        if sends is None and len(messages) == 1 and type(messages[0][0]) is ObjectId:
            ref = outside_ref(messages[0][0])  # the usual send: one recipient, one ref
            seen = self._index.outside_seen(ref)  # a hint (RUN-020.1): no read
            old = read = {ref: self._store.get_ref(ref) if seen is None else seen}
        elif sends is None:  # the group's first sends: every mailbox they touch is read
            for m in messages:  # loops: no comprehension's function made each send
                new.append(m[0])
            old = read = read_outside(self._store, new) if new else {}
        else:
            known = sends.read
            for m in messages:
                if type(m[0]) is not ObjectId or outside_ref(m[0]) not in known:
                    new.append(m[0])
            read = {**known, **read_outside(self._store, new)} if new else dict(known)
            old = sends.chained_on(read)
        built = build_outside_send(self._cache, old, messages, objects, self._old_outside_ref)
        self._group.add_sends(read, built, messages)
        return built.sent, built.entries

    def flush(self) -> None:
        """Commit the open group now: sends that joined it are durable when this returns.

        RUN-019.2.  A send whose outbox swap lost is made again, on its own (RUN-019.4).
        It wakes runtimes waiting for swaps (RUN-020.6): no run of this runtime may follow.
        """
        self._wakes_others = True
        self._commit_group()

    async def genesis(self, core: Tree, objects: Iterable[GritObject] = ()) -> ObjectId:
        """Send ``core``'s genesis message from the outside; returns the actor id (WIT-002)."""
        actor = object_id(core)
        await self.send(actor, actor, {"mt": "genesis"}, objects=(*objects, core))
        return actor

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
            self._wakes_others = True
        self._dirty.update(mine)

    # --- the open commit group (RUN-017) -------------------------------------------------

    def _commit_group(self) -> bool:
        """Commit the open group (RUN-017.2); ``False`` when a member or a send was lost.

        The adopted members join the run's steps, in group order.  A lost member's
        provisional state is undone (RUN-017.4); sends whose outbox swap lost are
        made again at once, on their own, from the winner's outbox (RUN-019.4).
        Then the routing index is rebuilt from the heads (RUN-003), which marks
        every actor with pending messages to run again (RUN-002.3), and the lost
        members' idle snapshots are forgotten.  What the members add to the store
        counts toward the run's bytes (RUN-023.1), which may halt it (RUN-023.2).
        """
        group = self._group
        if not group.members and group.sends is None:
            return True
        # RUN-023.1: what the members add, told by the commit where the store can, else
        # asked before it is stored
        told = self._store.tells_fresh
        if told:
            encodings, known = self._bounds.group_encodings()
        added = self._bounds.group_added() if group.members and not told else 0
        group.fresh = None
        # RUN-020.6: a commit that makes work for no other runtime, in a run that runs it,
        # wakes no one (flush and the share's outsiders set the flag)
        adopted, lost, unsent = group.commit(self._store, self._wakes_others)
        self._wakes_others = False
        if told and group.fresh is not None:
            added = fresh_bytes(encodings, group.fresh, known)
        self._bounds.counted(added)  # every member's objects are stored, lost ones too (RUN-017.4)
        sink = self._sink
        for m in adopted:  # a loop: no comprehension's function made each time
            sink.append((m.actor, m.built.step_id))
        if self._hints.held:
            self._hints.rehint(adopted, lost)
        if not lost and unsent is None:
            return True
        if unsent is not None:
            self.conflicts += 1  # RUN-002.4: the outside's swap lost; sent again below
            _, _, conflicts = send_from_outside(self._store, unsent.requests, unsent.objects)
            self.conflicts += conflicts
        self.conflicts += len(lost)
        self.group_losses += 1
        for member in lost:
            self._forget_adoption(member.actor)
        self._mark(self._index.load(self._store, self._cache))
        return False

    def _abandon_group(self) -> None:
        """Drop the open group unstored (an error escaped a run): nothing of it was durable."""
        for member in self._group.abandon():
            self._forget_adoption(member.actor)

    def _forget_adoption(self, actor: ObjectId) -> None:
        """Undo what a provisional adoption of ``actor``'s step left in memory (RUN-017.4)."""
        self._residents.forget_waiting(actor)
        if self._idle_now is not None:
            self._idle_now.pop(actor, None)
