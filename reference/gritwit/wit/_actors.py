"""The test actors of the suite (WIT-018 … WIT-028, WIT-030), as Python Wits with their queries.

Each actor reads every pending message, senders in id order, each sender's
messages oldest first (WIT-028.2).  Messages with a reserved type (``genesis``,
``update``; WIT-028.3) are read without effect, and so are messages whose content
is not what the actor's row requires (WIT-028.4): a test actor never fails on bad
input except where its clause says it fails.  Every byte an actor writes or sends
is fixed by its clause (decimals: WIT-028.6, WIT-028.7), so the Wasm builds in
``conformance/wasm/actors`` give the same step ids (``sleepy``, WIT-030, has none).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final, TypeAlias

from .._codec import object_id
from .._errors import InvalidId, UnknownQuery
from .._ids import ObjectId
from .._maps import Headers
from .._objects import Blob, GritObject, Step, Tree, make_headers, plain_blob, tree_with
from ._cores import TEST_RUNTIME, WIT, WIT_UPDATE
from ._model import (
    ObjectReader,
    Overlay,
    PendingMessage,
    Send,
    TransitionInput,
    TransitionOutput,
    TransitionTimeout,
    get_blob,
    get_tree,
    queued_send,
    transition_output,
)

__all__ = ["ACTOR_CLAUSES", "TEST_ACTORS", "TEST_UPDATERS", "Query", "QueryInput", "BuiltinActor"]

RESERVED: Final = frozenset({"genesis", "update"})
#: A decimal has at most this many ASCII digits (WIT-028.6).
DECIMAL_DIGITS: Final = 18
#: The largest count ``counter`` keeps (WIT-020.2).
MAX_COUNT: Final = 10**DECIMAL_DIGITS - 1
#: The longest name ``updater`` copies into its ``wit`` (WIT-023.1).
MAX_CODE_NAME: Final = 57_344
#: The longest ``nap`` ``sleepy`` takes, in milliseconds (WIT-030.1).
MAX_NAP_MS: Final = 5_000


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryInput:
    """What a query sees: the actor's head step and core (WIT-017)."""

    actor: ObjectId
    step: Step
    core: Tree
    objects: ObjectReader


Query: TypeAlias = Callable[[QueryInput], Blob]


@dataclass(frozen=True, slots=True, kw_only=True)
class BuiltinActor:
    """A named test actor: its Wit, its queries and its ``wut`` description (WIT-018)."""

    name: str
    description: str
    transition: Callable[[TransitionInput], TransitionOutput]
    messages: Mapping[str, str] = field(default_factory=dict)
    queries: Mapping[str, tuple[str, Query]] = field(default_factory=dict)

    def __call__(self, inp: TransitionInput) -> TransitionOutput:
        return self.transition(inp)

    def wut(self) -> dict[str, object]:
        """The ``wut`` document (schema ``wut.schema.json``; WIT-018)."""
        return {
            "name": self.name,
            "description": self.description,
            "messages": [{"mt": mt, "description": d} for mt, d in self.messages.items()],
            "queries": [
                {"name": "wut", "description": "This description, as JSON."},
                *({"name": n, "description": d} for n, (d, _) in self.queries.items()),
            ],
        }

    def wut_answer(self, name: str) -> Blob | None:
        """The blob answering ``wut``, which every test actor answers (WIT-018); else ``None``."""
        if name != "wut":
            return None
        text = json.dumps(self.wut(), sort_keys=True, separators=(",", ":"))
        return Blob(data=text.encode("utf-8"), headers={"content-type": "application/json"})

    def query(self, name: str, inp: QueryInput) -> Blob:
        """Answer query ``name`` (WIT-028.9); ``unknown-query`` for an unknown one (WIT-017.3)."""
        wut = self.wut_answer(name)
        if wut is not None:
            return wut
        if name not in self.queries:
            raise UnknownQuery("WIT-017.3", f"test actor {self.name!r} has no query {name!r}")
        return self.queries[name][1](inp)


# --- helpers -----------------------------------------------------------------------------


def _acts_on(item: PendingMessage) -> bool:
    """Whether a test actor acts on ``item``: a genesis or update is only read (WIT-028.3)."""
    return item.mt not in RESERVED


