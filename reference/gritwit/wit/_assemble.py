"""A transition's output to its step, messages and mailboxes (WIT-007 … WIT-009, WIT-015, WIT-016).

:func:`assemble` is pure: it checks the output against the input, builds every
new object and returns them with the step; it stores nothing, so a rejected
transition has no effect (WIT-006).  The caller stores the objects first and
moves the head second.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from operator import attrgetter

from .._codec import Encoded, encode_map_with_id, encode_with_id, object_id
from .._deadline import CHECK_EVERY, checkpoint
from .._errors import FrozenCore, InvalidId, InvalidTransition
from .._ids import ObjectId
from .._maps import Headers, raw_of
from .._objects import GritObject, Mailbox, Message, Step, Tree, mailbox_with
from ._cores import FROZEN_ENTRIES, WIT, core_problem
from ._model import ObjectReader, Overlay, Send, TransitionInput, TransitionOutput, _setter
from ._outbox import MERGE_CAP, SMALL_BASE, OutboxChain, build_outbox, read_chain
from ._pending import mailbox_raw

__all__ = ["Assembled", "assemble", "check_core_present"]

_signal = attrgetter("signal")


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
    #: The step's inbox and outbox (``None``: it has none, or the maker did not say): the
    #: runtime routes from them without reading them back (RUN-001.4).
    inbox: Mailbox | None = None
    outbox: Mailbox | None = None


_set_step, _set_step_id = _setter(Assembled, "step"), _setter(Assembled, "step_id")
_set_objects, _set_encodings = _setter(Assembled, "objects"), _setter(Assembled, "encodings")
_set_inbox, _set_outbox = _setter(Assembled, "inbox"), _setter(Assembled, "outbox")


def _assembled(
    step: Step,
    step_id: ObjectId,
    objects: tuple[GritObject, ...],
    encodings: tuple[Encoded, ...],
    inbox: Mailbox | None = None,
    outbox: Mailbox | None = None,
) -> Assembled:
    """``Assembled(step, step_id, objects, encodings, inbox, outbox)``, made as the trusted
    constructors of :mod:`gritwit.wit._model` make theirs (the same object, a third of the
    cost)."""
    built = object.__new__(Assembled)
    _set_step(built, step)
    _set_step_id(built, step_id)
    _set_objects(built, objects)
    _set_encodings(built, encodings)
    _set_inbox(built, inbox)
    _set_outbox(built, outbox)
    return built


# --- objects assemble makes from parts valid already ---------------------------
#
# A message's content and headers (when an ``ObjectId`` and ``Headers``, the types the
# constructors make), a mailbox's raw entries (:func:`mailbox_with`) and a step's ids are
# valid as they are: the object is made through its slots, without its ``__post_init__``,
# and encoded from its CBOR-level map, made beside it in the canonical key order of
# ``_codec._to_value`` (ENC-010), without taking the object apart again.
# ``test_trusted_builds`` holds each to the validating constructor and ``encode_with_id``.

_new = object.__new__
_new_id = tuple.__new__  # ObjectId._trusted without its frame: a digest read from an object
_set_content, _set_previous = _setter(Message, "content"), _setter(Message, "previous")
_set_headers = _setter(Message, "headers")
_set_actor, _set_core = _setter(Step, "actor"), _setter(Step, "core")
_set_step_previous = _setter(Step, "previous")
_set_inbox_id, _set_outbox_id = _setter(Step, "inbox"), _setter(Step, "outbox")


def _message(
    content: ObjectId, previous: ObjectId | None, headers: Headers
) -> tuple[Message, dict[str, object]]:
    """``Message(content=content, previous=previous, headers=headers)`` and its map (OBJ-012)."""
    message = _new(Message)
    _set_content(message, content)
    _set_previous(message, previous)
    _set_headers(message, headers)
    value: dict[str, object] = {"type": "message", "content": content[0]}
    raw = raw_of(headers)
    if raw:
        value["headers"] = raw
    if previous is not None:
        value["previous"] = previous[0]
    return message, value


def _step(
    actor: ObjectId,
    core: ObjectId,
    previous: ObjectId | None,
    inbox: ObjectId | None,
    outbox: ObjectId | None,
) -> tuple[Step, dict[str, object]]:
    """``Step(actor=actor, core=core, …)`` and its map (OBJ-015); every id an ``ObjectId``."""
    step = _new(Step)
    _set_actor(step, actor)  # every slot, as Step(…) sets them; no zip to make
    _set_core(step, core)
    _set_step_previous(step, previous)
    _set_inbox_id(step, inbox)
    _set_outbox_id(step, outbox)
    value: dict[str, object] = {"core": core[0], "type": "step", "actor": actor[0]}
    if inbox is not None:
        value["inbox"] = inbox[0]
    if outbox is not None:
        value["outbox"] = outbox[0]
    if previous is not None:
        value["previous"] = previous[0]
    return step, value


def _mailbox_map(mailbox: Mailbox) -> dict[str, object]:
    """The map of a mailbox (OBJ-013): its raw entries, in canonical order already."""
    return {"type": "mailbox", "entries": raw_of(mailbox.entries)}


def check_core_present(
    reader: ObjectReader, tree: Tree, before: Tree | None = None, path: str = ""
) -> None:
    """Every object the core references is present, at any depth (WIT-007.3, WIT-007.5).

    Subtrees equal to the same entry of ``before`` (the last core, checked at its
    own step) are not walked again, so a step costs what it changed, not the
    size of the whole core; nor is an object met again under another name (a core
    that names one subtree many times is walked once per distinct tree, WIT-007.5, and
    one that names a blob at 2**18 names asks the reader about it once).
    Depth-first with an explicit stack of frames, each holding one tree's entries
    and its own name only: the path of an entry is joined for the error's message
    alone, so the host's memory stays linear in the core's depth and size.  Entries
    are compared as stored (name → digest); only a changed one is looked up.  Run for
    an attempt that was given up, it stops within :data:`CHECK_EVERY` entries
    (RUN-005.10: the attempt's thread's deadline, ``time-limit``).
    """
    walked: set[bytes] = set()
    stack = [(iter(raw_of(tree.entries).items()), _raw_entries(before), path)]
    has, get = reader.has, reader.get_object
    steps = 0
    while stack:
        entries, old, _name = stack[-1]
        # a frame's entries in one loop, left for the tree below when one is met: the
        # stack's frame is not unpacked again at every entry (gate figure: a genesis of a
        # flat core of 2**18 distinct blobs checked its new core in 0.33 s of CPU an entry
        # a turn of the outer loop, in 0.19 to 0.21 s so, load 4 to 5 on 2 cores)
        for name, digest in entries:
            steps += 1
            if steps >= CHECK_EVERY:
                steps = 0
                checkpoint()  # RUN-005.10: an abandoned attempt's walk stops here
            if digest in walked or old.get(name) == digest:
                continue
            oid = _new_id(ObjectId, (digest,))  # as ObjectId._trusted, without its frame
            if not has(oid):
                where = "".join(f"{frame[2]}/" for frame in stack if frame[2]) + name
                raise InvalidTransition(
                    "WIT-007.3", f"core entry {where:.300} ({oid}) is not provided"
                )
            child = get(oid)
            walked.add(digest)  # present: a blob or tree met again is neither asked nor read
            if isinstance(child, Tree):
                was = old.get(name)
                old_child = None if was is None else get(ObjectId._trusted(was))
                stack.append(
                    (
                        iter(raw_of(child.entries).items()),
                        _raw_entries(old_child if isinstance(old_child, Tree) else None),
                        name,
                    )
                )
                break
        else:
            stack.pop()


def _flat_change_present(
    reader: ObjectReader, new: Mapping[str, bytes], old: Mapping[str, bytes]
) -> bool:
    """:func:`check_core_present` of a core whose raw entries ``new`` differ from the last
    core's ``old`` only in entries that are not trees: ``True`` when so and each changed
    entry is present (WIT-007.3; raised as the walk raises it for a missing one), ``False``
    (nothing concluded) when a changed entry is a tree, to be walked, or ``new`` has as many
    entries as the walk checks its deadline after (RUN-005.10: it walks them, and checks)."""
    if len(new) >= CHECK_EVERY:
        return False
    for name, digest in new.items():  # the walk's first level, in the same order
        if old.get(name) == digest:
            continue
        oid = _new_id(ObjectId, (digest,))  # as ObjectId._trusted, without its frame
        if not reader.has(oid):
            raise InvalidTransition("WIT-007.3", f"core entry {name:.300} ({oid}) is not provided")
        if isinstance(reader.get_object(oid), Tree):
            return False
    return True


def _raw_entries(tree: Tree | None) -> Mapping[str, bytes]:
    """The entries of ``tree`` as stored (name → digest); none without a tree."""
    return {} if tree is None else raw_of(tree.entries)


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


def _check_core(
    inp: TransitionInput, out: TransitionOutput, reader: ObjectReader, wit_read: bool = False
) -> None:
    """The new core: a ``wit`` (WIT-015), present (WIT-007.3), valid (WIT-007.2), WIT-016.

    ``reader`` sees the store and the transition's new objects.  A core equal to the
    last step's (``inp.core`` when there is a last step) has its ``wit`` entry and
    every entry present: they were checked when that step was adopted (WIT-015,
    WIT-007.3), so they are not walked again; it keeps its frozen entries (WIT-016).
    Its ``wit`` blob is read again (WIT-007.2): it may have been erased since, and a
    transition that reads an erased blob fails (RUN-011.3).  ``wit_read`` as
    :func:`assemble`'s: a new core with the very ``wit`` entry of ``inp.core`` then names
    the blob read in this transition, present with its ``runtime`` (WIT-001.1,
    WIT-001.2), so it is not read a second time.
    """
    last_core = None if inp.last_step is None else inp.core
    new_raw = raw_of(out.core.entries)
    if last_core is None or not (  # out.core == last_core: the same tree, or equal entries
        out.core is last_core or (type(out.core) is Tree and new_raw == raw_of(last_core.entries))
    ):
        if WIT not in new_raw:
            raise InvalidTransition("WIT-015", "the new core has no 'wit' entry")
        # The first core (the genesis core) is walked whole; later ones only where changed:
        # where no changed entry is a tree, without the walk's stack (a counter's step)
        old_raw = None if last_core is None else raw_of(last_core.entries)
        if old_raw is None or not _flat_change_present(reader, new_raw, old_raw):
            check_core_present(reader, out.core, last_core)
    wit = new_raw.get(WIT)
    same_wit = wit_read and wit is not None and wit == raw_of(inp.core.entries).get(WIT)
    problem = None if same_wit else core_problem(reader, out.core)
    if problem is not None:
        raise InvalidTransition("WIT-007.2", f"the new core is not a valid core: {problem}")
    if "frozen" in raw_of(inp.core.entries):  # a tree's entries, as stored (OBJ-009)
        for name in FROZEN_ENTRIES:
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
        signals = sum(map(_signal, group))
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
    wit_read: bool = False,
) -> Assembled:
    """Check ``out`` against ``inp`` and build the new step, its inbox and outbox.

    The step's fields (WIT-007.1), the inbox (WIT-008.1), the outbox (WIT-009.1) and the
    chain of each sent message (WIT-004); the checks of WIT-007.2, WIT-007.3, WIT-008.3,
    WIT-009.2, WIT-009.3, WIT-015 and WIT-016 are the helpers above.

    ``reader`` sees the store as it was when the transition started; ``last_id``,
    when the caller knows it, is the id of ``inp.last_step`` (else it is computed).
    ``wit_read``: the caller resolved the Wit that ran from ``inp.core``'s ``wit`` blob
    in this transition (:meth:`Executor._wit`, which fails unless that blob is present,
    not erased, and has a ``runtime``): a core equal to the last step's then has no
    problem :func:`_check_core` could find (WIT-007.2, RUN-011.3, and WIT-015, WIT-007.3
    and WIT-016 hold for an unchanged core), so it is not checked again.
    Raises ``invalid-transition`` or ``frozen-core`` naming the rule broken.
    Every object is encoded once; the encodings come back with the objects.
    """
    last = inp.last_step
    created = _Created(inp.objects if isinstance(inp.objects, Overlay) else None)
    unchanged = False
    out_core = out.core
    if last is not None and (  # out_core == inp.core, without the dataclass's __eq__ frames
        out_core is inp.core
        or (type(out_core) is Tree and raw_of(out_core.entries) == raw_of(inp.core.entries))
    ):
        # The core did not change: it is the last step's, stored with it, under its id (ID-001).
        created.known(out.core, last.core)
        unchanged = True
    for obj in out.new_objects:
        if not (unchanged and obj is out_core):  # known: adding it would keep nothing
            created.add(obj)
    # what the checks see: the store and new_objects (the store alone when there are none)
    overlay = Overlay(reader, created.by_id) if created.objects else reader
    core_id = last.core if unchanged and last is not None else created.add(out_core)
    _check_reads(inp, out)
    if not (unchanged and wit_read):
        _check_core(inp, out, overlay, wit_read)
    sends = out.sends  # none (a counter's inc): no frames for the sends' steps below
    grouped = _group_sends(sends, overlay) if sends else {}
    # The last step's mailboxes, raw: empty before the first step; validated when
    # decoded (OBJ-013, OBJ-014), so taken as they are.
    last_inbox = mailbox_raw(reader, None if last is None else last.inbox)
    # mailbox_with makes one mailbox without base: an inbox is never a chain (WIT-008.4)
    inbox = mailbox_with(last_inbox, _read_entries(inp, out))
    inbox_id = None if inbox is None else created.made(inbox, _mailbox_map(inbox))
    # The last outbox (OBJ-019.1): one mailbox of at most 256 entries takes every change
    # (WIT-009.5, the cap of WIT-009.6 allowing), so the new outbox is that mailbox with
    # the entries set, as before chains; else its chain, in which only the entries of the
    # recipients sent to are looked up, never the whole map (WIT-009.1)
    box = None if last is None or last.outbox is None else reader.get_object(last.outbox)
    if box is None and not grouped:  # no outbox, nothing sent: none (a counter's inc)
        outbox, outbox_id = None, None
    elif box is None or (
        type(box) is Mailbox
        and box.base is None
        and (size := len(raw_of(box.entries))) <= SMALL_BASE  # no MailboxEntries.__len__
        and size + len(grouped) <= MERGE_CAP
    ):
        last_outbox = {} if box is None else raw_of(box.entries)
        latest = _send_messages(grouped, last_outbox, created) if grouped else {}
        outbox = mailbox_with(last_outbox, _sent_entries(latest) if latest else {})
        outbox_id = None if outbox is None else created.made(outbox, _mailbox_map(outbox))
    else:
        assert last is not None and last.outbox is not None
        if not isinstance(box, Mailbox):
            raise InvalidTransition("WIT-009.1", f"the last outbox {last.outbox} is not a mailbox")
        chain = read_chain(reader, last.outbox)
        latest = _send_messages(grouped, chain, created) if grouped else {}
        outbox = build_outbox(chain, _sent_entries(latest)) if latest else None
        outbox_id = last.outbox if outbox is None else created.made(outbox)
    if last is not None and last_id is None:
        last_id = object_id(last)
    previous = None if last is None else last_id
    actor = inp.actor
    if type(actor) is ObjectId and (previous is None or type(previous) is ObjectId):
        step, value = _step(actor, core_id, previous, inbox_id, outbox_id)
        step_id = created.made(step, value)
    else:  # not ids: the constructor says which (OBJ-005)
        step = Step(actor=actor, core=core_id, previous=previous, inbox=inbox_id, outbox=outbox_id)
        step_id = created.made(step)
    objects, encodings = tuple(created.objects), tuple(created.encodings)
    return _assembled(step, step_id, objects, encodings, inbox, outbox)


def _read_entries(inp: TransitionInput, out: TransitionOutput) -> dict[str, bytes]:
    """The inbox entries the transition sets: for each sender read from, the last message
    read (WIT-008.1), raw; the prefix was checked by :func:`_check_reads`."""
    pending, entries = inp.pending, {}
    for sender, count in out.read.items():
        if count:  # an id's text form (ID-003), without ObjectId.hex's frame
            key = sender[0].hex() if type(sender) is ObjectId else sender.hex()
            entries[key] = pending[sender][count - 1].id[0]
    return entries


def _send_messages(
    grouped: dict[ObjectId, list[Send]],
    outbox: Mapping[str, bytes] | OutboxChain,
    created: _Created,
) -> dict[ObjectId, ObjectId]:
    """Build and add each sent message; each recipient's last message, by recipient.

    A queued message names the one before it to the same recipient, the last step's
    outbox entry for the first (WIT-004, WIT-009.1); a signal names none (WIT-009.2).
    The message is validated as built: its content and headers are the Wit's.
    """
    latest: dict[ObjectId, ObjectId] = {}
    for recipient, group in grouped.items():
        raw = outbox.get(recipient[0].hex()) if type(recipient) is ObjectId else None
        previous = None if raw is None else _new_id(ObjectId, (raw,))  # as ObjectId._trusted
        for send in group:
            before = None if send.signal else previous
            content, headers = send.content, send.headers
            if type(content) is ObjectId and type(headers) is Headers:
                message, value = _message(content, before, headers)
                previous = created.made(message, value)
            else:  # the Wit's values as they are: the constructor checks them (OBJ-005, OBJ-006)
                previous = created.made(Message(content=content, previous=before, headers=headers))
            latest[recipient] = previous
    return latest


def _sent_entries(latest: dict[ObjectId, ObjectId]) -> dict[str, bytes]:
    """The outbox entries the transition sets (WIT-009.1), raw; each recipient a Wit named
    must be an :class:`ObjectId` to be a mailbox key (OBJ-014)."""
    entries: dict[str, bytes] = {}
    for recipient, message in latest.items():  # a loop: no comprehension's function
        if type(recipient) is not ObjectId:
            raise InvalidId("OBJ-014", "mailbox keys must be ObjectIds")
        entries[recipient[0].hex()] = message[0]
    return entries


class _Created:
    """The objects a transition creates, each encoded once, in first-seen order, no repeats.

    An object the Wit gave that is added twice (the new core is usually among
    ``new_objects`` too) is recognised by identity and not encoded again; so is one
    already stored whose id the caller knows (:meth:`known`), which is not stored
    again either, and one the transition's ``overlay`` encoded when the Wit added it
    (ID-001).  Two objects of one id are kept once (ID-001).
    """

    __slots__ = ("_ids", "_overlay", "_seen", "encodings", "objects")

    def __init__(self, overlay: Overlay | None = None) -> None:
        self.objects: list[GritObject] = []
        self.encodings: list[Encoded] = []
        #: The id of each object kept.
        self._ids: set[ObjectId] = set()
        #: ``id(obj)`` → ``(obj, oid)`` of each object added; holding ``obj`` keeps its id unique.
        self._seen: dict[int, tuple[GritObject, ObjectId]] = {}
        self._overlay = overlay

    @property
    def by_id(self) -> dict[ObjectId, GritObject]:
        """The objects kept so far, by id."""
        kept = {}
        objects = self.objects  # as long as encodings: both grow together (_keep, made)
        for i, encoded in enumerate(self.encodings):  # no comprehension, no zip's keywords
            kept[encoded[1]] = objects[i]
        return kept

    def known(self, obj: GritObject, oid: ObjectId) -> None:
        """``obj`` is stored already, under ``oid``: adding it returns ``oid`` and keeps nothing."""
        self._seen[id(obj)] = (obj, oid)

    def add(self, obj: GritObject) -> ObjectId:
        """Keep ``obj``, an object the Wit gave; its id."""
        seen = self._seen.get(id(obj))
        if seen is not None:
            return seen[1]
        encoded = None if self._overlay is None else self._overlay.encoding(obj)
        oid = self._keep(obj, encode_with_id(obj) if encoded is None else encoded)
        self._seen[id(obj)] = (obj, oid)
        return oid

    def made(self, obj: GritObject, value: dict[str, object] | None = None) -> ObjectId:
        """Keep ``obj``, an object :func:`assemble` made (so new, and added once); its id.

        ``value``, when given, is its CBOR-level map (:func:`_message`, :func:`_step`,
        :func:`_mailbox_map`), encoded as it is.
        """
        encoded = encode_with_id(obj) if value is None else encode_map_with_id(value)
        oid = encoded[1]
        if oid not in self._ids:  # as _keep (an inbox may equal the outbox, ID-001)
            self._ids.add(oid)
            self.objects.append(obj)
            self.encodings.append(encoded)
        return oid

    def _keep(self, obj: GritObject, encoded: Encoded) -> ObjectId:
        oid = encoded[1]
        if oid not in self._ids:
            self._ids.add(oid)
            self.objects.append(obj)
            self.encodings.append(encoded)
        return oid
