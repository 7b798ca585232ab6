"""A key's window at both edges, judged by a service started again (HTTP-005.3, HTTP-005.4).

A key is found exactly when the message carrying it is among the latest 1,000 messages
the outside sent to the recipient (HTTP-005.3), and the service settles it by the store
(HTTP-005.4), not by what its own process saw: so a service started on the store after
the send must walk the recipient's chain as far back as the window reaches, on its very
first look-up. Here the keyed send is followed by 999 messages (the key is then the
oldest of the latest 1,000: found, the retry answers 200 with the first message and
sends nothing), or by 1,000 (the key is out of the window: the retry is a new send,
202), each time sent as one batch (HTTP-005.7), and the retry goes to a service started
again after a stop (ADP-021.2) and, where the suite can kill the adapter, after a
SIGKILL too (HTTP-001.4).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from .._check import check, check_equal, check_type, describe, fail
from ._api import body_of, counter, inc, object_of
from ._service import Service, Services
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: The window of HTTP-005.3: the latest messages a key is looked for among.
WINDOW = 1000


def _fill(client: httpx.Client, actor: str, n: int) -> str:
    """``n`` ``noop`` messages to ``actor`` in one batch (HTTP-005.7): the last one's id."""
    entries = [{"to": actor, "content": {"blob": ""}, "mt": "noop"} for _ in range(n)]
    answer = body_of(client.post("/v1/messages", json={"messages": entries}), 202, "HTTP-005.7")
    listed = answer.get("messages") if isinstance(answer, dict) else None
    if not (isinstance(listed, list) and len(listed) == n):
        fail(
            "HTTP-005.7",
            expected=f"a batch of {n} noop messages to answer {n} entries",
            came=answer,
        )
    last = listed[-1].get("message") if isinstance(listed[-1], dict) else None
    return check_type(
        "HTTP-005.7", last, str, expected="the batch's last entry to name its message"
    )


def _killed(services: Services, impl: Implementation, service: Service) -> Service:
    """SIGKILL the adapter and its service, and start a service again on the directory."""
    service.stopped = True  # killed with its adapter: nothing to stop
    service.client.close()
    impl.kill()
    deadline = time.monotonic() + scaled(10)
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{service.url}/healthz", timeout=1, trust_env=False)
        except httpx.TransportError:
            break
        time.sleep(0.05)
    return services.start(service.path.name)


def _restarts(
    services: Services, impl: Implementation, service: Service
) -> Iterator[tuple[str, Service]]:
    """The service started again after a stop, then (where the suite can kill) after a
    SIGKILL: each is a fresh process's first look at the store."""
    service = services.restart(service)
    yield "a stop", service
    if impl.can_kill:
        yield "a SIGKILL", _killed(services, impl, service)


@pytest.mark.req("HTTP-005.3", "HTTP-005.4", "ADP-021.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-005.7", "HTTP-009.1")
def test_a_key_999_messages_back_is_found_after_a_restart(
    services: Services, impl: Implementation
) -> None:
    service = services.start()
    actor = counter(service.client)
    first = inc(service.client, actor, 5, key="window-inner")
    last = _fill(service.client, actor, WINDOW - 1)
    for how, again in _restarts(services, impl, service):
        response = again.client.post(
            f"/v1/actors/{actor}/messages",
            json={"content": {"blob": b"5".hex()}, "mt": "inc"},
            headers={"Idempotency-Key": "window-inner"},
        )
        answer = body_of(response, response.status_code, "HTTP-005.3")
        check(
            ("HTTP-005.3", "HTTP-005.4"),
            response.status_code == 200 and answer == {"message": first, "replayed": True},
            expected=f"200 {{message: {first}, replayed: true}}: a key followed by {WINDOW - 1} "
            f"messages is among the latest {WINDOW} to the recipient, so a service started on "
            f"the store after {how} finds it",
            came=f"{response.status_code} {describe(answer)} (the key was looked for "
            "fewer messages back than the window)",
        )
        service = again
    probe = inc(service.client, actor, 0)
    previous = object_of(service.client, probe).get("previous")
    check_equal(
        "HTTP-005.3",
        last,
        previous,
        "after the retries the outside's last message to the recipient (a retry sent none)",
    )


@pytest.mark.req("HTTP-005.3", "HTTP-005.4", "ADP-021.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-005.7", "HTTP-009.1")
def test_a_key_1000_messages_back_is_not_found_after_a_restart(services: Services) -> None:
    """The outer edge: the key's message is the 1,001st latest, out of the window, and the
    same request is a new send (HTTP-005.4: found *exactly* when among the latest 1,000)."""
    service = services.start()
    actor = counter(service.client)
    first = inc(service.client, actor, 5, key="window-outer")
    last = _fill(service.client, actor, WINDOW)
    service = services.restart(service)
    response = service.client.post(
        f"/v1/actors/{actor}/messages",
        json={"content": {"blob": b"5".hex()}, "mt": "inc"},
        headers={"Idempotency-Key": "window-outer"},
    )
    answer = body_of(response, response.status_code, "HTTP-005.4")
    check(
        "HTTP-005.4",
        response.status_code == 202 and isinstance(answer, dict),
        expected=f"a new send, 202: a key followed by {WINDOW} messages is out of the latest "
        f"{WINDOW}",
        came=f"{response.status_code} {describe(answer)}",
    )
    message = answer.get("message")
    check(
        "HTTP-005.4",
        answer.get("replayed") is False and message != first,
        expected="the key out of the window to answer a new message",
        came=answer,
    )
    previous = object_of(service.client, str(message)).get("previous")
    check_equal("HTTP-005.4", last, previous, "the message the new send follows")
