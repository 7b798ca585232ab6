"""Who may do what to which actor: bearer tokens in front of every endpoint (HTTP-018 … HTTP-021).

:class:`AuthMiddleware` stands before the limits of HTTP-013, so a request without a
good token is refused before any of its body is read.  For each request, in order:

1. a state-changing request (``POST``, ``DELETE``) carrying a ``Cookie`` → 400
   ``bad-request`` (HTTP-019.2; forms are refused by HTTP-002.3's media type);
2. the open endpoints (the probes and the service's document) pass (HTTP-018.1);
3. while the service requires tokens: a client address past its failed-token budget →
   429 ``rate-limited`` without looking at the token (HTTP-021.2); no single
   ``Authorization: Bearer`` header, a token in the URL, or a token it does not know →
   401 ``unauthorized`` with ``WWW-Authenticate: Bearer`` (HTTP-018.1); the token past
   its requests or bytes → 429 with ``Retry-After`` (HTTP-021.1); outside its scope or
   prefix → 403 ``forbidden`` (HTTP-018.2, HTTP-018.3);
4. the request goes on with its :class:`Grant` in the ASGI scope, for the handlers that
   read actors from a body (:func:`require_actor`, :func:`require_scope`); an audited
   one (HTTP-020.1) is written to the log once its answer's status is known and before
   the answer is sent.

A token is never written anywhere: not in an answer, a log line or a metric (HTTP-018.4).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, TypeVar
from urllib.parse import parse_qsl, unquote

from .._ids import ObjectId
from ..runtime import is_id_text
from ._audit import AuditEntry
from ._engine_commands import Command
from ._port import ActorInPrefix, AppendAudit, LoadTokens
from ._problems import HttpProblem
from ._routes import endpoint_for
from ._scopes import AUDITED, PAGE_SCOPE, PREFIX_FREE, SCOPE_OF, scope_of
from ._tokens import TokenRecord, split_token, token_matches

__all__ = [
    "AuthMiddleware",
    "Grant",
    "TokenBook",
    "require_actor",
    "require_batch",
    "require_scope",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
Answer = TypeVar("Answer")


class Submit(Protocol):
    """How the middleware asks the service's engine: a command of its port (:mod:`._port`),
    answered as the command says."""

    def __call__(self, command: Command[Answer]) -> Awaitable[Answer]: ...


#: Where a request's grant sits in its ASGI scope.
GRANT_KEY: Final = "gritwit.grant"
_OPEN: Final = frozenset(path for (m, path), scope in SCOPE_OF.items() if scope is None)
_STATE_CHANGING: Final = frozenset({"POST", "DELETE", "PUT", "PATCH"})
#: Seconds a token book is trusted before it is read again: a token removed stops
#: opening the door within this (HTTP-018.5).
BOOK_SECONDS: Final = 2.0
#: Failed token checks one client address may make: a burst, then so many a second
#: (HTTP-021.2). Ten a second lets a mistyped token be retried; a guesser at 10,000 a
#: second gets 429 for all but ten of them, without its guesses being checked.
FAILED_BURST: Final = 20
FAILED_RATE: Final = 10.0
_ACTOR_SEGMENT: Final = re.compile(r"/v1/actors/([^/]+)(?:/|$)")


@dataclass
class Grant:
    """What a request's token may do, and whether the request is audited."""

    token: TokenRecord
    audited: bool = False
    actor: str | None = None

    def holds(self, scope: str) -> bool:
        return self.token.holds(scope)


class Forbidden(HttpProblem):
    def __init__(self, message: str) -> None:
        super().__init__(403, "forbidden", message)


