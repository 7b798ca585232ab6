"""Shares: a static division of the actors among the runtimes of one store (RUN-021).

A share ``k/n`` holds the actors whose id's first 8 bytes, read as an unsigned
big-endian integer, leave the remainder ``k`` when divided by ``n``; ``1 <= n <=``
:data:`MAX_SHARES` and ``0 <= k < n``.  Ids are BLAKE3 digests (ID-001), so the shares of
one ``n`` are about equally large.  A runtime opened with a share runs only its actors
(RUN-021.1, RUN-021.2) and still sends to, and answers queries of, every actor
(RUN-021.3).  Nothing in the store records a share: which runtime runs which share
is the operator's choice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from .._ids import ObjectId

__all__ = ["MAX_SHARES", "Share"]

#: The largest ``n`` of a share (RUN-021).
MAX_SHARES: Final = 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Share:
    """Share ``k`` of ``n`` (RUN-021): ``ValueError`` for any other pair of numbers."""

    k: int
    n: int

    def __post_init__(self) -> None:
        k, n = self.k, self.n
        if type(k) is not int or type(n) is not int:  # not a bool, not a float
            raise ValueError(f"RUN-021: a share is two integers k/n, not {k!r}/{n!r}")
        if not 1 <= n <= MAX_SHARES:
            raise ValueError(f"RUN-021: a share's n is from 1 to {MAX_SHARES}, not {n}")
        if not 0 <= k < n:
            raise ValueError(f"RUN-021: a share's k is from 0 to n - 1 = {n - 1}, not {k}")

    @classmethod
    def parse(cls, text: str) -> Share:
        """The share written ``K/N`` (``gritwit runtime run --share``)."""
        k, slash, n = text.partition("/")
        if not slash or not k.isascii() or not k.isdigit() or not n.isascii() or not n.isdigit():
            raise ValueError(f"RUN-021: a share is written K/N (e.g. 0/4), not {text!r}")
        return cls(k=int(k), n=int(n))

    def owns(self, actor: ObjectId) -> bool:
        """Whether ``actor`` is in this share: its id's first 8 bytes, big-endian, mod n."""
        return int.from_bytes(actor.digest[:8], "big") % self.n == self.k

    def select(self, actors: Iterable[ObjectId]) -> set[ObjectId]:
        """The actors of ``actors`` in this share."""
        return {actor for actor in actors if self.owns(actor)}

    def __str__(self) -> str:
        return f"{self.k}/{self.n}"
