"""The five Grit object types as frozen values, and their validation rules (chapter *objects*).

The validators work on the CBOR-level form (dicts of text keys, ``bytes`` ids)
so that one function enforces each rule both when a user constructs an object
and when the codec decodes one (OBJ-017).  Every rejection names its
requirement ID.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

from ._errors import InvalidId, InvalidName, InvalidObject, InvalidUtf8
from ._ids import ID_LENGTH, ObjectId
from ._maps import Headers, MailboxEntries, TreeEntries, canonical_key_order, raw_of

__all__ = [
    "EMPTY_HEADERS",
    "OBJECT_TYPES",
    "Blob",
    "GritObject",
    "Mailbox",
    "Message",
    "Step",
    "Tree",
    "check_headers",
    "check_id",
    "check_mailbox_entries",
    "check_tree_entries",
    "check_tree_name",
    "make_headers",
    "make_mailbox_entries",
    "make_tree_entries",
    "mailbox_with",
    "tree_entries_of_digests",
    "tree_with",
]

#: Longest tree name, in UTF-8 bytes (OBJ-011).
MAX_NAME_BYTES: Final = 255
_HEX = frozenset("0123456789abcdef")


# --- rules on the CBOR-level form -------------------------------------------------------


def check_id(value: object, field: str) -> bytes:
    """An id-valued field is a 32-byte byte string (OBJ-005); nothing else is an id (ID-002.2)."""
    if type(value) is not bytes or len(value) != ID_LENGTH:
        raise InvalidId("OBJ-005", f"{field} must be a byte string of {ID_LENGTH} bytes (ID-002.2)")
    return value


def check_tree_name(name: str) -> None:
    """Tree name grammar (OBJ-011.1 … OBJ-011.3); names are kept as given (OBJ-011.4)."""
    if not name:
        raise InvalidName("OBJ-011.1", "the empty tree name is not allowed")
    if name in (".", ".."):
        raise InvalidName("OBJ-011.3", f"tree name {name!r} is not allowed")
    if "/" in name or "\x00" in name:
        raise InvalidName("OBJ-011.2", f"tree name {name!r:.60} contains '/' or NUL")
    if len(name) > MAX_NAME_BYTES // 4 and len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise InvalidName("OBJ-011.1", f"tree name is longer than {MAX_NAME_BYTES} UTF-8 bytes")


def check_headers(value: object) -> dict[str, str]:
    """A present ``headers`` field is a non-empty map of text to text (OBJ-006, OBJ-007.2)."""
    if type(value) is not dict:
        raise InvalidObject("OBJ-006.1", "headers must be a map")
    if not value:
        raise InvalidObject("OBJ-007.2", "empty headers must be omitted, not encoded as {}")
    if "" in value or set(map(type, value)) != {str} or set(map(type, value.values())) != {str}:
        for name, text in value.items():  # entry by entry, name before value (OBJ-016.3)
            if type(name) is not str or not name:
                raise InvalidObject("OBJ-006.2", f"header name {name!r:.40} is not non-empty text")
            if type(text) is not str:
                raise InvalidObject("OBJ-006.3", f"header {name!r:.40} has a non-text value")
    return value


def check_tree_entries(value: object) -> dict[str, bytes]:
    """``entries`` of a tree: a non-empty map of valid names to ids (OBJ-009, OBJ-010,
    OBJ-011.1, OBJ-011.2, OBJ-011.3), checked entry by entry in key order (OBJ-016.3)."""
    if type(value) is not dict:
        raise InvalidObject("OBJ-009", "tree entries must be a map")
    if not value:
        raise InvalidObject("OBJ-010", "a tree must have at least one entry")
    # A fast screen over all entries; where it trips, the exact check runs entry by
    # entry in key order, name before id (OBJ-016.3), so the first violation wins.
    ids = value.values()
    if (
        set(map(type, value)) != {str}
        or set(map(type, ids)) != {bytes}
        or set(map(len, ids)) != {ID_LENGTH}
        or "/" in (joined := "".join(value))
        or "\x00" in joined
        or "" in value
        or "." in value
        or ".." in value
        or max(map(len, value)) > MAX_NAME_BYTES // 4
    ):
        for name, oid in value.items():
            if type(name) is not str:
                raise InvalidObject("OBJ-009", f"tree name {name!r:.40} is not text")
            check_tree_name(name)
            check_id(oid, f"tree entry {name!r:.60}")
    return value


def check_mailbox_entries(value: object) -> dict[str, bytes]:
    """``entries`` of a mailbox: non-empty, text-form actor ids to message ids (OBJ-013/014)."""
    if type(value) is not dict:
        raise InvalidObject("OBJ-013", "mailbox entries must be a map")
    if not value:
        raise InvalidObject("OBJ-013", "a mailbox must have at least one entry")
    for key, oid in value.items():  # entry by entry, key before value (OBJ-016.3)
        if type(key) is not str or len(key) != 2 * ID_LENGTH or not _HEX.issuperset(key):
            raise InvalidId("OBJ-014", f"mailbox key {key!r:.80} is not a text-form id")
        check_id(oid, f"mailbox entry {key[:12]}…")
    return value


def _check_utf8(texts: list[str]) -> None:
    """In-memory text must be encodable as UTF-8: no lone surrogates (ENC-008.1, OBJ-017.1)."""
    try:
        "".join(texts).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidUtf8("ENC-008.1", "text contains a lone surrogate") from None


# --- constructors from Python values --------------------------------------------------


def _sorted_raw(items: dict[str, Any]) -> dict[str, Any]:
    """``items`` in canonical key order (ENC-010); a map of one key is in order as it is.

    ASCII names are sorted by two sorts whose keys are C's (the text, then, stably, its
    length): an ASCII name's UTF-8 is its characters, so that is the bytewise order of
    (length, bytes) that :func:`canonical_key_order` gives, without a Python call per name
    (a core of 2**18 names is sorted several times a transition, SBX-006.15)."""
    if len(items) < 2:
        return items
    try:
        plain = "".join(items).isascii()
    except TypeError:  # a key that is not text: the exact order's own error
        plain = False
    if not plain:
        return {key: items[key] for key in sorted(items, key=canonical_key_order)}
    names = sorted(items)
    names.sort(key=len)
    return {key: items[key] for key in names}


def tree_entries_of_digests(raw: dict[str, bytes]) -> TreeEntries:
    """Validated :class:`TreeEntries` of names to 32-byte digests, in canonical order
    (OBJ-009, OBJ-011.2, OBJ-017.1): :func:`make_tree_entries` without an
    :class:`ObjectId` to unwrap per entry (a run's read-back of a wide directory)."""
    check_tree_entries(raw)
    _check_utf8(list(raw))
    return TreeEntries._trusted(_sorted_raw(raw))


def make_headers(headers: Mapping[str, str] | None) -> Headers:
    """Validated :class:`Headers` (OBJ-006, OBJ-017.1); ``None`` and ``{}`` both mean "no
    headers" (OBJ-007.1)."""
    if type(headers) is Headers:  # made valid (no subclass); not the slow ABC check
        return headers
    if not headers:
        return EMPTY_HEADERS
    if type(headers) is dict:  # text-to-text items made before: no copy, no type sets
        for name, value in headers.items():
            if type(name) is not str or type(value) is not str:
                break
        else:
            made = _HEADERS_MADE.get(tuple(headers.items()))
            if made is not None:
                return made
    raw = dict(headers)
    if set(map(type, raw)) != {str}:
        raise InvalidObject("OBJ-006", "header names must be text strings")
    key = None
    if set(map(type, raw.values())) == {str}:  # text to text: equal items, equal headers
        key = tuple(raw.items())
        made = _HEADERS_MADE.get(key)
        if made is not None:
            return made
    check_headers(raw)
    _check_utf8([*raw, *raw.values()])
    made = Headers._trusted(_sorted_raw(raw))
    if key is not None:
        if len(_HEADERS_MADE) >= HEADERS_KEPT:
            _HEADERS_MADE.clear()
        _HEADERS_MADE[key] = made
    return made


#: Most header maps :func:`make_headers` remembers (then it forgets all).
HEADERS_KEPT: Final = 256
#: Headers made from text-to-text items, by those items in the caller's order: a
#: sender's few header maps, sent again and again, are validated once (OBJ-006,
#: OBJ-017.1); :class:`Headers` is immutable, so one is shared.
_HEADERS_MADE: dict[tuple[tuple[str, str], ...], Headers] = {}


def _unwrap_ids(items: Mapping[Any, Any], what: str) -> dict[Any, bytes]:
    raw: dict[Any, bytes] = {}
    for key, oid in items.items():
        if type(oid) is not ObjectId:
            raise InvalidId("OBJ-005", f"{what} values must be ObjectIds, got {type(oid).__name__}")
        raw[key] = oid.digest
    return raw


def make_tree_entries(entries: Mapping[str, ObjectId]) -> TreeEntries:
    """Validated :class:`TreeEntries` in canonical order (OBJ-009, OBJ-011.2, OBJ-017.1)."""
    if type(entries) is TreeEntries:
        return entries
    raw = _unwrap_ids(entries, "tree entry")
    if raw and set(map(type, raw)) != {str}:
        raise InvalidObject("OBJ-009", "tree names must be text strings")
    check_tree_entries(raw)
    _check_utf8(list(raw))
    return TreeEntries._trusted(_sorted_raw(raw))


def make_mailbox_entries(entries: Mapping[ObjectId, ObjectId]) -> MailboxEntries:
    """Validated :class:`MailboxEntries` in canonical order (OBJ-013, OBJ-014, OBJ-017.1)."""
    if type(entries) is MailboxEntries:
        return entries
    raw = _unwrap_ids(entries, "mailbox entry")
    if any(type(key) is not ObjectId for key in raw):
        raise InvalidId("OBJ-014", "mailbox keys must be ObjectIds")
    check_mailbox_entries(hex_raw := {key.hex(): oid for key, oid in raw.items()})
    return MailboxEntries._trusted(_sorted_raw(hex_raw))


#: The one in-memory value for "no headers" (OBJ-007.1).
EMPTY_HEADERS: Final = Headers._trusted({})


def _optional_id(value: object, field: str) -> None:
    if value is not None and type(value) is not ObjectId:
        raise InvalidId("OBJ-005", f"{field} must be an ObjectId or None")


def _required_id(value: object, field: str) -> None:
    if type(value) is not ObjectId:
        raise InvalidId("OBJ-005", f"{field} must be an ObjectId")


# --- the object types ------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Blob:
    """Opaque bytes with optional headers (OBJ-008)."""

    data: bytes
    headers: Mapping[str, str] = EMPTY_HEADERS

    def __post_init__(self) -> None:
        if type(self.data) is not bytes:
            raise InvalidObject("OBJ-008", "blob data must be bytes")
        if type(self.headers) is not Headers:
            object.__setattr__(self, "headers", make_headers(self.headers))


@dataclass(frozen=True, slots=True, kw_only=True)
class Tree:
    """A non-empty map of names to blob or tree ids (OBJ-009 … OBJ-011)."""

    entries: Mapping[str, ObjectId]

    def __post_init__(self) -> None:
        if type(self.entries) is not TreeEntries:
            object.__setattr__(self, "entries", make_tree_entries(self.entries))


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """Content id, optional previous message and headers (OBJ-012)."""

    content: ObjectId
    previous: ObjectId | None = None
    headers: Mapping[str, str] = EMPTY_HEADERS

    def __post_init__(self) -> None:
        _required_id(self.content, "message content")
        _optional_id(self.previous, "message previous")
        if type(self.headers) is not Headers:
            object.__setattr__(self, "headers", make_headers(self.headers))


@dataclass(frozen=True, slots=True, kw_only=True)
class Mailbox:
    """A non-empty map of actor ids to message ids (OBJ-013, OBJ-014), over the map of
    the mailbox ``base`` names when it has one (OBJ-019.1)."""

    entries: Mapping[ObjectId, ObjectId]
    base: ObjectId | None = None

    def __post_init__(self) -> None:
        if type(self.entries) is not MailboxEntries:
            object.__setattr__(self, "entries", make_mailbox_entries(self.entries))
        _optional_id(self.base, "mailbox base")


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One state of an actor (OBJ-015)."""

    actor: ObjectId
    core: ObjectId
    previous: ObjectId | None = None
    inbox: ObjectId | None = None
    outbox: ObjectId | None = None

    def __post_init__(self) -> None:
        _required_id(self.actor, "step actor")
        _required_id(self.core, "step core")
        _optional_id(self.previous, "step previous")
        _optional_id(self.inbox, "step inbox")
        _optional_id(self.outbox, "step outbox")


GritObject: TypeAlias = Blob | Tree | Message | Mailbox | Step


# --- built from parts that are valid already ------------------------------------------


def tree_with(tree: Tree, changes: Mapping[str, ObjectId]) -> Tree:
    """``tree`` with each entry of ``changes`` set (OBJ-009); validated only where it adds one.

    Setting entries ``tree`` has keeps it valid: its names passed OBJ-009 … OBJ-011
    and keep their places in its canonical order (ENC-010); each value must be an
    :class:`ObjectId` (OBJ-005), as for :class:`Tree`.  A change that adds a name
    builds the tree through the validating constructor.
    """
    raw = dict(raw_of(tree.entries))
    if not changes.keys() <= raw.keys():
        return Tree(entries={**tree.entries, **changes})
    raw.update(_unwrap_ids(changes, "tree entry"))
    return tree_of_raw(raw)


def tree_of_raw(raw: dict[str, bytes]) -> Tree:
    """``Tree(entries=TreeEntries._trusted(raw))`` through its slots, not validated again.

    The caller vouches that ``raw`` is a valid tree's raw entries (OBJ-009 … OBJ-011,
    ids as 32-byte digests) in canonical order (ENC-010); the constructor's
    ``__post_init__`` would only see the type made here.
    """
    new = _new(Tree)
    _set_tree_entries(new, TreeEntries._trusted(raw))
    return new


def plain_blob(data: bytes) -> Blob:
    """``Blob(data=data)``: no headers (OBJ-007.1), ``data`` checked to be ``bytes`` as
    the constructor checks it (OBJ-008), made through its slots."""
    if type(data) is not bytes:
        raise InvalidObject("OBJ-008", "blob data must be bytes")
    blob = _new(Blob)
    _set_blob_data(blob, data)
    _set_blob_headers(blob, EMPTY_HEADERS)
    return blob


def mailbox_with(entries: Mapping[str, bytes], changes: Mapping[str, bytes]) -> Mailbox | None:
    """The mailbox of raw ``entries`` with raw ``changes`` set, not validated again;
    ``None`` when it has no entry (a mailbox has one, OBJ-013).

    The caller vouches for both: ``entries`` are a valid mailbox's raw entries (or
    empty), each key of ``changes`` is :meth:`ObjectId.hex` of an id and each value
    an id's ``digest``.  So every key is a text-form id (OBJ-014) and every value 32
    bytes (OBJ-005).  Keys of 64 ASCII characters sort in canonical order (ENC-010)
    as plain strings, and ``entries`` are in that order already: only a change that
    adds a key calls for a sort.
    """
    raw = {**entries, **changes}
    if not raw:
        return None
    if len(raw) != len(entries):
        raw = dict(sorted(raw.items()))
    # as Mailbox(entries=…), whose __post_init__ would only see the type it makes here
    box = _new(Mailbox)
    wrapped = _new_entries(MailboxEntries)  # as MailboxEntries._trusted(raw), without its frame
    wrapped._raw = raw
    _set_mailbox_entries(box, wrapped)
    _set_mailbox_base(box, None)
    return box


_new = object.__new__
_new_entries: Callable[[type[MailboxEntries]], MailboxEntries] = object.__new__
_set_mailbox_entries = vars(Mailbox)["entries"].__set__
_set_mailbox_base = vars(Mailbox)["base"].__set__
_set_tree_entries = vars(Tree)["entries"].__set__
_set_blob_data, _set_blob_headers = vars(Blob)["data"].__set__, vars(Blob)["headers"].__set__


#: Type name (the ``type`` field, OBJ-002) of each object class.
OBJECT_TYPES: Final[dict[type[GritObject], str]] = {
    Blob: "blob",
    Tree: "tree",
    Message: "message",
    Mailbox: "mailbox",
    Step: "step",
}