@dataclass
class _Bucket:
    """A token bucket: ``level`` units now, refilled at ``rate`` a second up to ``burst``."""

    rate: float
    burst: float
    level: float = -1.0
    at: float = field(default_factory=time.monotonic)

    def take(self, amount: float = 1.0) -> float:
        """Take ``amount``; ``0.0`` when taken, else the seconds until it could be."""
        now = time.monotonic()
        if self.level < 0:
            self.level = self.burst
        self.level = min(self.burst, self.level + (now - self.at) * self.rate)
        self.at = now
        if self.level >= amount:
            self.level -= amount
            return 0.0
        return (amount - self.level) / self.rate

    def give(self) -> None:
        """Give back a unit taken for a check that did not fail."""
        self.level = min(self.burst, self.level + 1.0)

    def peek(self) -> bool:
        """Whether one unit is there, without taking it."""
        now = time.monotonic()
        level = self.burst if self.level < 0 else self.level
        return min(self.burst, level + (now - self.at) * self.rate) >= 1.0


class TokenBook:
    """The tokens of a store, read again every :data:`BOOK_SECONDS` (HTTP-018.5)."""

    def __init__(self, tokens: dict[str, TokenRecord]) -> None:
        self.tokens = tokens
        self.read_at = time.monotonic()
        self._reading: asyncio.Future[dict[str, TokenRecord]] | None = None

    def stale(self) -> bool:
        return time.monotonic() - self.read_at > BOOK_SECONDS

    async def find(self, ident: str, submit: Submit) -> TokenRecord | None:
        if self.stale():
            await self.read(submit)
        return self.tokens.get(ident)

    async def read(self, submit: Submit) -> None:
        """Read the store's tokens again (one read at a time, shared by the waiters)."""
        if self._reading is None:
            self._reading = asyncio.ensure_future(submit(LoadTokens()))
        reading = self._reading
        try:
            self.tokens = await asyncio.shield(reading)
            self.read_at = time.monotonic()
        finally:
            if self._reading is reading and reading.done():
                self._reading = None


