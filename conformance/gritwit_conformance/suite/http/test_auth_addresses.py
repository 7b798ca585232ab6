"""The bound of failed token checks is one client address's own (HTTP-021.2).

HTTP-021.2 bounds the failed checks a service makes *for one client address*, and
refuses 429 only a request *from that address*. While one address guesses tokens past
its bound (and goes on guessing), a request with an unknown token from another address
has made no failed check: it is checked and answered 401 (HTTP-018.1), not refused for
the guesser's failures. A service that counts every client's failures together is
caught, as is one that loses the client's address.

The other address is 127.0.0.2, beside the service's loopback address 127.0.0.1: on
Linux every address of 127/8 is the loopback interface; where a client cannot send from
it (another system, or a service not on 127.0.0.1) the test is skipped.
"""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit

import httpx
import pytest

from .._check import check
from ._api import shown
from ._service import Services
from ._service import services as services
from ._tokens import bearer, matrix_service

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("tokens")]

#: Threads guessing from the service's own address (127.0.0.1): enough to outrun 10
#: checks a second however loaded the machine is.
GUESSERS = 4
#: The other client address, on the loopback interface beside 127.0.0.1 (Linux).
OTHER = "127.0.0.2"
#: Unknown tokens sent from the other address, each after a 429 of the guessing.
TRIES = 3


def _unknown(n: int) -> str:
    return f"gwt_{n:016x}_" + "C" * 43


def _can_send_from(address: str, host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=5, source_address=(address, 0)):
            return True
    except OSError:
        return False


@pytest.mark.req("HTTP-021.2", "HTTP-018.1")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2")
def test_a_guesser_past_its_bound_leaves_another_address_checked(services: Services) -> None:
    service = matrix_service(services)
    parts = urlsplit(service.url)
    host, port = parts.hostname or "", parts.port or 80
    if host != "127.0.0.1" or not _can_send_from(OTHER, host, port):
        pytest.skip(f"no client address {OTHER} beside the service's {host}")
    statuses: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def guess(part: int) -> None:
        with httpx.Client(base_url=service.url, timeout=60.0, trust_env=False) as client:
            n = part
            while not stop.is_set():
                status = client.get("/v1", headers=bearer(_unknown(n))).status_code
                with lock:
                    statuses.append(status)
                n += GUESSERS

    flood = [threading.Thread(target=guess, args=(k,), daemon=True) for k in range(GUESSERS)]
    for thread in flood:
        thread.start()
    transport = httpx.HTTPTransport(local_address=OTHER)
    answers = []
    try:
        with httpx.Client(
            base_url=service.url, timeout=60.0, transport=transport, trust_env=False
        ) as other:
            for n in range(TRIES):  # each after the guessing's next 429: it is past its bound
                seen = statuses.count(429)
                deadline = time.monotonic() + 60
                while statuses.count(429) == seen and time.monotonic() < deadline:
                    time.sleep(0.005)
                answers.append(other.get("/v1", headers=bearer(_unknown(10**9 + n))))
    finally:
        stop.set()
        for thread in flood:
            thread.join(120)
    check(
        "HTTP-021.2",
        statuses.count(429) > 0,
        expected="the guessing from 127.0.0.1 refused 429 past its bound",
        came=f"{statuses.count(401)} answered 401, others {set(statuses)}",
    )
    check(
        "HTTP-021.2",
        [a.status_code for a in answers] == [401] * TRIES,
        expected=f"401 for each of {TRIES} unknown tokens from {OTHER}, which made no failed "
        "check, while 127.0.0.1 guesses past its bound",
        came=", ".join(shown(a) for a in answers),
    )
