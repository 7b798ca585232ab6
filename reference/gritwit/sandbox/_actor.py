"""A sandboxed Python program as an actor's Wit: one transition is one run (SBX-010 … SBX-015).

:meth:`SandboxWits.wit_for` turns a ``wit`` blob of runtime ``python-wasi`` into a
:class:`SandboxWit`, a callable with the signature of every Wit
(``TransitionInput -> TransitionOutput``, failing by raising, WIT-006), so the
executor and the durable runtime run Python actors like any other.  A transition:

* presents the pending messages, senders in id order and each sender's oldest first,
  as ``messages`` of ``/input/transition.json`` (SBX-010), at most the input bound of
  them (``_input.py``, SBX-010.5), the rest left pending;
* mounts the core without its code entries ``wit`` and ``wit_update``, which the
  new core takes back unchanged (SBX-011);
* reads every message it was handed, and turns the declared sends into queued
  messages whose content is a new blob of the declared data (SBX-012);
* fails, adopting nothing, when the run fails (SBX-013).

It calls :func:`~gritwit.sandbox.run_python` only: the state is mounted from the
transition's reader (one copy, SBX-006.14), the run's objects are kept beside it, and
only those the new core and the sends reference become the transition's new objects
(WIT-007.3).
"""

from __future__ import annotations

import base64
import bisect
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from .._codec import object_id
from .._deadline import CHECK_EVERY, checkpoint
from .._errors import (
    GritError,
    InvalidTransition,
    OutputTooLarge,
    TooLarge,
    UnknownQuery,
    UnknownWit,
)
from .._ids import ObjectId
from .._maps import TreeEntries, canonical_key_order, raw_of
from .._objects import Blob, GritObject, Message, Tree
from ..wit._actors import QueryInput
from ..wit._ahead import read_ahead_through, walks_of
from ..wit._cores import code_blob
from ..wit._model import (
    ObjectReader,
    Overlay,
    PendingMessage,
    Send,
    TransitionInput,
    TransitionOutput,
    get_blob,
)
from ._input import INPUT_BYTES, handed
from ._interpreter import INSTALL_HINT, INTERPRETER_SHA256, interpreter_path, module_tree_id
from ._mount import MAX_CORE_ENTRIES, Mounted, count_entries
from ._run import SandboxLimits, run_python
from ._run import Send as DeclaredSend
from ._wit import RUNTIME, program_of

__all__ = ["CODE_ENTRIES", "SandboxWit", "SandboxWits", "interpreter_id", "message_json"]

#: The core entries that hold code: not mounted, kept unchanged by a run (SBX-011.1).
CODE_ENTRIES: Final = frozenset({"wit", "wit_update"})
#: Message types a program cannot send: only the outside creates and updates (SBX-012.3).
_RESERVED: Final = frozenset({"genesis", "update"})
#: The limits of a transition: the run's defaults (SBX-006.3).
ACTOR_LIMITS: Final = SandboxLimits()


def interpreter_id() -> ObjectId:
    """The id of the interpreter this host holds (SBX-002.3); ``unknown-wit`` without one.

    Read from the optional extra (or ``$GRITWIT_SANDBOX_PYTHON``) once per file.
    """
    path = interpreter_path()
    if path is None or not path.is_file():
        raise UnknownWit("SBX-002.1", INSTALL_HINT)
    stat = path.stat()
    return _interpreter_id(str(path), stat.st_size, stat.st_mtime_ns)


