"""Object identifiers (spec chapter *identifiers*, ID-001 … ID-005).

An :class:`ObjectId` is the BLAKE3-256 digest of an object's canonical
encoding: 32 raw bytes, no algorithm tag (ID-002.1), written as 64 lowercase hex
digits in text (ID-003).  It is its own type so that raw ``bytes`` never pass
between modules as ids.
"""

from __future__ import annotations

import string
from operator import itemgetter
from typing import Self

import blake3

from ._error_types import InvalidId

__all__ = ["ID_LENGTH", "ObjectId", "compute_id"]

#: Length of a binary id in bytes (ID-002.1).
ID_LENGTH = 32
_HEX_DIGITS = frozenset(string.hexdigits.lower()[:16])


class ObjectId(tuple[bytes]):
    """A 32-byte BLAKE3-256 object id (ID-001, ID-002.1).

    Immutable, hashable, and ordered by its digest's bytes (ID-005).  It is a
    one-element tuple so that hashing, equality and ordering run in C: the runtime
    looks ids up in dicts about a hundred times per transition, and a
    Python ``__hash__`` was the largest single cost left.  An id never equals a
    ``bytes`` value (only an :class:`ObjectId`, or a 1-tuple holding the same
    digest); ``digest`` is the 32 bytes.
    """

    __slots__ = ()

    def __new__(cls, digest: bytes) -> Self:
        if type(digest) is not bytes or len(digest) != ID_LENGTH:
            raise InvalidId("ID-002.2", f"an id is exactly {ID_LENGTH} bytes, got {digest!r:.80}")
        return tuple.__new__(cls, (digest,))

    #: The 32 raw bytes (ID-002.1).
    digest = property(itemgetter(0))

    @classmethod
    def _trusted(cls, digest: bytes) -> Self:
        """Wrap ``digest``, known to be 32 bytes: the binary form is the digest (ID-002.1)."""
        return tuple.__new__(cls, (digest,))

    @classmethod
    def from_hex(cls, text: str) -> Self:
        """Parse the text form: exactly 64 lowercase hex digits (ID-003)."""
        if type(text) is not str or len(text) != 2 * ID_LENGTH or not _HEX_DIGITS.issuperset(text):
            raise InvalidId("ID-003", f"not 64 lowercase hex digits: {text!r:.80}")
        return tuple.__new__(cls, (bytes.fromhex(text),))

    def hex(self) -> str:
        """The text form (ID-003)."""
        return self[0].hex()

    def __str__(self) -> str:
        return self[0].hex()

    def __repr__(self) -> str:
        return f"ObjectId('{self[0].hex()}')"

    def __getnewargs__(self) -> tuple[bytes]:
        """What :mod:`pickle` and :mod:`copy` call the class with: the digest."""
        return (self[0],)


def compute_id(encoding: bytes) -> ObjectId:
    """BLAKE3-256 of ``encoding`` (ID-001).

    The caller is responsible for ``encoding`` being canonical (ID-004); use
    :func:`gritwit.object_id` to go from an object to its id.
    """
    return ObjectId._trusted(blake3.blake3(encoding).digest())
