"""The timer service: the runtime service that writes the timer party's steps (TIM-001 … TIM-007).

A timer is a request an actor's step sent to the timer party (TIM-002): pending for the
party until a *timer step* reads it (WIT-005).  A timer step reads requests, sets or
refuses each (TIM-002.4, TIM-004), cancels (TIM-005.1) and fires what is due (TIM-003),
and is adopted as any step: objects first, then ``heads/<timer>`` by compare-and-swap
(TIM-001.4, RUN-001).  The pending timers are its core (TIM-006.2), so a fire and its
removal are one swap: a kill loses no timer and fires none twice (TIM-003.2).

The service reads a clock of milliseconds (TIM-006.1) and is the only reader of it;
what it reads goes into the messages it sends, never into a transition (TIM-003.4).
"""

from __future__ import annotations

import heapq
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from .._codec import object_id
from .._errors import InvalidId
from .._ids import ObjectId
from .._objects import Blob, GritObject, Step, Tree, make_headers
from ..store import Store, head_ref
from ..wit import ObjectReader, PendingMessage, Send
from ..wit._model import get_blob, get_tree, queued_send
from ._parties import TIMER
from ._party_step import adopt_party_step
from ._party_tables import absorb_party_import, table_items

if TYPE_CHECKING:
    from ._door import ServiceDoor

__all__ = [
    "TimerBounds",
    "PendingTimer",
    "TimerService",
    "absorb_import",
    "pending_timers",
    "wall_clock",
]

#: A canonical decimal (TIM-002.1, WIT-028.6): 1 to 18 digits, no leading zero.
_DECIMAL: Final = re.compile(r"(?:0|[1-9][0-9]{0,17})\Z")
#: How often a pass is built again after a lost swap before it gives up till the next.
_LOST_SWAPS: Final = 8


@dataclass(frozen=True, slots=True)
class TimerBounds:
    """The bounds of TIM-004, each refused with its class (TIM-004.2 … TIM-004.5)."""

    #: Most timers pending set by one actor (TIM-004.2).
    max_timers: int = 1_000
    #: Most milliseconds a timer may be set for before its acceptance (TIM-004.3).
    max_past: int = 86_400_000
    #: Most milliseconds a timer may be set for after its acceptance (TIM-004.4).
    max_delay: int = 31_622_400_000
    #: Most timers fired in one second of the clock (TIM-004.5).
    max_fires: int = 1_000


#: A pending timer's key: its setter and its id (TIM-002.2).
Key = tuple[ObjectId, ObjectId]


@dataclass(frozen=True, slots=True)
class PendingTimer:
    """One pending timer as the timer party's core holds it (TIM-006.2)."""

    id: ObjectId
    setter: ObjectId
    to: ObjectId
    mt: str
    set_for: int
    content: ObjectId
    #: The id of its entry tree (``content``, ``timer``) in the party's core.
    entry: ObjectId

    @property
    def key(self) -> Key:
        """Its key: setter and id, since two actors' requests may share an id (TIM-002.2)."""
        return (self.setter, self.id)

    @property
    def name(self) -> str:
        """Its entry's name in the party's core: id, then setter, text forms (TIM-006.2)."""
        return self.id.hex() + self.setter.hex()

    def order(self) -> tuple[int, bytes, bytes]:
        """Its place among timers due together: set for, then id (TIM-003.3), then setter."""
        return (self.set_for, self.id.digest, self.setter.digest)


def wall_clock() -> int:
    """The time of day in milliseconds since the Unix epoch (TIM-006.1)."""
    return time.time_ns() // 1_000_000


def _decimal(value: str | None) -> int | None:
    return int(value) if value is not None and _DECIMAL.match(value) else None


def _id_of(text: str | None) -> ObjectId | None:
    if text is None:
        return None
    try:
        return ObjectId.from_hex(text)
    except (InvalidId, ValueError):
        return None


# --- the table: the party's core ------------------------------------------------------


def read_table(reader: ObjectReader, core: Tree | None) -> dict[Key, PendingTimer]:
    """Every pending timer of the party's ``core`` (TIM-006.2), by setter and id."""
    table: dict[Key, PendingTimer] = {}
    for name, entry_id in table_items(reader, core, "timers"):
        found = _read_entry(reader, name, entry_id)
        if found is not None:
            table[found.key] = found
    return table