@dataclass(eq=False)
class AuthMiddleware:
    """HTTP-018 … HTTP-021 in front of ``app``; ``required``: the service requires tokens."""

    app: App
    book: TokenBook
    submit: Submit
    required: bool = field(kw_only=True)
    #: Whether a token added to the store later makes it require them (HTTP-018.5);
    #: not when its operator turned tokens off (HTTP-019.1).
    watch: bool = field(default=True, kw_only=True)
    _watching: asyncio.Future[None] | None = field(default=None, init=False, repr=False)
    _requests: dict[str, _Bucket] = field(default_factory=dict, init=False, repr=False)
    _bytes: dict[str, _Bucket] = field(default_factory=dict, init=False, repr=False)
    _failures: dict[str, _Bucket] = field(default_factory=dict, init=False, repr=False)

    @property
    def held(self) -> int:
        """The bytes the bodies being read behind it hold now (HTTP-013.4)."""
        held: int = getattr(self.app, "held", 0)
        return held

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            grant = await self._admit(scope)
        except HttpProblem as problem:
            await _refuse(send, problem)
            return
        if grant is None:
            await self.app(scope, receive, send)
            return
        scope[GRANT_KEY] = grant
        await self.app(scope, receive, _audited(scope, grant, send, self.submit))

    async def _admit(self, scope: Scope) -> Grant | None:
        method, path = scope["method"], scope["path"]
        headers = scope["headers"]
        if method in _STATE_CHANGING and any(name == b"cookie" for name, _ in headers):
            raise HttpProblem(
                400, "bad-request", "HTTP-019.2: a request that changes state carries no cookie"
            )
        if not self.required and self.watch and self.book.stale() and self._watching is None:
            # a token added since makes it required from now on; read beside the request,
            # which an engine busy with a step would otherwise hold up
            self._watching = asyncio.ensure_future(self._look_for_tokens())
        if not self.required or (method in ("GET", "HEAD") and path in _OPEN):
            return None
        client = (scope.get("client") or ("?", 0))[0]
        failures = self._failures.get(client)
        given = [value for name, value in headers if name == b"authorization"]
        if given:
            # A check takes its unit before it starts and gives it back only if the token
            # is good: checks in flight at once count too, so a flood of concurrent
            # guesses is not all checked while the first ones are (HTTP-021.2).
            failures = failures or self._bucket(client)
            if failures.take() > 0:
                raise _rate_limited("HTTP-021.2: too many failed tokens from this address", 1.0)
        elif failures is not None and not failures.peek():
            raise _rate_limited("HTTP-021.2: too many failed tokens from this address", 1.0)
        record = await self._authenticate(scope, given)
        if record is None:
            raise HttpProblem(
                401,
                "unauthorized",
                "HTTP-018.1: give one header Authorization: Bearer <token> of a token "
                "this service knows",
                headers={"www-authenticate": 'Bearer realm="gritwit"'},
            )
        if failures is not None and given:
            failures.give()  # a good token: no failed check
        self._limit(record, headers)
        return await self._authorize(record, method, path)

    async def _look_for_tokens(self) -> None:
        try:
            await self.book.read(self.submit)
            self.required = self.required or bool(self.book.tokens)
        finally:
            self._watching = None

    async def _authenticate(self, scope: Scope, given: list[bytes]) -> TokenRecord | None:
        query = scope.get("query_string", b"").decode("latin-1")
        if len(given) != 1 or any(
            name == "access_token" for name, _ in parse_qsl(query, keep_blank_values=True)
        ):
            return None
        scheme, _, token = given[0].decode("latin-1").partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = token.strip()
        ident = split_token(token)
        record = None if ident is None else await self.book.find(ident, self.submit)
        return record if token_matches(token, record) else None

    def _bucket(self, client: str) -> _Bucket:
        bucket = self._failures.setdefault(client, _Bucket(FAILED_RATE, FAILED_BURST))
        if len(self._failures) > 65536:  # many addresses: forget the full buckets
            for address in [a for a, b in self._failures.items() if b.peek() and a != client]:
                del self._failures[address]
        return bucket

    def _limit(self, record: TokenRecord, headers: Any) -> None:
        """HTTP-021.1: the token's requests a second and body bytes a minute."""
        requests = self._requests.setdefault(
            record.id, _Bucket(float(record.rate), float(record.rate))
        )
        wait = requests.take()
        if wait:
            raise _rate_limited("HTTP-021.1: this token's requests a second are spent", wait)
        length = next((value for name, value in headers if name == b"content-length"), b"0")
        size = int(length) if length.isdigit() else 0
        if size:
            per_minute = float(record.bytes_per_minute)
            spent = self._bytes.setdefault(record.id, _Bucket(per_minute / 60.0, per_minute))
            wait = spent.take(min(float(size), per_minute))
            if wait:
                raise _rate_limited("HTTP-021.1: this token's bytes a minute are spent", wait)

    async def _authorize(self, record: TokenRecord, method: str, path: str) -> Grant:
        endpoint = endpoint_for(method, path)
        if endpoint is None:
            scope = PAGE_SCOPE if path == "/ui" or path.startswith("/ui/") else "read"
            key = None
        else:
            key = (endpoint.method, endpoint.path)
            scope = scope_of(*key) or "read"
        found = _ACTOR_SEGMENT.match(path) if endpoint is not None else None
        actor = None if found is None or path == "/v1/actors" else unquote(found.group(1))
        grant = Grant(record, audited=scope in AUDITED, actor=actor)
        if not record.holds(scope):
            await self._audit_refusal(grant, method, key, 403, "forbidden")
            raise Forbidden(f"HTTP-018.2: this endpoint needs the scope {scope}")
        if record.prefix is not None and key is not None and key not in PREFIX_FREE:
            if actor is None:
                raise Forbidden(
                    "HTTP-018.3: a token limited to a prefix reaches only endpoints that "
                    "name an actor"
                )
            if not await self.actor_allowed(record.prefix, actor):
                await self._audit_refusal(grant, method, key, 403, "forbidden")
                raise Forbidden("HTTP-018.3: the actor is outside this token's prefix")
        return grant

    async def actor_allowed(self, prefix: str, text: str) -> bool:
        """Whether the actor ``text`` names is within ``prefix`` (HTTP-018.3): a name that
        starts with it, or an id some name that starts with it is bound to."""
        if not is_id_text(text):
            return text.startswith(prefix)
        return await self.submit(ActorInPrefix(prefix, ObjectId.from_hex(text)))

    async def _audit_refusal(
        self, grant: Grant, method: str, key: tuple[str, str] | None, status: int, cls: str
    ) -> None:
        if grant.audited and key is not None:
            entry = AuditEntry(grant.token.name, f"{method} {key[1]}", grant.actor, status, cls)
            await self.submit(AppendAudit(entry))


