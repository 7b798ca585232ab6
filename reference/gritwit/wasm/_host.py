"""The host functions of ABI 1: the only authority a guest has (WASM-007 … WASM-014).

Pure Python over a :class:`Guest` — the guest's memory and fuel, which
:mod:`._engine` provides.  The host does all encoding and hashing: the guest
sees payload bytes, header text, text-form ids and core paths, never CBOR.
A :class:`StepHost` serves one transition and a :class:`QueryHost` one query;
a function the call may not use traps (WASM-014).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, Protocol

from .._codec import object_id
from .._errors import GritError, InvalidId, ObjectNotFound, OutputTooLarge, WasmTrap
from .._ids import ObjectId
from .._objects import Blob, GritObject, Tree, plain_blob
from ..wit._actors import QueryInput
from ..wit._model import (
    ObjectReader,
    Overlay,
    PendingMessage,
    Send,
    TransitionInput,
    TransitionOutput,
    get_tree,
    transition_output,
)
from ._abi import ABSENT, INVALID, SIGNAL, WasmLimits
from ._core import WorkingCore, parse_path, raw_dict

__all__ = ["Guest", "Host", "QueryHost", "StepHost"]

#: Messages of this type are not shown to the guest; the host reads them (WASM-010).
_HIDDEN = "genesis"


class Guest(Protocol):
    """The calling instance's memory and fuel, as the host functions see them.

    A range outside the memory traps (WASM-007.2); every byte copied across costs
    one unit of fuel (WASM-019).
    """

    def size(self) -> int: ...

    def read(self, ptr: int, length: int) -> bytes: ...

    def write(self, ptr: int, data: bytes) -> None: ...

    def take(self, ptr: int, length: int) -> bytes:
        """``length`` bytes at ``ptr``, a byte copied in costing a unit of fuel."""

    def give(self, value: bytes | None, buf: int, cap: int) -> int:
        """Copy-out (WASM-007.4): the first ``min(n, cap)`` bytes of ``value`` at ``buf``.

        Returns ``n``, or ``-1`` for ``None``, which writes nothing (WASM-007.5); a
        byte copied out costs a unit of fuel.
        """

    def charge(self, units: int) -> None:
        """Consume ``units`` of fuel; ``fuel-exhausted`` when there are not enough (WASM-019)."""


def _headers(raw: bytes) -> dict[str, str] | None:
    """A header block: NUL-terminated strings, name then value (WASM-008); ``None`` if bad."""
    if not raw:
        return {}
    if not raw.endswith(b"\x00"):
        return None
    try:
        parts = raw[:-1].decode("utf-8").split("\x00")
    except UnicodeDecodeError:
        return None
    names, values = parts[0::2], parts[1::2]
    if len(names) != len(values) or "" in names or len(set(names)) != len(names):
        return None
    return dict(zip(names, values, strict=True))


def _flags_clear(flags: int) -> bool:
    """Whether every ``flags`` bit but bit 0 is clear (WASM-012.4); if not → ``-2`` (WASM-008.4)."""
    return not flags & ~SIGNAL


def _blob(data: bytes, headers: dict[str, str]) -> Blob | None:
    """A blob of ``data`` and ``headers``, or ``None`` if they make no valid blob (OBJ-006)."""
    if not headers:  # no headers (OBJ-007.1): nothing to check
        return plain_blob(data)
    try:
        return Blob(data=data, headers=headers)
    except GritError:
        return None


def _text_id(raw: bytes) -> ObjectId | None:
    try:
        return ObjectId.from_hex(raw.decode("ascii"))
    except (UnicodeDecodeError, InvalidId):
        return None


def _walk(reader: ObjectReader, oid: ObjectId, names: tuple[str, ...]) -> ObjectId | None:
    """The id at ``names`` below ``oid`` (trees only), or ``None``."""
    for name in names:
        tree = get_tree(reader, oid)
        found = None if tree is None else tree.entries.get(name)
        if found is None:
            return None
        oid = found
    return oid


#: A host's method serving host function ``name`` is ``HOST_PREFIX + name``.
HOST_PREFIX: Final = "_h_"


class Host:
    """What every call shares: the working core, output accounting, trapping defaults."""

    def __init__(self, reader: ObjectReader, core: Tree, limits: WasmLimits) -> None:
        #: What the guest can read: the objects plus the blobs it created (WASM-011).  The
        #: transition's own :class:`Overlay` when it has one (the executor's, one per
        #: transition), which keeps their encodings for ``assemble`` (encoded once, ID-001).
        self.reader = reader if isinstance(reader, Overlay) else Overlay(reader)
        self.core = WorkingCore(self.reader, core)
        self.limits = limits
        self.created: list[GritObject] = []
        self._bytes = 0
        self._effects = 0

    def function(self, name: str) -> Callable[..., int]:
        """The host function ``name``; one this call may not use traps (WASM-014)."""
        found = getattr(self, HOST_PREFIX + name, None)
        if found is None:
            return self._unavailable(name)
        return found  # type: ignore[no-any-return]

    def _unavailable(self, name: str) -> Callable[..., int]:
        def trap(guest: Guest, *args: int) -> int:
            raise WasmTrap("WASM-014", f"host function {name!r} is not available in this call")

        return trap

    def _account(self, size: int, effects: int = 1) -> None:
        """Count output against the limits; exceeding them fails the call (WASM-018)."""
        self._bytes += size
        self._effects += effects
        if self._bytes > self.limits.output_bytes or self._effects > self.limits.output_effects:
            raise OutputTooLarge(
                "WASM-018.3",
                f"output of {self._bytes} bytes / {self._effects} effects exceeds "
                f"{self.limits.output_bytes} / {self.limits.output_effects}",
            )

    def _h_core_read(self, g: Guest, path: int, path_len: int, buf: int, cap: int) -> int:
        names = parse_path(g.take(path, path_len))
        if names is None:
            return INVALID
        found = self.core.lookup(names)
        return g.give(None if found is None else found.data, buf, cap)


class StepHost(Host):
    """The host of one transition (WASM-009 … WASM-013)."""

    def __init__(self, inp: TransitionInput, limits: WasmLimits) -> None:
        """The messages the guest sees: the pending ones but genesis, by sender (WASM-009.1)."""
        # Host.__init__(self, inp.objects, inp.core, limits), inline: a call per step less
        reader = inp.objects
        self.reader = reader if isinstance(reader, Overlay) else Overlay(reader)
        self.core = WorkingCore(self.reader, inp.core)
        self.limits = limits
        self.created = []
        self._bytes = 0
        self._effects = 0
        self.inp = inp
        #: (sender, index in the sender's pending list, message), hidden ones left out
        #: (``_mt(item)``, inline: a call per message less).
        pending = inp.pending
        visible: list[tuple[ObjectId, int, PendingMessage]] = []
        for sender in sorted(pending) if len(pending) > 1 else pending:  # loops: no
            for index, item in enumerate(pending[sender]):  # comprehension's function a step
                if raw_dict(item.message.headers).get("mt") != _HIDDEN:
                    visible.append((sender, index, item))
        self.visible = visible
        self.marked: dict[ObjectId, int] = {}
        self._names: dict[ObjectId, tuple[str, ...]] = {}
        self.sends: list[Send] = []

    def _message(self, i: int) -> tuple[ObjectId, int, PendingMessage]:
        if i >= len(self.visible):
            raise WasmTrap("WASM-009.7", f"message index {i} of {len(self.visible)}")
        return self.visible[i]

    def _h_msg_count(self, g: Guest) -> int:
        """How many messages the guest sees (WASM-009.1)."""
        return len(self.visible)

    def _h_msg_sender(self, g: Guest, i: int, buf: int, cap: int) -> int:
        """The sender's id in text form (WASM-009.2)."""
        sender = self._message(i)[0]
        return g.give(sender.hex().encode("ascii"), buf, cap)

    def _h_msg_header(self, g: Guest, i: int, name: int, name_len: int, buf: int, cap: int) -> int:
        """A header's value, or -1 when the message has no such header (WASM-009.3)."""
        visible = self.visible
        if i >= len(visible):  # self._message(i), inline
            raise WasmTrap("WASM-009.7", f"message index {i} of {len(visible)}")
        item = visible[i][2]
        try:
            key = g.take(name, name_len).decode("utf-8")
        except UnicodeDecodeError:
            return INVALID
        value = raw_dict(item.message.headers).get(key)
        return g.give(None if value is None else value.encode("utf-8"), buf, cap)

    def _content(self, g: Guest, i: int, path: int, path_len: int) -> ObjectId | int | None:
        visible = self.visible
        if i >= len(visible):  # self._message(i), inline
            raise WasmTrap("WASM-009.7", f"message index {i} of {len(visible)}")
        item = visible[i][2]
        raw = g.take(path, path_len)
        names = () if not raw else parse_path(raw)
        if names is None:
            return INVALID
        content = item.message.content
        return _walk(self.reader, content, names) if names else content

    def _h_msg_content(self, g: Guest, i: int, path: int, path_len: int, buf: int, cap: int) -> int:
        """The id of the content, or of the object at a path below it (WASM-009.4)."""
        found = self._content(g, i, path, path_len)
        if isinstance(found, int):
            return found
        return g.give(None if found is None else found.hex().encode("ascii"), buf, cap)

    def _h_msg_read(self, g: Guest, i: int, path: int, path_len: int, buf: int, cap: int) -> int:
        """The data of the object at a path of the content, when a blob (WASM-009.5)."""
        found = self._content(g, i, path, path_len)
        if isinstance(found, int):
            return found
        try:  # ``_get(self.reader, found)``, inline
            obj = None if found is None else self.reader.get_object(found)
        except ObjectNotFound:
            obj = None
        return g.give(obj.data if isinstance(obj, Blob) else None, buf, cap)

    def _h_msg_entry(
        self, g: Guest, i: int, path: int, path_len: int, k: int, buf: int, cap: int
    ) -> int:
        """The ``k``-th entry name, in canonical order, of a tree of the content (WASM-009.6)."""
        found = self._content(g, i, path, path_len)
        if isinstance(found, int):
            return found
        names = () if found is None else self._entry_names(found)
        name = names[k].encode("utf-8") if k < len(names) else None
        return g.give(name, buf, cap)

    def _entry_names(self, oid: ObjectId) -> tuple[str, ...]:
        """The entry names of tree ``oid`` in canonical order (empty if no tree), kept per call.

        Listing them costs the tree's size, while a call costs the guest one host call:
        a loop of ``msg_entry`` on a large tree must not list it every time.
        """
        names = self._names.get(oid)
        if names is None:
            tree = get_tree(self.reader, oid)
            names = self._names[oid] = () if tree is None else tuple(tree.entries)
        return names

    def _h_mark_read(self, g: Guest, i: int) -> int:
        """Mark message ``i`` and the sender's earlier ones read (WASM-010.1); returns 0."""
        if i >= len(self.visible):
            raise WasmTrap("WASM-010.4", f"mark_read({i}) of {len(self.visible)} messages")
        sender, index, _ = self.visible[i]
        if index >= self.marked.get(sender, 0):  # marks only grow: a prefix of each sender's
            self.marked[sender] = index + 1
        return 0

    def _h_core_set(
        self, g: Guest, path: int, path_len: int, data: int, size: int, hdrs: int, hdrs_len: int
    ) -> int:
        names = parse_path(g.take(path, path_len))
        payload, raw_headers = g.take(data, size), g.take(hdrs, hdrs_len)  # each may trap
        if raw_headers:
            headers = _headers(raw_headers)
            blob = None if names is None or headers is None else _blob(payload, headers)
        else:  # an empty block, no headers (WASM-008.3): nothing to check (OBJ-007.1)
            blob = plain_blob(payload)
        if names is None or blob is None:
            return INVALID
        output = size + hdrs_len

        def add(new: GritObject) -> ObjectId:
            """Count the output, then encode: once the path holds the blob (WASM-018.4)."""
            self._account(output)
            return self.reader.add(new)

        if not self.core.set_new(names, blob, add):
            return ABSENT
        self.created.append(blob)
        return 0

    def _h_core_link(self, g: Guest, path: int, path_len: int, oid: int, oid_len: int) -> int:
        """Set a path to an existing object (WASM-011.4): one effect, no bytes (WASM-018.2)."""
        names = parse_path(g.take(path, path_len))
        target = _text_id(g.take(oid, oid_len))
        if names is None or target is None:
            return INVALID
        if not self.core.set(names, target):
            return ABSENT
        self._account(0)
        return 0

    def _h_core_delete(self, g: Guest, path: int, path_len: int) -> int:
        """Remove a path and the trees left empty (WASM-011.5): one effect (WASM-018.2)."""
        names = parse_path(g.take(path, path_len))
        if names is None:
            return INVALID
        if not self.core.delete(names):
            return ABSENT
        self._account(0)
        return 0

    def _send(
        self, g: Guest, to: int, to_len: int, hdrs: int, hdrs_len: int, flags: int
    ) -> tuple[ObjectId, dict[str, str], bool] | None:
        """Recipient, headers, signal; ``None`` if one is malformed (WASM-008.1, WASM-008.3)."""
        recipient = _text_id(g.take(to, to_len))
        headers = _headers(g.take(hdrs, hdrs_len))
        if recipient is None or headers is None or not _flags_clear(flags):
            return None
        return recipient, headers, bool(flags & SIGNAL)

    def _h_send(
        self, g: Guest, to: int, to_len: int, hdrs: int, hdrs_len: int, data: int, size: int,
        flags: int,
    ) -> int:  # fmt: skip
        """Queue a message whose content is a new blob holding the data (WASM-012.1).

        Checked, then counted, then encoded (WASM-018.4).
        """
        payload = g.take(data, size)
        parsed = self._send(g, to, to_len, hdrs, hdrs_len, flags)
        if parsed is None:
            return INVALID
        self._account(size + hdrs_len)
        blob = plain_blob(payload)
        self.created.append(blob)
        self._queue(parsed, object_id(blob))
        return 0

    def _h_send_object(
        self, g: Guest, to: int, to_len: int, hdrs: int, hdrs_len: int, oid: int, oid_len: int,
        flags: int,
    ) -> int:  # fmt: skip
        """Queue a message whose content is an existing object (WASM-012.2); returns 0."""
        content = _text_id(g.take(oid, oid_len))
        parsed = self._send(g, to, to_len, hdrs, hdrs_len, flags)
        if parsed is None or content is None:
            return INVALID
        self._queue(parsed, content)
        self._account(hdrs_len)
        return 0

    def _queue(self, parsed: tuple[ObjectId, dict[str, str], bool], content: ObjectId) -> None:
        """Messages are sent in call order (WASM-012.5)."""
        recipient, headers, signal = parsed
        self.sends.append(
            Send(recipient=recipient, content=content, headers=headers, signal=signal)
        )

    # --- the result ----------------------------------------------------------------------

    def reads(self) -> dict[ObjectId, int]:
        """Read counts: each sender's marked prefix, extended over hidden messages.

        Only marked messages and the genesis messages after them are read (WASM-010.2,
        WASM-010.3).
        """
        read: dict[ObjectId, int] = {}
        for sender, items in self.inp.pending.items():
            count = self.marked.get(sender, 0)
            while count < len(items) and _mt(items[count]) == _HIDDEN:
                count += 1
            if count:
                read[sender] = count
        return read

    def output(self) -> TransitionOutput:
        """The transition's output, assembled as any other (WASM-013.1, WASM-011.7)."""
        core, trees = self.core.finish()
        return transition_output(core, self.reads(), tuple(self.sends), (*self.created, *trees))


