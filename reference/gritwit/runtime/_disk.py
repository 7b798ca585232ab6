"""The bytes a step and a run add to the store, and their bounds (RUN-022, RUN-023).

A step's *added bytes* are the encoded bytes of the objects stored for it that the
store did not hold (RUN-022.1): an object the store has (stored or erased), or that
the open group stores first — an earlier member's, a grouped send's — adds nothing,
and each counts once.  :class:`RunBounds`, the runtime's part that owns the run's count,
applies both bounds:

* a step past ``max_step_bytes`` fails ``step-too-large`` before anything of it is
  stored (RUN-022.3).  Only a step whose encodings add up to more than the bound can
  be past it, so the store is asked which of its objects it holds only then
  (:meth:`RunBounds.bound_step`): no other step pays a read;
* a run counts what its steps add (RUN-023.1) where it stores them: in step mode
  each step as it is stored, in group mode the open group as it is committed, with
  one read of the store for all its members (:meth:`RunBounds.group_added`).  A
  group's members are not counted one by one as they are adopted, so after each
  adoption the run knows its count exactly only up to the group's encoded bytes
  (``CommitGroup.bytes``, more than the members add when some objects are held):
  when the two together reach ``max_run_bytes`` the group is committed at once and
  counted (:meth:`RunBounds.must_learn`), and the run is *halted* only when the
  exact count reaches the bound (RUN-023.2, RUN-023.3).

A halted run starts no transition.  The scheduler stops at its next candidate; a
transition that waits for the engine lane or a worker thread is stopped there, as it
is about to start (:meth:`Turn.start` raises :class:`Halted`), its actor left busy
(RUN-018.3).  A thread may be about to start while the event loop has not yet counted
a step that finished before — the lane hands itself to the next transition as soon as
one returns — so every transition run in a thread is a :class:`Turn`, *finished* when
its build returns and *settled* once the loop has adopted or failed it; a start that
could reach the bound with the finished steps not yet settled waits until they are
(:meth:`RunBounds.gate`).  So only transitions already running when a step reaches
the bound can add to the run after it (RUN-023.2): none of the lane's, which runs one
at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter

from .._codec import Encoded
from .._errors import StepTooLarge
from .._ids import ObjectId
from ..store import Store
from ..wit import Assembled
from ._cache import ObjectCache
from ._group import CommitGroup, encoded_size

__all__ = [
    "LARGEST_BOUND",
    "MAX_RUN_BYTES",
    "MAX_STEP_BYTES",
    "Halted",
    "RunBounds",
    "Turn",
    "added_bytes",
    "fresh_bytes",
]

#: Most bytes one step may add to the store (RUN-022.2): 80 MiB, a sandboxed program's
#: core (64 MiB) and sends (1 MiB) limits with room for the objects around them.
MAX_STEP_BYTES = 80 * 1024 * 1024
#: Bytes a run adds before it starts no more transitions (RUN-023.2): 1 GiB.
MAX_RUN_BYTES = 1024 * 1024 * 1024
#: The largest bound a caller may give (RUN-022.2, RUN-023.2): 2**53 - 1.
LARGEST_BOUND = 2**53 - 1
#: Most seconds a start waits for the loop to settle finished transitions (a backstop:
#: the loop settles one as soon as it runs, and a wait only delays, never fails, a start).
_SETTLE_WAIT = 5.0
_second = itemgetter(1)  # an encoding's id


class Halted(Exception):
    """A transition not started because its run's added bytes reached ``max_run_bytes``
    (RUN-023.2): no attempt, nothing adopted, its actor left busy."""


def added_bytes(store: Store, encodings: Iterable[Encoded], known: Iterable[ObjectId] = ()) -> int:
    """The encoded bytes of ``encodings`` the store does not hold (RUN-022.1).

    Each id counts once, at its first encoding; ids of ``known`` (objects stored
    first: the open group's, a grouped send's) count nothing; the store is asked
    about the rest in one read.
    """
    seen = set(known)
    fresh: dict[ObjectId, int] = {}
    for encoding, oid in encodings:
        if oid not in seen:
            seen.add(oid)
            fresh[oid] = len(encoding)
    if not fresh:
        return 0
    present = store.held(fresh)
    return sum([size for oid, size in fresh.items() if oid not in present])


def fresh_bytes(
    encodings: Iterable[Encoded], fresh: set[ObjectId], known: Iterable[ObjectId] = ()
) -> int:
    """The encoded bytes of ``encodings`` whose ids a commit reported it stored new
    (``fresh``, RUN-022.1): :func:`added_bytes` as the commit itself saw the store, with
    no read.  Each id counts once; ids of ``known`` count nothing."""
    seen = set(known)
    total = 0
    for encoded in encodings:  # indexed: unpacking a tuple subclass takes an iterator
        oid = encoded[1]
        if oid in fresh and oid not in seen:
            seen.add(oid)
            total += len(encoded[0])
    return total


class Turn:
    """One attempt of a transition run in the engine lane or a worker thread (RUN-023.2).

    ``start`` is called in the thread as the transition is about to start (``gated``:
    its first attempt, which a halted run does not start), ``finish`` when its build
    returned there, and the loop settles it (:meth:`RunBounds.settle`) once it has
    adopted or failed it, or given it up.
    """

    __slots__ = ("bytes", "finished", "gated", "owner", "settled", "started")

    def __init__(self, owner: RunBounds, *, gated: bool) -> None:
        self.owner = owner
        self.gated = gated
        self.started = self.finished = self.settled = False
        self.bytes = 0

    def start(self) -> None:
        self.started = True
        if self.gated:
            self.owner.gate()

    def finish(self, built: Assembled | None) -> None:
        owner = self.owner
        with owner.turns:
            if not self.settled:  # else given up: its result is never counted
                self.finished = True
                self.bytes = 0 if built is None else encoded_size(built)
                owner.unsettled += 1
                owner.unsettled_bytes += self.bytes


@dataclass(slots=True, eq=False)
class RunBounds:
    """The bounds of RUN-022 and RUN-023, and the state they keep: one runtime's part.

    It owns the run's count of added bytes (:attr:`run_bytes`, RUN-023.1), whether the
    run reached ``max_run_bytes`` (:attr:`halted`, RUN-023.2), and the turns run in
    threads, finished and not yet settled.  It reads the runtime's store, cache and
    open group, which it is given; the runtime asks it through its methods.
    """

    _store: Store
    _cache: ObjectCache
    _group: CommitGroup
    #: Most bytes one step may add to the store (RUN-022.2).
    max_step_bytes: int
    #: Bytes a run adds before it starts no more transitions (RUN-023.2).
    max_run_bytes: int
    #: The bytes the current (else the last) run's steps added to the store (RUN-023.1).
    run_bytes: int = field(default=0, init=False)
    #: Whether the current run reached ``max_run_bytes``: it starts no transition (RUN-023.2).
    halted: bool = field(default=False, init=False)
    #: Guards the turns' counts; notified when a turn is settled.
    turns: threading.Condition = field(default_factory=threading.Condition, init=False)
    #: Turns finished in a thread and not yet settled by the loop, and their encoded bytes.
    unsettled: int = field(default=0, init=False)
    unsettled_bytes: int = field(default=0, init=False)

    def start_counting(self) -> None:
        """A run counts from zero (RUN-023.1)."""
        self.run_bytes = 0
        self.halted = False

    def gate(self) -> None:
        """In a thread, as a transition is about to start: not once the run halted.

        When the steps finished but not yet settled could take the run to its bound,
        wait until the loop has counted them (RUN-023.2, see the module).
        """
        with self.turns:
            if (
                not self.halted
                and self.run_bytes + self._group.bytes + self.unsettled_bytes >= self.max_run_bytes
            ):
                self.turns.wait_for(lambda: self.unsettled == 0, _SETTLE_WAIT)
            if self.halted:
                raise Halted

    def settle(self, turn: Turn) -> None:
        """The loop is done with ``turn``: adopted, failed or given up.

        A turn never started in a thread (built inline, or not started yet) needs no
        lock: were its thread to start now, it would find it settled and not count.
        """
        if not turn.started:
            turn.settled = True
            return
        with self.turns:
            turn.settled = True
            if turn.finished:
                self.unsettled -= 1
                self.unsettled_bytes -= turn.bytes
                self.turns.notify_all()

    def bound_step(self, built: Assembled) -> None:
        """Fail ``built`` if it would add more than ``max_step_bytes`` (``step-too-large``).

        RUN-022.2, RUN-022.3.  Its encodings bound what it adds: only when they exceed
        the bound is the store asked which of its objects it holds, and those of the
        open group (stored first, RUN-022.1) count as held.
        """
        size = 0  # encoded_size(built), without its frame and list
        for encoded in built.encodings:  # indexed: unpacking an Encoded takes an iterator
            size += len(encoded[0])
        if size > self.max_step_bytes:
            added = added_bytes(self._store, built.encodings, self._cache.pinned_ids())
            if added > self.max_step_bytes:
                raise StepTooLarge(
                    "RUN-022.3",
                    f"the step would add {added} bytes to the store, more than "
                    f"max_step_bytes {self.max_step_bytes} (RUN-022.2)",
                )

    def count_stored(self, built: Assembled) -> int:
        """What ``built`` adds, asked before it is stored on its own (step mode, RUN-023.1)."""
        return added_bytes(self._store, built.encodings)

    def group_added(self) -> int:
        """What the open group's members add, asked before it is committed (RUN-023.1).

        Members in group order, each object counted for the first that stores it; the
        grouped sends' objects are stored first and are the caller's, not counted.
        """
        group = self._group
        sends = group.sends
        known = () if sends is None else [oid for _, oid in sends.encodings]
        encodings = [e for member in group.members for e in member.built.encodings]
        return added_bytes(self._store, encodings, known)

    def group_encodings(self) -> tuple[list[Encoded], list[ObjectId]]:
        """The open group's members' encodings in group order, and the ids of its grouped
        sends' objects (stored first, the caller's: counted for no member)."""
        group = self._group
        sends = group.sends
        known = [] if sends is None else list(map(_second, sends.encodings))
        encodings: list[Encoded] = []
        for member in group.members:  # a loop: no comprehension's function made each time
            encodings += member.built.encodings
        return encodings, known

    def counted(self, added: int) -> None:
        """Add a commit's bytes to the run's; halt it at ``max_run_bytes`` (RUN-023.2)."""
        self.run_bytes += added
        if self.run_bytes >= self.max_run_bytes:
            self.halted = True

    def must_learn(self) -> bool:
        """Whether the open group must be committed now to know whether the run reached
        ``max_run_bytes``: its encoded bytes and the run's count reach the bound."""
        return self.run_bytes + self._group.bytes >= self.max_run_bytes
