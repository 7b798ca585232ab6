"""One file holding an actor's whole history, to move it between runtimes (RUN-009).

A bundle is one canonical CBOR value (chapter *encoding*)::

    ["gritwit-bundle/1", <actor text id>, <head step text id>, [<object bytes>, …]]

with every object reachable from the head, each once, sorted by id (ID-005).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Final

import blake3

from .._cbor import Value, decode_value, encode_value
from .._codec import decode_object
from .._errors import (
    GritError,
    InvalidObject,
    InvalidRefTarget,
    ObjectNotFound,
    RefConflict,
    TooLarge,
)
from .._ids import ObjectId
from .._objects import GritObject, Step, Tree
from ..store import Store, head_ref
from ..wit import ObjectReader
from ._kinds import KIND_RULES, wrong_kinds
from ._reach import reachable, reachable_paged

__all__ = [
    "BUNDLE_FORMAT",
    "Bundle",
    "CoreBound",
    "check_kinds",
    "export_bundle",
    "import_bundle",
    "read_bundle",
]

#: The format tag, first item of every bundle (RUN-009).
BUNDLE_FORMAT: Final = "gritwit-bundle/1"

Bundle = tuple[ObjectId, ObjectId, dict[ObjectId, bytes]]
#: Refuses, by raising, a core the importing runtime's runs could not mount (SBX-006.18):
#: a runtime's :meth:`~gritwit.wit.Executor.bound_core`.
CoreBound = Callable[[ObjectReader, Tree], None]


def export_bundle(store: Store, actor: ObjectId) -> bytes:
    """Every object reachable from ``actor``'s head, in one canonical CBOR value (RUN-009.1)."""
    head = store.get_ref(head_ref(actor))
    if head is None:
        raise ObjectNotFound("RUN-009.1", f"{actor} has no head")
    raw: dict[ObjectId, bytes] = {}
    failed: dict[ObjectId, GritError] = {}

    def load_page(page: list[ObjectId]) -> Iterator[tuple[ObjectId, GritObject | None]]:
        for oid, outcome in store.get_each(page):  # re-hashed (STO-004), a page at a time
            if isinstance(outcome, GritError):  # an erased blob: `erased`, …
                failed[oid] = outcome
                yield oid, None
                continue
            try:
                obj = decode_object(outcome)
            except GritError as exc:
                failed[oid] = exc
                yield oid, None
                continue
            raw[oid] = outcome
            yield oid, obj

    found = reachable_paged([head], load_page)
    if failed:  # raise what the walk one object at a time met first (depth first)

        def replay(oid: ObjectId) -> GritObject | None:
            if oid in failed:
                raise failed[oid]
            return found[oid]

        reachable(head, replay)
    objects: list[Value] = [raw[oid] for oid in sorted(raw, key=lambda oid: oid.digest)]
    return encode_value([BUNDLE_FORMAT, actor.hex(), head.hex(), objects])


def _shape(data: bytes) -> tuple[str, str, list[bytes]]:
    value = decode_value(data)  # every ENC rule, strictly (truncated, too-large, …)
    if not (isinstance(value, list) and len(value) == 4 and value[0] == BUNDLE_FORMAT):
        raise InvalidObject("RUN-009.2", f"not a {BUNDLE_FORMAT} array of four items")
    _, actor, head, objects = value
    if not (isinstance(actor, str) and isinstance(head, str) and isinstance(objects, list)):
        raise InvalidObject("RUN-009.2", "a bundle is [format, actor, head, [objects]]")
    if not all(isinstance(item, bytes) for item in objects):
        raise InvalidObject("RUN-009.2", "every bundled object is a byte string")
    return actor, head, objects  # type: ignore[return-value]


