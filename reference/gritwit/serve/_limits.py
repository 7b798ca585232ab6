"""The bounds a service keeps on what requests hold (HTTP-013, HTTP-002.3).

:class:`ServiceLimits` gathers them; its defaults are the ones ``gritwit serve`` uses,
each at or past the minimum HTTP-013 names.  Tests may lower them (a read deadline of a
second rather than thirty) to see both sides of each bound quickly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .._cbor import MAX_SIZE

__all__ = [
    "BUNDLE_MEDIA",
    "CBOR_MEDIA",
    "DRAIN_BYTES",
    "HEADER_BYTES",
    "JSON_MEDIA",
    "MAX_DEPTH",
    "MIB",
    "ServiceLimits",
]

MIB: Final = 1 << 20
#: The deepest nesting of arrays and objects a JSON body may have (HTTP-002.3).
MAX_DEPTH: Final = 32
#: The largest header section served; a larger one is refused (HTTP-013.2).
HEADER_BYTES: Final = 64 * 1024
#: The bytes of a refused body read and discarded after the answer, so that a client
#: that writes its whole body before it reads gets the answer, not a reset (HTTP-013.6).
DRAIN_BYTES: Final = 64 * MIB
JSON_MEDIA: Final = "application/json"
CBOR_MEDIA: Final = "application/cbor"
BUNDLE_MEDIA: Final = "application/vnd.gritwit.bundle"


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceLimits:
    """What one request, and all requests together, may hold (HTTP-013).

    ``json_body``: the largest JSON body (HTTP-013.1: at least 16 MiB); ``cbor_body``:
    the largest ``application/cbor`` body (at least the object limit, ENC-013, plus
    1 KiB); ``bundle_body``: the largest bundle (a bundle is one encoding, RUN-009.1,
    so the same bound); ``total_body``: the bytes all bodies being read may hold
    before a further request with a body is refused ``service-busy`` (HTTP-013.4);
    ``read_timeout``: seconds a request's head and body may take to arrive
    (HTTP-013.3: at least 10, default 30); ``keep_alive``: seconds an idle connection
    is kept; ``events_buffer``: the events one slow ``/v1/events`` client may have
    waiting before it is disconnected (HTTP-008.2).
    """

    json_body: int = 16 * MIB
    cbor_body: int = MAX_SIZE + 1024
    bundle_body: int = MAX_SIZE + 1024
    #: Three bodies of the largest size at once. A body was held about four times over
    #: while it was read, joined, decoded and parsed: twelve 15 MiB bodies at once peaked
    #: at 703 MB with 128 MiB here, against 43 MB at rest (asv_bench/tools/serve_hostile.py);
    #: read into one buffer and emptied once decoded, it is now held about twice.
    total_body: int = 48 * MIB
    read_timeout: float = 30.0
    keep_alive: float = 5.0
    events_buffer: int = 1024

    def __post_init__(self) -> None:
        for name in ("json_body", "cbor_body", "bundle_body", "total_body", "events_buffer"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"HTTP-013: {name} must be a positive integer, not {value!r}")
        for name in ("read_timeout", "keep_alive"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"HTTP-013.3: {name} must be a number of seconds > 0")
