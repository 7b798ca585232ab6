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
work it marks through the runtime (who runs, RUN-021.1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .._ids import ObjectId
from .._objects import Step
from ..store import Store, Version
from ..wit import OUTSIDE
from ._attempt import Found
from ._cache import ObjectCache
from ._group import CommitGroup
from ._hints import HeadHints
from ._index import RoutingIndex
from ._resident import UNREAD, ResidentActors

__all__ = ["CatchUp"]


class CatchUp:
    """The routing index caught up with the refs, and what is pending for an actor."""

    def __init__(
        self,
        store: Store,
        cache: ObjectCache,
        group: CommitGroup,
        residents: ResidentActors,
        hints: HeadHints,
        *,
        mark: Callable[[Iterable[ObjectId]], None],
        mark_sent: Callable[[list[ObjectId]], None],
        commit: Callable[[], bool],
    ) -> None:
        self._store = store
        self._cache = cache
        self._group = group
        self._residents = residents
        self._hints = hints
        #: Marks actors to run: the runtime's (RUN-021.1).
        self._mark = mark
        #: Marks the recipients of sends this runtime made, the runtime's (RUN-020.6).
        self._mark_sent = mark_sent
        #: Commits the open group: the runtime's (RUN-017.2).
        self._commit_group = commit
        self._index = RoutingIndex()
        #: Whether the routing index was built from the heads (RUN-003).
        self._loaded = False
        #: The store's ref version the index last caught up with (None: unknown).
        self._synced: Version | None = None

    @property
    def index(self) -> RoutingIndex:
        """The routing index (RUN-003), which the runs and transitions read and route into."""
        return self._index

    def start_run(self) -> None:
        """Catch up as a run starts (RUN-003): from the heads alone on the first run (and
        the next after :meth:`forget`), later from the refs swapped since."""
        if self._loaded:  # only the refs swapped since, where the store knows them
            version, swaps = self._store.refs_changed_since(self._synced)
            if self._group.sends is not None and swaps is not None:
                swaps = self._group.behind(swaps)
            touched = self._index.refresh(self._store, self._cache, swaps)
            if touched:  # usually none: the swaps since were this runtime's own
                self._mark(touched)
            self._hints.journal_fresh = swaps is not None and self._store.is_remote
        else:
            version, _ = self._store.refs_changed_since(None)
            self._mark(self._index.load(self._store, self._cache))
            self._loaded = True
        self._synced = version
        if self._group.sends is not None:
            self._route_grouped_sends()

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
            self._mark_sent(self._index.set_outbox(OUTSIDE, sends.entries))
