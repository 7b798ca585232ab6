"""Wrong adapter (open-loop, written from spec/ alone):
bundle objects sorted by signed bytes (RUN-009.1).

RUN-009.1 sorts a bundle's objects "by id (ID-005)", ids comparing as unsigned bytes. An
implementer on a platform whose byte type is signed (Java's `byte`, a naive
`Arrays.compare`) sorts ids whose first differing byte is 0x80 or more *before* those
below 0x80, on export and in import's order check alike: its bundles differ from the
reference's, and it refuses the reference's bundles as unsorted (`invalid-object`).
"""

from __future__ import annotations

from collections.abc import Iterator

import blake3

from gritwit._cbor import Value, encode_value
from gritwit._codec import decode_object
from gritwit._errors import GritError, InvalidObject, InvalidRefTarget, ObjectNotFound
from gritwit._ids import ObjectId
from gritwit._objects import GritObject, Step
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import _bundle
from gritwit.runtime._reach import reachable, reachable_paged
from gritwit.store import Store, head_ref
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-009.1"}),
    "failed",
    "bundles sort (and import checks) their objects by ids compared as signed bytes, not unsigned",
    copied_from=(
        ("gritwit.runtime._bundle:export_bundle", "84f70b7dbd6caa55"),
        ("gritwit.runtime._bundle:read_bundle", "648a6a1364d050f3"),
    ),
)

COUNTER = "72c8efd1f10fdbab833b3804e150df4ed30c7d1daad6af378e5fa98f01d46b8d"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "rt-open", "path": "{tmp}"},
    {"cmd": "rt-genesis", "runtime": "r1", "actor": "counter"},
    {"cmd": "rt-send", "runtime": "r1", "to": COUNTER, "mt": "inc", "content": {"blob": "35"}},
    {"cmd": "rt-run", "runtime": "r1", "max_steps": 10},
    {"cmd": "rt-export", "runtime": "r1", "actor": COUNTER},  # another order of the objects
]


def _signed(oid: ObjectId) -> bytes:
    """The bug: bytes compared as signed (-128 … 127), i.e. with the top bit flipped."""
    return bytes(b ^ 0x80 for b in oid.digest)


def wrong_export_bundle(store: Store, actor: ObjectId) -> bytes:
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
    objects: list[Value] = [raw[oid] for oid in sorted(raw, key=_signed)]  # the bug
    return encode_value([_bundle.BUNDLE_FORMAT, actor.hex(), head.hex(), objects])


def wrong_read_bundle(data: bytes) -> _bundle.Bundle:
    actor_text, head_text, items = _bundle._shape(data)
    actor, head = ObjectId.from_hex(actor_text), ObjectId.from_hex(head_text)
    raw: dict[ObjectId, bytes] = {}
    decoded: dict[ObjectId, GritObject] = {}
    order: list[ObjectId] = []
    for item in items:
        obj = decode_object(item)
        oid = ObjectId(blake3.blake3(item).digest())
        raw[oid], decoded[oid] = item, obj
        order.append(oid)
    top = decoded.get(head)
    if top is None:
        raise ObjectNotFound("RUN-009.2", f"the head {head} is not in the bundle")
    if not (isinstance(top, Step) and top.actor == actor):
        raise InvalidRefTarget("RUN-009.2", f"the head {head} is not a step of {actor}")
    found = reachable(head, decoded.get)
    missing = sorted((oid for oid, obj in found.items() if obj is None), key=_signed)
    if missing:
        raise ObjectNotFound("RUN-009.2", f"{len(missing)} objects missing, first {missing[0]}")
    _bundle.check_kinds(found)  # as the reference: the one bug is the order
    if len(found) != len(order) or order != sorted(order, key=_signed):
        raise InvalidObject("RUN-009.2", "objects not exactly the reachable ones, once, by id")
    return actor, head, raw


def install() -> None:
    patch(adapter_runtime, "export_bundle", wrong_export_bundle)
    patch(_bundle, "read_bundle", wrong_read_bundle)  # import_bundle's order check


if __name__ == "__main__":
    run(ReferenceAdapter, install)
