"""Diffs beside the object walk: bundles, encodings and descriptions (ADP-017.2).

:mod:`._objects` walks two object graphs down from two ids.  The mismatches here
are of other things: an exported bundle (RUN-009.1) compared object by object
with the objects reachable from the expected head, two encodings compared byte
by byte, and two JSON descriptions (OBJ-018) of one object compared field by
field.  Each gives the first place where the two sides part.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import gritwit as g

from ._diagnose import diagnose
from ._objects import (
    BUDGET,
    SHOWN,
    Divergence,
    Lookup,
    _short,
    describe_bytes,
    first_divergence,
    summary,
)

__all__ = [
    "bundle_divergence",
    "bytes_divergence",
    "description_divergence",
    "reachable",
    "strict_reading",
]


def _children(description: Mapping[str, Any]) -> list[str]:
    """The ids a description refers to, as a bundle walks them (RUN-009.1)."""
    kind = description.get("type")
    if kind == "tree":
        return [str(v) for v in description.get("entries", {}).values()]
    if kind == "mailbox":  # its entries and its base (OBJ-019)
        base = [str(description["base"])] if description.get("base") else []
        return [*(str(v) for v in description.get("entries", {}).values()), *base]
    fields = {"step": ("previous", "core", "inbox", "outbox"), "message": ("content", "previous")}
    return [str(description[f]) for f in fields.get(str(kind), ()) if description.get(f)]


def reachable(root: str, lookup: Lookup) -> dict[str, Mapping[str, Any] | str]:
    """Every object reachable from ``root`` (RUN-009.1): id → description or why none."""
    found: dict[str, Mapping[str, Any] | str] = {}
    todo = [root]
    while todo and len(found) < 50 * BUDGET:
        oid = todo.pop()
        if oid in found:
            continue
        found[oid] = lookup(oid)
        if not isinstance(found[oid], str):
            todo += _children(found[oid])  # type: ignore[arg-type]
    return found


def bundle_divergence(
    actor: str, head: str, expected_objects: Lookup, bundle_hex: str, *, requirement: str
) -> Divergence | None:
    """Where an exported bundle parts from the one of ``actor`` at ``head`` (RUN-009.1).

    The expected objects are those reachable from ``head`` in ``expected_objects``;
    one that is not known there (a large blob a vector leaves out) is not compared.
    """
    try:
        value = g.decode_value(bytes.fromhex(bundle_hex))
    except (g.GritError, ValueError) as exc:
        return Divergence(
            path=("bundle",), expected="a canonical CBOR array", got=str(exc)[:SHOWN],
            requirement=requirement,
        )  # fmt: skip
    if not (isinstance(value, list) and len(value) == 4 and isinstance(value[3], list)):
        return Divergence(
            path=("bundle",),
            expected='["gritwit-bundle/1", actor, head, [object, …]]',
            got=json.dumps(value, default=lambda v: f"<{len(v)} bytes>")[:SHOWN],
            requirement=requirement,
        )
    for index, (name, want) in enumerate((("format", "gritwit-bundle/1"), ("actor", actor))):
        if value[index] != want:
            return Divergence(
                path=("bundle", name), expected=json.dumps(want), got=json.dumps(value[index]),
                requirement=requirement,
            )  # fmt: skip
    if value[2] != head:
        return Divergence(
            path=("bundle", "head"), expected=head, got=json.dumps(value[2]),
            requirement=requirement,
        )  # fmt: skip
    blobs = [item for item in value[3] if isinstance(item, bytes)]
    got = {g.compute_id(item).hex(): item for item in blobs}
    wanted = reachable(head, expected_objects)
    for oid in sorted(set(wanted) | set(got)):
        if oid not in got:
            return Divergence(
                path=("bundle", "objects", _short(oid)),
                expected=summary(wanted[oid], oid),
                got="absent",
                requirement=requirement,
            )
        if oid not in wanted:
            return Divergence(
                path=("bundle", "objects", _short(oid)),
                expected="absent: not reachable from the head",
                got=summary(describe_bytes(oid, got[oid].hex()), oid),
                requirement=requirement,
            )
    ids = [g.compute_id(item).hex() for item in blobs]
    if len(blobs) != len(value[3]) or ids != sorted(set(ids)):
        return Divergence(
            path=("bundle", "objects"),
            expected="byte strings, each object once, sorted by id",
            got=f"{len(value[3])} items, {len(set(ids))} distinct objects, in another order",
            requirement=requirement,
        )
    return None


def description_divergence(
    expected: Mapping[str, Any], got: object, *, root: str, requirement: str
) -> Divergence:
    """The first field where two descriptions (OBJ-018) of one object part; ids as values."""
    if not isinstance(got, Mapping):
        return Divergence(
            path=(root,), expected=summary(expected), got=json.dumps(got)[:SHOWN],
            requirement=requirement,
        )  # fmt: skip
    sides = {"(expected)": expected, "(got)": got}

    def lookup(oid: str) -> Mapping[str, Any] | str:
        return sides.get(oid, "an id")

    found = first_divergence(
        "(expected)", "(got)", lookup, lookup, root=root, requirement=requirement
    )
    assert found is not None  # two different names
    return found


def bytes_divergence(expected_hex: str, got_hex: str) -> str:
    """Where two hex byte strings first part: offset, and a few bytes of each around it."""
    expected, got = expected_hex.lower(), got_hex.lower()
    offset = next(
        (
            i
            for i in range(0, min(len(expected), len(got)), 2)
            if expected[i : i + 2] != got[i : i + 2]
        ),
        min(len(expected), len(got)),
    )
    start = max(0, offset - 16)
    # The object rules apply only when the expected bytes are an object's encoding.
    reading = strict_reading(got, as_object=not strict_reading(expected, as_object=True))
    try:
        found = diagnose(bytes.fromhex(expected), bytes.fromhex(got))
    except ValueError:
        found = None
    return (
        f"first different byte at offset {offset // 2} "
        f"(of {len(expected) // 2} expected, {len(got) // 2} got):\n"
        f"  expected …{expected[start : offset + 32]}…\n"
        f"  got      …{got[start : offset + 32]}…"
        + (f"\n  the got bytes, read by the strict decoder: {reading}" if reading else "")
        + (f"\n  {found.line()}" if found is not None else "")
    )


def strict_reading(data_hex: str, *, as_object: bool = False) -> str:
    """What the reference's strict decoder finds wrong first in ``data_hex``, or ``''``.

    A wrong *encoding* is read back as any implementation's input would be: its first
    error class, byte offset and clause, ``unsorted-keys at byte 4 (ENC-010)``, so that a
    failure says which rule the bytes break (a key-order bug was reported under
    ID-003, OBJ-018.1 and OBJ-014, not ENC-010).  The bytes are read as a value, then
    (``as_object``) as an object; ``''`` for bytes the readings take, and for text that is
    not hex.
    """
    try:
        data = bytes.fromhex(data_hex)
    except ValueError:
        return ""
    for read in (g.decode_value, g.decode_object) if as_object else (g.decode_value,):
        try:
            read(data)
        except g.GritError as exc:
            where = "" if getattr(exc, "offset", None) is None else f" at byte {exc.offset}"
            return f"{exc.error_class}{where} ({exc.requirement})"
    return ""