def _rate_limited(message: str, wait: float) -> HttpProblem:
    return HttpProblem(
        429, "rate-limited", message, headers={"retry-after": str(max(1, math.ceil(wait)))}
    )


def _audited(scope: Scope, grant: Grant, send: Send, submit: Submit) -> Send:
    """``send``, writing the request's audit entry (HTTP-020.1) once its answer's status
    and class are known, before any of the answer goes out: the action has committed
    (or failed) by then, and the client never sees an answer the log lacks."""
    held: list[Message] = []

    async def audited(message: Message) -> None:
        if not grant.audited:
            await send(message)
            return
        if message["type"] == "http.response.start":
            held.append(message)
            if message["status"] < 400:
                await _write(None)
            return
        if held and message["type"] == "http.response.body":
            await _write(_error_class(message.get("body", b"")))
        await send(message)

    async def _write(error_class: str | None) -> None:
        start = held.pop()
        endpoint = endpoint_for(scope["method"], scope["path"])
        what = f"{scope['method']} {endpoint.path if endpoint else scope['path']}"
        entry = AuditEntry(grant.token.name, what, grant.actor, start["status"], error_class)
        await submit(AppendAudit(entry))
        await send(start)

    return audited


def _error_class(body: bytes) -> str | None:
    try:
        found = json.loads(body)["error"]["class"]
    except (ValueError, KeyError, TypeError):
        return None
    return found if isinstance(found, str) else None


def grant_of(scope: Scope) -> Grant | None:
    grant: Grant | None = scope.get(GRANT_KEY)
    return grant


def require_scope(request: Any, scope: str) -> None:
    """A handler's own scope check (HTTP-018.2: an update needs ``operate``)."""
    grant = grant_of(request.scope)
    if grant is None:
        return
    if scope in AUDITED:
        grant.audited = True
    if not grant.holds(scope):
        raise Forbidden(f"HTTP-018.2: this request needs the scope {scope}")


async def require_actor(request: Any, text: str | None, what: str) -> None:
    """A handler's check of an actor its body names (HTTP-018.3); ``None``: none named."""
    grant = grant_of(request.scope)
    if grant is None or grant.token.prefix is None:
        return
    auth: AuthMiddleware = request.app.state.auth
    if text is None or not await auth.actor_allowed(grant.token.prefix, text):
        raise Forbidden(f"HTTP-018.3: {what} is outside this token's prefix")


async def require_batch(request: Any, entries: list[dict[str, Any]]) -> None:
    """A batch's checks (HTTP-005.7): an update in it needs ``operate`` (HTTP-018.2), and
    each recipient must be within the token's prefix (HTTP-018.3)."""
    if any(entry.get("mt") == "update" for entry in entries):
        require_scope(request, "operate")
    for to in sorted({entry["to"] for entry in entries}):
        await require_actor(request, to, f"the recipient {to!r:.80}")


async def _refuse(send: Send, problem: HttpProblem) -> None:
    body = json.dumps({"error": {"class": problem.error_class, "message": problem.message}})
    data = body.encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
        (b"connection", b"close"),  # its body, if any, was never read
        *((name.encode(), value.encode()) for name, value in problem.headers.items()),
    ]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