class _Out:
    """Accumulates one transition's effects, as every test actor describes them (WIT-028.1).

    Shared by every test actor that reads: what it does wrong, they all do wrong.
    The core is built again only when an entry was set, from the last one with the
    entries set (:func:`~gritwit._objects.tree_with`); until then the new core is the
    last one itself (WIT-028.8).
    """

    __slots__ = ("_changes", "inp", "objects", "sends")

    def __init__(self, inp: TransitionInput) -> None:
        self.inp = inp
        self._changes: dict[str, ObjectId] = {}  # core entries set so far
        self.sends: list[Send] = []
        self.objects: list[GritObject] = []

    def messages(self) -> Iterator[tuple[ObjectId, PendingMessage]]:
        """The messages to act on: senders in id order, oldest first (WIT-028.2)."""
        for sender in sorted(self.inp.pending):
            for item in self.inp.pending[sender]:
                if _acts_on(item):
                    yield sender, item

    def entry(self, name: str) -> ObjectId | None:
        """Core entry ``name`` as this transition has left it so far, or ``None``."""
        changed = self._changes.get(name)
        return self.inp.core.entries.get(name) if changed is None else changed

    def set_entry(self, name: str, oid: ObjectId) -> None:
        """Set core entry ``name``; every other entry is kept (WIT-028.8)."""
        self._changes[name] = oid

    def data(self, oid: ObjectId | None) -> bytes | None:
        """The data of ``oid`` when it is a present blob, else ``None`` (WIT-028.6)."""
        blob = None if oid is None else get_blob(self.inp.objects, oid)
        return None if blob is None else blob.data

    def tree(self, oid: ObjectId) -> Tree | None:
        """Tree ``oid``, as the test actors read it (WIT-028.1)."""
        return get_tree(self.inp.objects, oid)

    def new(self, obj: GritObject) -> ObjectId:
        """Record a new object of the transition; its id (WIT-028.1).

        Added to the transition's :class:`~gritwit.wit.Overlay` when it reads through
        one (the executor's), which encodes it once for :func:`~gritwit.wit.assemble`.
        """
        self.objects.append(obj)
        objects = self.inp.objects
        return objects.add(obj) if isinstance(objects, Overlay) else object_id(obj)

    def queue(self, recipient: ObjectId, content: ObjectId, mt: str) -> None:
        """Queue a message with the one header ``mt``, never a signal (WIT-028.5)."""
        self.sends.append(queued_send(recipient, content, _mt_headers(mt)))

    def set_decimal(self, entry: str, value: int) -> None:
        """Set core entry ``entry`` to the canonical decimal of ``value`` (WIT-028.7)."""
        self.set_entry(entry, self.new(_canonical(value)))

    def done(self) -> TransitionOutput:
        """The transition's output: it reads every pending message (WIT-028.2)."""
        core = tree_with(self.inp.core, self._changes) if self._changes else self.inp.core
        read = {sender: len(items) for sender, items in self.inp.pending.items()}
        return transition_output(core, read, tuple(self.sends), (*self.objects, core))


@functools.cache
def _mt_headers(mt: str) -> Headers:
    """The headers ``{"mt": mt}`` a test actor sends (WIT-028.5), validated once per type."""
    return make_headers({"mt": mt})


_DIGITS: Final = frozenset(b"0123456789")


def _decimal(data: bytes | None) -> int | None:
    """The value of a decimal: 1 to 18 ASCII digits (WIT-028.6); ``None`` for anything else."""
    if data is None or not 1 <= len(data) <= DECIMAL_DIGITS or not _DIGITS.issuperset(data):
        return None
    return int(data)


def _canonical(value: int) -> Blob:
    """The canonical decimal of ``value``: digits, no headers, no padding (WIT-028.7)."""
    return plain_blob(b"%d" % value)  # as Blob(data=…): digits, no headers


def _actor_id(data: bytes | None) -> ObjectId | None:
    """A text-form id (WIT-028.6) for ``fanout`` (WIT-021), ``requester`` (WIT-026); else None."""
    if data is None or len(data) != 64:
        return None
    try:
        return ObjectId.from_hex(data.decode("ascii"))
    except (InvalidId, UnicodeDecodeError):  # not an id: the entry names no actor
        return None


def _entry_query(entry: str, default: bytes) -> Query:
    """The queries ``count`` (WIT-020.5), ``budget`` (WIT-025.5), ``answer`` (WIT-026.3).

    The entry's blob as stored, else a blob of ``default`` without headers.
    """

    def run(q: QueryInput) -> Blob:
        oid = q.core.entries.get(entry)
        blob = None if oid is None else get_blob(q.objects, oid)
        return blob if blob is not None else Blob(data=default)

    return run


# --- the actors --------------------------------------------------------------------------


def _echo(inp: TransitionInput) -> TransitionOutput:
    """``echo`` (WIT-019.1): replies ``mt: echo`` with the same content to every message."""
    out = _Out(inp)
    for sender, item in out.messages():
        out.queue(sender, item.message.content, "echo")
    return out.done()


