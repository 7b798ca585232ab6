"""A transition's output to its step, messages and mailboxes (WIT-007 … WIT-009, WIT-015, WIT-016).

:func:`assemble` is pure: it checks the output against the input, builds every
new object and returns them with the step; it stores nothing, so a rejected
transition has no effect (WIT-006).  The caller stores the objects first and
moves the head second.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._codec import Encoded, encode_with_id, object_id
from .._errors import FrozenCore, InvalidTransition
from .._ids import ObjectId
from .._objects import GritObject, Mailbox, Message, Step, Tree
from ._cores import PROTECTED_ENTRIES, WIT, core_problem
from ._model import ObjectReader, Overlay, Send, TransitionInput, TransitionOutput
from ._pending import mailbox_entries

__all__ = ["Assembled", "assemble", "check_core_present"]


@dataclass(frozen=True, slots=True)
class Assembled:
    """A checked transition: the new step, its id, and every object to store (step last).

    ``encodings`` holds each object's canonical encoding and id, in the same
    order, as :func:`~gritwit._codec.encode_with_id` returned them, so the store
    takes them without hashing them again (STO-002.1).
    """

    step: Step
    step_id: ObjectId
    objects: tuple[GritObject, ...]
    encodings: tuple[Encoded, ...]


def check_core_present(
    reader: ObjectReader, tree: Tree, before: Tree | None = None, path: str = ""
) -> None:
    """Every object the core references is present, at any depth (WIT-007.3).

    Subtrees equal to the same entry of ``before`` (the last core, checked at its
    own step) are not walked again, so a step costs what it changed, not the
    size of the whole core.  Depth-first with an explicit stack: a core of any
    depth is checked without running out of Python's call stack.
    """
    stack = [(iter(tree.entries.items()), before, path)]
    while stack:
        entries, old_tree, prefix = stack[-1]
        item = next(entries, None)
        if item is None:
            stack.pop()
            continue
        name, oid = item
        if old_tree is not None and old_tree.entries.get(name) == oid:
            continue
        if not reader.has(oid):
            raise InvalidTransition(
                "WIT-007.3", f"core entry {prefix}{name} ({oid}) is not provided"
            )
        child = reader.get_object(oid)
        if isinstance(child, Tree):
            old = (
                reader.get_object(old_tree.entries[name])
                if old_tree and name in old_tree.entries
                else None
            )
            old_child = old if isinstance(old, Tree) else None
            stack.append((iter(child.entries.items()), old_child, f"{prefix}{name}/"))


def _check_reads(inp: TransitionInput, out: TransitionOutput) -> None:
    """Each sender's read count names a prefix of what was pending (WIT-008.2, WIT-008.3)."""
    for sender, count in out.read.items():
        available = len(inp.pending.get(sender, ()))
        if type(count) is not int or not 0 <= count <= available:
            raise InvalidTransition(
                "WIT-008.3",
                f"read {count!r} of {available} pending messages from {sender}: "
                "a transition reads a prefix of what is pending",
            )


def _check_core(inp: TransitionInput, out: TransitionOutput, reader: ObjectReader) -> None:
    """The new core: a ``wit`` (WIT-015), present (WIT-007.3), valid (WIT-007.2), WIT-016.

    ``reader`` sees the store and the transition's new objects.
    """
    if WIT not in out.core.entries:
        raise InvalidTransition("WIT-015", "the new core has no 'wit' entry")
    # The first core (the genesis core) is walked whole; later ones only where changed.
    check_core_present(reader, out.core, None if inp.last_step is None else inp.core)
    problem = core_problem(reader, out.core)
    if problem is not None:
        raise InvalidTransition("WIT-007.2", f"the new core is not a valid core: {problem}")
    if "frozen" in inp.core.entries:
        for name in PROTECTED_ENTRIES:
            if inp.core.entries.get(name) != out.core.entries.get(name):
                raise FrozenCore("WIT-016", f"the core is frozen; entry {name!r} cannot change")


def _group_sends(sends: tuple[Send, ...], reader: ObjectReader) -> dict[ObjectId, list[Send]]:
    """Sends by recipient: contents present (WIT-007.3), signals alone (WIT-009.2, WIT-009.3)."""
    grouped: dict[ObjectId, list[Send]] = {}
    for send in sends:
        if not reader.has(send.content):
            raise InvalidTransition("WIT-007.3", f"sent content {send.content} is not provided")
        grouped.setdefault(send.recipient, []).append(send)
    for recipient, group in grouped.items():
        signals = sum(send.signal for send in group)
        if signals > 1 or (signals and len(group) > 1):
            raise InvalidTransition(
                "WIT-009.2",
                f"to {recipient}: never a signal and a queue together (WIT-009.2), "
                "at most one signal (WIT-009.3)",
            )
    return grouped