def _read_entry(reader: ObjectReader, name: str, entry_id: ObjectId) -> PendingTimer | None:
    entry = get_tree(reader, entry_id)
    if entry is None:
        return None
    content, blob_id = entry.entries.get("content"), entry.entries.get("timer")
    blob = None if blob_id is None else get_blob(reader, blob_id)
    if content is None or blob is None:
        return None
    h = blob.headers
    tid, setter, to = _id_of(name[:64]), _id_of(h.get("from")), _id_of(h.get("to"))
    set_for, mt = _decimal(h.get("set-for")), h.get("mt")
    if tid is None or setter is None or to is None or set_for is None or mt is None:
        return None
    if name[64:] != setter.hex():
        return None
    return PendingTimer(tid, setter, to, mt, set_for, content, entry_id)


#: A timer's place in the due order (TIM-003.3), as :meth:`PendingTimer.order` gives it.
Order = tuple[int, bytes, bytes]


@dataclass(slots=True)
class TimerTable:
    """The pending timers as the service holds them between passes: by key, in the due
    order of TIM-003.3 (a heap whose entries for timers since removed are dropped when
    they surface) and counted by setter (TIM-004.2). So a pass costs what it reads and
    fires, not the number pending: with 101,000 pending, a fired timer cost 20.8 ms of
    CPU and came 28 s late when each pass walked the whole table (load 9-16)."""

    timers: dict[Key, PendingTimer]
    heap: list[tuple[Order, Key]]
    counts: dict[ObjectId, int]

    @classmethod
    def of(cls, timers: Mapping[Key, PendingTimer]) -> TimerTable:
        heap = [(t.order(), key) for key, t in timers.items()]
        heapq.heapify(heap)
        counts: dict[ObjectId, int] = {}
        for setter, _ in timers:
            counts[setter] = counts.get(setter, 0) + 1
        return cls(dict(timers), heap, counts)

    def copy(self) -> TimerTable:
        """A copy a pass may change and throw away (a lost swap, a failed adoption)."""
        return TimerTable(dict(self.timers), list(self.heap), dict(self.counts))

    def add(self, timer: PendingTimer) -> None:
        self.timers[timer.key] = timer
        heapq.heappush(self.heap, (timer.order(), timer.key))
        self.counts[timer.setter] = self.counts.get(timer.setter, 0) + 1

    def remove(self, key: Key) -> None:
        """Remove a pending timer; its heap entry goes when it surfaces."""
        del self.timers[key]
        left = self.counts[key[0]] - 1
        if left:
            self.counts[key[0]] = left
        else:
            del self.counts[key[0]]

    def _live(self, entry: tuple[Order, Key]) -> PendingTimer | None:
        timer = self.timers.get(entry[1])
        return timer if timer is not None and timer.set_for == entry[0][0] else None

    def earliest(self) -> int | None:
        """The earliest *set for* pending, or ``None``."""
        heap = self.heap
        while heap and self._live(heap[0]) is None:
            heapq.heappop(heap)
        return heap[0][0][0] if heap else None

    def due(self, now: int, mine: set[ObjectId], most: int) -> list[PendingTimer]:
        """At most ``most`` timers set for ``now`` or earlier whose setters are ``mine``
        (TIM-006.3), in the order of TIM-003.3; they stay pending until removed."""
        heap = self.heap
        found: list[PendingTimer] = []
        others: list[tuple[Order, Key]] = []
        seen: set[Key] = set()
        while heap and len(found) < most and heap[0][0][0] <= now:
            entry = heapq.heappop(heap)
            timer = self._live(entry)
            if timer is None or entry[1] in seen:
                continue  # removed since, or a second entry of one timer
            seen.add(entry[1])
            others.append(entry)  # back on the heap below: pending until removed
            if timer.setter in mine:
                found.append(timer)
        for entry in others:
            heapq.heappush(heap, entry)
        return found


def _entry_objects(
    tid: ObjectId, setter: ObjectId, to: ObjectId, mt: str, set_for: int, content: ObjectId
) -> tuple[PendingTimer, list[GritObject]]:
    """A new timer's entry tree and its blob (TIM-006.2)."""
    blob = Blob(
        data=b"",
        headers=make_headers(
            {"from": setter.hex(), "to": to.hex(), "mt": mt, "set-for": str(set_for)}
        ),
    )
    entry = Tree(entries={"content": content, "timer": object_id(blob)})
    timer = PendingTimer(tid, setter, to, mt, set_for, content, object_id(entry))
    return timer, [blob, entry]


