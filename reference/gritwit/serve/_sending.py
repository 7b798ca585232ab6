"""The engine's sends: keys settled by the store, requests batched into one commit.

A drain of the engine's commands hands each :class:`~._engine_commands.Send` and
:class:`~._engine_commands.Create` to :class:`Sender`, then calls :meth:`Sender.flush`:
every send that is still to be made goes out in one
:meth:`~gritwit.runtime.Runtime.send_all`, one commit (RUN-003.4), durable when it
returns (the runtime's ``send_commit="own"``, RUN-019.1); only then is each request
answered with its message (HTTP-005.2, HTTP-004.2).

A keyed send (HTTP-005.3) is first looked for among the latest messages to its
recipient (:class:`~._keys.KeyWindows`, HTTP-005.4), then among the sends of this batch:
found, it is answered with that message, ``replayed``, and nothing is sent; found with
another content, ``mt`` or signal, it fails ``key-conflict`` (HTTP-005.5).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._codec import object_id
from .._errors import (
    GritError,
    InvalidGenesis,
    KeyConflict,
    ObjectNotFound,
    OutcomeUnknown,
    RefConflict,
    StoreBusy,
    StoreUnavailable,
)
from .._ids import ObjectId
from .._objects import GritObject, Message, Tree
from ..cores import name_blob
from ..runtime import NAME_ENTRY, PLACEMENT_HEADER, Runtime, name_ref
from ..store import Store, head_ref
from ..wit import OUTSIDE_REF, core_problem, outside_entries, read_outside
from ._engine_commands import Create, Created, Send, Sent
from ._keys import KEY_HEADER, Fingerprint, Found, KeyWindows
from ._problems import HttpProblem

__all__ = ["Sender", "outside_entry", "resolve", "fail"]

Future = concurrent.futures.Future[Any]


def resolve(future: Future, result: object) -> None:
    """Answer ``future`` unless its request went away meanwhile."""
    with contextlib.suppress(concurrent.futures.InvalidStateError):
        future.set_result(result)


def fail(future: Future, exc: BaseException) -> None:
    """Fail ``future`` unless its request went away meanwhile."""
    with contextlib.suppress(concurrent.futures.InvalidStateError):
        future.set_exception(exc)


def outside_entry(store: Store, recipient: ObjectId) -> ObjectId | None:
    """The outside's outbox entry for ``recipient``: its mailbox's, else the old ref's
    (RUN-003.4, RUN-003.5, RUN-019.6)."""
    entry = outside_entries(store, read_outside(store, [recipient])).get(recipient)
    if entry is None:
        old = store.get_ref(OUTSIDE_REF)
        if old is not None:
            entry = outside_entries(store, {OUTSIDE_REF: old}).get(recipient)
    return entry


#: Told a send's message once committed (and whether it replays another), or its error.
Done = Callable[[ObjectId | None, BaseException | None], None]


@dataclass(slots=True)
class _Queued:
    """One message of the batch, the request it belongs to (``group``: a request's
    messages are committed together or not at all), and who waits for it."""

    recipient: ObjectId
    content: ObjectId
    headers: dict[str, str] | None
    signal: bool
    objects: tuple[GritObject, ...]
    group: int
    done: list[Done]
    fingerprint: Fingerprint | None = None

    def succeed(self, message: ObjectId) -> None:
        for told in self.done:
            told(message, None)

    def fail(self, exc: BaseException) -> None:
        for told in self.done:
            told(None, exc)


def _telling(future: Future, answer: Callable[[ObjectId], object]) -> Done:
    """A :data:`Done` that answers ``future`` with ``answer(message)``, or fails it."""

    def told(message: ObjectId | None, exc: BaseException | None) -> None:
        if exc is not None:
            fail(future, exc)
        else:
            assert message is not None
            resolve(future, answer(message))

    return told


class _Gathered:
    """A batch request's answer (HTTP-005.7): one :class:`Sent` per entry, given once
    every entry is settled; the first error fails it whole."""

    def __init__(self, future: Future, size: int) -> None:
        self._future = future
        self._sent: list[Sent | None] = [None] * size
        self._left = size

    def part(self, index: int, replayed: bool) -> Done:
        def told(message: ObjectId | None, exc: BaseException | None) -> None:
            if exc is not None:
                fail(self._future, exc)
                return
            assert message is not None
            self.found(index, Sent(message, replayed))

        return told

    def found(self, index: int, sent: Sent) -> None:
        self._sent[index] = sent
        self._left -= 1
        if self._left == 0:
            resolve(self._future, [item for item in self._sent if item is not None])


def _conflict(key: str) -> KeyConflict:
    return KeyConflict("HTTP-005.5", f"the key {key!r} was sent with another content, mt or signal")


def _check_named(store: Store, core: Tree, actor: ObjectId, name: str) -> None:
    """A named creation's checks before anything is sent (HTTP-004.4, HTTP-004.5): the
    core holds the entry ``name`` with the name, and the name is free or names ``actor``."""
    if core.entries.get(NAME_ENTRY) != object_id(name_blob(name)):
        raise HttpProblem(
            400, "bad-request", f"HTTP-004.4: the core's entry 'name' does not hold {name!r}"
        )
    current = store.get_ref(name_ref(name))
    if current is not None and current != actor:
        raise RefConflict(
            "HTTP-004.5", f"{name} names actor {current}, not {actor}", current=current
        )


def _headers(send: Send) -> dict[str, str] | None:
    headers: dict[str, str] = {}
    if send.mt is not None:
        headers["mt"] = send.mt
    if send.key is not None:
        headers[KEY_HEADER] = send.key
    if send.placement is not None:
        headers[PLACEMENT_HEADER] = send.placement.hex()  # RUN-021.7: an id's text form
    return headers or None


class Sender:
    """Sends of one engine: the batch being gathered, and the keys it has seen."""

    def __init__(
        self,
        store: Store,
        runtime: Runtime,
        committed: Callable[[float], object] | None = None,
    ) -> None:
        self._store = store
        self._runtime = runtime
        #: Told the seconds of each commit that succeeded (``gritwit_commit_seconds``,
        #: HTTP-014.1).
        self._committed = committed
        self.windows = KeyWindows(self._message)
        self._batch: list[_Queued] = []
        self._keyed: dict[tuple[ObjectId, str], _Queued] = {}
        self._groups = 0

    def _message(self, oid: ObjectId) -> Message:
        message = self._store.get_object(oid)
        if not isinstance(message, Message):
            raise ObjectNotFound("RUN-019.6", f"{oid} on the outside's chain is not a message")
        return message

    def _settled(self, send: Send) -> Found | _Queued | None:
        """Where a keyed send's key is found: a message of the store, a send of this batch
        (HTTP-005.3), or ``None``; another send under the key → ``key-conflict``
        (HTTP-005.5)."""
        if send.key is None:
            return None
        asked = Fingerprint(content=send.content, mt=send.mt, signal=send.signal)
        under_way = self._keyed.get((send.recipient, send.key))
        if under_way is not None:
            if under_way.fingerprint != asked:
                raise _conflict(send.key)
            return under_way
        entry = outside_entry(self._store, send.recipient)
        found = self.windows.find(send.recipient, entry, send.key)
        if found is not None and not found.fingerprint.matches(asked):
            raise _conflict(send.key)
        return found

    def _queue(self, send: Send, group: int, done: Done) -> None:
        queued = _Queued(
            send.recipient,
            send.content,
            _headers(send),
            send.signal,
            send.objects,
            group,
            [done],
        )
        if send.key is not None:
            queued.fingerprint = Fingerprint(content=send.content, mt=send.mt, signal=send.signal)
            self._keyed[(send.recipient, send.key)] = queued
        self._batch.append(queued)

    def add_send(self, send: Send, future: Future) -> None:
        """Queue ``send``, or answer it now when its key was found (HTTP-005.3)."""
        settled = self._settled(send)
        if isinstance(settled, Found):  # sent before: durable, since it is on the chain
            resolve(future, Sent(settled.message, True))
        elif isinstance(settled, _Queued):  # answered with that send, once durable
            settled.done.append(_telling(future, lambda message: Sent(message, True)))
        else:
            self._groups += 1
            self._queue(send, self._groups, _telling(future, lambda m: Sent(m, False)))

    def add_batch(self, sends: tuple[Send, ...], future: Future) -> None:
        """Queue a batch request's sends as one send (HTTP-005.7): every key settled first,
        and one refused refuses the whole, queuing nothing."""
        settled = [self._settled(send) for send in sends]  # raises before anything is queued
        gathered = _Gathered(future, len(sends))
        self._groups += 1
        for index, (send, where) in enumerate(zip(sends, settled, strict=True)):
            if isinstance(where, Found):
                gathered.found(index, Sent(where.message, True))
            elif isinstance(where, _Queued):
                where.done.append(gathered.part(index, True))
            else:
                self._queue(send, self._groups, gathered.part(index, False))

    def add_create(self, create: Create, future: Future) -> None:
        """Queue a genesis, or answer now that the actor exists (HTTP-004.2, HTTP-004.3)."""
        objects: tuple[GritObject, ...]
        new = create.core
        if new.stored is not None:
            core = self._store.get_object(new.stored)  # not-found when absent
            if not isinstance(core, Tree):
                raise ObjectNotFound("HTTP-004.3", f"{new.stored} is not a tree")
            problem = core_problem(self._store, core)
            if problem is not None:
                raise InvalidGenesis("HTTP-004.3", problem)
            objects = ()
        else:
            assert new.core is not None
            core, objects = new.core, (*new.objects, new.core)
        actor = object_id(core)
        if new.name is not None:
            _check_named(self._store, core, actor, new.name)
        if self._store.get_ref(head_ref(actor)) is not None:
            resolve(future, Created(actor, None, True))
            return
        genesis = Send(
            recipient=actor,
            content=actor,
            objects=objects,
            mt="genesis",
            signal=False,
            key=None,
            placement=create.placement,  # HTTP-004.8; an existing actor's stays (above)
        )
        self._groups += 1
        self._queue(genesis, self._groups, _telling(future, lambda m: Created(actor, m, False)))

    async def flush(self) -> None:
        """Send the batch in one commit and answer each of its requests (HTTP-005.2)."""
        batch, self._batch, self._keyed = self._batch, [], {}
        if batch:
            await self._commit(batch)

    async def _commit(self, batch: list[_Queued]) -> None:
        messages = [(q.recipient, q.content, q.headers, q.signal) for q in batch]
        objects = [obj for q in batch for obj in q.objects]
        began = time.perf_counter()
        try:
            sent = await self._runtime.send_all(messages, objects)
        except (StoreUnavailable, OutcomeUnknown, StoreBusy) as exc:
            for queued in batch:  # the store's fault, for the whole commit (HTTP-005.6)
                queued.fail(exc)
            return
        except GritError as exc:
            groups = sorted({q.group for q in batch})
            if len(groups) == 1:
                for queued in batch:
                    queued.fail(exc)
                return
            for group in groups:  # one request's fault (or the write too large): each alone
                await self._commit([q for q in batch if q.group == group])
            return
        except Exception as exc:
            for queued in batch:
                queued.fail(exc)
            return
        if self._committed is not None:
            self._committed(time.perf_counter() - began)
        for queued, message in zip(batch, sent, strict=True):
            queued.succeed(message)
