"""Read-only, hashable mappings kept in canonical key order (OBJ-006, OBJ-009, OBJ-013).

Each mapping stores the *raw* CBOR-level dict (text keys in canonical order,
ids as 32-byte ``bytes``) so that encoding is a single cbor2 call and decoding
wraps nothing eagerly; ids are wrapped in :class:`ObjectId` on access.
Instances are built either from validated user input (``from_mapping``) or,
inside the codec, from a raw dict the decoder has already validated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from operator import attrgetter
from typing import Any, Final, Generic, Self, TypeVar, overload

from ._ids import ObjectId

__all__ = ["Headers", "MailboxEntries", "TreeEntries", "canonical_key_order", "raw_of"]

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")
#: What :meth:`_CanonicalMap.get` finds for an absent key (no raw value is this object).
_ABSENT: Any = object()


def canonical_key_order(key: str) -> tuple[int, bytes]:
    """Sort key of a text map key: bytewise order of its CBOR encoding (ENC-010).

    A text key's encoding is its length head followed by its UTF-8 bytes, so
    bytewise order of encodings is (UTF-8 length, UTF-8 bytes).
    """
    utf8 = key.encode("utf-8")
    return (len(utf8), utf8)


class _CanonicalMap(Mapping[K, V], Generic[K, V]):
    __slots__ = ("_raw",)
    _raw: dict[str, Any]

    @classmethod
    def _trusted(cls, raw: dict[str, Any]) -> Self:
        """Wrap a raw dict that is already valid and in canonical key order."""
        new = object.__new__(cls)
        new._raw = raw
        return new

    def _wrap_key(self, raw_key: str) -> K:
        return raw_key  # type: ignore[return-value]

    def _unwrap_key(self, key: object) -> str:
        return key  # type: ignore[return-value]

    def _wrap_value(self, raw_value: Any) -> V:
        return raw_value  # type: ignore[no-any-return]

    @property
    def raw(self) -> dict[str, Any]:
        """The CBOR-level dict (do not mutate)."""
        return self._raw

    def __getitem__(self, key: K) -> V:
        return self._wrap_value(self._raw[self._unwrap_key(key)])

    @overload
    def get(self, key: K, /) -> V | None: ...

    @overload
    def get(self, key: K, /, default: V | T) -> V | T: ...

    def get(self, key: K, /, default: object = None) -> object:
        """``self[key]``, or ``default`` when absent: :meth:`Mapping.get` in one lookup."""
        raw = self._raw.get(self._unwrap_key(key), _ABSENT)
        return default if raw is _ABSENT else self._wrap_value(raw)

    def __iter__(self) -> Iterator[K]:
        return map(self._wrap_key, self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, key: object) -> bool:
        try:
            return self._unwrap_key(key) in self._raw
        except (TypeError, AttributeError):
            return False

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            return self._raw == other._raw
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._raw.items()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self.items())!r})"


class Headers(_CanonicalMap[str, str]):
    """Message/blob headers: text → text (OBJ-006); may be empty in memory (OBJ-007)."""

    __slots__ = ()

    @overload
    def get(self, key: str, /) -> str | None: ...

    @overload
    def get(self, key: str, /, default: str | T) -> str | T: ...

    def get(self, key: str, /, default: object = None) -> object:
        """The value of header ``key``, or ``default``: names and values are kept as they are."""
        return self._raw.get(key, default)


class TreeEntries(_CanonicalMap[str, ObjectId]):
    """Tree entries: name → id of a blob or tree (OBJ-009)."""

    __slots__ = ()

    def _wrap_value(self, raw_value: Any) -> ObjectId:
        return ObjectId._trusted(raw_value)


class MailboxEntries(_CanonicalMap[ObjectId, ObjectId]):
    """Mailbox entries: actor id → message id (OBJ-013); keyed by the id's text form."""

    __slots__ = ()

    def _wrap_key(self, raw_key: str) -> ObjectId:
        return ObjectId._trusted(bytes.fromhex(raw_key))

    def _unwrap_key(self, key: object) -> str:
        if type(key) is not ObjectId:
            raise TypeError("mailbox keys are ObjectIds")
        return key.hex()

    def _wrap_value(self, raw_value: Any) -> ObjectId:
        return ObjectId._trusted(raw_value)


#: The CBOR-level dict behind a mapping that an object's constructor normalised.
#:
#: Every object's map field holds a :class:`_CanonicalMap` (its constructor makes one),
#: so this is an attribute read, without an (abstract-class) ``isinstance`` check, and
#: read from the slot by ``operator.attrgetter``: no Python call of its own (it runs
#: several times a transition).
raw_of: Final[Callable[[Mapping[Any, Any]], dict[str, Any]]] = attrgetter("_raw")