#: The tables the timer services of this process hold, by the id of the core they were
#: read from or written as (its newest last). A core's id names its table in any store
#: (ids are of content), so a listing of the party's head whose core is here reads no
#: timer again: with 101,000 pending, each listing read all of them from the store (1 to
#: 5 s on a loaded machine), and a service's listings held up its fires by as much.
_HELD: Final[dict[ObjectId, TimerTable]] = {}
#: How many tables :data:`_HELD` keeps: one for each service in a process, about.
_HELD_MOST: Final = 4
#: Services and listings of several threads share :data:`_HELD`.
_HELD_LOCK: Final = threading.Lock()


def _hold(core: ObjectId | None, table: TimerTable) -> None:
    if core is None:
        return
    with _HELD_LOCK:
        _HELD.pop(core, None)
        _HELD[core] = table
        while len(_HELD) > _HELD_MOST:
            del _HELD[next(iter(_HELD))]


def pending_timers(store: Store, actor: ObjectId | None = None) -> list[PendingTimer]:
    """The timers pending (set by ``actor``, when given), as the party's head holds them,
    in the order of TIM-003.3 (TIM-005.2)."""
    head = store.get_ref(head_ref(TIMER))
    step = None if head is None else store.get_object(head)
    core_id = step.core if isinstance(step, Step) else None
    with _HELD_LOCK:
        held = None if core_id is None else _HELD.get(core_id)
    if held is not None:
        table = list(held.timers.values())  # a copy: the service may hold another by then
    else:
        found = None if core_id is None else store.get_object(core_id)
        table = list(read_table(store, found if isinstance(found, Tree) else None).values())
    return sorted((t for t in table if actor is None or t.setter == actor), key=PendingTimer.order)


# --- the pass -------------------------------------------------------------------------


@dataclass(slots=True)
class _Pass:
    """One timer step in the making: what it reads, sets, removes and sends."""

    now: int
    table: TimerTable
    changes: dict[Key, PendingTimer | None]
    sends: list[Send]
    objects: list[GritObject]


