"""One file holding an actor's whole history, to move it between runtimes (RUN-009).

A bundle is one canonical CBOR value (chapter *encoding*)::

    ["gritwit-bundle/1", <actor text id>, <head step text id>, [<object bytes>, …]]

with every object reachable from the head, each once, sorted by id (ID-005).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import blake3

from .._cbor import Value, decode_value, encode_value
from .._codec import decode_object
from .._errors import GritError, InvalidObject, InvalidRefTarget, ObjectNotFound, RefConflict
from .._ids import ObjectId
from .._objects import GritObject, Step
from ..store import Store, head_ref
from ._reach import reachable, reachable_paged

__all__ = ["BUNDLE_FORMAT", "Bundle", "export_bundle", "import_bundle", "read_bundle"]

#: The format tag, first item of every bundle (RUN-009).
BUNDLE_FORMAT: Final = "gritwit-bundle/1"

Bundle = tuple[ObjectId, ObjectId, dict[ObjectId, bytes]]


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
    (``not-found``) and that the bundle holds nothing else, sorted by id, once
    (``invalid-object``).
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
    if len(found) != len(order) or order != sorted(order, key=lambda o: o.digest):
        raise InvalidObject("RUN-009.2", "objects not exactly the reachable ones, once, by id")
    return actor, head, raw


def import_bundle(store: Store, data: bytes) -> tuple[ObjectId, ObjectId]:
    """Check a bundle whole, store its objects, set the head by CAS; (actor, head) (RUN-009.4).

    Nothing is stored unless every check passes.  A head already at the bundle's
    is accepted (importing twice is a no-op); any other head → ``ref-conflict``.
    """
    actor, head, raw = read_bundle(data)
    name = head_ref(actor)
    current = store.get_ref(name)
    if current == head:
        return actor, head
    if current is not None:
        raise RefConflict("RUN-009.4", f"{name} is {current}, not unset", current=current)
    store.put_encoded((item, oid) for oid, item in raw.items())  # decoded above: one write
    store.cas_ref(name, None, head)
    return actor, head