def _counter(inp: TransitionInput) -> TransitionOutput:
    """``counter`` (WIT-020): ``count`` from 0; ``inc`` adds (1 when empty); ``get`` replies."""
    out = _Out(inp)
    stored = out.data(out.entry("count"))
    count = _decimal(stored) or 0  # WIT-020.1
    changed = stored is None  # absent or not a blob: written (WIT-020.4)
    for sender, item in out.messages():
        if item.mt == "inc":
            data = out.data(item.message.content)
            amount = 1 if data == b"" else _decimal(data)  # WIT-020.2
            if amount is not None and count + amount <= MAX_COUNT:
                count, changed = count + amount, True
        elif item.mt == "get":
            out.queue(sender, out.new(_canonical(count)), "count")  # WIT-020.3
    if changed:
        out.set_decimal("count", count)
    return out.done()


def _fanout(inp: TransitionInput) -> TransitionOutput:
    """``fanout`` (WIT-021.1): queues ``fanned`` with the same content to each actor named."""
    out = _Out(inp)
    for _, item in out.messages():
        tree = out.tree(item.message.content) if item.mt == "fanout" else None
        for oid in [] if tree is None else tree.entries.values():  # canonical order
            recipient = _actor_id(out.data(oid))
            if recipient is not None:
                out.queue(recipient, item.message.content, "fanned")
    return out.done()


def _spawner(inp: TransitionInput) -> TransitionOutput:
    """``spawner`` (WIT-022.1): sends the genesis of each ``spawn`` core, replies ``spawned``."""
    out = _Out(inp)
    for sender, item in out.messages():
        if item.mt == "spawn":
            core = item.message.content
            out.queue(core, core, "genesis")
            out.queue(sender, out.new(Blob(data=core.hex().encode("utf-8"))), "spawned")
    return out.done()


def _updater(inp: TransitionInput) -> TransitionOutput:
    """``updater`` (WIT-023): ``set-code`` changes its own ``wit`` in its own transition."""
    out = _Out(inp)
    for _, item in out.messages():
        name = out.data(item.message.content) if item.mt == "set-code" else None
        if name is not None and len(name) <= MAX_CODE_NAME:  # copied unchecked (WIT-023.1)
            out.set_entry(WIT, out.new(Blob(data=name, headers={"runtime": TEST_RUNTIME})))
    return out.done()


def _failing(inp: TransitionInput) -> TransitionOutput:
    """``failing`` (WIT-024): every transition fails, the first one included."""
    raise RuntimeError("the failing test actor fails every transition (WIT-024)")


def _budget(inp: TransitionInput) -> TransitionOutput:
    """``budget`` (WIT-025): grants a ``spend`` not above the budget, refuses the others."""
    out = _Out(inp)
    budget = start = _decimal(out.data(out.entry("budget"))) or 0  # WIT-025.1
    for sender, item in out.messages():
        if item.mt != "spend":
            continue
        amount = _decimal(out.data(item.message.content))
        if amount is None:  # not a decimal: refused with the empty blob (WIT-025.3)
            out.queue(sender, out.new(Blob(data=b"")), "refused")
            continue
        granted = amount <= budget  # WIT-025.2
        budget -= amount if granted else 0
        out.queue(sender, out.new(_canonical(amount)), "granted" if granted else "refused")
    if budget != start:  # written only when the value changed (WIT-025.4)
        out.set_decimal("budget", budget)
    return out.done()


def _requester(inp: TransitionInput) -> TransitionOutput:
    """``requester``: ``ask`` queues a question (WIT-026.1), ``echo`` sets ``answer`` (WIT-026.2)"""
    out = _Out(inp)
    for _, item in out.messages():
        if item.mt == "ask" and (tree := out.tree(item.message.content)) is not None:
            to, question = tree.entries.get("to"), tree.entries.get("question")
            recipient = _actor_id(out.data(to))
            if recipient is not None and question is not None:
                out.queue(recipient, question, "question")
        elif item.mt == "echo":
            out.set_entry("answer", item.message.content)
    return out.done()


def _slow(inp: TransitionInput) -> TransitionOutput:
    """``slow`` (WIT-027.1): its transition overruns the runtime's time bound."""
    # The spec's `slow` never returns.  Looping here would hang the suite, so the
    # reference simulates the overrun: a real runtime bounds wall time and sees the
    # same outcome — a failed transition.
    raise TransitionTimeout("slow: the transition overran its time bound (WIT-027.1)")


