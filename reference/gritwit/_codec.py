"""Objects ↔ canonical bytes ↔ ids (chapters *objects* and *identifiers*). Pure: no I/O.

Decoding has paths that must agree (style guide, rule 7):

* the *step template* — a step's canonical encoding is one of eight byte templates with
  32-byte holes for its ids (:func:`_step_templates`); bytes that match one are that
  step, with no rule left to check and no cbor2 call;
* the *fast* path — ``cbor2.loads``, a check that the top-level keys are in one of the
  type's canonical orders and the nested map's keys in canonical order, a re-encode
  that must equal the input byte for byte (ENC-014.3), then the object rules, in bulk
  for trees; and
* the *plain* path — :func:`gritwit._cbor.decode_value`, the spec-ordered strict
  decoder, then the same object rules.

The first two only accept: whatever they decline, the plain path decides and names the
violated rule, so errors always come from the plain path (ENC-016, OBJ-016.1, OBJ-016.2).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from itertools import repeat
from typing import Any, Final, TypeAlias

import blake3
import cbor2

from ._cbor import MAX_DEPTH, MAX_SIZE, Value, decode_value
from ._errors import InvalidObject, TooLarge
from ._ids import ID_LENGTH, ObjectId
from ._maps import Headers, MailboxEntries, TreeEntries, canonical_key_order, raw_of
from ._objects import (
    EMPTY_HEADERS,
    MAX_NAME_BYTES,
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
    "decode_bare_blob",
    "decode_object",
    "decode_object_plain",
    "encode_object",
    "encode_map_with_id",
    "encode_with_id",
    "object_id",
]

# Fields of each type: name → required?  (OBJ-003.1 … OBJ-003.3, OBJ-008, OBJ-009,
# OBJ-012, OBJ-013, OBJ-015)
FIELDS: Final[dict[str, dict[str, bool]]] = {
    "blob": {"type": True, "data": True, "headers": False},
    "tree": {"type": True, "entries": True},
    "message": {"type": True, "content": True, "previous": False, "headers": False},
    "mailbox": {"type": True, "entries": True, "base": False},
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
        headers = raw_of(obj.headers)  # its map's raw dict: no __len__ frame to test it
        if headers:
            value["headers"] = headers
        if obj.previous is not None:
            value["previous"] = obj.previous.digest
        return value
    if kind is Mailbox:
        assert isinstance(obj, Mailbox)
        if obj.base is None:
            return {"type": "mailbox", "entries": raw_of(obj.entries)}
        return {"base": obj.base.digest, "type": "mailbox", "entries": raw_of(obj.entries)}
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

    Only :func:`encode_with_id` and :func:`encode_map_with_id` make one (calling the
    class raises), so a store given an ``Encoded`` pair need not hash ``data`` again to
    know its id (STO-002.1); a plain ``(bytes, ObjectId)`` tuple proves nothing and is
    checked.
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


def encode_map_with_id(value: dict[str, Any]) -> Encoded:
    """:func:`encode_with_id` of the object whose CBOR-level map is ``value``.

    For builders that make an object from parts valid already and its map beside it,
    keys in the canonical order :func:`_to_value` puts them in (ENC-010), so that the
    object is not taken apart again (``test_trusted_builds`` holds each such
    map to :func:`_to_value`'s).  The size limit is checked as :func:`encode_object`
    checks it (ENC-013.2).
    """
    encoded: bytes = cbor2.dumps(value)
    if len(encoded) > MAX_SIZE:
        raise TooLarge("ENC-013.2", f"{len(encoded)} bytes exceeds the {MAX_SIZE}-byte limit")
    return tuple.__new__(Encoded, (encoded, _new_id(ObjectId, (blake3.blake3(encoded).digest(),))))


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
    return Mailbox(entries=MailboxEntries._trusted(value["entries"]), base=_optional(value, "base"))


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


def _with_headers(value: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
    """``value`` with its ``headers`` key, which is omitted when there are none (OBJ-007.1)."""
    if headers:
        value["headers"] = raw_of(headers)
    return value


# --- the fast path -----------------------------------------------------------------------
# What the fast path accepts, it accepts rightly; what it declines (``None``, or any
# exception) the plain path decides, so the fast path answers no error itself and needs
# no order among its checks (OBJ-016.1, OBJ-016.2 hold through the plain path).
#
# Why a map the fast path accepts is canonical (ENC-001 … ENC-013), although cbor2
# re-encodes it *without* ``canonical=True`` (whose sort of every map's keys cost more
# than the rest of a tree's decode together):
#
# * the object rules passed, so every value is the object's map, a byte or text
#   string, or one map-valued field (entries, headers) of text keys to byte or text
#   strings (their exact types: no number, float, simple value, array or tag object):
#   the only maps to sort are the object's and that field;
# * the top-level keys are one of the type's canonical orders (:data:`_KEY_ORDERS`),
#   and the nested map's keys are checked by :func:`_in_key_order` (ENC-009, ENC-010);
# * cbor2 encodes a dict in its order, every head in shortest form (ENC-007) and with
#   definite lengths (ENC-006), strings as given: so the re-encoding equals the input
#   only if the input has shortest heads, definite lengths, no duplicate key (the dict
#   has one entry less, ENC-011), no tag (a tagged item decodes to a type no field takes,
#   e.g. a datetime, or to a plain value that re-encodes without its tag, ENC-003), valid
#   UTF-8 (cbor2 raises otherwise, ENC-008) and nothing after the item (ENC-001); the
#   input is at most 16 MiB (ENC-013.1, checked by :func:`decode_object`) and nests two
#   levels (ENC-012): ENC-014.3 holds byte for byte.


def _in_key_order(mapping: dict[Any, Any]) -> bool:
    """Whether every key of ``mapping`` is text (ENC-009) and the keys are in canonical
    order (ENC-010): by UTF-8 length, then by UTF-8 bytes.

    The keys of a dict are distinct, so sorted means strictly increasing.  Sorting by
    bytes and then, stably, by length sorts by (length, bytes); an ASCII key's length
    is its UTF-8 length and code point order is UTF-8 byte order, so ASCII keys are
    compared as they are and only other keys are encoded first.
    """
    keys: list[Any] = [*mapping]
    if set(map(type, keys)) != {str}:
        return False
    if not "".join(keys).isascii():
        keys = [key.encode("utf-8") for key in keys]
    return keys == sorted(sorted(keys), key=len)


#: A fast decoder: the object a cbor2-decoded map and its bytes encode, or ``None``.
_FastDecoder: TypeAlias = Callable[[dict[str, Any], bytes], GritObject | None]


def _fast_tree(value: dict[str, Any], data: bytes) -> Tree | None:
    """The fast decoder of a tree whose keys are ``type`` and ``entries`` (OBJ-009).

    Checks what :func:`check_tree_entries` checks, over all entries at once: the
    first violation is not named here, the plain path names it (OBJ-016.3).
    """
    entries = value["entries"]
    if type(entries) is not dict or not entries or not _in_key_order(entries):
        return None
    if cbor2.dumps(value) != data:
        return None
    # The names are text in canonical order (ENC-009/010), so the last is the longest in
    # UTF-8 (OBJ-011.1).  The names in bulk (OBJ-011.1 … OBJ-011.3), then the ids
    # (OBJ-005), as check_tree_entries does.
    joined = "".join(entries)
    ids = entries.values()
    if (
        len(next(reversed(entries)).encode("utf-8")) > MAX_NAME_BYTES
        or "" in entries
        or "." in entries
        or ".." in entries
        or "/" in joined
        or "\x00" in joined
        or set(map(type, ids)) != {bytes}
        or set(map(len, ids)) != {ID_LENGTH}
    ):
        return None
    return Tree(entries=TreeEntries._trusted(entries))


_SET_BLOB_DATA: Final = vars(Blob)["data"].__set__
_SET_BLOB_HEADERS: Final = vars(Blob)["headers"].__set__


def _fast_blob(value: dict[str, Any], data: bytes) -> Blob | None:
    """The fast decoder of a blob whose keys are ``data`` and ``type``: its data is a
    byte string (OBJ-008), the only rule left; built without Blob.__post_init__."""
    raw = value["data"]
    if type(raw) is not bytes or cbor2.dumps(value) != data:
        return None
    blob = _new(Blob)
    _SET_BLOB_DATA(blob, raw)
    _SET_BLOB_HEADERS(blob, EMPTY_HEADERS)
    return blob


#: The field holding the nested map of the other types (OBJ-006, OBJ-013).
_NESTED: Final = {"blob": "headers", "message": "headers", "mailbox": "entries"}


def _fast_other(value: dict[str, Any], data: bytes) -> GritObject | None:
    """The fast decoder of blobs, messages and mailboxes: the nested map's key order, the
    re-encoding, then every object rule (:func:`_from_value`)."""
    nested = value.get(_NESTED[value["type"]])
    if nested is not None and (type(nested) is not dict or not _in_key_order(nested)):
        return None
    if cbor2.dumps(value) != data:
        return None
    return _from_value(value)


def _fast_decoders() -> dict[tuple[str, tuple[str, ...]], _FastDecoder]:
    """(type, canonical key order) → the fast decoder of maps with exactly those keys."""
    decoders: dict[tuple[str, tuple[str, ...]], _FastDecoder] = {}
    for kind, orders in _KEY_ORDERS.items():
        for order in orders:
            if kind == "tree":
                decoders[kind, order] = _fast_tree
            elif order == ("data", "type"):
                decoders[kind, order] = _fast_blob
            elif kind != "step":  # every canonical step is decoded by its template
                decoders[kind, order] = _fast_other
    return decoders


_FAST: Final = _fast_decoders()


def _decode_fast(data: bytes) -> GritObject | None:
    """cbor2 decode, then the decoder of the type's key order; ``None`` when anything is
    off, and the plain path then reports the encoding error before any object rule
    (OBJ-016.1)."""
    value = cbor2.loads(data, max_depth=MAX_DEPTH)
    if type(value) is not dict:
        return None
    kind = value.get("type")
    if type(kind) is not str:
        return None
    decode = _FAST.get((kind, tuple(value)))
    return None if decode is None else decode(value, data)


#: A step's slots, by field name: set without Step.__post_init__, whose checks the
#: template stands for.
_STEP_SETTERS: Final = {name: vars(Step)[name].__set__ for name in FIELDS["step"] if name != "type"}


def _step_templates() -> dict[int, tuple[Callable[[bytes], re.Match[bytes] | None], Any, Any]]:
    """Length of a canonical step's encoding → its template: a matcher of the bytes,
    the slot setters of its ids in the order of their bytes, those of its absent fields.

    A step's canonical encoding (ENC-014.1) depends only on which optional ids it has
    (OBJ-015) and on the ids' bytes, each written as ``0x58 0x20`` and its 32 bytes
    whatever they are (OBJ-005).  So each of the eight choices of optional fields gives
    one byte template with 32-byte holes, taken here from the encoder itself: bytes
    that match one are the encoding of exactly one step, the one with those ids, and
    no other bytes are a canonical step (ENC-014.3).  The eight lengths differ (each
    optional key has its own length), so the length picks the template.
    """
    optional = [name for name, required in FIELDS["step"].items() if not required]
    templates: dict[int, tuple[Callable[[bytes], re.Match[bytes] | None], Any, Any]] = {}
    for mask in range(1 << len(optional)):
        chosen = [name for bit, name in enumerate(optional) if mask >> bit & 1]
        marks = {
            name: bytes([0x80 + i]) * ID_LENGTH for i, name in enumerate(["actor", "core", *chosen])
        }
        encoded = encode_object(Step(**{name: ObjectId(mark) for name, mark in marks.items()}))
        holes = sorted((encoded.index(mark), name) for name, mark in marks.items())
        pattern, end = b"", 0
        for start, _ in holes:
            pattern += re.escape(encoded[end:start]) + b"(.{%d})" % ID_LENGTH
            end = start + ID_LENGTH
        pattern += re.escape(encoded[end:])
        assert len(encoded) not in templates and all(encoded.count(m) == 1 for m in marks.values())
        templates[len(encoded)] = (
            re.compile(pattern, re.DOTALL).fullmatch,
            tuple(_STEP_SETTERS[name] for _, name in holes),
            tuple(setter for name, setter in _STEP_SETTERS.items() if name not in marks),
        )
    return templates


_STEP_TEMPLATES: Final = _step_templates()


def _decode_step(data: bytes) -> Step | None:
    """The step ``data`` encodes when it matches a step's template (ENC-014.3, OBJ-015),
    else ``None``: no rule is left to check, and no cbor2 call is needed."""
    template = _STEP_TEMPLATES.get(len(data))
    if template is None:
        return None
    match, present, absent = template
    ids = match(data)
    if ids is None:
        return None
    step = _new(Step)
    for set_field, oid in zip(
        present, map(_new_id, repeat(ObjectId), zip(ids.groups())), strict=True
    ):
        set_field(step, oid)
    for set_field in absent:
        set_field(step, None)
    return step


#: A blob without headers is encoded as these bytes, a byte string's head and data, then
#: :data:`_BARE_BLOB_END`: two pairs, ``data`` before ``type`` (ENC-010, OBJ-008).
_BARE_BLOB_START: Final = b"\xa2\x64data"
_BARE_BLOB_END: Final = b"\x64type\x64blob"
#: A byte string head's first byte → the head's length (ENC-003: 24..27 add 1, 2, 4, 8).
_BSTR_HEAD_LENGTHS: Final = {0x40 + n: 1 for n in range(24)} | {0x58: 2, 0x59: 3, 0x5A: 5, 0x5B: 9}


def _bstr_head(length: int) -> bytes:
    """The canonical head of a byte string of ``length`` bytes (ENC-003)."""
    if length < 24:
        return bytes((0x40 + length,))
    for first, size in ((0x58, 1), (0x59, 2), (0x5A, 4)):
        if length < 1 << (8 * size):
            return bytes((first,)) + length.to_bytes(size, "big")
    return b"\x5b" + length.to_bytes(8, "big")


def decode_bare_blob(data: bytes) -> Blob | None:
    """The blob without headers ``data`` encodes when it is exactly that blob's canonical
    encoding (ENC-014.3), else ``None`` (then the other decoders judge it).

    A core's files are such blobs, read by the thousand at a mount (SBX-006.15): the
    fixed start and end and the byte string's head are compared as bytes and the data
    sliced out, with no CBOR decode and no re-encoding.  Strict as the other paths: the
    head must be the canonical one for the data's length, so a byte that differs
    anywhere from the canonical encoding leaves it to the plain path, which refuses it
    naming its rule.  Gate figure: 2**18 encodings of 3-byte blobs took 0.60 s of CPU
    through the general fast path (CBOR decode, then re-encode to compare), 0.23 s here
    (load 5 on 2 cores).
    """
    if not (data.startswith(_BARE_BLOB_START) and data.endswith(_BARE_BLOB_END)):
        return None
    end = len(data) - 10
    first = data[6] if end > 6 else 0
    if 0x40 <= first < 0x58:  # data of 0..23 bytes: the head is this one byte (ENC-003)
        # Gate figure: 2**18 encodings of 3-byte blobs took 0.19 s of CPU through the
        # comparison below (a head made and compared), 0.14 s here (load 3.6 on 2 cores)
        if first - 0x40 != end - 7:
            return None
        blob = _new(Blob)
        _SET_BLOB_DATA(blob, data[7:end])
        _SET_BLOB_HEADERS(blob, EMPTY_HEADERS)
        return blob
    size = _BSTR_HEAD_LENGTHS.get(first) if len(data) > 16 else None
    if size is None:
        return None
    if end < 6 + size or data[6 : 6 + size] != _bstr_head(end - 6 - size):
        return None
    blob = _new(Blob)
    _SET_BLOB_DATA(blob, data[6 + size : end])
    _SET_BLOB_HEADERS(blob, EMPTY_HEADERS)
    return blob


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
    step = _decode_step(data)
    if step is not None:
        return step
    if len(data) <= MAX_SIZE:
        bare = decode_bare_blob(data)
        if bare is not None:
            return bare
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
