"""A receiver of wake-ups that carry what moved (RUN-020.8, RUN-020.9, RUN-020.10): it
gathers them over a short window, and answers a runtime's catch-up from them when they
chain onto its last read, without a journal read.

:class:`Gathered` is a part of :class:`~gritwit.store.PostgresBackend`.  A wait
(:meth:`Gathered.wait`) listens until a wake-up comes that may tell of a swap this
process has not read — one whose segments (:mod:`._pg_wake`) all lie at or below the
newest journal read of this process (:meth:`Gathered.saw`: its own commits', read
along with each, RUN-020.7) wakes no one — and then, for ``window`` seconds more,
gathers what else comes, so that a run catches up with several writers' commits at
once and commits what they sent it in one group (RUN-017).  A wait reads a payload's
part lines alone (:func:`._pg_wake.positions`); the rest is decoded when taken, and a
payload of swaps read already is dropped unread: a runtime busy with its own commits
finds many such queued at its next wait.  :meth:`Gathered.take`
chains the segments onto a reader's version (:func:`._pg_wake.chain`); an empty or
unreadable payload, a lost listening connection, a gap, or more segments than
:data:`KEPT` answer ``None``: the reader reads the journal, as it would without
payloads.  What it took is dropped, so nothing is served twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Final, TypedDict, TypeVar

from .._ids import ObjectId, compute_id
from . import _pg_ahead, _pg_listen, _pg_wake
from ._store_options import StoreOptions

__all__ = ["KEPT", "Gathered", "Receiving"]

#: Payloads kept at most between two catch-ups; past it they are dropped, and the next
#: catch-up reads the journal.
KEPT: Final = 4096

#: A catch-up's answer: the version it brings the reader to and the swaps since.
Answer = tuple[tuple[int, ...], list[tuple[str, ObjectId | None]]]
_A = TypeVar("_A")


class Wakes(TypedDict):
    """The wake-up options of a write (:func:`._pg_commit.run`'s ``notify`` and ``carry``)."""

    notify: str | None
    carry: bool
    quiet: bool


class Gathered:
    """The segments heard since the last :meth:`take`, over ``parts`` parts."""

    __slots__ = ("_guard", "_known", "_parts", "_payloads", "_unread")

    def __init__(self, parts: int) -> None:
        self._guard = threading.Lock()
        self._parts = parts
        #: The payloads heard that may tell of swaps not read yet, decoded when taken.
        self._payloads: list[str] = []
        #: Whether something heard could not be chained: an empty or unreadable payload,
        #: a lost connection, too many segments (the next catch-up reads the journal).
        self._unread = False
        #: The newest version of each part this process read in the journal.
        self._known = [0] * parts

    def saw(self, version: object) -> None:
        """A journal read of this process answered ``version`` (a version per part)."""
        if not isinstance(version, tuple) or len(version) != self._parts:
            return
        with self._guard:
            self._known = [max(a, b) for a, b in zip(self._known, version, strict=True)]

    def seen(self, answer: _A) -> _A:
        """:meth:`saw` the version of a journal read's ``answer`` (``None``: none), given back."""
        if answer is not None:
            self.saw(answer[0])  # type: ignore[index]
        return answer

    def wait(self, listener: _pg_listen.Listener, timeout: float, window: float) -> bool:
        """Wait at most ``timeout`` seconds for a wake-up that may tell of a swap not read
        yet (RUN-020.6), then gather for ``window`` seconds more (RUN-020.10); whether one
        came."""
        deadline = time.monotonic() + timeout
        while True:
            heard = listener.hear(max(0.0, deadline - time.monotonic()))
            if heard is None:
                return False
            if self._heard(heard):
                break
            if time.monotonic() >= deadline:
                return False
        end = time.monotonic() + window
        while (left := end - time.monotonic()) > 0:
            more = listener.hear(left)
            if more is None:
                break
            self._heard(more)
        return True

    def _heard(self, payloads: list[str]) -> bool:
        """Keep those of ``payloads`` that may tell of a swap not read yet, read from their
        part lines alone (decoded when taken); whether any not quiet does."""
        news = False
        with self._guard:
            known = self._known
            for payload in payloads:
                found = _pg_wake.positions(payload, self._parts)
                if found is None:
                    self._unread = news = True
                    continue
                quiet, moved = found
                if any(after > known[part] for part, after in moved):
                    news = news or not quiet
                    self._payloads.append(payload)
            if len(self._payloads) > KEPT:
                self._payloads.clear()
                self._unread = True
        return news

    def take(
        self,
        version: object,
        read: Callable[[list[ObjectId], list[bytes]], None] | None = None,
    ) -> Answer | None:
        """What the wake-ups heard since the last take tell a reader at ``version``
        (RUN-020.9): ``None`` when the reader must read the journal instead (nothing
        heard, something unreadable, a gap).  ``read`` is given the new targets and the
        outboxes the payloads named, and the objects they carried, to keep those and read
        the rest in one go, as a journal read brings them along (:mod:`._pg_ahead`)."""
        with self._guard:
            payloads, self._payloads = self._payloads, []
            unread, self._unread = self._unread, False
        if unread or not payloads:
            return None
        if not isinstance(version, tuple) or len(version) != self._parts:
            return None
        segments: list[_pg_wake.Segment] = []
        for payload in payloads:
            decoded = _pg_wake.decode(payload, self._parts)
            if decoded is None:  # malformed past its part lines
                return None
            segments += decoded
        answer = _pg_wake.chain(version, segments)
        if answer is None:
            return None
        self.saw(answer[0])
        if read is not None:
            taken = [s for s in segments if s.after > version[s.part]]
            ids = [new for _, new in answer[1] if new is not None]
            ids += (oid for s in taken for oid in s.outboxes)
            read(ids, [data for s in taken for data in s.objects])
        return answer


class Receiving:
    """The methods of :class:`~gritwit.store.PostgresBackend` that receive wake-ups."""

    __slots__ = ()
    _gathered: Gathered
    _listener: _pg_listen.Listener
    _ahead: _pg_ahead.ReadAhead
    options: StoreOptions
    _channel: str | None

    def read_many(self, oids: Iterable[ObjectId]) -> dict[ObjectId, bytes]:
        raise NotImplementedError  # the backend's

    def _wakes(self, wake: bool = True) -> Wakes:
        """How a write wakes others (``wake``: at all, RUN-020.6): on the store's channel,
        naming what moved unless ``gritwit_wake`` is ``empty`` (RUN-020.8); a write that
        wakes no one still names what moved, quietly, so that receivers' chains have no
        gap (RUN-020.9)."""
        carry = self.options.wake == "moves"
        notify = self._channel if wake or carry else None
        return {"notify": notify, "carry": carry, "quiet": not wake}

    def wait_for_swaps(self, timeout: float, window: float = 0.0) -> bool:
        """Wait at most ``timeout`` seconds for a notification that a writer swapped refs
        this process has not read (RUN-020.6), then gather for ``window`` seconds more
        (RUN-020.10): ``True`` when one came, ``False`` at the timeout."""
        return self._gathered.wait(self._listener, timeout, window)

    def woken(self, version: object) -> Answer | None:
        """What the wake-ups gathered since the last call tell a reader at ``version``,
        the objects they named read ahead in one read; ``None``: read the journal
        (RUN-020.9)."""
        return self._gathered.take(version, self._read_ahead)

    def _read_ahead(self, oids: list[ObjectId], carried: list[bytes]) -> None:
        """Keep the objects ``carried`` (those a wake-up may carry, :func:`._pg_wake.carryable`)
        and read those of ``oids`` it did not carry, in one read (none when it carried all)."""
        found = {compute_id(data): data for data in carried if _pg_wake.carryable(data)}
        missing = [oid for oid in dict.fromkeys(oids) if oid not in found]
        if missing:
            found.update(self.read_many(missing))
        if found:
            self._ahead.replace((oid.digest, data) for oid, data in found.items())
