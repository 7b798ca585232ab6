"""The JSON description of objects (OBJ-018), used by the vectors and the adapter protocol.

Every field is always present: absent ids are ``null``, "no headers" is
``{}``, ids are text-form ids (ID-003), blob data is lowercase hex.  Parsing a
description applies the same object rules as decoding bytes (OBJ-017).
"""

from __future__ import annotations

import re
from typing import Any

from ._codec import _from_value, object_id
from ._errors import InvalidObject, InvalidUtf8
from ._ids import ObjectId
from ._maps import canonical_key_order
from ._objects import Blob, GritObject, Mailbox, Message, Step, Tree, _sorted_raw

__all__ = ["check_text", "content_object", "object_from_json", "object_to_json"]

JSON = dict[str, Any]
_HEX_DIGITS = re.compile(r"[0-9a-f]*")  # linear time even on 32 MiB strings


def _id_or_none(oid: ObjectId | None) -> str | None:
    return None if oid is None else oid.hex()


def object_to_json(obj: GritObject) -> JSON:
    """The JSON description of ``obj``: every field present (OBJ-018.1)."""
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
            "base": _id_or_none(obj.base),
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


_ID_FIELDS = frozenset({"actor", "core", "content", "previous", "inbox", "outbox", "base"})
#: The optional fields of each type (OBJ-018.7): only these read ``null`` / ``{}`` as absent.
_OPTIONAL: dict[object, frozenset[str]] = {
    "blob": frozenset({"headers"}),
    "message": frozenset({"previous", "headers"}),
    "mailbox": frozenset({"base"}),
    "step": frozenset({"previous", "inbox", "outbox"}),
}
_TEXT_ID = re.compile(r"[0-9a-f]{64}")


def check_text(node: object, requirement: str = "OBJ-018.3") -> None:
    """Text in a description is UTF-8, checked before any object rule (OBJ-018.3; the
    adapter's object-building arguments likewise, ADP-004.8)."""
    if isinstance(node, str):
        try:
            node.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidUtf8(requirement, "text holds a lone surrogate") from None
    elif isinstance(node, dict):
        for key, item in node.items():
            check_text(key, requirement)
            check_text(item, requirement)
    elif isinstance(node, list):
        for item in node:
            check_text(item, requirement)


def _id_bytes(item: object) -> object:
    """A text-form id as its 32 bytes (OBJ-018.4); anything else unchanged, to fail OBJ-005
    in its turn (OBJ-018.5)."""
    if isinstance(item, str) and _TEXT_ID.fullmatch(item):
        return bytes.fromhex(item)
    return item


def _field_value(key: str, item: object) -> object:
    """One field in its CBOR form (OBJ-018.4), or as it is when malformed (OBJ-018.5)."""
    if key in _ID_FIELDS:
        return _id_bytes(item)
    if (
        key == "data"
        and isinstance(item, str)
        and not len(item) % 2
        and _HEX_DIGITS.fullmatch(item)
    ):
        return bytes.fromhex(item)
    if key == "entries" and isinstance(item, dict):
        return _sorted_raw({name: _id_bytes(oid) for name, oid in item.items()})
    if key == "headers" and isinstance(item, dict):
        return _sorted_raw(item)
    return item


def object_from_json(desc: object) -> GritObject:
    """Build an object from its JSON description (OBJ-018.2 … OBJ-018.9) under the rules of
    decoding (OBJ-017.1).

    The description is translated field by field into the CBOR-level form —
    ``null`` optional ids and ``{}`` headers of the type's own optional fields
    dropped, well-formed text ids and hex data turned into bytes, anything malformed
    left as it is — and then
    validated by the same function as decoded bytes, in the order of OBJ-016.2,
    so a malformed value fails its own field's rule at its own place.
    """
    if not isinstance(desc, dict):
        raise InvalidObject("OBJ-018.2", "an object description is a JSON object")
    check_text(desc)  # after OBJ-018.2 (OBJ-018.6)
    kind = desc.get("type")
    optional = _OPTIONAL.get(kind, frozenset()) if isinstance(kind, str) else frozenset()
    value: dict[str, object] = {}
    for key, item in desc.items():
        if key in optional and (item is None if key != "headers" else item == {}):
            continue  # absent (OBJ-018.4); elsewhere null and {} are values (OBJ-018.7)
        value[key] = _field_value(key, item)
    return _from_value(_sorted_raw(value))


def content_object(description: Any, objects: list[GritObject]) -> ObjectId:
    """The id a content description names, its shape already judged whole (ADP-004.8,
    HTTP-005.1): ``{"blob": hex, "headers": {…}?}`` a blob, ``{"tree": {name: description}}``
    a tree.  Its objects are appended to ``objects`` innermost first, a tree's entries in
    canonical name order (ENC-010), each built by its own rules (OBJ-017)."""
    obj: GritObject
    if "blob" in description:
        obj = Blob(data=bytes.fromhex(description["blob"]), headers=description.get("headers", {}))
    else:
        entries = description["tree"]
        names = sorted(entries, key=canonical_key_order)
        obj = Tree(entries={name: content_object(entries[name], objects) for name in names})
    objects.append(obj)
    return object_id(obj)
