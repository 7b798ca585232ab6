"""Objects ↔ canonical bytes ↔ ids (chapters *objects* and *identifiers*). Pure: no I/O.

Decoding has two paths that must agree (style guide, rule 7):

* the *fast* path — ``cbor2.loads``, a check that the top-level keys are in one
  of the type's canonical orders, a re-encode that must equal the input byte for
  byte (ENC-014.3), then the object rules; and
* the *plain* path — :func:`gritwit._cbor.decode_value`, the spec-ordered
  strict decoder, then the same object rules.

Whenever the fast path rejects, the plain path runs to name the violated rule,
so errors always come from the plain path (ENC-016, OBJ-016.1, OBJ-016.2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import blake3
import cbor2

from ._cbor import MAX_DEPTH, MAX_SIZE, Value, decode_value
from ._errors import InvalidObject, TooLarge
from ._ids import ID_LENGTH, ObjectId
from ._maps import Headers, MailboxEntries, TreeEntries, canonical_key_order, raw_of
from ._objects import (
    EMPTY_HEADERS,
    OBJECT_TYPES,
    Blob,
    GritObject,
    Mailbox,
    Message,
    Step,
    Tree,
    check_headers,
    check_id,
    check_mailbox_entries,
    check_tree_entries,
)

__all__ = [
    "Encoded",
    "decode_object",
    "decode_object_plain",
    "encode_object",
    "encode_with_id",
    "object_id",
]

# Fields of each type: name → required?  (OBJ-003.1 … OBJ-003.3, OBJ-008, OBJ-009,
# OBJ-012, OBJ-013, OBJ-015)
FIELDS: Final[dict[str, dict[str, bool]]] = {
    "blob": {"type": True, "data": True, "headers": False},
    "tree": {"type": True, "entries": True},
    "message": {"type": True, "content": True, "previous": False, "headers": False},
    "mailbox": {"type": True, "entries": True},
    "step": {
        "type": True,
        "actor": True,
        "core": True,
        "previous": False,
        "inbox": False,
        "outbox": False,
    },
}
_REQUIRED = {kind: {f for f, req in fields.items() if req} for kind, fields in FIELDS.items()}
_ALLOWED = {kind: frozenset(fields) for kind, fields in FIELDS.items()}


# --- encoding ----------------------------------------------------------------------------


def _to_value(obj: GritObject) -> dict[str, Any]:
    """The CBOR-level map of ``obj``, its keys in canonical order (ENC-010).

    An absent optional field has no key (OBJ-004.1).  Every key is put in the
    order of :data:`_KEY_ORDERS`, and every nested map (entries, headers) is kept in
    canonical order by its constructor, so the map is encoded as built.
    """
    kind = type(obj)
    if kind is Step:
        assert isinstance(obj, Step)
        value: dict[str, Any] = {"core": obj.core.digest, "type": "step", "actor": obj.actor.digest}
        if obj.inbox is not None:
            value["inbox"] = obj.inbox.digest
        if obj.outbox is not None:
            value["outbox"] = obj.outbox.digest
        if obj.previous is not None:
            value["previous"] = obj.previous.digest
        return value
    if kind is Message:
        assert isinstance(obj, Message)
        value = {"type": "message", "content": obj.content.digest}
        if obj.headers:
            value["headers"] = raw_of(obj.headers)
        if obj.previous is not None:
            value["previous"] = obj.previous.digest
        return value
    if kind is Mailbox:
        assert isinstance(obj, Mailbox)
        return {"type": "mailbox", "entries": raw_of(obj.entries)}
    if kind is Tree:
        assert isinstance(obj, Tree)
        return {"type": "tree", "entries": raw_of(obj.entries)}
    if kind is Blob:
        assert isinstance(obj, Blob)
        return _with_headers({"data": obj.data, "type": "blob"}, obj.headers)
    raise TypeError(f"not a Grit object: {kind.__name__}")


def encode_object(obj: GritObject) -> bytes:
    """The canonical encoding of ``obj`` (ENC-014.1, OBJ-001 … OBJ-015).

    The object was validated when it was built; the size limit is checked last
    (OBJ-017.2).  :func:`_to_value` builds every map in canonical key order
    (ENC-010), so cbor2 encodes it in that order, without sorting it again.
    """
    encoded: bytes = cbor2.dumps(_to_value(obj))
    if len(encoded) > MAX_SIZE:
        raise TooLarge("ENC-013.2", f"{len(encoded)} bytes exceeds the {MAX_SIZE}-byte limit")
    return encoded


class Encoded(tuple[bytes, ObjectId]):
    """``(data, oid)`` made by :func:`encode_with_id`: ``oid`` is the BLAKE3 id of ``data``.

    Only :func:`encode_with_id` makes one (calling the class raises), so a store
    given an ``Encoded`` pair need not hash ``data`` again to know its id
    (STO-002.1); a plain ``(bytes, ObjectId)`` tuple proves nothing and is checked.
    """

    __slots__ = ()

    def __new__(cls, *args: object) -> Encoded:
        raise TypeError("an Encoded pair is made only by encode_with_id")


_new = object.__new__
_new_id = tuple.__new__  # as ObjectId._trusted, without its frame


def encode_with_id(obj: GritObject) -> Encoded:
    """The canonical encoding of ``obj`` and its id (ID-001), as an :class:`Encoded` pair."""
    encoded = encode_object(obj)
    # as ObjectId._trusted: a BLAKE3-256 digest is 32 bytes (ID-002.1)
    oid = _new_id(ObjectId, (blake3.blake3(encoded).digest(),))
    return tuple.__new__(Encoded, (encoded, oid))


def object_id(obj: GritObject) -> ObjectId:
    """The id of ``obj``: BLAKE3-256 of its canonical encoding (ID-001, ID-004)."""
    return encode_with_id(obj)[1]


# --- decoding ----------------------------------------------------------------------------


def _optional(value: dict[str, Any], field: str) -> ObjectId | None:
    """An optional id field as decoded: absent is ``None`` (ENC-014.2)."""
    raw = value.get(field)
    return None if raw is None else ObjectId._trusted(raw)


def _build_blob(value: dict[str, Any]) -> Blob:
    """The blob a validated map encodes: decoding gives back the value encoded (ENC-014.2)."""
    headers = value.get("headers")
    return Blob(
        data=value["data"],
        headers=EMPTY_HEADERS if headers is None else Headers._trusted(headers),
    )


def _build_tree(value: dict[str, Any]) -> Tree:
    return Tree(entries=TreeEntries._trusted(value["entries"]))


def _build_message(value: dict[str, Any]) -> Message:
    """The message a validated map encodes (ENC-014.2)."""
    headers = value.get("headers")
    return Message(
        content=ObjectId._trusted(value["content"]),
        previous=_optional(value, "previous"),
        headers=EMPTY_HEADERS if headers is None else Headers._trusted(headers),
    )


def _build_mailbox(value: dict[str, Any]) -> Mailbox:
    return Mailbox(entries=MailboxEntries._trusted(value["entries"]))


_STEP_SLOTS = tuple(
    (name, vars(Step)[name].__set__) for name in ("actor", "core", "previous", "inbox", "outbox")
)


def _build_step(value: dict[str, Any]) -> Step:
    """The step a validated map encodes (ENC-014.2)."""
    # Every field was validated by _from_value, so Step.__post_init__ and the
    # ObjectId checks are skipped: this is the hottest decode path.
    step = _new(Step)
    get = value.get
    for name, set_field in _STEP_SLOTS:
        raw = get(name)
        if raw is None:
            set_field(step, None)
        else:
            set_field(step, _new_id(ObjectId, (raw,)))
    return step


def _check_data(value: object) -> None:
    if type(value) is not bytes:
        raise InvalidObject("OBJ-008", "blob data must be a byte string")


_BUILDERS: Final[dict[str, Callable[[dict[str, Any]], GritObject]]] = {
    "blob": _build_blob,
    "tree": _build_tree,
    "message": _build_message,
    "mailbox": _build_mailbox,
    "step": _build_step,
}

_FIELD_CHECKS: Final[dict[str, dict[str, Callable[[object], object]]]] = {
    "blob": {"data": _check_data, "headers": check_headers},
    "tree": {"entries": check_tree_entries},
    "message": {"headers": check_headers},
    "mailbox": {"entries": check_mailbox_entries},
    "step": {},
}


def _from_value(value: Value) -> GritObject:
    """Apply the object rules in the order OBJ-016.2 fixes, then build the object."""
    if type(value) is not dict:
        raise InvalidObject("OBJ-001", "an object is a CBOR map")
    kind = value.get("type")
    if type(kind) is not str or kind not in FIELDS:
        raise InvalidObject("OBJ-002", f"unknown object type {kind!r:.40}")
    keys = value.keys()
    if not keys <= _ALLOWED[kind]:
        extra = sorted(keys - _ALLOWED[kind])
        raise InvalidObject("OBJ-003.3", f"{kind} has no field {extra[0]!r:.40}")
    if not _REQUIRED[kind] <= keys:
        missing = sorted(_REQUIRED[kind] - keys)
        raise InvalidObject("OBJ-003.1", f"{kind} lacks required field {missing[0]!r}")
    checks = _FIELD_CHECKS[kind]
    for field, item in value.items():
        if item is None:
            raise InvalidObject("OBJ-004.2", f"absent {field} is omitted, never null")
        if field == "type":
            continue
        check = checks.get(field)
        if check is not None:
            check(item)
        elif type(item) is not bytes or len(item) != ID_LENGTH:
            check_id(item, f"{kind} {field}")  # raises invalid-id (OBJ-005)
    return _BUILDERS[kind](value)


def _canonical_orders(kind: str) -> frozenset[tuple[str, ...]]:
    """Every key sequence a canonical ``kind`` map can have (OBJ-003.1 … OBJ-003.3, ENC-010)."""
    fields = FIELDS[kind]
    optional = [name for name, required in fields.items() if not required]
    orders = set()
    for mask in range(1 << len(optional)):
        chosen = {name for bit, name in enumerate(optional) if mask >> bit & 1}
        present = [name for name, required in fields.items() if required or name in chosen]
        orders.add(tuple(sorted(present, key=canonical_key_order)))
    return frozenset(orders)


_KEY_ORDERS: Final = {kind: _canonical_orders(kind) for kind in FIELDS}
_NO_ORDERS: Final[frozenset[tuple[str, ...]]] = frozenset()


def _with_headers(value: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
    """``value`` with its ``headers`` key, which is omitted when there are none (OBJ-007.1)."""
    if headers:
        value["headers"] = raw_of(headers)
    return value


def _reencodes_exactly(value: object, data: bytes, *, canonical: bool) -> bool:
    """Whether ``value`` encodes back to exactly ``data``: only such bytes decode (ENC-014.3)."""
    return cbor2.dumps(value, canonical=canonical) == data


def _decode_fast(data: bytes) -> GritObject | None:
    """cbor2 decode plus a byte-exact re-encode; ``None`` when anything is off, and the
    plain path then reports the encoding error before any object rule (OBJ-016.1).

    The top-level key order is checked against the canonical orders of the
    type, so a map with no nested maps (every step; blobs and messages without
    headers) can be re-encoded without cbor2's sort; nested maps need it.
    """
    value = cbor2.loads(data, max_depth=MAX_DEPTH)
    if type(value) is not dict:
        return None
    kind = value.get("type")
    if type(kind) is not str or tuple(value) not in _KEY_ORDERS.get(kind, _NO_ORDERS):
        return None
    nested = kind == "tree" or kind == "mailbox" or "headers" in value
    if not _reencodes_exactly(value, data, canonical=nested):
        return None
    return _from_value(value)


def decode_object_plain(data: bytes) -> GritObject:
    """Decode with the spec-ordered strict decoder only (the plain path): encoding rules
    first, then the object rules (OBJ-016.1)."""
    return _from_value(decode_value(data))


def decode_object(data: bytes) -> GritObject:
    """Strictly decode one object; raise a typed error naming the violated rule.

    Accepts exactly the bytes :func:`encode_object` produces (ENC-014.3, OBJ-017.1).
    """
    if type(data) is not bytes:
        data = bytes(data)
    if len(data) <= MAX_SIZE:
        try:
            obj = _decode_fast(data)
        except Exception:  # any rejection is re-diagnosed by the plain path below
            obj = None
        if obj is not None:
            return obj
    return decode_object_plain(data)


# Re-exported for the public API: the type name of an object.
def type_name(obj: GritObject) -> str:
    """The ``type`` field value of ``obj`` (OBJ-002)."""
    return OBJECT_TYPES[type(obj)]
