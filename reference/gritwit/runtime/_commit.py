"""Commits: sends from the outside and the open commit group (RUN-017, RUN-019).

:class:`Commits`, a part the runtime holds, sends messages from the outside: committed
on their own and durable when the send returns (RUN-001), or, with
``send_commit="group"``, built on the outbox the open group's sends left and joining
the group (RUN-019.2).  It commits the open
:class:`~gritwit.runtime._group.CommitGroup` (RUN-017.2): a lost member's provisional
state is undone (RUN-017.4) and sends whose outbox swap lost are made again on their
own (RUN-019.4); an error that escaped a run drops it unstored.  What each commit adds
to the store counts toward the run's bytes (:mod:`._disk`, RUN-023).  The actors that
routing or a reload found with work it marks through the runs'
:class:`~gritwit.runtime._seams.Marks`, which run every actor or only those of the
share (RUN-021.1, RUN-021.3 … RUN-021.5).  The runtime's face, the runs and the
transitions ask it through its :class:`~gritwit.runtime._seams.GroupCommits`.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Iterable, Mapping

from .._ids import ObjectId
from .._objects import GritObject
from ..store import Store
from ..wit import (
    OUTSIDE,
    OUTSIDE_REF,
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
from ._seams import Marks

__all__ = ["Commits"]


class Commits:
    """Sends from the outside and commits of the open group: a part a runtime holds.

    It owns the group commit's state: whether sends join the group, the current run's
    steps and idle snapshots a commit adds to (:meth:`begin`), the future a send
    sets while a run waits (:meth:`wake_on_send`), and the counts of lost swaps and
    lost groups.  The runtime's face, the runs and the transitions ask it through
    :class:`~gritwit.runtime._seams.GroupCommits` (:meth:`send_all`,
    :meth:`commit_group`, :meth:`abandon_group`, …); it marks the actors its routing
    finds with work through ``marks``, the runs' (who runs, RUN-021.1).
    """

    def __init__(
        self,
        store: Store,
        cache: ObjectCache,
        index: RoutingIndex,
        group: CommitGroup,
        bounds: RunBounds,
        residents: ResidentActors,
        hints: HeadHints,
        *,
        group_sends: bool,
        marks: Marks,
        around: tuple[Callable[[], None], Callable[[bool], None]] | None = None,
    ) -> None:
        self._store = store
        #: Called before and after (with whether it returned) each group commit: the
        #: routing's, which has the store read the journal along with it (RUN-020.7).
        self._around = around
        #: Reads the outside's old ref (RUN-003.5), made once rather than at each send.
        self._old_outside_ref = functools.partial(store.get_ref, OUTSIDE_REF)
        self._cache = cache
        self._index = index
        self._group = group
        #: Whether sends from the outside join the open group (RUN-019.2).
        self._group_sends = group_sends
        self._bounds = bounds
        self._residents = residents
        self._hints = hints
        #: Marks actors to run, and the recipients of messages this runtime made: the
        #: runs' (RUN-021.1); one outside the share makes the next commit wake others
        #: (:meth:`wake_others`, RUN-020.6).
        self._marks = marks
        #: Whether the next group commit wakes runtimes waiting for swaps (RUN-020.6).
        self._wakes_others = False
        #: The current run's adopted steps and idle snapshots (a group commit adds to them).
        self._sink: list[tuple[ObjectId, ObjectId]] = []
        self._idle_now: dict[ObjectId, tuple[ObjectId, ...]] | None = None
        #: Set by a send while a run waits for its transitions (RUN-018.2).
        self._wake: asyncio.Future[None] | None = None
        #: How many head compare-and-swaps lost to another writer (RUN-002).
        self.conflicts = 0
        #: How many group commits lost a member (RUN-017.4).
        self.group_losses = 0
        #: Told the seconds each group commit took, its store's write included, where
        #: set (a service's ``gritwit_step_commit_seconds``, HTTP-014.1); unset, no
        #: clock is read.
        self.on_commit: Callable[[float], None] | None = None

    @property
    def group(self) -> CommitGroup:
        """The open commit group (RUN-017)."""
        return self._group

    @property
    def sink(self) -> list[tuple[ObjectId, ObjectId]]:
        """The current run's adopted steps, which a group commit adds to (RUN-017.5)."""
        return self._sink

    def begin(
        self,
        sink: list[tuple[ObjectId, ObjectId]],
        idle: dict[ObjectId, tuple[ObjectId, ...]] | None,
    ) -> None:
        """A run starts: its adopted steps go to ``sink``; ``idle``: its idle snapshots."""
        self._sink, self._idle_now = sink, idle

    def wake_others(self) -> None:
        """The next group commit wakes the runtimes waiting for swaps (RUN-020.6): it
        carries work for actors outside the runtime's share, or no run may follow it."""
        self._wakes_others = True

    def wake_on_send(self, future: asyncio.Future[None] | None) -> None:
        """While a run waits for its transitions, a send sets ``future`` (RUN-018.2)."""
        self._wake = future

    # --- the outside ---------------------------------------------------------------------

    def send_all(
        self,
        messages: Iterable[tuple[ObjectId, ObjectId, Mapping[str, str] | None, bool]],
        objects: Iterable[GritObject],
    ) -> list[ObjectId]:
        """Send ``(recipient, content, headers, signal)`` messages from the outside, in order.

        What the runtime's ``send`` and ``send_all`` do (RUN-001, RUN-019.1, RUN-019.2),
        without a coroutine: it awaits nothing.
        """
        if self._group_sends:
            sent, entries = self._send_with_group(list(messages), list(objects))
        else:
            # built on the mailboxes last seen, a hint (RUN-020.1): no read of their refs
            sent, entries, conflicts = send_from_outside(
                self._store, messages, objects, self._index.outside_seen
            )
            self.conflicts += conflicts
        self._marks.mark_sent(self._index.set_outbox(OUTSIDE, entries))
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

    # --- the open commit group (RUN-017) -------------------------------------------------

    def commit_group(self) -> bool:
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
        around, timed = self._around, self.on_commit
        started = time.perf_counter() if timed is not None else 0.0
        if around is None:
            adopted, lost, unsent = group.commit(self._store, self._wakes_others)
        else:
            around[0]()
            try:
                adopted, lost, unsent = group.commit(self._store, self._wakes_others)
            except BaseException:
                around[1](False)
                raise
            around[1](True)
        if timed is not None:
            timed(time.perf_counter() - started)
        self._wakes_others = False
        if told and group.fresh is not None:
            added = fresh_bytes(encodings, group.fresh, known)
            # RUN-011.3: what it stored as new has no tombstone; its next reads ask none
            self._cache.known_clean(group.fresh)
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
        self._marks.mark(self._index.load(self._store, self._cache))
        return False

    def abandon_group(self) -> None:
        """Drop the open group unstored (an error escaped a run): nothing of it was durable,
        and each member's provisional adoption is undone (RUN-017.3, RUN-017.5)."""
        for member in self._group.abandon():
            self._forget_adoption(member.actor)

    def _forget_adoption(self, actor: ObjectId) -> None:
        """Undo what a provisional adoption of ``actor``'s step left in memory (RUN-017.4)."""
        self._residents.forget_waiting(actor)
        if self._idle_now is not None:
            self._idle_now.pop(actor, None)
