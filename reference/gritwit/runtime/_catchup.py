"""Catching up with the store: the routing index brought up to date with the refs (RUN-003).

:class:`CatchUp`, a part the runtime holds, owns the routing index and what it knows of
the refs: whether the index was built from the heads (RUN-003), and the store's ref
version it last caught up with.  It tells what is pending for an actor (WIT-005).  When
another writer moved the actor's head since the routing index last caught up (RUN-002),
the index first catches up with the refs, re-reading only the outboxes of heads that
moved (RUN-003.1, RUN-002.3); the open commit group is committed before that, since the
index holds its members' provisional outboxes, which the refs do not have yet
(RUN-017.2).  Sends waiting in the group are routed again once the index caught up
(RUN-019.2).  A run catches up as it starts (:meth:`CatchUp.start_run`, for
:meth:`~gritwit.runtime.Runtime.run_until_quiescent`: from the heads alone on its first
run, RUN-003, later from the refs that moved since; :meth:`CatchUp.start_rounds` for
:meth:`~gritwit.runtime.Runtime.run_rounds`: from the heads).  The actors it finds with
work it marks through the runs' :class:`~gritwit.runtime._seams.Marks` (who runs,
RUN-021.1); the runs and the transitions ask it through its
:class:`~gritwit.runtime._seams.Routing`.
"""

from __future__ import annotations

from collections.abc import Callable

from .._ids import ObjectId
from .._objects import Step
from ..store import Store, Version
from ..wit import OUTSIDE
from ._attempt import Found
from ._cache import ObjectCache
from ._group import CommitGroup
from ._hints import HeadHints
from ._index import RoutingIndex
from ._notes import share_parts
from ._resident import UNREAD, ResidentActors
from ._seams import Marks
from ._share import Share

__all__ = ["CatchUp"]

#: The swaps a journal read found: each ref's name and new target (``None``: deleted).
Swaps = list[tuple[str, ObjectId | None]]


