"""The runtime's seams: what one part asks of another, by public names.

:class:`~gritwit.runtime.Runtime` holds parts that own their state.  Where
one part asks another, it asks through one of these protocols, and is handed the other
part typed as it, so that what crosses a part's boundary is named once, here, and the
runtime, a service driving it and the tests use the same doors:

* :class:`Marks`, the runs' set of actors to run (RUN-006, RUN-021.1): what the routing,
  commit and transitions parts mark (:class:`~gritwit.runtime._schedule.Scheduler`);
* :class:`GroupCommits`, sends from the outside and the open group's commits (RUN-017,
  RUN-019): what the runtime's face, the runs and the transitions ask
  (:class:`~gritwit.runtime._commit.Commits`);
* :class:`Routing`, what is pending for an actor and the routing index caught up with
  the refs (RUN-003, WIT-005): what the runs and the transitions ask
  (:class:`~gritwit.runtime._catchup.CatchUp`);
* :class:`Attempts`, one actor's transition driven to at most one adopted step
  (RUN-001, RUN-004): what the runs ask (:class:`~gritwit.runtime._transition.Transitions`).

Only protocols: nothing here runs (like :mod:`._attempt`, it is left out of mutation).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from .._ids import ObjectId
from .._objects import GritObject, Step
from ..wit import Failure
from ._attempt import FailedAttempt, Found
from ._group import CommitGroup
from ._index import RoutingIndex

__all__ = ["Attempts", "GroupCommits", "Marks", "Routing", "Steps", "Idle"]

#: A run's adopted steps, ``(actor, step id)`` in order: what a run reports (RUN-006).
Steps = list[tuple[ObjectId, ObjectId]]
#: Idle snapshots of one ``run_rounds`` call: each actor's last pending message of each
#: sender when it last had nothing new to read (RUN-012.1).
Idle = dict[ObjectId, tuple[ObjectId, ...]]


class Marks(Protocol):
    """The runs' set of actors to run, as the other parts mark it (RUN-006, RUN-021.1).

    Marking is who runs: with a share, an actor outside it is never marked (RUN-021.4,
    RUN-021.5); messages for it are sent all the same (RUN-021.3).
    """

    def mark(self, actors: Iterable[ObjectId]) -> None:
        """Mark ``actors`` to run: every one, or those of the share (RUN-021.1)."""

    def ours(self, actors: Iterable[ObjectId]) -> Iterable[ObjectId]:
        """Those of ``actors`` this runtime runs: every one, or those of the share
        (RUN-021.1); a catch-up keeps their moved steps decoded."""

    def mark_sent(self, actors: list[ObjectId]) -> None:
        """Mark the recipients of messages this runtime made; one outside the share makes
        the next group commit wake the runtimes waiting for swaps (RUN-020.6)."""

    def again(self, actor: ObjectId) -> None:
        """Mark ``actor``, one of this runtime's own, to look at again (RUN-006, RUN-018.3)."""

    def places(self, actor: ObjectId, found: Found) -> bool:
        """Whether the first transition of ``actor`` (no step yet), with ``found`` pending,
        is this runtime's to start, its placement recorded first (RUN-021.8)."""


class GroupCommits(Protocol):
    """Sends from the outside and the open group's commits (RUN-017, RUN-019)."""

    #: How many head compare-and-swaps lost to another writer (RUN-002).
    conflicts: int
    #: Told the seconds each group commit took, where set (HTTP-014.1).
    on_commit: Callable[[float], None] | None

    @property
    def group(self) -> CommitGroup:
        """The open commit group (RUN-017)."""

    @property
    def group_losses(self) -> int:
        """How many group commits lost a member (RUN-017.4)."""

    def send_all(
        self,
        messages: Iterable[tuple[ObjectId, ObjectId, Mapping[str, str] | None, bool]],
        objects: Iterable[GritObject],
    ) -> list[ObjectId]:
        """Send ``(recipient, content, headers, signal)`` messages from the outside, in
        order (RUN-001, RUN-019.1, RUN-019.2); their ids."""

    def commit_group(self) -> bool:
        """Commit the open group (RUN-017.2); ``False`` when a member or a send was lost."""

    def abandon_group(self) -> None:
        """Drop the open group unstored, its provisional adoptions undone (RUN-017.3): an
        error escaped a run, and nothing of the group was durable (RUN-017.5)."""

    def wake_others(self) -> None:
        """The next group commit wakes the runtimes waiting for swaps (RUN-020.6)."""

    def begin(self, sink: Steps, idle: Idle | None) -> None:
        """A run starts: a group commit adds its adopted members to ``sink`` (RUN-017.5)."""

    def wake_on_send(self, future: asyncio.Future[None] | None) -> None:
        """While a run waits for its transitions, a send sets ``future`` (RUN-018.2)."""


class Routing(Protocol):
    """What is pending for an actor, and the routing index caught up with the refs (RUN-003)."""

    @property
    def index(self) -> RoutingIndex:
        """The routing index, which the runs and transitions read and route into (RUN-003)."""

    def pending(self, actor: ObjectId) -> tuple[ObjectId | None, Step | None, Found]:
        """``actor``'s head id, head step and what is pending for it (WIT-005), the index
        caught up first where another writer moved the head (RUN-002, RUN-003.3)."""

    def start_run(self) -> None:
        """Catch up as a run starts (RUN-003, RUN-020.7)."""

    def start_rounds(self) -> None:
        """Catch up for deterministic rounds: the index from the heads (ADP-015)."""

    def forget(self) -> None:
        """An error escaped a run: the next run starts from the heads (RUN-003)."""

    def found_work(self) -> bool:
        """Whether a commit's journal read marked actors to run since last asked (RUN-020.7)."""

    def read_before_quiescent(self) -> bool:
        """Read the journal before a run answers quiescent where it read none (RUN-020.7)."""


class Attempts(Protocol):
    """One actor's transition, driven to at most one adopted step (RUN-001, RUN-004)."""

    #: Every failed transition attempt, in order (RUN-004).
    failures: list[Failure]

    async def drive(
        self,
        actor: ObjectId,
        steps: Steps,
        idle: Idle | None = None,
        *,
        first: FailedAttempt | None = None,
    ) -> None:
        """At most one adopted step of ``actor``, retried as RUN-004.3 says."""

    def drive_inline(self, actor: ObjectId, steps: Steps) -> bool | FailedAttempt:
        """:meth:`drive` without a task, for inline transitions (RUN-005): ``True`` when
        done, ``False`` or a failed first attempt when it must go the long way."""
