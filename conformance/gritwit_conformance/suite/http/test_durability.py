"""What a service keeps across a stop, a kill and other writers (HTTP-001.1, HTTP-001.4, ADP-021.2).

``http-stop`` stops a service as SIGTERM does: everything it acknowledged is committed
first, so a service started again on the same directory finds every acknowledged send
and delivers each once (ADP-021.2, HTTP-001.4). Where the adapter is a process of its
own the suite also kills it (SIGKILL) with its services, unsettled sends pending: an
implementation whose services live in the adapter process must still lose none. A
message sent by a runtime on the same store (``rt-send``, ADP-015) is run by the
service with no request (HTTP-001.1).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from ._api import body_of, count_of, counter, create, inc, object_of, settle
from ._service import Services
from ._service import services as services

pytestmark = pytest.mark.profile("http")


@pytest.mark.smoke
@pytest.mark.req("ADP-021.2", "HTTP-001.4", "HTTP-005.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-006.1", "HTTP-011.1")
def test_every_acknowledged_send_survives_a_stop(services: Services) -> None:
    service = services.start()
    actor = counter(service.client)
    for amount in range(1, 11):
        inc(service.client, actor, amount)  # no settle: some are unread at the stop
    service = services.restart(service)
    settle(service.client)
    assert count_of(service.client, actor) == 55, (
        f"ADP-021.2, HTTP-001.4: ten acknowledged incs of 1 … 10 count "
        f"{count_of(service.client, actor)} after a stop and a start, not 55"
    )


@pytest.mark.req("ADP-021.2", "HTTP-001.4", "HTTP-005.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-006.1", "HTTP-011.1")
def test_concurrent_sends_survive_a_stop(services: Services) -> None:
    """Sends still arriving when the stop comes: each one acknowledged is kept, each one
    refused (or cut off) is absent; none is delivered twice."""
    service = services.start()
    client = service.client
    actor = counter(client)
    acknowledged: list[str] = []

    def one(n: int) -> None:
        try:
            response = client.post(
                f"/v1/actors/{actor}/messages",
                json={"content": {"blob": b"1".hex()}, "mt": "inc"},
                headers={"Idempotency-Key": f"stop-{n}"},
            )
        except Exception:  # cut off by the stop: not acknowledged
            return
        if response.status_code == 202:
            acknowledged.append(response.json()["message"])

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(one, n) for n in range(40)]
        time.sleep(0.05)
        stopped = services.impl.call("http-stop", url=service.url)  # the client stays open
        service.stopped = True
        for future in futures:
            future.result()
    client.close()
    assert stopped.expect_ok("ADP-021.2: http-stop while sends arrive") == {}
    service = services.start(service.path.name)
    settle(service.client)
    count = count_of(service.client, actor)
    assert count >= len(acknowledged), (
        f"HTTP-001.4: {len(acknowledged)} sends were acknowledged before the stop, the "
        f"counter counts {count} after it"
    )
    assert count <= 40, f"HTTP-001.4: 40 sends at most, counted {count}: some twice"
    for message in acknowledged:
        object_of(service.client, message, "HTTP-001.4: an acknowledged message is gone")


@pytest.mark.req("ADP-021.2", "HTTP-004.2")
@pytest.mark.req("HTTP-002.1", "HTTP-006.1", "HTTP-011.1")
def test_a_created_actor_survives_a_stop(services: Services) -> None:
    service = services.start()
    answer = create(service.client, test="counter", state={"count": b"7".hex()})
    service = services.restart(service)
    settle(service.client)
    assert count_of(service.client, answer["actor"]) == 7, (
        "HTTP-004.2: a genesis acknowledged before the stop did not run after it"
    )


@pytest.mark.req("HTTP-001.4", "HTTP-005.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-006.1", "HTTP-011.1")
def test_acknowledged_sends_survive_a_kill(services: Services, impl: Implementation) -> None:
    if not impl.can_kill:
        pytest.skip("the in-process reference is not a process the suite can kill")
    service = services.start()
    actor = counter(service.client)
    for amount in range(1, 6):
        inc(service.client, actor, amount)
    service.stopped = True  # killed below with its adapter: nothing to stop
    service.client.close()
    impl.kill()
    deadline = time.monotonic() + scaled(10)
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{service.url}/healthz", timeout=1, trust_env=False)
        except httpx.TransportError:
            break
        time.sleep(0.1)
    service = services.start(service.path.name)
    settle(service.client)
    assert count_of(service.client, actor) == 15, (
        f"HTTP-001.4: five acknowledged incs of 1 … 5 count {count_of(service.client, actor)} "
        "after the adapter and its services were killed, not 15"
    )


@pytest.mark.profile("http", "runtime")
@pytest.mark.req("HTTP-001.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-011.1")
def test_a_send_of_another_runtime_runs_without_a_request(
    services: Services, impl: Implementation
) -> None:
    """``rt-send`` through a runtime on the service's directory: the service runs it,
    with no request to the service but the reads that watch the count."""
    service = services.start()
    actor = counter(service.client)
    settle(service.client)
    runtime = impl.call("rt-open", path=str(service.path)).expect_ok()["runtime"]
    try:
        content = {"blob": b"12".hex()}
        impl.call("rt-send", runtime=runtime, to=actor, mt="inc", content=content).expect_ok()
        deadline = time.monotonic() + scaled(30)
        count = 0
        while time.monotonic() < deadline:
            response = service.client.get(f"/v1/actors/{actor}/queries/count")
            count = body_of(response, 200, "HTTP-006.1")
            if count == 12:
                break
            time.sleep(0.05)
        assert count == 12, (
            "HTTP-001.1: a message another runtime sent on the same store was not run within "
            f"30 s (the count is {count})"
        )
    finally:
        impl.call("rt-close", runtime=runtime)


@pytest.mark.req("ADP-021.1", "HTTP-001.5")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2")
def test_a_restart_is_ready_at_once(services: Services) -> None:
    service = services.start()
    for _ in range(3):
        counter(service.client)
        service = services.restart(service)
        answer = body_of(service.client.get("/readyz"), 200, "HTTP-001.5")
        assert answer == {"ready": True}
