"""The heads read at once for a pass's transitions, each a hint used once (DUR-005.4, RUN-020.1).

:class:`HeadHints` is a part the runtime holds: it owns the heads a pass
read in one read of the store, and whether the run just caught up from the journal of
a server's store, so that the routing index's heads are the first pass's hints.  A
transition takes its actor's hint once instead of reading its head alone (a head moved
since is met by the compare-and-swap, RUN-002); a group commit corrects the hints of its
members (RUN-017.4).
"""

from __future__ import annotations

from collections.abc import Sequence

from .._ids import ObjectId
from ..store import Store, head_ref
from ._group import Member
from ._index import RoutingIndex
from ._resident import UNREAD, Unread

__all__ = ["HeadHints"]


class HeadHints:
    """A pass's head hints (DUR-005.4, RUN-020.1), read once and each used once."""

    __slots__ = ("_read", "held", "journal_fresh")

    def __init__(self) -> None:
        #: Heads read at once for a pass's transitions, each used once (DUR-005.4).
        self._read: dict[ObjectId, ObjectId | None] = {}
        #: Whether the pass holds hints: else :meth:`take` and :meth:`rehint` have nothing
        #: to do, and the runtime's hot path skips their calls.
        self.held = False
        #: Whether the run just caught up from the journal of a server's store: the
        #: index's heads are the first pass's hints (:meth:`read`).
        self.journal_fresh = False

    def read(self, actors: list[ObjectId], index: RoutingIndex, store: Store) -> None:
        """Read the heads of a pass's ``actors`` in one read where the store can
        (:meth:`~gritwit.store.Store.get_refs`, DUR-005.4), each the hint its actor's next
        transition uses once instead of reading its head alone (RUN-020.1: a head moved
        since is met by the compare-and-swap, RUN-002).  One actor's head is read as
        before, by its transition.

        In the first pass after the run read the journal of swaps, the heads the routing
        index holds are as new as that read (it caught up with every swap in it), so they
        are the hints and nothing is read: one round trip less a run on a server's store.
        The journal read also read the store's count of erasures, so a transition's blobs
        are still checked against every erasure that returned before it (RUN-011.3)."""
        if self._read:
            self._read = {}
        if self.journal_fresh:
            self.journal_fresh = False
            self._read = index.known_heads(actors)
            actors = [actor for actor in actors if actor not in self._read]
        if len(actors) >= 2 and store.is_remote:
            found = store.get_refs([head_ref(actor) for actor in actors])
            if found is not None:
                self._read.update({actor: found.get(head_ref(actor)) for actor in actors})
        self.held = bool(self._read)

    def take(self, actor: ObjectId) -> ObjectId | Unread | None:
        """``actor``'s hint, used once: its head as read, or :data:`UNREAD` (RUN-020.1)."""
        return self._read.pop(actor, UNREAD) if self._read else UNREAD

    def rehint(self, adopted: Sequence[Member], lost: Sequence[Member]) -> None:
        """The heads read as this pass's hints (RUN-020.1) before the group committed
        are its members' heads no longer: an adopted member's head is its step now, a
        lost member's is unknown (read again).  Before, a member's actor still to run in
        the pass built on the head read before its own group's commit, and lost its next
        group whole (RUN-017.4): 0.07-0.09 lost swaps a transition for one runtime alone
        on PostgreSQL, in runs of a thousand ping-pong steps."""
        hints = self._read
        if not hints:
            return
        for member in adopted:
            if member.actor in hints:
                hints[member.actor] = member.built.step_id
        for member in lost:
            hints.pop(member.actor, None)