@cache
def _interpreter_id(path: str, size: int, mtime_ns: int) -> ObjectId:
    data = Path(path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != INTERPRETER_SHA256:
        raise UnknownWit("SBX-002.2", f"{path} is not the pinned interpreter (sha256 {digest})")
    return module_tree_id(data)


def message_json(reader: ObjectReader, sender: ObjectId, item: PendingMessage) -> dict[str, Any]:
    """One pending message as the program sees it in ``messages`` (SBX-010.2)."""
    content = item.message.content
    blob = get_blob(reader, content)
    return {
        "id": item.id.hex(),
        "from": sender.hex(),
        "headers": dict(item.message.headers),
        "content": content.hex(),
        "data": None if blob is None else base64.b64encode(blob.data).decode("ascii"),
    }


class FuelTally:
    """Fuel units the transitions of one :class:`SandboxWits` consumed (SBX-006.1): what a
    service's metrics count (HTTP-014.1).  A run that failed reports none, so it adds none."""

    __slots__ = ("spent",)

    def __init__(self) -> None:
        self.spent = 0


@dataclass(frozen=True, slots=True)
class SandboxWit:
    """One ``python-wasi`` program as a Wit: call it like any Wit (WIT-006)."""

    blob_id: ObjectId
    program: str
    limits: SandboxLimits
    tally: FuelTally | None = None
    #: The input bound of SBX-010.5 (a test may set a smaller one).
    input_bytes: int = INPUT_BYTES

    def __call__(self, inp: TransitionInput) -> TransitionOutput:
        """One transition: one run of the program over the core and the pending messages.

        Raises the run's typed error (SBX-008) or ``invalid-transition`` (SBX-011.2,
        SBX-012.3); then no step is adopted (SBX-013.1).
        """
        reader = inp.objects
        # at most the input bound, the rest left pending (SBX-010.5); the senders' order
        # rotates with the last step's id
        start = inp.actor if inp.last_step is None else object_id(inp.last_step)
        messages, read = handed(reader, inp.pending, start, message_json, self.input_bytes)
        raw = raw_of(inp.core.entries)
        code = {name: raw[name] for name in CODE_ENTRIES if name in raw}
        state = _state_of(raw)
        # the state is read from the reader, one copy (SBX-006.14); what the run makes is
        # added to the transition's overlay, encoded once for the step (ID-001)
        layered = _Layered(reader)
        mount = layered.put_object(state) if state is not None else None
        result = run_python(
            self.program, store=layered, core=mount, messages=messages, limits=self.limits
        )
        if self.tally is not None:
            self.tally.spent += result.fuel
        entries: dict[str, bytes] = {}
        created: dict[ObjectId, GritObject] = {}
        unchanged = result.core is not None and result.core == mount  # the state as it was
        if result.core is not None and not unchanged:
            left = layered.get_object(result.core)
            assert isinstance(left, Tree)
            entries = raw_of(left.entries)
            touched = CODE_ENTRIES & entries.keys()
            if touched:
                raise InvalidTransition(
                    "SBX-011.2",
                    f"the program left {', '.join(sorted(touched))} in /core: "
                    "a program cannot write its own code",
                )
            for oid, obj in _new_objects(layered.made, entries.values()):
                created.setdefault(oid, obj)
        sends = []
        for declared in result.sends:
            if declared.headers.get("mt") in _RESERVED:
                raise InvalidTransition(
                    "SBX-012.3", f"a program cannot send mt {declared.headers['mt']!r}"
                )
            try:  # headers or names no object can carry (OBJ-006): the file is malformed
                made = _content(declared)
                content = object_id(made[-1])
                Message(content=content, headers=declared.headers)
            except GritError as exc:
                raise InvalidTransition("SBX-004.5", f"a send's content: {exc}") from None
            for obj in made:
                created.setdefault(object_id(obj), obj)
            sends.append(Send(recipient=declared.to, content=content, headers=declared.headers))
        return TransitionOutput(
            # the state left as it was, beside the code it was cut from: the core itself
            core=inp.core if unchanged else _with_code(entries, code),
            read=read,
            sends=tuple(sends),
            new_objects=tuple(created.values()),
        )

    def query(self, name: str, inp: QueryInput) -> Blob:
        """A ``python-wasi`` actor answers no query in this version (SBX-014.1)."""
        raise UnknownQuery("SBX-014.1", f"a python-wasi actor answers no query ({name!r:.60})")


def _content(declared: DeclaredSend) -> list[GritObject]:
    """The objects of a declared send's content, the content last: the blob of its data
    (SBX-012.2), or each entry's blob and the tree that names them (SBX-012.5)."""
    if declared.tree is None:
        return [Blob(data=declared.data)]
    blobs = {
        name: Blob(data=data, headers=headers) for name, (headers, data) in declared.tree.items()
    }
    tree = Tree(entries={name: object_id(blob) for name, blob in blobs.items()})
    return [*blobs.values(), tree]


class SandboxWits:
    """Turns ``wit`` blobs of runtime ``python-wasi`` into Wits (SBX-001, SBX-010).

    ``limits`` bound every transition (SBX-006), ``input_bytes`` the messages each is
    handed (SBX-010.5); programs are cached by the blob's id.
    """

    __slots__ = ("_programs", "_tally", "input_bytes", "limits")

    def __init__(
        self, limits: SandboxLimits = ACTOR_LIMITS, input_bytes: int = INPUT_BYTES
    ) -> None:
        self.limits = limits
        self.input_bytes = input_bytes
        self._programs: dict[ObjectId, str] = {}
        self._tally = FuelTally()

    @property
    def fuel_spent(self) -> int:
        """Fuel units its Wits' successful transitions consumed so far (SBX-006.1)."""
        return self._tally.spent

    def bound_core(self, reader: ObjectReader, core: Tree) -> None:
        """Refuse a core the next run could not mount (SBX-006.17): ``too-large`` when what
        would be mounted (SBX-011.1) expands past SBX-006.15's entries or holds more than
        the core limit (SBX-006.16), found by the mount's own walk, nothing mounted."""
        top = _state_of(raw_of(core.entries))
        if top is None:
            return
        try:
            # the walk keys the top by its id alone: any digest no tree of the core has
            count_entries(
                reader, _UNNAMED_TOP, top, Mounted(), MAX_CORE_ENTRIES, self.limits.core_bytes
            )
        except OutputTooLarge as exc:
            raise TooLarge("SBX-006.17", f"{exc.detail}; the core is refused") from None

    def wit_for(self, reader: ObjectReader, blob_id: ObjectId) -> SandboxWit:
        """The Wit of the ``wit`` blob ``blob_id``; ``unknown-wit`` as SBX-001 and SBX-002 say."""
        program = self._programs.get(blob_id)
        if program is None:
            blob = code_blob(reader, blob_id, RUNTIME, "SBX-001.1")
            program = program_of(blob, interpreter_id())
            self._programs[blob_id] = program
        return SandboxWit(blob_id, program, self.limits, self._tally, self.input_bytes)


class _Layered:
    """The transition's reader with the run's new objects in front: objects are read where
    they are, once (the reader's copy is the mount's, SBX-006.14); the run's new objects
    are kept in :attr:`made` and, where the reader is the transition's
    :class:`~gritwit.wit.Overlay`, added to it, so each is encoded once for the step."""

    __slots__ = ("_add", "_reader", "made")

    def __init__(self, reader: ObjectReader) -> None:
        self._reader = reader
        self._add = reader.add if isinstance(reader, Overlay) else object_id
        #: What the run put, by id: the only objects of the new core the reader lacks.
        self.made: dict[ObjectId, GritObject] = {}

    def get_object(self, oid: ObjectId) -> GritObject:
        found = self.made.get(oid)
        return self._reader.get_object(oid) if found is None else found

    def has(self, oid: ObjectId) -> bool:
        return oid in self.made or self._reader.has(oid)

    def read_ahead(self, oids: Sequence[ObjectId], budget: int) -> dict[ObjectId, GritObject]:
        """What the run made of ``oids`` and its reader's read-ahead of the others
        (:mod:`gritwit.wit._ahead`: the mount's walk, SBX-006.15)."""
        return read_ahead_through(self.made.get, self._reader, oids, budget)

    @property
    def _walks(self) -> dict[Any, Any] | None:
        """Its reader's memo of the core walks of this transition, if any
        (:func:`~gritwit.wit._ahead.walks_of`): what the run adds are its own objects."""
        return walks_of(self._reader)

    def put_object(self, obj: GritObject) -> ObjectId:
        oid = self._add(obj)  # too-large past ENC-013, as a store's put (SBX-007.6)
        self.made.setdefault(oid, obj)
        return oid


#: The key :meth:`SandboxWits.bound_core`'s walk gives the state it counts, whose own id
#: it never needs: 32 zero bytes, the hash of no encoding found, so no tree of a core has it.
_UNNAMED_TOP: Final = ObjectId(bytes(32))


def _state_of(raw: dict[str, bytes]) -> Tree | None:
    """What a run mounts of a core whose entries are ``raw`` (SBX-011.1): every entry but
    the code's, ``None`` when none is left.  A subset of a tree's entries is in canonical
    order and valid as they are, so the tree is made without checking or sorting them
    again (a core of 2**18 names, SBX-006.15)."""
    if CODE_ENTRIES.isdisjoint(raw):
        state = raw
    else:
        state = {name: digest for name, digest in raw.items() if name not in CODE_ENTRIES}
    return Tree(entries=TreeEntries._trusted(state)) if state else None


def _with_code(entries: dict[str, bytes], code: dict[str, bytes]) -> Tree:
    """The new core: what the run left (``entries``, a tree's, no code among them) and the
    code entries the run did not see (SBX-011.1), in canonical order.  Both are valid tree
    entries already; each code entry is put in its place with a binary search."""
    if not code:  # nothing at all: refused as an empty tree is (OBJ-010)
        return Tree(entries=TreeEntries._trusted(entries)) if entries else Tree(entries={})
    items = list(entries.items())
    for name, digest in sorted(code.items(), key=lambda item: canonical_key_order(item[0])):
        at = bisect.bisect(items, canonical_key_order(name), key=_item_order)
        items.insert(at, (name, digest))
    return Tree(entries=TreeEntries._trusted(dict(items)))


def _item_order(item: tuple[str, bytes]) -> tuple[int, bytes]:
    return canonical_key_order(item[0])


def _new_objects(
    made: dict[ObjectId, GritObject], roots: Iterable[bytes]
) -> Iterator[tuple[ObjectId, GritObject]]:
    """The objects under ``roots`` (digests) the run made (the run's creations), with their
    ids; everything else under them is the reader's already, and is not looked at."""
    seen: set[ObjectId] = set()
    ours = {oid[0] for oid in made}
    stack = [ObjectId._trusted(digest) for digest in roots if digest in ours]
    while stack:
        oid = stack.pop()
        if oid in seen:
            continue
        obj = made.get(oid)
        if obj is None:
            continue
        seen.add(oid)
        if len(seen) % CHECK_EVERY == 0:
            checkpoint()  # RUN-005.10
        if isinstance(obj, Tree):
            stack.extend(ObjectId._trusted(d) for d in raw_of(obj.entries).values() if d in ours)
        yield oid, obj
