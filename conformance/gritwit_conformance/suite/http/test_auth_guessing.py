"""A guesser's address past its bound is refused whatever its requests carry (HTTP-021.2).

HTTP-021.2 bounds the failed token checks a service makes for one client address, and
past that bound *a request from that address* MUST fail → 429 ``rate-limited`` with
``Retry-After``, its token unchecked. ``test_auth.py`` sends a good token then; here the
request carries no ``Authorization`` header at all, which HTTP-018.1 would otherwise
answer 401: past the bound, the address's bound wins, so a guesser cannot learn from a
request without a token whether its address is still refused.

The bound is held by a flood of guesses from four threads that goes on while the
requests without a token are made, each right after one of the flood's 429s: the
address is then past its bound. No figure depends on the machine's speed: a slow
client only makes the flood slower, and every request is made after a 429 was seen.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from .._check import check
from ._api import expect_error, shown
from ._service import Services
from ._service import services as services
from ._tokens import bearer, check_retry_after, matrix_service

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("tokens")]

#: Threads guessing at once, and the requests without a token made while they guess.
GUESSERS, TRIES = 4, 8


class _Flood:
    """Threads sending unknown tokens from this address until :meth:`stop`; counts the
    429 answers they got, so that a request can be made right after one."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.limited = 0
        self.statuses: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._guess, args=(k,), daemon=True) for k in range(GUESSERS)
        ]

    def _guess(self, part: int) -> None:
        with httpx.Client(base_url=self.url, timeout=60.0) as client:
            n = part
            while not self._stop.is_set():
                token = f"gwt_{n:016x}_" + "C" * 43  # well formed, issued by no one
                status = client.get("/v1", headers=bearer(token)).status_code
                with self._lock:
                    self.statuses.add(status)
                    self.limited += status == 429
                n += GUESSERS

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def next_429(self, seconds: float = 60.0) -> bool:
        """Wait for the flood's next 429: whether it came within ``seconds``."""
        seen = self.limited
        deadline = time.monotonic() + seconds
        while self.limited == seen and time.monotonic() < deadline:
            time.sleep(0.002)
        return self.limited > seen

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(120)


@pytest.mark.req("HTTP-021.2", "HTTP-018.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")  # the refusal's checks name them too
def test_a_request_without_a_token_is_refused_while_its_address_is_past_its_bound(
    services: Services,
) -> None:
    """While guesses from the same address go on and are answered 429, requests without
    an ``Authorization`` header, each made right after one of those 429s: at least one is
    answered 429 ``rate-limited`` with ``Retry-After`` (HTTP-021.2), and every one either
    so or 401 (HTTP-018.1: the address may have had a check left at that instant)."""
    service = matrix_service(services)
    flood = _Flood(service.url)
    flood.start()
    answers: list[httpx.Response] = []
    try:
        for _ in range(TRIES):
            if not flood.next_429():
                break
            answers.append(service.client.get("/v1"))
    finally:
        flood.stop()
    check(
        "HTTP-021.2",
        len(answers) == TRIES,
        expected=f"the flood of unknown tokens answered 429 at least {TRIES} times",
        came=f"{flood.limited} answers 429; statuses {sorted(flood.statuses)}",
    )
    limited = [a for a in answers if a.status_code == 429]
    check(
        "HTTP-021.2",
        bool(limited),
        expected="a request without a token, from an address past its bound of failed "
        "checks, answered 429 (at least one of those made right after a 429 of the flood)",
        came=", ".join(shown(a, 120) for a in answers),
    )
    check(
        "HTTP-021.2",
        all(a.status_code in (401, 429) for a in answers),
        expected="each request without a token answered 429 (past the bound) or 401",
        came=", ".join(shown(a, 120) for a in answers),
    )
    error = expect_error(limited[0], 429, "rate-limited", "HTTP-021.2")
    for answer in limited:
        check_retry_after(answer, "HTTP-021.2", error["message"][:80])
