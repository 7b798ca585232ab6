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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._codec import object_id
from .._errors import (
    GritError,
    InvalidGenesis,
    KeyConflict,
    ObjectNotFound,
    OutcomeUnknown,
    StoreBusy,
    StoreUnavailable,
)
from .._ids import ObjectId
from .._objects import GritObject, Message, Tree
from ..runtime import Runtime
from ..store import Store, head_ref
from ..wit import OUTSIDE_REF, core_problem, outside_entries, read_outside
from ._engine_commands import Create, Created, Send, Sent
from ._keys import KEY_HEADER, Fingerprint, KeyWindows

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


@dataclass(slots=True)
class _Queued:
    """One send of the batch: the message to make, and who waits for it."""

    recipient: ObjectId
    content: ObjectId
    headers: dict[str, str] | None
    signal: bool
    objects: tuple[GritObject, ...]
    future: Future
    answer: Callable[[ObjectId, bool], object]
    fingerprint: Fingerprint | None = None
    replays: list[Future] = field(default_factory=list)

    def succeed(self, message: ObjectId) -> None:
        resolve(self.future, self.answer(message, False))
        for replay in self.replays:
            resolve(replay, self.answer(message, True))

    def fail(self, exc: BaseException) -> None:
        for future in (self.future, *self.replays):
            fail(future, exc)


def _conflict(key: str) -> KeyConflict:
    return KeyConflict("HTTP-005.5", f"the key {key!r} was sent with another content, mt or signal")


class Sender:
    """Sends of one engine: the batch being gathered, and the keys it has seen."""

    def __init__(self, store: Store, runtime: Runtime) -> None:
        self._store = store
        self._runtime = runtime
        self.windows = KeyWindows(self._message)
        self._batch: list[_Queued] = []
        self._keyed: dict[tuple[ObjectId, str], _Queued] = {}

    def _message(self, oid: ObjectId) -> Message:
        message = self._store.get_object(oid)
        if not isinstance(message, Message):
            raise ObjectNotFound("RUN-019.6", f"{oid} on the outside's chain is not a message")
        return message

    def add_send(self, send: Send, future: Future) -> None:
        """Queue ``send``, or answer it now when its key was found (HTTP-005.3)."""
        headers: dict[str, str] = {}
        if send.mt is not None:
            headers["mt"] = send.mt
        queued = _Queued(
            send.recipient,
            send.content,
            headers,
            send.signal,
            send.objects,
            future,
            lambda message, replayed: Sent(message, replayed),
        )
        if send.key is not None:
            headers[KEY_HEADER] = send.key
            asked = Fingerprint(content=send.content, mt=send.mt, signal=send.signal)
            slot = (send.recipient, send.key)
            under_way = self._keyed.get(slot)
            if under_way is not None:  # a send of this batch: answered with it, once durable
                if under_way.fingerprint != asked:
                    fail(future, _conflict(send.key))
                else:
                    under_way.replays.append(future)
                return
            entry = outside_entry(self._store, send.recipient)
            found = self.windows.find(send.recipient, entry, send.key)
            if found is not None:  # sent before: durable, since it is on the chain
                if found.fingerprint.matches(asked):
                    resolve(future, Sent(found.message, True))
                else:
                    fail(future, _conflict(send.key))
                return
            queued.fingerprint = asked
            self._keyed[slot] = queued
        queued.headers = headers or None
        self._batch.append(queued)

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
        if self._store.get_ref(head_ref(actor)) is not None:
            resolve(future, Created(actor, None, True))
            return
        self._batch.append(
            _Queued(
                actor,
                actor,
                {"mt": "genesis"},
                False,
                objects,
                future,
                lambda message, _: Created(actor, message, False),
            )
        )

    async def flush(self) -> None:
        """Send the batch in one commit and answer each of its requests (HTTP-005.2)."""
        batch, self._batch, self._keyed = self._batch, [], {}
        if batch:
            await self._commit(batch)

    async def _commit(self, batch: list[_Queued]) -> None:
        messages = [(q.recipient, q.content, q.headers, q.signal) for q in batch]
        objects = [obj for q in batch for obj in q.objects]
        try:
            sent = await self._runtime.send_all(messages, objects)
        except (StoreUnavailable, OutcomeUnknown, StoreBusy) as exc:
            for queued in batch:  # the store's fault, for the whole commit (HTTP-005.6)
                queued.fail(exc)
            return
        except GritError as exc:
            if len(batch) == 1:
                batch[0].fail(exc)
                return
            for queued in batch:  # one send's fault (or the write too large): one by one
                await self._commit([queued])
            return
        except Exception as exc:
            for queued in batch:
                queued.fail(exc)
            return
        for queued, message in zip(batch, sent, strict=True):
            queued.succeed(message)
