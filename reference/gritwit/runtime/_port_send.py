"""The port's wire: a request sent once, its answer read (PORT-004 … PORT-006, PORT-008).

What a port step records is sent from here, off the transition path, by the service's
worker threads; the answer comes back as a :class:`Response` (redacted) or a typed
:class:`Failure`, never an exception (PORT-002.3).
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from .._ids import ObjectId
from ._port_policy import Rule, Target, address_allowed
from ._port_secrets import Secrets

__all__ = [
    "Failure",
    "Outcome",
    "PortBounds",
    "Prepared",
    "Response",
    "idempotency_key",
    "perform",
    "resolve",
]

#: How much of a response body is read at a time.
_CHUNK: Final = 65_536

#: A request in flight's key: its sender and its id (PORT-001.3).
Key = tuple[ObjectId, ObjectId]


@dataclass(frozen=True, slots=True)
class PortBounds:
    """The bounds of PORT-005, each refused or answered with its class."""

    #: Most requests of one sender in flight (PORT-005.2).
    max_in_flight: int = 8
    #: Most requests in flight in all (PORT-005.2).
    max_in_flight_total: int = 64
    #: Longest request body, in bytes (PORT-005.3).
    max_request_bytes: int = 1_048_576
    #: Longest response body, in bytes (PORT-005.6).
    max_response_bytes: int = 1_048_576
    #: Most requests of one sender accepted in one minute of the clock (PORT-005.4).
    max_per_minute: int = 60
    #: Longest time limit, and the one given when a request names none (PORT-005.5), in ms.
    max_time: int = 30_000


def idempotency_key(request: ObjectId, sender: ObjectId) -> str:
    """The ``Idempotency-Key`` of every sending of a request (PORT-006.1)."""
    return request.hex() + sender.hex()


@dataclass(frozen=True, slots=True)
class Prepared:
    """A request as the service sends it: everything read from its message."""

    key: Key
    method: str
    url: Target
    #: Headers as the message holds them: references, never values (PORT-009.3).
    headers: tuple[tuple[str, str], ...]
    body: bytes
    keep: tuple[str, ...]
    #: Seconds (PORT-005.5).
    time_limit: float
    rule: Rule
    #: The request's content: a failure's content (PORT-008.2).
    content: ObjectId


@dataclass(frozen=True, slots=True)
class Response:
    """A response, redacted (PORT-008.1, PORT-009.4)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class Failure:
    """A failure's class and clause (PORT-008.2)."""

    error: str
    clause: str


Outcome = Response | Failure


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (PORT-004.1)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every sending: httpx's default (``verify=True``), made once.
    Making one reads the whole trust store: a client made per sending spent about 18 ms
    of a port round trip's 25 ms of CPU on it (``asv_bench/tools/port_hostile.py --case
    cost``; a client with this context is made in 0.08 ms against 46 ms, side by side)."""
    import httpx

    return httpx.create_ssl_context()


def _ip_host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def perform(
    req: Prepared,
    secrets: Secrets,
    bounds: PortBounds,
    resolve: Callable[[str, int], list[str]] = resolve,
) -> Outcome:
    """Send ``req`` once and read its answer (PORT-004, PORT-005.5 … PORT-005.7, PORT-008)."""
    import httpx  # here, not at the top: a command that sends nothing never loads it

    url = req.url
    try:
        addresses = resolve(url.bare_host, url.port)
    except (OSError, UnicodeError):
        return Failure("port-connection", "PORT-005.7")
    if not addresses:
        return Failure("port-connection", "PORT-005.7")
    for text in addresses:  # every address, not the first (PORT-004.1)
        try:
            address = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            return Failure("port-refused", "PORT-004.1")
        if not address_allowed(address, req.rule):
            return Failure("port-refused", "PORT-004.1")
    # connect to a checked address, never resolve again (PORT-004.2)
    wire_url = f"{url.scheme}://{_ip_host(addresses[0])}:{url.port}{url.target}"
    default = {"http": 80, "https": 443}[url.scheme]
    host_header = url.host if url.port == default else f"{url.host}:{url.port}"
    headers = [(n, secrets.substitute(v)) for n, v in req.headers]  # only on the wire (PORT-009.2)
    headers += [("host", host_header), ("idempotency-key", idempotency_key(*reversed(req.key)))]
    deadline = time.monotonic() + req.time_limit
    extensions = {"sni_hostname": url.bare_host} if url.scheme == "https" else {}
    try:
        with httpx.Client(
            follow_redirects=False,  # PORT-004.3
            verify=_tls(),
            trust_env=False,  # no proxy of the environment: the checked address is reached
            timeout=httpx.Timeout(req.time_limit),
        ) as client:
            request = client.build_request(
                req.method, wire_url, headers=headers, content=req.body, extensions=extensions
            )
            answer = client.send(request, stream=True)
            try:
                body = bytearray()
                for chunk in answer.iter_raw(_CHUNK):
                    body += chunk
                    if len(body) > bounds.max_response_bytes:
                        return Failure("port-too-large", "PORT-005.6")
                    if time.monotonic() > deadline:
                        return Failure("port-timeout", "PORT-005.5")
                if time.monotonic() > deadline:
                    return Failure("port-timeout", "PORT-005.5")
                kept = tuple(
                    (name, secrets.redact_text(", ".join(answer.headers.get_list(name))))
                    for name in req.keep
                    if name in answer.headers
                )
                return Response(answer.status_code, kept, secrets.redact(bytes(body)))
            finally:
                answer.close()
    except httpx.TimeoutException:
        return Failure("port-timeout", "PORT-005.5")
    except (httpx.HTTPError, OSError, ValueError):
        # its text may quote what was sent; the class is all the answer says (PORT-008.2)
        return Failure("port-connection", "PORT-005.7")