class TimerService:
    """The timer service of one runtime (TIM-002 … TIM-006): :meth:`run_pass` adopts at
    most one timer step from the clock's reading."""

    def __init__(
        self,
        door: Callable[[], ServiceDoor],
        *,
        clock: Callable[[], int] = wall_clock,
        bounds: TimerBounds | None = None,
    ) -> None:
        #: The runtime's door for its services (TIM-001.4), asked at each pass.
        self._door = door
        self.clock = clock
        self.bounds = bounds or TimerBounds()
        #: The second of the clock the fires counted in ``_fired`` fell in (TIM-004.5).
        self._second = -1
        self._fired = 0
        #: The table of the core it last read or wrote, by that core's id, and its earliest
        #: *set for*: a pass with nothing to read and nothing due reads no timer again.
        self._known: tuple[ObjectId | None, TimerTable] = (None, TimerTable.of({}))
        #: Timer steps adopted and timers fired by this service (for its callers' figures).
        self.steps = 0
        self.fires = 0

    def next_due(self) -> int | None:
        """The earliest *set for* of the timers the last pass read (TIM-003.1), or ``None``:
        when a caller that waits between passes should wake, so that a timer is not late
        by the whole of its idle wait."""
        return self._known[1].earliest()

    def run_pass(self) -> ObjectId | None:
        """Read the requests pending, fire what is due and adopt one timer step; its id, or
        ``None`` when there was nothing to do (or every swap lost to other writers)."""
        door = self._door()
        for _ in range(_LOST_SWAPS):
            door.commit()  # the heads it reads are committed ones (RUN-017.2)
            head_id, last, found = door.pending(TIMER)
            now = self.clock()
            core_id = None if last is None else last.core
            core = None if core_id is None else get_tree(door.reader, core_id)
            if core_id is None or core_id != self._known[0]:
                self._known = (core_id, TimerTable.of(read_table(door.reader, core)))
                _hold(core_id, self._known[1])
            earliest = self._known[1].earliest()
            if not found and (earliest is None or earliest > now):
                return None  # nothing to read, nothing due
            table = self._known[1].copy()
            mine = set(door.ours(set(found) | set(table.counts)))
            job = _Pass(now, table, {}, [], [])
            # Senders in id order; another share's requests are left pending (TIM-006.3).
            pending = {sender: found[sender] for sender in sorted(found) if sender in mine}
            for sender, items in pending.items():
                for item in items:
                    self._request(job, sender, item)
            fired = self._fire(job, mine)
            if not pending and not fired:
                return None
            changes = {
                tid.hex() + setter.hex(): None if timer is None else timer.entry
                for (setter, tid), timer in job.changes.items()
            }
            head = (head_id, last, core)
            built = adopt_party_step(door, "timer", "timers", head, changes, pending, job)
            if built is None:
                continue  # another writer's timer step won (RUN-002): read and build again
            self._known = (built.step.core, job.table)
            _hold(built.step.core, job.table)
            self._count(now, fired)
            self.steps += 1
            return built.step_id
        return None

    def _request(self, job: _Pass, sender: ObjectId, item: PendingMessage) -> None:
        """Set, refuse or cancel as ``item`` asks (TIM-002, TIM-004, TIM-005.1)."""
        h = item.message.headers
        if item.mt == "timer-cancel":
            tid = _id_of(h.get("timer-id"))
            if tid is None:
                return self._refuse(job, sender, item, "timer-invalid", "TIM-004.1")
            if (sender, tid) in job.table.timers:  # its own timer, else no change (TIM-005.1)
                job.table.remove((sender, tid))
                job.changes[sender, tid] = None
            return None
        if item.mt != "timer-set":
            return None  # read without effect, not answered (TIM-004.1)
        mt, at, after, to_text = (
            h.get(k) for k in ("timer-mt", "timer-at", "timer-after", "timer-to")
        )
        value = _decimal(at if after is None else after)
        to = sender if to_text is None else _id_of(to_text)
        if not mt or (at is None) == (after is None) or value is None or to is None:
            return self._refuse(job, sender, item, "timer-invalid", "TIM-004.1")
        if (sender, item.id) in job.table.timers:  # a signal equal to one it set (TIM-004.1)
            return self._refuse(job, sender, item, "timer-invalid", "TIM-004.1")
        set_for = value if after is None else job.now + value
        if set_for < job.now - self.bounds.max_past:
            return self._refuse(job, sender, item, "timer-too-early", "TIM-004.3")
        if set_for > job.now + self.bounds.max_delay:
            return self._refuse(job, sender, item, "timer-too-late", "TIM-004.4")
        if job.table.counts.get(sender, 0) >= self.bounds.max_timers:
            return self._refuse(job, sender, item, "timer-limit", "TIM-004.2")
        timer, objects = _entry_objects(item.id, sender, to, mt, set_for, item.message.content)
        job.objects += objects
        job.table.add(timer)
        job.changes[timer.key] = timer
        return None

    def _refuse(
        self, job: _Pass, sender: ObjectId, item: PendingMessage, error: str, clause: str
    ) -> None:
        """Answer a request the service does not set (TIM-004), never drop it."""
        headers = make_headers(
            {"mt": "timer-refused", "timer-id": item.id.hex(), "error": error, "clause": clause}
        )
        job.sends.append(queued_send(sender, item.message.content, headers))

    def _fire(self, job: _Pass, mine: set[ObjectId]) -> int:
        """Fire the timers due, in order, within the rate (TIM-003, TIM-004.5)."""
        second = job.now // 1000
        left = self.bounds.max_fires - (self._fired if second == self._second else 0)
        fired = job.table.due(job.now, mine, max(0, left))
        for timer in fired:
            headers = make_headers(
                {
                    "mt": timer.mt,
                    "timer-id": timer.id.hex(),
                    "timer-from": timer.setter.hex(),
                    "timer-set-for": str(timer.set_for),
                    "timer-fired-at": str(job.now),
                }
            )
            job.sends.append(queued_send(timer.to, timer.content, headers))
            job.table.remove(timer.key)
            job.changes[timer.key] = None  # removed in the step that fires it (TIM-003.2)
        return len(fired)

    def _count(self, now: int, fired: int) -> None:
        second = now // 1000
        if second != self._second:
            self._second, self._fired = second, 0
        self._fired += fired
        self.fires += fired


def absorb_import(store: Store, actor: ObjectId, head: Step) -> None:
    """Take an imported actor's requests as read before its head moves (TIM-007.3): a
    timer step whose inbox entry for ``actor`` is its outbox entry for the timer party."""
    absorb_party_import(store, TIMER, "timer", actor, head)
