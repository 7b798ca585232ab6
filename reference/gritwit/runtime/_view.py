"""One actor view: which actors a store holds and what each one is, read once for every
front end (RUN-001, RUN-004.4, RUN-021, RUN-026, RUN-027, HTTP-007.1, HTTP-007.9).

``gritwit actor list`` and ``actor show``, ``gritwit runtime heads``, ``GET /v1/actors``
and ``GET /v1/actors/{actor}``, the status page's list and the pending gauge all render
:class:`ActorView`, so that they cannot disagree on which actors there are, what their
names are, whether one failed, or how much waits for it.

The actors are those with a head (RUN-001) and those marked failed (RUN-004.4), among
them one whose genesis failed: it has a mark and no head.  ``waiting=True`` adds the
actors that have messages and neither (their genesis not run yet, WIT-012.2), which only
the command line lists.  Nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Final

from .._errors import GritError
from .._ids import ObjectId
from .._objects import Blob, Step, Tree
from ..store import Store, format_step_time, step_times
from ..store._refs import (
    FAILED_PREFIX,
    HEADS_PREFIX,
    failed_actor,
    failed_ref,
    head_actor,
    head_ref,
)
from ..wit import OUTSIDE, mailbox_entries
from ._index import RoutingIndex
from ._names import actor_names
from ._share import Share

__all__ = ["ActorFailure", "ActorView", "ActorViews"]

#: The code entry of a core (WIT-001) and the header of its blob naming the runtime.
_WIT: Final = "wit"
_RUNTIME: Final = "runtime"


@dataclass(frozen=True, slots=True)
class ActorFailure:
    """An actor's failed mark (RUN-004.4): the class of its last failed attempt as the
    record holds it (``failed`` without one), and the attempts (``None`` unknown)."""

    error: str
    attempts: int | None

    def reason(self, genesis: bool) -> str:
        """The mark in words; ``genesis``: the actor never adopted a step."""
        count = "?" if self.attempts is None else str(self.attempts)
        what = ", its genesis never adopted" if genesis else ""
        return f"marked failed after {count} failed attempt(s){what} (RUN-004.4)"


@dataclass(frozen=True, slots=True)
class ActorView:
    """One actor as a store and a runtime show it.

    ``names`` every name bound to it, in bytewise order (RUN-026, HTTP-015.3); ``code``
    the ``wit`` blob of its head's core, or of its genesis core (its id, WIT-002) without
    a head, and ``kind`` that blob's ``runtime`` header (WIT-001.2); ``pending`` the
    messages its last transition did not read (WIT-005); ``share`` its share index under
    the runtime's share (RUN-021.6), ``None`` without one; ``resident`` whether the
    runtime keeps it in memory (RUN-012.6), ``None`` where no runtime runs it (a store
    read alone, or an actor of another share); ``time`` its head's step time (RUN-027);
    ``last_error`` the text of the last failed attempt the runtime saw of an actor marked
    failed (RUN-004.4's record keeps its class alone), ``None`` where no runtime saw one."""

    actor: ObjectId
    head: ObjectId | None
    names: tuple[str, ...]
    code: ObjectId | None
    kind: str | None
    failure: ActorFailure | None
    pending: int
    share: int | None
    resident: bool | None
    time: str | None
    last_error: str | None = None

    @property
    def status(self) -> str:
        """``failed``, ``ok`` (a head), or ``no head`` (its genesis not run yet)."""
        if self.failure is not None:
            return "failed"
        return "ok" if self.head is not None else "no head"

    @property
    def genesis_failed(self) -> bool:
        """Marked failed without a head: its genesis never ran to a step (RUN-004.4)."""
        return self.failure is not None and self.head is None

    @property
    def reason(self) -> str | None:
        """The failed mark in words, ``None`` without one."""
        return None if self.failure is None else self.failure.reason(self.head is None)


def _failure(store: Store, record: ObjectId) -> ActorFailure:
    """The failure record ``record`` (RUN-004.4) read; a record that is no JSON object
    still marks the actor failed."""
    try:
        blob = store.get_object(record)
        data = json.loads(blob.data) if isinstance(blob, Blob) else {}
    except (GritError, ValueError):
        data = {}
    data = data if isinstance(data, dict) else {}
    attempts = data.get("attempts")
    return ActorFailure(
        str(data.get("error", "failed")), attempts if type(attempts) is int else None
    )


def _listed(
    store: Store,
    prefix: str,
    ref: Callable[[ObjectId], str],
    parse: Callable[[str], ObjectId | None],
    only: ObjectId | None,
) -> dict[ObjectId, ObjectId]:
    """The refs of one namespace by actor (a ref naming no actor left out): every one,
    in one read, or ``only``'s."""
    if only is not None:
        target = store.get_ref(ref(only))
        return {} if target is None else {only: target}
    found: dict[ObjectId, ObjectId] = {}
    for name, target in store.list_ref_targets(prefix):
        actor = parse(name)
        if actor is not None:
            found[actor] = target
    return found


class ActorViews:
    """The actors of ``store`` listed at one moment, in ascending id order, and their views.

    ``index``: the runtime's routing index, caught up here (a new one without it);
    ``share``: the runtime's share (RUN-021), whose index each view gives and outside
    which no actor is resident; ``resident``: the runtime's residency check; ``only``:
    list that one actor, read by its own refs (one actor's page), not every actor's;
    ``last_error``: the text of an actor's last failed attempt, asked of a marked actor only.
    """

    def __init__(
        self,
        store: Store,
        *,
        index: RoutingIndex | None = None,
        share: Share | None = None,
        resident: Callable[[ObjectId], bool] | None = None,
        waiting: bool = False,
        only: ObjectId | None = None,
        last_error: Callable[[ObjectId], str | None] | None = None,
    ) -> None:
        self._store = store
        # heads first, then the outboxes the index reads: as new as they are (RUN-002.3)
        heads = _listed(store, HEADS_PREFIX, head_ref, head_actor, only)
        self._heads: dict[ObjectId, ObjectId] = heads
        self.index = RoutingIndex() if index is None else index
        self.index.refresh(store)
        self._marks = _listed(store, FAILED_PREFIX, failed_ref, failed_actor, only)
        self._names: dict[ObjectId, list[str]] = {}
        for name, actor in actor_names(store).items():  # bytewise order (REF-006)
            self._names.setdefault(actor, []).append(name)
        found = set(self._heads) | set(self._marks)
        if waiting:
            waits = self.index.recipients() - {OUTSIDE}
            found |= waits if only is None else waits & {only}
        self.actors: tuple[ObjectId, ...] = tuple(sorted(found, key=ObjectId.hex))
        self._known = frozenset(found)
        self._share = share
        self._resident = resident
        self._last_error = last_error

    @property
    def failed(self) -> int:
        """How many actors are marked failed."""
        return len(self._marks)

    def has(self, actor: ObjectId) -> bool:
        """Whether ``actor`` is listed."""
        return actor in self._known

    def share_of(self, actor: ObjectId) -> int | None:
        """``actor``'s share index under the runtime's share, by its placement key
        (RUN-021.6); ``None`` without a share."""
        if self._share is None:
            return None
        key = self.index.placements.placed.get(actor, actor)
        return int.from_bytes(key.digest[:8], "big") % self._share.n

    def in_share(self, actor: ObjectId, share: Share | None) -> bool:
        """Whether ``actor``'s placement key is in ``share`` (every actor without one)."""
        return share is None or share.owns(self.index.placements.placed.get(actor, actor))

    def head(self, actor: ObjectId) -> ObjectId | None:
        """``actor``'s head as listed, ``None`` without one."""
        return self._heads.get(actor)

    def marked(self, actor: ObjectId) -> bool:
        """Whether ``actor`` carries a failed mark."""
        return actor in self._marks

    def view(self, actor: ObjectId, timed: bool = True) -> ActorView:
        """``actor``'s view (``time`` left ``None`` unless ``timed``)."""
        store = self._store
        head = self._heads.get(actor)
        step = None if head is None else store.get_object(head)
        step = step if isinstance(step, Step) else None
        core_id = actor if step is None else step.core  # without a step: its genesis core
        code, kind = self._code(core_id)
        mark = self._marks.get(actor)
        share = self.share_of(actor)
        mine = self._share is None or share == self._share.k
        view = ActorView(
            actor=actor,
            head=head,
            names=tuple(self._names.get(actor, ())),
            code=code,
            kind=kind,
            failure=None if mark is None else _failure(store, mark),
            pending=self._pending(actor, step),
            share=share,
            resident=None if self._resident is None or not mine else self._resident(actor),
            time=None,
            last_error=(
                None if mark is None or self._last_error is None else self._last_error(actor)
            ),
        )
        return self.timed([view])[0] if timed else view

    def pending(self, actor: ObjectId) -> int:
        """The messages pending for ``actor`` (WIT-005), its head step read."""
        head = self._heads.get(actor)
        step = None if head is None else self._store.get_object(head)
        return self._pending(actor, step if isinstance(step, Step) else None)

    def _pending(self, actor: ObjectId, step: Step | None) -> int:
        """The messages pending for ``actor`` whose head is ``step`` (none: a first
        step's empty inbox), the routing index caught up before it (WIT-005)."""
        inbox = mailbox_entries(self._store, None if step is None else step.inbox)
        waiting = self.index.pending_for(self._store, actor, inbox)
        return sum(len(items) for items in waiting.values())

    def _code(self, core_id: ObjectId) -> tuple[ObjectId | None, str | None]:
        """The ``wit`` blob of core ``core_id`` and its ``runtime`` header, ``None`` each
        where the store holds no such core or blob (an actor whose genesis core is not
        here)."""
        try:
            core = self._store.get_object(core_id)
            code = core.entries.get(_WIT) if isinstance(core, Tree) else None
            blob = None if code is None else self._store.get_object(code)
        except GritError:
            return None, None
        kind = blob.headers.get(_RUNTIME) if isinstance(blob, Blob) else None
        return code, kind

    def timed(self, views: Iterable[ActorView]) -> list[ActorView]:
        """``views`` with their heads' step times, read from the store at once (RUN-027.1)."""
        listed = list(views)
        times: Mapping[ObjectId, float] = step_times(
            self._store, [v.head for v in listed if v.head is not None]
        )
        return [
            v if v.head is None else replace(v, time=format_step_time(times.get(v.head)))
            for v in listed
        ]

    def views(
        self,
        *,
        after: ObjectId | None = None,
        keep: Callable[[ActorView], bool] = lambda view: True,
        skip: Callable[[ObjectId], bool] = lambda actor: False,
        limit: int | None = None,
    ) -> list[ActorView]:
        """The views of the actors after ``after`` that ``skip`` passes and ``keep`` keeps,
        at most ``limit`` (``limit + 1`` read, so a caller knows whether more follow),
        timed.  ``skip`` is asked before an actor's objects are read."""
        start = "" if after is None else after.hex()
        found: list[ActorView] = []
        for actor in self.actors:
            if (after is not None and actor.hex() <= start) or skip(actor):
                continue
            view = self.view(actor, timed=False)
            if keep(view):
                found.append(view)
                if limit is not None and len(found) > limit:
                    break
        return self.timed(found)
