"""Object identifiers (spec chapter *identifiers*, ID-001 … ID-005).

An :class:`ObjectId` is the BLAKE3-256 digest of an object's canonical
encoding: 32 raw bytes, no algorithm tag (ID-002.1), written as 64 lowercase hex
digits in text (ID-003).  It is its own type so that raw ``bytes`` never pass
between modules as ids.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Self

import blake3

from ._errors import InvalidId

__all__ = ["ID_LENGTH", "ObjectId", "compute_id"]

#: Length of a binary id in bytes (ID-002.1).
ID_LENGTH = 32
_HEX_DIGITS = frozenset(string.hexdigits.lower()[:16])


@dataclass(frozen=True, slots=True, order=True)
class ObjectId:
    """A 32-byte BLAKE3-256 object id (ID-001, ID-002.1)."""

    digest: bytes

    def __post_init__(self) -> None:
        if type(self.digest) is not bytes or len(self.digest) != ID_LENGTH:
            raise InvalidId(
                "ID-002.2", f"an id is exactly {ID_LENGTH} bytes, got {self.digest!r:.80}"
            )

    @classmethod
    def _trusted(cls, digest: bytes) -> Self:
        """Wrap ``digest``, known to be 32 bytes: the binary form is the digest (ID-002.1)."""
        oid = object.__new__(cls)
        object.__setattr__(oid, "digest", digest)
        return oid

    @classmethod
    def from_hex(cls, text: str) -> Self:
        """Parse the text form: exactly 64 lowercase hex digits (ID-003)."""
        if type(text) is not str or len(text) != 2 * ID_LENGTH or not _HEX_DIGITS.issuperset(text):
            raise InvalidId("ID-003", f"not 64 lowercase hex digits: {text!r:.80}")
        return cls._trusted(bytes.fromhex(text))

    def hex(self) -> str:
        """The text form (ID-003)."""
        return self.digest.hex()

    # Equality and hash are the digest's (ID-001: one object, one id), written out
    # because the generated ones build a tuple per call; ordering stays generated.
    def __eq__(self, other: object) -> bool:
        if type(other) is ObjectId:
            return self.digest == other.digest
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.digest)

    def __str__(self) -> str:
        return self.digest.hex()

    def __repr__(self) -> str:
        return f"ObjectId('{self.digest.hex()}')"


def compute_id(encoding: bytes) -> ObjectId:
    """BLAKE3-256 of ``encoding`` (ID-001).

    The caller is responsible for ``encoding`` being canonical (ID-004); use
    :func:`gritwit.object_id` to go from an object to its id.
    """
    return ObjectId._trusted(blake3.blake3(encoding).digest())
