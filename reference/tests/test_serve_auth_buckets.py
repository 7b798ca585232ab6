"""The reference's token buckets, on a clock it is given (HTTP-021.1, HTTP-021.2).

A bucket (``gritwit.serve._auth._Bucket``) holds units, refilled at its rate a second up
to its burst. It answers two questions: :meth:`take` (take a unit, or say in how many
seconds one would be there: HTTP-021.1's ``Retry-After``) and :meth:`peek` (is a unit
there: HTTP-021.2 asks it of a request that carries no token, which takes nothing). The
two must agree at every level and every instant: a request without a token is refused
exactly while a guess would be. The suite holds a service to what a client can see, a
refusal while guessing goes on (``suite/http/test_auth_guessing.py``); the edges here (a
level of exactly 0 or 1 unit, a refill after a pause) are instants a client cannot pick.

Past 65,536 client addresses the middleware forgets the buckets that have a unit left,
never one spent: an address past its bound stays past it however many others come.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import pytest

from gritwit.serve import _auth
from gritwit.serve._auth import FAILED_BURST, FAILED_RATE, AuthMiddleware, TokenBook, _Bucket
from gritwit.serve._problems import HttpProblem
from gritwit.serve._tokens import TokenRecord

#: The instant a bucket last took: a number whose sums below are exact in binary.
AT = 100.0


class _Clock:
    """The monotonic clock the bucket module reads, set by the test."""

    def __init__(self) -> None:
        self.now = AT

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Clock]:
    fake = _Clock()
    # only the bucket module's clock: the test runner keeps the real one
    monkeypatch.setattr(_auth, "time", types.SimpleNamespace(monotonic=fake.monotonic))
    yield fake


@pytest.mark.req("HTTP-021.2")
@pytest.mark.parametrize(
    ("level", "elapsed", "there"),
    [
        (-1.0, 0.0, True),  # a new bucket is full
        (0.0, 0.0, False),  # spent, and no time for a refill
        (0.5, 0.0, False),
        (1.0, 0.0, True),  # exactly one unit left: one more check
        (1.5, 0.0, True),
        (0.0, 0.0625, False),  # half a unit refilled
        (0.5, 0.0625, True),  # refilled to exactly one unit
        (0.0, 0.25, True),  # two units refilled after a pause
    ],
)
def test_a_bucket_peeks_as_it_would_take(
    clock: _Clock, level: float, elapsed: float, there: bool
) -> None:
    """``peek`` says a unit is there exactly when ``take`` would take one, at the level
    the refill since the last take gives (8 units a second here)."""
    bucket = _Bucket(8.0, 20.0, level=level, at=AT)
    clock.now = AT + elapsed
    seen = bucket.peek()
    assert seen is there, f"peek at level {level} after {elapsed} s: {seen}"
    assert (bucket.take() == 0.0) is there, f"take at level {level} after {elapsed} s"


@pytest.mark.req("HTTP-021.2")
def test_a_spent_bucket_is_refilled_for_a_request_without_a_token(clock: _Clock) -> None:
    """Spent by guesses, then quiet: after a second the address's bucket has units again
    for a request that takes none, as it has for one that takes."""
    bucket = _Bucket(FAILED_RATE, FAILED_BURST, at=AT)
    for _ in range(FAILED_BURST):
        assert bucket.take() == 0.0
    assert bucket.take() > 0 and not bucket.peek()
    clock.now = AT + 1.0
    assert bucket.peek(), "a second after the last guess, no unit for a request"


@pytest.mark.req("HTTP-021.1")
@pytest.mark.parametrize(
    ("rate", "level", "amount", "wait"),
    [(1.0, 0.25, 1.0, 0.75), (0.5, 0.0, 1.0, 2.0), (1.0, 30.0, 45.0, 15.0)],
)
def test_take_tells_the_seconds_until_the_amount_is_there(
    clock: _Clock, rate: float, level: float, amount: float, wait: float
) -> None:
    """What is missing, divided by the rate: the wait a ``Retry-After`` rounds up."""
    bucket = _Bucket(rate, 60.0, level=level, at=AT)
    assert bucket.take(amount) == wait
    assert bucket.level == level, "a refused take takes nothing"


@pytest.mark.req("HTTP-021.1")
def test_retry_after_is_the_wait_for_the_bytes_rounded_up() -> None:
    """A token of 60 body bytes a minute (one a second) that sent 30: a body of 45 more
    is refused with ``Retry-After: 15``, the seconds until 45 are there (on the real
    clock: the two requests are less than a second apart)."""
    middleware = _middleware()
    record = TokenRecord("t", "0" * 16, "", frozenset({"send"}), rate=100, bytes_per_minute=60)
    middleware._limit(record, [(b"content-length", b"30")])
    with pytest.raises(HttpProblem) as refused:
        middleware._limit(record, [(b"content-length", b"45")])
    assert refused.value.status == 429
    assert refused.value.headers["retry-after"] == "15"


@pytest.mark.req("HTTP-021.2")
def test_many_addresses_forget_only_the_buckets_with_a_unit_left(clock: _Clock) -> None:
    """65,536 addresses known, one of them spent by guessing: a new address makes the
    middleware forget the others, which have their units, and keep the spent one and the
    new one, so the guesser is still refused."""
    middleware = _middleware()
    failures = middleware._failures
    for n in range(65_535):
        address = f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}"
        failures[address] = _Bucket(FAILED_RATE, FAILED_BURST, at=AT)  # untouched: full
    guesser = failures["192.0.2.7"] = _Bucket(FAILED_RATE, FAILED_BURST, level=0.0, at=AT)
    assert len(failures) == 65_536
    new = middleware._bucket("192.0.2.8")
    assert set(failures) == {"192.0.2.7", "192.0.2.8"}
    assert failures["192.0.2.7"] is guesser and failures["192.0.2.8"] is new
    assert not guesser.peek(), "the guesser's bucket was refilled or replaced"
    # one more address: the two kept, the new one added, nothing forgotten below the bound
    middleware._bucket("192.0.2.9")
    assert set(failures) == {"192.0.2.7", "192.0.2.8", "192.0.2.9"}


def _middleware() -> AuthMiddleware:
    """A middleware requiring tokens, in front of nothing: only its buckets are used."""
    submit: Any = _never  # no command is submitted: no token is looked up
    return AuthMiddleware(_never, TokenBook({}), submit, required=True)


async def _never(*args: object) -> None:
    raise AssertionError("the buckets are tested alone: nothing is submitted or served")
