"""Codec speed: the reference beside the raw library calls it is built on.

For each object the reference operation and its *raw* baseline run on the same
bytes, so the ratio ``reference / raw`` is the cost of the reference's rules
(validation, typed objects, error precedence) over the bare libraries:

* ``time_encode_id_reference`` — ``gritwit.encode_with_id(obj)``;
  ``time_encode_id_raw`` — ``cbor2.dumps(value, canonical=True)`` and
  ``blake3(bytes).digest()`` on the equal plain dict;
* ``time_decode_reference`` — ``gritwit.decode_object(bytes)`` (strict);
  ``time_decode_raw_strict`` — ``cbor2.loads`` and a canonical re-encode compared
  with the input, the library calls the strict decoder wraps;
  ``time_decode_raw`` — ``cbor2.loads`` alone (no canonicality check at all);
* ``time_decode_plain`` — ``gritwit.decode_object_plain`` (pure-Python,
  spec-ordered decoder; for comparison, no target).

Separate ``time_`` results of a shared machine do not give that ratio: the load
moves each by tens of percent.  ``track_encode_over_raw`` (``encode_id``:
reference over raw) and ``track_decode_over_raw_strict`` (``decode``: reference
over raw_strict) time the two sides in alternating rounds in one process, in CPU
time of the thread, and report the ratio of their medians
(:func:`asv_bench._ratio.interleaved_ratio`).

Target : both ratios ≤ 1.3 for every object.  Measured
figures are in ``docs/guide/benchmarks.md``: the step's encode is above it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Final

import blake3
import cbor2

import gritwit as g

from ._ratio import interleaved_ratio

#: Alternating rounds of a ratio (each round times ``CALLS`` calls of one side).
ROUNDS: Final = 15


def _digest(label: str) -> bytes:
    return blake3.blake3(label.encode("utf-8")).digest()


def _oid(label: str) -> g.ObjectId:
    return g.ObjectId(_digest(label))


class _CodecPair:
    """One object and the plain dict cbor2 sees, with the six timings and two ratios."""

    #: Timed calls per round and side: about a millisecond of work.
    CALLS: ClassVar[int] = 1

    obj: g.GritObject
    value: dict[str, Any]
    encoded: bytes

    def build(self) -> tuple[g.GritObject, dict[str, Any]]:
        raise NotImplementedError

    def setup(self) -> None:
        self.obj, self.value = self.build()
        self.encoded = g.encode_object(self.obj)
        # Like is compared with like: both paths must produce the same bytes and id.
        if cbor2.dumps(self.value, canonical=True) != self.encoded:
            raise AssertionError("plain dict does not encode to the reference bytes")
        if g.object_id(self.obj).digest != blake3.blake3(self.encoded).digest():
            raise AssertionError("reference id is not BLAKE3-256 of the encoding")

    def time_encode_id_reference(self) -> None:
        g.encode_with_id(self.obj)

    def time_encode_id_raw(self) -> None:
        blake3.blake3(cbor2.dumps(self.value, canonical=True)).digest()

    def time_decode_reference(self) -> None:
        g.decode_object(self.encoded)

    def time_decode_raw_strict(self) -> None:
        data = self.encoded
        cbor2.dumps(cbor2.loads(data), canonical=True) == data  # noqa: B015

    def time_decode_raw(self) -> None:
        cbor2.loads(self.encoded)

    def time_decode_plain(self) -> None:
        g.decode_object_plain(self.encoded)

    def _over(self, reference: Callable[[], None], raw: Callable[[], None]) -> float:
        return interleaved_ratio(reference, raw, rounds=ROUNDS, calls=self.CALLS)

    def track_encode_over_raw(self) -> float:
        return self._over(self.time_encode_id_reference, self.time_encode_id_raw)

    track_encode_over_raw.unit = "ratio"  # type: ignore[attr-defined]

    def track_decode_over_raw_strict(self) -> float:
        return self._over(self.time_decode_reference, self.time_decode_raw_strict)

    track_decode_over_raw_strict.unit = "ratio"  # type: ignore[attr-defined]


class Step(_CodecPair):
    """A step with all five ids (actor, core, previous, inbox, outbox)."""

    CALLS: ClassVar[int] = 200

    def build(self) -> tuple[g.GritObject, dict[str, Any]]:
        fields = ("actor", "core", "previous", "inbox", "outbox")
        obj = g.Step(**{field: _oid(field) for field in fields})
        value: dict[str, Any] = {"type": "step"}
        value.update({field: _digest(field) for field in fields})
        return obj, value


class Tree100(_CodecPair):
    """A tree of 100 entries."""

    CALLS: ClassVar[int] = 25

    def build(self) -> tuple[g.GritObject, dict[str, Any]]:
        names = [f"file-{i:03d}.txt" for i in range(100)]
        obj = g.Tree(entries={name: _oid(name) for name in names})
        value = {"type": "tree", "entries": {name: _digest(name) for name in names}}
        return obj, value


class Blob64KiB(_CodecPair):
    """A blob of 64 KiB of data (hashing dominates)."""

    CALLS: ClassVar[int] = 12

    def build(self) -> tuple[g.GritObject, dict[str, Any]]:
        data = blake3.blake3(b"blob").digest(length=64 * 1024)
        return g.Blob(data=data), {"type": "blob", "data": data}


def main() -> None:
    """Print five interleaved ratios of each ``track_`` benchmark of each object, without asv."""
    for pair in (Step, Tree100, Blob64KiB):
        bench = pair()
        bench.setup()
        for name in ("track_encode_over_raw", "track_decode_over_raw_strict"):
            ratios = [round(getattr(bench, name)(), 2) for _ in range(5)]
            print(pair.__name__, name, ratios)


if __name__ == "__main__":
    main()