class QueryHost(Host):
    """The host of one query: the head's core, the query's name, the answer (WASM-014)."""

    def __init__(self, name: str, inp: QueryInput, limits: WasmLimits) -> None:
        super().__init__(inp.objects, inp.core, limits)
        self.name = name
        self.answer: Blob | None = None

    def _h_query_name(self, g: Guest, buf: int, cap: int) -> int:
        return g.give(self.name.encode("utf-8"), buf, cap)

    def _h_answer(self, g: Guest, data: int, size: int, hdrs: int, hdrs_len: int) -> int:
        """Answer with a new blob (WASM-014.4), counted as output (WASM-018.1); returns 0.

        The blob is encoded only with the query's result, after the count (WASM-018.4).
        """
        payload, raw_headers = g.take(data, size), g.take(hdrs, hdrs_len)
        headers = _headers(raw_headers)
        blob = None if headers is None else _blob(payload, headers)
        if blob is None:
            return INVALID
        self.answer = blob
        self._account(size + hdrs_len)
        return 0

    def _h_answer_core(self, g: Guest, path: int, path_len: int) -> int:
        names = parse_path(g.take(path, path_len))
        if names is None:
            return INVALID
        found = self.core.lookup(names)
        if not isinstance(found, Blob):
            return ABSENT
        self._account(len(found.data))
        self.answer = found
        return 0


def _mt(item: PendingMessage) -> str | None:
    """``item.mt``, read from the headers' dict: no exception when a message has none."""
    mt: str | None = raw_dict(item.message.headers).get("mt")
    return mt


def _get(reader: ObjectReader, oid: ObjectId) -> GritObject | None:
    """Object ``oid``, or ``None`` when it is not present (one look-up, as ``get_blob``)."""
    try:
        return reader.get_object(oid)
    except ObjectNotFound:
        return None
