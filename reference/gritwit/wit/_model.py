"""The values a transition receives and returns (chapter *Wit*), and the outside (WIT-003).

A *Wit* is any callable from :class:`TransitionInput` to :class:`TransitionOutput`;
it fails by raising.  Everything here is a frozen value: a transition
cannot change its input, and the runtime decides alone what is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, TypeAlias, TypeVar

from .._codec import Encoded, encode_with_id
from .._errors import ObjectNotFound
from .._ids import ObjectId
from .._maps import raw_of
from .._objects import EMPTY_HEADERS, Blob, GritObject, Message, Step, Tree
from ._ahead import read_ahead_through, walks_of

__all__ = [
    "OUTSIDE",
    "ObjectReader",
    "Overlay",
    "PendingMessage",
    "ReadOnce",
    "Send",
    "TransitionInput",
    "TransitionOutput",
    "TransitionTimeout",
    "Wit",
]

#: The pseudo-actor that external messages come from, id 32 zero bytes (the executor keeps
#: its outbox).
OUTSIDE: Final = ObjectId(bytes(32))


class ObjectReader(Protocol):
    """Read access to objects by id (a :class:`~gritwit.Store` is one)."""

    def get_object(self, oid: ObjectId) -> GritObject: ...

    def has(self, oid: ObjectId) -> bool: ...


class Overlay:
    """``base`` plus objects not yet stored: what a transition can see while it runs (WIT-006).

    An object :meth:`add` encodes keeps its encoding, by identity, for
    :func:`~gritwit.wit.assemble`, so that a transition's new object is encoded and
    hashed once (ID-001), not again when it is stored.
    """

    __slots__ = ("_base", "_encoded", "_extra")

    def __init__(self, base: ObjectReader, extra: Mapping[ObjectId, GritObject] = {}) -> None:
        self._base = base
        self._extra = dict(extra)
        #: ``id(obj)`` → ``(obj, its encoding)``; holding ``obj`` keeps its ``id`` unique.
        self._encoded: dict[int, tuple[GritObject, Encoded]] = {}

    def add(self, obj: GritObject) -> ObjectId:
        encoded = encode_with_id(obj)
        self._encoded[id(obj)] = (obj, encoded)
        self._extra.setdefault(encoded[1], obj)
        return encoded[1]

    def encoding(self, obj: GritObject) -> Encoded | None:
        """The encoding :meth:`add` made of this very object, or ``None``."""
        found = self._encoded.get(id(obj))
        return None if found is None else found[1]

    def get_object(self, oid: ObjectId) -> GritObject:
        found = self._extra.get(oid)
        if found is not None:
            return found
        return self._base.get_object(oid)

    def has(self, oid: ObjectId) -> bool:
        return oid in self._extra or self._base.has(oid)

    def read_ahead(self, oids: Sequence[ObjectId], budget: int) -> dict[ObjectId, GritObject]:
        """The objects of ``oids`` it holds and its base's read-ahead of the others
        (:mod:`gritwit.wit._ahead`, SBX-006.15)."""
        return read_ahead_through(self._extra.get, self._base, oids, budget)

    @property
    def _walks(self) -> dict[Any, Any] | None:
        """Its base's memo of the core walks of this transition (:class:`ReadOnce`), if any:
        what it adds are the transition's own objects, so a walk through it finds what a
        walk through its base found."""
        return walks_of(self._base)


class ReadOnce:
    """``base``, each object read from it kept for the rest of one transition (a genesis).

    A genesis walks its whole core up to three times: the bound's walk of a core that
    enters (SBX-006.17), the mount (SBX-006.15) and the presence check of the new core
    (WIT-007.5).  Through this reader each object is read from ``base`` once (a runtime's
    cache keeps fewer objects than a core of 2**18 blobs holds, and asks a SQLite store for
    a cached blob's tombstone at every read, RUN-011.3); what it keeps is what the mount
    holds anyway (SBX-006.14), and it is dropped with the transition.
    """

    __slots__ = ("_base", "_read", "_walks")

    def __init__(self, base: ObjectReader) -> None:
        self._base = base
        self._read: dict[ObjectId, GritObject] = {}
        #: The walks of a core done in this transition, for a later walk of the same core
        #: with the same bounds to take instead of walking again (:mod:`gritwit.wit._ahead`);
        #: private, so a Wit's reader offers no more than reading (RUN-016.2)
        self._walks: dict[Any, Any] = {}

    def get_object(self, oid: ObjectId) -> GritObject:
        found = self._read.get(oid)
        if found is None:
            found = self._read[oid] = self._base.get_object(oid)
        return found

    def has(self, oid: ObjectId) -> bool:
        return oid in self._read or self._base.has(oid)

    def read_ahead(self, oids: Sequence[ObjectId], budget: int) -> dict[ObjectId, GritObject]:
        """The objects of ``oids`` read already and its base's read-ahead of the others,
        kept for the rest of the transition as a read is (:mod:`gritwit.wit._ahead`)."""
        memo = self._read
        found = read_ahead_through(memo.get, self._base, oids, budget)
        memo.update(found)
        return found


_Kind = TypeVar("_Kind", Blob, Tree)


def _get_kind(reader: ObjectReader, oid: ObjectId, kind: type[_Kind]) -> _Kind | None:
    """The object ``oid`` if it is a ``kind``, or ``None`` when absent or another kind."""
    try:
        obj = reader.get_object(oid)
    except ObjectNotFound:
        return None
    return obj if isinstance(obj, kind) else None


def get_blob(reader: ObjectReader, oid: ObjectId) -> Blob | None:
    """The blob ``oid``, or ``None`` when absent or not a blob."""
    return _get_kind(reader, oid, Blob)


def get_tree(reader: ObjectReader, oid: ObjectId) -> Tree | None:
    """The tree ``oid``, or ``None`` when absent or not a tree."""
    return _get_kind(reader, oid, Tree)


@dataclass(frozen=True, slots=True)
class PendingMessage:
    """One pending message (WIT-005) and its id."""

    id: ObjectId
    message: Message
    #: The message type header (WIT-003), if any: read once, when the message is found
    #: (the runtime, the executor and the test actors each look at it).
    mt: str | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mt", self.message.headers.get("mt"))


@dataclass(frozen=True, slots=True, kw_only=True)
class TransitionInput:
    """What a transition of ``actor`` receives (WIT-006, WIT-012).

    ``core`` is the last step's core, or the genesis core on the first transition;
    ``pending`` maps each sender with pending messages to them, oldest first.
    """

    actor: ObjectId
    last_step: Step | None
    core: Tree
    pending: Mapping[ObjectId, tuple[PendingMessage, ...]]
    objects: ObjectReader


@dataclass(frozen=True, slots=True, kw_only=True)
class Send:
    """A message to send: queued (WIT-004) unless ``signal``."""

    recipient: ObjectId
    content: ObjectId
    headers: Mapping[str, str] = EMPTY_HEADERS
    signal: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TransitionOutput:
    """What a successful transition returns (WIT-007 … WIT-009).

    ``read`` maps a sender to how many of its pending messages were read (a
    prefix, WIT-008); ``new_objects`` holds every object the transition created
    that the new core and the sent contents reference.
    """

    core: Tree
    read: Mapping[ObjectId, int] = field(default_factory=dict)
    sends: tuple[Send, ...] = ()
    new_objects: tuple[GritObject, ...] = ()


# --- trusted constructors --------------------------------------------------------------
#
# The executor and the test actors make one input, one output and a send or two per
# transition from values they vouch for.  A frozen dataclass's ``__init__`` parses
# keywords and sets each field through ``object.__setattr__``; the functions below
# make the very same object (same class, same fields, frozen all the same) by
# setting each slot through its descriptor, at about a third of the cost.
# They check nothing the constructors do not check either: these have no
# ``__post_init__``.

_new = object.__new__


def _setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """The ``__set__`` of slot ``name`` of ``cls``: it bypasses a frozen class's ``__setattr__``."""
    setter: Callable[[Any, Any], None] = getattr(cls, name).__set__
    return setter


_set_id, _set_message = _setter(PendingMessage, "id"), _setter(PendingMessage, "message")
_set_mt = _setter(PendingMessage, "mt")
_set_actor = _setter(TransitionInput, "actor")
_set_last_step = _setter(TransitionInput, "last_step")
_set_input_core = _setter(TransitionInput, "core")
_set_pending = _setter(TransitionInput, "pending")
_set_objects = _setter(TransitionInput, "objects")
_set_recipient, _set_content = _setter(Send, "recipient"), _setter(Send, "content")
_set_headers, _set_signal = _setter(Send, "headers"), _setter(Send, "signal")
_set_output_core = _setter(TransitionOutput, "core")
_set_read, _set_sends = _setter(TransitionOutput, "read"), _setter(TransitionOutput, "sends")
_set_new_objects = _setter(TransitionOutput, "new_objects")


def pending_message(oid: ObjectId, message: Message) -> PendingMessage:
    """``PendingMessage(oid, message)``, made as above."""
    item = _new(PendingMessage)
    _set_id(item, oid)
    _set_message(item, message)
    _set_mt(item, raw_of(message.headers).get("mt"))  # as __post_init__: headers are Headers
    return item


def transition_input(
    actor: ObjectId,
    last_step: Step | None,
    core: Tree,
    pending: Mapping[ObjectId, tuple[PendingMessage, ...]],
    objects: ObjectReader,
) -> TransitionInput:
    """``TransitionInput(actor=actor, last_step=last_step, …)``, made as above."""
    inp = _new(TransitionInput)
    _set_actor(inp, actor)
    _set_last_step(inp, last_step)
    _set_input_core(inp, core)
    _set_pending(inp, pending)
    _set_objects(inp, objects)
    return inp


def queued_send(recipient: ObjectId, content: ObjectId, headers: Mapping[str, str]) -> Send:
    """``Send(recipient=recipient, content=content, headers=headers)`` (no signal), as above."""
    send = _new(Send)
    _set_recipient(send, recipient)
    _set_content(send, content)
    _set_headers(send, headers)
    _set_signal(send, False)
    return send


def transition_output(
    core: Tree,
    read: Mapping[ObjectId, int],
    sends: tuple[Send, ...],
    new_objects: tuple[GritObject, ...],
) -> TransitionOutput:
    """``TransitionOutput(core=…, read=…, sends=…, new_objects=…)``, made as above."""
    out = _new(TransitionOutput)
    _set_output_core(out, core)
    _set_read(out, read)
    _set_sends(out, sends)
    _set_new_objects(out, new_objects)
    return out


class TransitionTimeout(Exception):
    """A transition overran its time bound (WIT-027); the runtime treats it as a failure."""


Wit: TypeAlias = Callable[[TransitionInput], TransitionOutput]
