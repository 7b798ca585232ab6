"""The chained outbox (WIT-009.5): building it at 11,000 fresh recipients a step.

An outbox growing by fresh recipients, on the builder alone: 20 steps, each setting
11,000 entries for recipients never written to before, each step's new top built by
:func:`gritwit.wit.build_outbox` over the last outbox's chain (:func:`gritwit.wit.read_chain`)
and encoded.  Before chains a step stored its outbox whole, 1.1 MB more each step, and
the 16th step passed ENC-013; now a step stores its new top: 11,000 to 55,000 entries
here, never past 65,536 (WIT-009.6).  ``time_twenty_steps`` times the 20 builds and
encodings; ``track_most_bytes_a_step`` is the largest encoding a step stored (bytes).
"""

from __future__ import annotations

import hashlib
from typing import ClassVar

from gritwit._codec import encode_with_id
from gritwit._ids import ObjectId
from gritwit._objects import GritObject
from gritwit.wit import build_outbox, read_chain

PER, STEPS = 11_000, 20


class _Objects:
    """Objects by id: what the builder reads through (a store's reader)."""

    def __init__(self) -> None:
        self.by_id: dict[ObjectId, GritObject] = {}

    def get_object(self, oid: ObjectId) -> GritObject:
        return self.by_id[oid]

    def has(self, oid: ObjectId) -> bool:
        return oid in self.by_id


def _steps() -> list[dict[str, bytes]]:
    """Each step's sets: 11,000 fresh recipients, each with its one message's digest."""
    message = hashlib.sha256(b"message").digest()
    return [
        {hashlib.sha256(b"%d:%d" % (k, i)).hexdigest(): message for i in range(PER)}
        for k in range(STEPS)
    ]


def _run(steps: list[dict[str, bytes]]) -> list[int]:
    """Build the 20 outboxes; the bytes each step's new mailbox encodes to."""
    objects = _Objects()
    outbox: ObjectId | None = None
    sizes = []
    for sets in steps:
        built = build_outbox(read_chain(objects, outbox), sets)
        assert built is not None
        data, oid = encode_with_id(built)
        objects.by_id[oid] = built
        outbox = oid
        sizes.append(len(data))
    return sizes


class OutboxGrowth:
    """20 steps of 11,000 sends to fresh ids, the outbox built by WIT-009.5's rule."""

    timeout: ClassVar = 300
    number: ClassVar = 1
    repeat: ClassVar = 3

    def setup(self) -> None:
        self.steps = _steps()

    def time_twenty_steps(self) -> None:
        _run(self.steps)

    def track_most_bytes_a_step(self) -> int:
        return max(_run(self.steps))

    track_most_bytes_a_step.unit = "bytes"  # type: ignore[attr-defined]
