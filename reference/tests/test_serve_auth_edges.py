"""Edges of the reference's token door that no client of the suite can reach (HTTP-018.5,
HTTP-019.1, HTTP-021.2).

* The token book's one read at a time (HTTP-018.5): a request that stops waiting for a
  read of the store's tokens (its client went away) leaves the read to the requests
  still waiting, rather than letting the next one start a second read beside it.
* A service whose operator turned tokens off (``--insecure-no-auth``, HTTP-019.1) does
  not watch the store for tokens: one issued there later does not make it require
  them, as it does a service that was only started without any (HTTP-018.5). The
  adapter's ``http-serve`` has no such switch, so the suite cannot start one.
* The failed-token buckets of HTTP-021.2 are kept for up to 65,536 client addresses;
  past that, the buckets with a unit left are forgotten. The bound is exact: a
  suite test would need failed checks from 65,537 client addresses.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import pytest

from gritwit.serve._auth import FAILED_BURST, FAILED_RATE, AuthMiddleware, TokenBook, _Bucket
from gritwit.serve._port import LoadTokens
from gritwit.serve._tokens import TokenRecord

#: A record of the store's tokens, as a read of them answers it.
RECORD = TokenRecord("t", "0" * 16, "", frozenset({"read"}), rate=100, bytes_per_minute=6000)


@pytest.mark.req("HTTP-018.5")
def test_a_waiter_that_stops_leaves_the_read_of_the_tokens_to_the_others() -> None:
    """The first request's read of the tokens is cancelled while the store answers it;
    a second request, coming meanwhile, waits for that same read: the store is read once."""
    loads: list[object] = []

    async def scenario() -> dict[str, TokenRecord]:
        answered = asyncio.Event()

        async def submit(command: Any) -> Any:
            loads.append(command)
            await answered.wait()
            return {"t": RECORD}

        book = TokenBook({})
        first = asyncio.ensure_future(book.read(submit))
        await asyncio.sleep(0)  # the first request has started the read
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first
        second = asyncio.ensure_future(book.read(submit))
        await asyncio.sleep(0)
        answered.set()
        await second
        return book.tokens

    tokens = asyncio.run(scenario())
    assert tokens == {"t": RECORD}
    assert len(loads) == 1 and isinstance(loads[0], LoadTokens), loads


def _request(path: str = "/v1") -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": path, "headers": [], "client": ("::1", 1)}


@pytest.mark.req("HTTP-019.1", "HTTP-018.5")
@pytest.mark.parametrize("watch", [False, True])
def test_a_service_with_tokens_turned_off_does_not_watch_for_them(watch: bool) -> None:
    """A store that holds a token, read by a service that required none when it started:
    with ``watch`` (tokens were merely absent) the service reads the book and requires
    tokens from then on; without it (``--insecure-no-auth``) it never reads the book and
    lets every request through, however many come."""
    loads: list[object] = []
    passed: list[str] = []

    async def submit(command: Any) -> Any:
        loads.append(command)
        return {"t": RECORD}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        passed.append(scope["path"])

    async def scenario() -> AuthMiddleware:
        book = TokenBook({})
        book.read_at = time.monotonic() - 60  # stale: due to be read again
        middleware = AuthMiddleware(app, book, submit, required=False, watch=watch)
        for _ in range(3):
            await middleware(_request(), _nothing, _nothing)
            await asyncio.sleep(0.01)  # a watch started beside the request has run
        return middleware

    middleware = asyncio.run(scenario())
    if watch:
        assert loads and middleware.required, "a token in the store: required from now on"
    else:
        assert loads == [] and not middleware.required, (loads, middleware.required)
        assert passed == ["/v1"] * 3


async def _nothing(*args: object) -> Any:
    return {"type": "http.disconnect"}


def _middleware() -> AuthMiddleware:
    async def never(*args: object) -> Any:
        raise AssertionError("only the buckets are used: nothing is submitted or served")

    submit: Any = never
    return AuthMiddleware(never, TokenBook({}), submit, required=True)


@pytest.mark.req("HTTP-021.2")
def test_the_buckets_of_65536_addresses_are_kept_and_the_full_forgotten_past_that() -> None:
    """65,535 addresses with a full bucket, then a new one: 65,536 kept, none forgotten.
    One more: past the bound, the full buckets are forgotten but the new address's own
    and the spent ones (an address past its bound stays past it)."""
    middleware = _middleware()
    failures = middleware._failures
    for n in range(65_534):
        failures[f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}"] = _Bucket(FAILED_RATE, FAILED_BURST)
    # spent, its last take dated a minute ahead: no refill however slow this test runs
    later = time.monotonic() + 60
    spent = failures["192.0.2.7"] = _Bucket(FAILED_RATE, FAILED_BURST, level=0.0, at=later)
    assert len(failures) == 65_535
    middleware._bucket("192.0.2.8")
    assert len(failures) == 65_536, "none forgotten at the bound itself"
    middleware._bucket("192.0.2.9")
    assert set(failures) == {"192.0.2.7", "192.0.2.9"}, len(failures)
    assert failures["192.0.2.7"] is spent
