"""The JSON description of objects (OBJ-018), used by the vectors and the adapter protocol.

Every field is always present: absent ids are ``null``, "no headers" is
``{}``, ids are text-form ids (ID-003), blob data is lowercase hex.  Parsing a
description applies the same object rules as decoding bytes (OBJ-017).
"""

from __future__ import annotations

import re
from typing import Any

from ._errors import InvalidObject
from ._ids import ObjectId
from ._objects import OBJECT_TYPES, Blob, GritObject, Mailbox, Message, Step, Tree

__all__ = ["object_from_json", "object_to_json"]

JSON = dict[str, Any]
_LOWER_HEX = re.compile(r"(?:[0-9a-f]{2})*")


def _id_or_none(oid: ObjectId | None) -> str | None:
    return None if oid is None else oid.hex()


def object_to_json(obj: GritObject) -> JSON:
    """The JSON description of ``obj`` (OBJ-018)."""
    if isinstance(obj, Blob):
        return {"type": "blob", "headers": dict(obj.headers), "data": obj.data.hex()}
    if isinstance(obj, Tree):
        return {"type": "tree", "entries": {name: oid.hex() for name, oid in obj.entries.items()}}
    if isinstance(obj, Message):
        return {
            "type": "message",
            "previous": _id_or_none(obj.previous),
            "headers": dict(obj.headers),
            "content": obj.content.hex(),
        }
    if isinstance(obj, Mailbox):
        return {
            "type": "mailbox",
            "entries": {actor.hex(): msg.hex() for actor, msg in obj.entries.items()},
        }
    if isinstance(obj, Step):
        return {
            "type": "step",
            "previous": _id_or_none(obj.previous),
            "actor": obj.actor.hex(),
            "inbox": _id_or_none(obj.inbox),
            "outbox": _id_or_none(obj.outbox),
            "core": obj.core.hex(),
        }
    raise TypeError(f"not a Grit object: {type(obj).__name__}")


_KEYS = {
    "blob": {"type", "headers", "data"},
    "tree": {"type", "entries"},
    "message": {"type", "previous", "headers", "content"},
    "mailbox": {"type", "entries"},
    "step": {"type", "previous", "actor", "inbox", "outbox", "core"},
}


def _opt(desc: JSON, key: str) -> ObjectId | None:
    value = desc.get(key)
    return None if value is None else ObjectId.from_hex(value)


def _map(desc: JSON, key: str) -> dict[str, Any]:
    value = desc.get(key, {})
    if not isinstance(value, dict):
        raise InvalidObject("OBJ-018", f"{key} must be a JSON object")
    return value


def object_from_json(desc: object) -> GritObject:
    """Build an object from its JSON description (OBJ-018), applying every object rule.

    Optional fields may be omitted or ``null``; ``headers`` may be omitted or ``{}``.
    """
    if not isinstance(desc, dict):
        raise InvalidObject("OBJ-018", "an object description is a JSON object")
    kind = desc.get("type")
    if kind not in _KEYS:
        raise InvalidObject("OBJ-002", f"unknown object type {kind!r:.40}")
    extra = set(desc) - _KEYS[kind]
    if extra:
        raise InvalidObject("OBJ-003", f"{kind} has no field {sorted(extra)[0]!r:.40}")
    try:
        if kind == "blob":
            data = desc.get("data")
            if not isinstance(data, str) or not _LOWER_HEX.fullmatch(data):
                raise InvalidObject("OBJ-018", "blob data must be lowercase hex")
            return Blob(data=bytes.fromhex(data), headers=_map(desc, "headers"))
        if kind == "tree":
            entries = _map(desc, "entries")
            return Tree(entries={name: ObjectId.from_hex(v) for name, v in entries.items()})
        if kind == "message":
            return Message(
                content=ObjectId.from_hex(desc.get("content")),  # type: ignore[arg-type]
                previous=_opt(desc, "previous"),
                headers=_map(desc, "headers"),
            )
        if kind == "mailbox":
            entries = _map(desc, "entries")
            return Mailbox(
                entries={ObjectId.from_hex(a): ObjectId.from_hex(m) for a, m in entries.items()}
            )
        return Step(
            actor=ObjectId.from_hex(desc.get("actor")),  # type: ignore[arg-type]
            core=ObjectId.from_hex(desc.get("core")),  # type: ignore[arg-type]
            previous=_opt(desc, "previous"),
            inbox=_opt(desc, "inbox"),
            outbox=_opt(desc, "outbox"),
        )
    except ValueError as exc:  # bytes.fromhex on bad blob data
        raise InvalidObject("OBJ-018", f"bad hex in description: {exc}") from None


assert set(OBJECT_TYPES.values()) == set(_KEYS)