class CatchUp:
    """The routing index caught up with the refs, and what is pending for an actor.

    A part a runtime holds.  ``marks`` marks the actors it finds with work: the runs'
    (RUN-021.1).  ``commit`` commits the open group (RUN-017.2), the commit part's
    :meth:`~gritwit.runtime._seams.GroupCommits.commit_group`: that part is made after
    this one, since its commits ask this one to read the journal along
    (:meth:`before_commit`, :meth:`after_commit`, RUN-020.7), so the runtime hands this
    one the door, not the part.
    """

    def __init__(
        self,
        store: Store,
        cache: ObjectCache,
        group: CommitGroup,
        residents: ResidentActors,
        hints: HeadHints,
        *,
        marks: Marks,
        commit: Callable[[], bool],
        share: Share | None = None,
    ) -> None:
        self._store = store
        self._cache = cache
        self._group = group
        self._residents = residents
        self._hints = hints
        #: Marks actors to run, and the recipients of sends this runtime made: the runs'
        #: (RUN-021.1, RUN-020.6).
        self._marks = marks
        #: Commits the open group: the commit part's (RUN-017.2).
        self._commit_group = commit
        self._index = RoutingIndex()
        #: Whether the routing index was built from the heads (RUN-003).
        self._loaded = False
        #: The store's ref version the index last caught up with (None: unknown).
        self._synced: Version | None = None
        #: Whether the store reads the journal along with a commit (RUN-020.7).
        self._follows = getattr(store.backend, "follow", None) is not None
        #: Whether the last commit's journal read caught the index up: the next run
        #: starts from it, without a read of its own (RUN-020.7).
        self._caught_by_commit = False
        #: Whether the current run read the journal since it started (RUN-020.7).
        self._read_in_run = True
        #: The count of erasures as of the index's last catch-up (RUN-011.3).
        self._erased: int | None = None
        #: Whether the last commit's journal read marked actors to run.
        self._found = False
        #: The runtime's share, and the journal parts it reads (``None``: every part,
        #: :mod:`._notes`), as of the placement records the index held when they were
        #: last reckoned (a copy: a record gone and another new leave their count as it was).
        self._share = share
        self._parts: frozenset[int] | None = share_parts(share, {})
        self._placed: dict[ObjectId, ObjectId] = {}

    @property
    def index(self) -> RoutingIndex:
        """The routing index (RUN-003), which the runs and transitions read and route into."""
        return self._index

    def start_run(self) -> None:
        """Catch up as a run starts (RUN-003): from the heads alone on the first run (and
        the next after :meth:`forget`), later from the refs swapped since; or from what
        the last commit's journal read caught up with, where the store reads it along
        (RUN-020.7): the run then reads before it answers quiescent
        (:meth:`read_before_quiescent`) unless a commit of its own reads first."""
        if self._caught_by_commit and self._loaded:
            self._caught_by_commit = False
            self._read_in_run = False
        elif self._loaded:  # only the refs swapped since, where the store knows them
            self._caught_by_commit = False
            self._read_in_run = True
            self._refresh(*self._store.refs_changed_since(self._synced, self._parts))
        else:
            self._read_in_run, self._caught_by_commit = True, False
            if self._parts is not None:  # writers note from before the listing (DUR-005.5)
                self._store.read_by_parts()
            version, _ = self._store.refs_changed_since(None)
            self._marks.mark(self._index.load(self._store, self._cache))
            self._loaded = True
            self._synced, self._erased = version, self._store.erasures()
            self._reparted()
        if self._group.sends is not None:
            self._route_grouped_sends()

    def _refresh(self, version: Version | None, swaps: Swaps | None) -> bool:
        """Catch the index up with ``swaps`` (``None``: unknown, the heads are listed),
        read at ``version``; whether it marked any actor to run (RUN-003.1)."""
        if self._group.sends is not None and swaps is not None:
            swaps = self._group.behind(swaps)
        touched = self._index.refresh(self._store, self._cache, swaps, self._marks.ours)
        if touched:  # usually none: the swaps since were this runtime's own
            self._marks.mark(touched)
        self._hints.journal_fresh = swaps is not None and self._store.is_remote
        self._synced, self._erased = version, self._store.erasures()
        self._reparted()
        return bool(touched)

    def _reparted(self) -> None:
        """The parts to read, as of the placement records now (:mod:`._notes`): once an
        actor placed by key into this share from another share's parts is known, every
        part, from a listing of the refs made now (the parts not read so far were not
        followed, and the actor may have work there already)."""
        placed = self._index.placements.placed
        if self._parts is None or placed == self._placed:
            return
        self._placed = dict(placed)
        self._parts = share_parts(self._share, placed)
        if self._parts is None:  # the refs listed now (RUN-003.1): the actor may have work
            self._refresh(*self._store.refs_changed_since(None))

    def before_commit(self) -> None:
        """A group commit is about to be sent: where the store reads the journal along
        with it (RUN-020.7), ask it to, guarded by the count of erasures the index last
        caught up with while this run has not read the journal itself (RUN-011.3)."""
        if self._follows and self._loaded:
            erased = None if self._read_in_run else self._erased
            self._store.follow_journal(self._synced, erased, self._parts)

    def after_commit(self, done: bool) -> None:
        """The group commit returned (``done``) or raised: catch up with what its journal
        read found, marking the actors it found work for (RUN-020.7).  A commit that
        returned without one (a swap of the group lost, or the store refused it for an
        erasure since, RUN-011.3) while this run has read no journal is followed by a
        read: the count of erasures the next commit is guarded by is then new."""
        if not self._follows:
            return
        answer = self._store.followed()
        if not done or not self._loaded:
            return
        if answer is not None:
            self._found = self._refresh(*answer) or self._found
        elif self._read_in_run:
            return
        else:
            self._found = (
                self._refresh(*self._store.refs_changed_since(self._synced, self._parts))
                or self._found
            )
        self._read_in_run = self._caught_by_commit = True

    def found_work(self) -> bool:
        """Whether a commit's journal read marked actors to run since this was last asked."""
        found, self._found = self._found, False
        return found

    def read_before_quiescent(self) -> bool:
        """Before a run answers quiescent (RUN-020.7): when it started from a commit's
        journal read and read none since, read the journal now; whether that marked any
        actor to run."""
        if self._read_in_run or not self._loaded:
            return False
        self._read_in_run = True
        return self._refresh(*self._store.refs_changed_since(self._synced, self._parts))

    def start_rounds(self) -> None:
        """Catch up for deterministic rounds (ADP-015): the index rebuilt from the heads,
        the group's sends routed again; the next run starts from the heads too (its idle
        snapshots are not kept)."""
        self._index.load(self._store, self._cache)
        if self._group.sends is not None:
            self._route_grouped_sends()
        self._loaded = False  # its idle snapshots are not kept: the next run starts from the heads

    def forget(self) -> None:
        """What was dirty may be lost (an error escaped a run): the next run starts from
        the heads again (RUN-003)."""
        self._loaded = False

    # --- catching up (RUN-003) -----------------------------------------------------------

    def pending(self, actor: ObjectId) -> tuple[ObjectId | None, Step | None, Found]:
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
        version, swaps = self._store.refs_changed_since(self._synced, self._parts)
        self._marks.mark(self._index.refresh(self._store, self._cache, swaps, self._marks.ours))
        self._synced, self._erased = version, self._store.erasures()
        self._reparted()
        self._read_in_run = True

    def _route_grouped_sends(self) -> None:
        """Route the sends waiting in the open group again, after the index caught up
        with the refs, which do not hold them yet (RUN-019.2)."""
        sends = self._group.sends
        if sends is not None and not self._index.saw_outside(sends.entries.boxes):
            self._marks.mark_sent(self._index.set_outbox(OUTSIDE, sends.entries))