def assemble(
    inp: TransitionInput,
    out: TransitionOutput,
    reader: ObjectReader,
    *,
    last_id: ObjectId | None = None,
) -> Assembled:
    """Check ``out`` against ``inp`` and build the new step, its inbox and outbox.

    The step's fields (WIT-007.1), the inbox (WIT-008.1), the outbox (WIT-009.1) and the
    chain of each sent message (WIT-004); the checks of WIT-007.2, WIT-007.3, WIT-008.3,
    WIT-009.2, WIT-009.3, WIT-015 and WIT-016 are the helpers above.

    ``reader`` sees the store as it was when the transition started; ``last_id``,
    when the caller knows it, is the id of ``inp.last_step`` (else it is computed).
    Raises ``invalid-transition`` or ``frozen-core`` naming the rule broken.
    Every object is encoded once; the encodings come back with the objects.
    """
    last = inp.last_step
    created = _Created(inp.objects if isinstance(inp.objects, Overlay) else None)
    if last is not None and out.core == inp.core:
        # The core did not change: it is the last step's, stored with it, under its id (ID-001).
        created.known(out.core, last.core)
    for obj in out.new_objects:
        created.add(obj)
    overlay = Overlay(reader, created.by_id)  # what the checks see: the store and new_objects
    core_id = created.add(out.core)
    _check_reads(inp, out)
    _check_core(inp, out, overlay)
    grouped = _group_sends(out.sends, overlay)

    inbox = mailbox_entries(reader, None if last is None else last.inbox)
    for sender, count in out.read.items():
        if count:
            inbox[sender] = inp.pending[sender][count - 1].id

    outbox = mailbox_entries(reader, None if last is None else last.outbox)
    for recipient, group in grouped.items():
        for send in group:
            previous = None if send.signal else outbox.get(recipient)
            message = Message(content=send.content, previous=previous, headers=send.headers)
            outbox[recipient] = created.add(message)

    inbox_id = None if not inbox else created.add(Mailbox(entries=inbox))
    outbox_id = None if not outbox else created.add(Mailbox(entries=outbox))
    if last is not None and last_id is None:
        last_id = object_id(last)
    step = Step(
        actor=inp.actor,
        core=core_id,
        previous=None if last is None else last_id,
        inbox=inbox_id,
        outbox=outbox_id,
    )
    step_id = created.add(step)
    return Assembled(step, step_id, tuple(created.by_id.values()), tuple(created.encodings))


class _Created:
    """The objects a transition creates, each encoded once, in first-seen order, no repeats.

    An object added twice (the new core is usually among ``new_objects`` too) is
    recognised by identity and not encoded again; so is one already stored whose
    id the caller knows (:meth:`known`), which is not stored again either, and one
    the transition's ``overlay`` encoded when the Wit added it (ID-001).
    """

    __slots__ = ("_overlay", "_seen", "by_id", "encodings")

    def __init__(self, overlay: Overlay | None = None) -> None:
        self.by_id: dict[ObjectId, GritObject] = {}
        self.encodings: list[Encoded] = []
        #: ``id(obj)`` → ``(obj, oid)`` of each object added; holding ``obj`` keeps its id unique.
        self._seen: dict[int, tuple[GritObject, ObjectId]] = {}
        self._overlay = overlay

    def known(self, obj: GritObject, oid: ObjectId) -> None:
        """``obj`` is stored already, under ``oid``: adding it returns ``oid`` and keeps nothing."""
        self._seen[id(obj)] = (obj, oid)

    def add(self, obj: GritObject) -> ObjectId:
        seen = self._seen.get(id(obj))
        if seen is not None:
            return seen[1]
        encoded = None if self._overlay is None else self._overlay.encoding(obj)
        if encoded is None:
            encoded = encode_with_id(obj)
        oid = encoded[1]
        self._seen[id(obj)] = (obj, oid)
        if oid not in self.by_id:
            self.by_id[oid] = obj
            self.encodings.append(encoded)
        return oid
