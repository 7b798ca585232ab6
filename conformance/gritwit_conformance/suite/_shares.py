"""Which share of a store an actor is in (RUN-021), computed once for every profile's
tests of shares."""

from __future__ import annotations

__all__ = ["share_of"]


def share_of(actor: str, n: int) -> int:
    """The share of ``n`` that ``actor`` (an id in hex) is in (RUN-021): its first 8 bytes,
    read big-endian, modulo ``n``."""
    return int(actor[:16], 16) % n