def _sleepy(inp: TransitionInput) -> TransitionOutput:
    """``sleepy`` (WIT-030.1): really sleeps for each ``nap``, then ``slept`` = its content.

    The step depends only on the input (WIT-011); the sleep only takes wall time, for
    the runtime's bound to measure (RUN-005.5, RUN-005.6).
    """
    out = _Out(inp)
    for _, item in out.messages():
        if item.mt != "nap":
            continue
        millis = _decimal(out.data(item.message.content))
        if millis is not None and millis <= MAX_NAP_MS:  # else read without effect (WIT-028.4)
            time.sleep(millis / 1000)  # a real sleep on the monotonic clock, never simulated
            out.set_entry("slept", item.message.content)
    return out.done()


def _replace(inp: TransitionInput) -> TransitionOutput:
    """``replace`` (WIT-014.2): the new core is the update's tree without ``wit_update``."""
    (sender, (item,)) = next(iter(inp.pending.items()))
    tree = get_tree(inp.objects, item.message.content)
    if tree is None:
        raise ValueError("an update's content must be a tree (WIT-013.1)")
    entries = {k: v for k, v in tree.entries.items() if k != WIT_UPDATE}
    core = Tree(entries=entries)
    return TransitionOutput(core=core, read={sender: 1}, new_objects=(core,))


#: Test actor name → the requirement that fixes its behaviour (WIT-019 … WIT-027, WIT-030).
ACTOR_CLAUSES: Final = {
    "echo": "WIT-019",
    "counter": "WIT-020",
    "fanout": "WIT-021",
    "spawner": "WIT-022",
    "updater": "WIT-023",
    "failing": "WIT-024",
    "budget": "WIT-025",
    "requester": "WIT-026",
    "slow": "WIT-027",
    "sleepy": "WIT-030",
}

TEST_ACTORS: Final[dict[str, BuiltinActor]] = {
    actor.name: actor
    for actor in (
        BuiltinActor(
            name="echo",
            description="Replies to every message with mt 'echo' and the same content.",
            transition=_echo,
            messages={"*": "Any message: echoed back to its sender."},
        ),
        BuiltinActor(
            name="counter",
            description="Keeps a decimal count in its core entry 'count'.",
            transition=_counter,
            messages={
                "inc": "Adds the decimal integer in the content (1 when empty).",
                "get": "Replies mt 'count' with the current count.",
            },
            queries={"count": ("The current count, decimal.", _entry_query("count", b"0"))},
        ),
        BuiltinActor(
            name="fanout",
            description="Forwards a tree of actor ids to each of them as mt 'fanned'.",
            transition=_fanout,
            messages={"fanout": "Content: a tree of name -> blob holding a text-form actor id."},
        ),
        BuiltinActor(
            name="spawner",
            description="Creates actors by sending genesis messages.",
            transition=_spawner,
            messages={"spawn": "Content: a core; sends its genesis, replies mt 'spawned'."},
        ),
        BuiltinActor(
            name="updater",
            description="Changes its own code through its own transition.",
            transition=_updater,
            messages={"set-code": "Content: a blob naming a test actor to become."},
        ),
        BuiltinActor(
            name="failing",
            description="Every transition fails, reading nothing.",
            transition=_failing,
        ),
        BuiltinActor(
            name="budget",
            description="Grants spends while its decimal 'budget' lasts.",
            transition=_budget,
            messages={"spend": "Content: a decimal amount; replies mt 'granted' or 'refused'."},
            queries={"budget": ("The remaining budget, decimal.", _entry_query("budget", b"0"))},
        ),
        BuiltinActor(
            name="requester",
            description="Asks questions of other actors and keeps the echoed answer.",
            transition=_requester,
            messages={
                "ask": "Content: a tree with 'to' (text-form actor id) and 'question'.",
                "echo": "Stores the content id as core entry 'answer'.",
            },
            queries={
                "answer": ("The last answer blob (empty if none).", _entry_query("answer", b""))
            },
        ),
        BuiltinActor(
            name="slow",
            description="Its transition never ends; the runtime must bound it.",
            transition=_slow,
        ),
        BuiltinActor(
            name="sleepy",
            description="Sleeps for each mt 'nap' before its step ends; the runtime bounds it.",
            transition=_sleepy,
            messages={"nap": "Content: a decimal number of milliseconds, at most 5000."},
        ),
    )
}

#: Update functions a ``wit_update`` blob may name (WIT-014.2).
TEST_UPDATERS: Final[dict[str, Callable[[TransitionInput], TransitionOutput]]] = {
    "replace": _replace
}
