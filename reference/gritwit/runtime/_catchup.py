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
"""

from __future__ import annotations

from .._ids import ObjectId
from .._objects import Step
from ..store import Version
from ..wit import OUTSIDE
from ._attempt import Found
from ._commit import Commits
from ._hints import HeadHints
from ._resident import UNREAD, ResidentActors

__all__ = ["CatchUp"]


class CatchUp(Commits):
    """What is pending for an actor, with the routing index caught up with the refs."""

    # State set by Runtime.__init__ (._runtime) that these methods read.
    _synced: Version | None
    _hints: HeadHints
    _residents: ResidentActors

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