def read_bundle(data: bytes) -> Bundle:
    """Decode and check a bundle without storing anything (RUN-009.2, RUN-009.3).

    Checks, in order: the CBOR (ENC-*), the array's shape, the two text ids
    (ID-003), every object strictly (STO-001), that the head is a step of the
    actor, that everything reachable from the head is in the bundle
    (``not-found``), that every id the walk followed names an object of its field's
    kind (``invalid-object``, OBJ-020.2, OBJ-019.2 for a ``base``) and that the bundle
    holds nothing else, sorted by id, once (``invalid-object``).
    """
    actor_text, head_text, items = _shape(data)
    actor, head = ObjectId.from_hex(actor_text), ObjectId.from_hex(head_text)
    raw: dict[ObjectId, bytes] = {}
    decoded: dict[ObjectId, GritObject] = {}
    order: list[ObjectId] = []
    for item in items:
        obj = decode_object(item)  # STO-001
        oid = ObjectId(blake3.blake3(item).digest())  # ID-001
        raw[oid], decoded[oid] = item, obj
        order.append(oid)
    top = decoded.get(head)
    if top is None:
        raise ObjectNotFound("RUN-009.2", f"the head {head} is not in the bundle")
    if not (isinstance(top, Step) and top.actor == actor):
        raise InvalidRefTarget("RUN-009.2", f"the head {head} is not a step of {actor}")
    found = reachable(head, decoded.get)
    missing = sorted((oid for oid, obj in found.items() if obj is None), key=lambda o: o.digest)
    if missing:
        raise ObjectNotFound("RUN-009.2", f"{len(missing)} objects missing, first {missing[0]}")
    check_kinds(found)
    if len(found) != len(order) or order != sorted(order, key=lambda o: o.digest):
        raise InvalidObject("RUN-009.2", "objects not exactly the reachable ones, once, by id")
    return actor, head, raw


def check_kinds(found: Mapping[ObjectId, GritObject | None]) -> None:
    """Every id of ``found``'s objects names an object of the kind :data:`KIND_RULES`
    gives its field (OBJ-020.2, RUN-009.2): else ``invalid-object`` at the lowest such
    named id, naming its rule's clause (OBJ-019.2 for a mailbox's ``base``).  A history
    with one could be stored but never run: routing and the next transition read the
    outbox's map, the message chains and the inbox.  Ids ``found`` lacks are not judged
    here (``not-found`` is reported before, RUN-009.6)."""
    wrong = wrong_kinds(found, KIND_RULES)
    if wrong:
        raise InvalidObject(wrong[0].rule.requirement, wrong[0].detail)


class _Bundled:
    """The objects of a checked bundle, decoded when read: what the head's core reaches
    (RUN-009.2 found every one of them in the bundle)."""

    __slots__ = ("_raw",)

    def __init__(self, raw: dict[ObjectId, bytes]) -> None:
        self._raw = raw

    def get_object(self, oid: ObjectId) -> GritObject:
        item = self._raw.get(oid)
        if item is None:
            raise ObjectNotFound("RUN-009.2", f"{oid} is not in the bundle")
        return decode_object(item)

    def has(self, oid: ObjectId) -> bool:
        return oid in self._raw


def import_bundle(
    store: Store,
    data: bytes,
    *,
    bound: CoreBound | None = None,
    before_head: Callable[[ObjectId, Step], None] | None = None,
) -> tuple[ObjectId, ObjectId]:
    """Check a bundle whole, store its objects, set the head by CAS; (actor, head) (RUN-009.4).

    Nothing is stored unless every check passes.  A head already at the bundle's
    is accepted (importing twice is a no-op); any other head → ``ref-conflict``.
    ``bound`` is the importing runtime's check of the head's core (SBX-006.18): called
    after RUN-009.2's checks and before the head is read, its ``too-large`` imports
    nothing.  Without it nothing is checked that a run would need: an import into a
    store with no runtime runs no actor, and the runtime that later runs one fails
    the runs it cannot mount (SBX-006.15).  ``before_head`` is called with the actor and
    its head step once the objects are stored and before the head moves: the timer
    service takes the actor's requests as read there (TIM-007.3).
    """
    actor, head, raw = read_bundle(data)
    if bound is not None:
        reader = _Bundled(raw)
        step = reader.get_object(head)
        core = reader.get_object(step.core) if isinstance(step, Step) else None
        if isinstance(core, Tree):  # else no core a run could mount (WIT-007.2)
            try:
                bound(reader, core)
            except TooLarge as exc:  # nothing stored yet (RUN-009.3)
                raise TooLarge("SBX-006.18", f"the head's core: {exc.detail}") from None
    name = head_ref(actor)
    current = store.get_ref(name)
    if current == head:
        return actor, head
    if current is not None:
        raise RefConflict("RUN-009.4", f"{name} is {current}, not unset", current=current)
    store.put_encoded((item, oid) for oid, item in raw.items())  # decoded above: one write
    if before_head is not None:
        step = store.get_object(head)
        if isinstance(step, Step):
            before_head(actor, step)
    store.cas_ref(name, None, head)
    return actor, head
