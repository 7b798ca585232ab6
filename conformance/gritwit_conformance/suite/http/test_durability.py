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

from .._check import call_ok, check, check_equal, ok_answer
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
    check_equal(
        ("HTTP-001.4", "ADP-021.2"),
        55,
        count_of(service.client, actor),
        "the count of ten acknowledged incs of 1 … 10 after a stop and a start",
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
    check_equal(
        "ADP-021.2",
        {},
        ok_answer(stopped, "ADP-021.2", "http-stop while sends arrive"),
        "http-stop's result",
    )
    service = services.start(service.path.name)
    settle(service.client)
    count = count_of(service.client, actor)
    check(
        "HTTP-001.4",
        len(acknowledged) <= count <= 40,
        expected=f"a count of at least the {len(acknowledged)} sends acknowledged before the "
        "stop, and at most the 40 sent (none twice)",
        came=f"a count of {count}",
        what="the counter after the stop and a start",
    )
    for message in acknowledged:
        object_of(service.client, message, "HTTP-001.4: an acknowledged message is gone")


@pytest.mark.req("ADP-021.2", "HTTP-004.2")
@pytest.mark.req("HTTP-002.1", "HTTP-006.1", "HTTP-011.1")
def test_a_created_actor_survives_a_stop(services: Services) -> None:
    service = services.start()
    answer = create(service.client, test="counter", state={"count": b"7".hex()})
    service = services.restart(service)
    settle(service.client)
    check_equal(
        "HTTP-004.2",
        7,
        count_of(service.client, answer["actor"]),
        "the count of a counter whose genesis was acknowledged before the stop, after it",
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
    check_equal(
        "HTTP-001.4",
        15,
        count_of(service.client, actor),
        "the count of five acknowledged incs of 1 … 5 after the adapter and its services "
        "were killed",
    )


@pytest.mark.profile("http", "runtime")
@pytest.mark.req("HTTP-001.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-006.1")  # its checks name them too
def test_a_send_of_another_runtime_runs_without_a_request(
    services: Services, impl: Implementation
) -> None:
    """``rt-send`` through a runtime on the service's directory: the service runs it,
    with no request to the service but the reads that watch the count."""
    service = services.start()
    actor = counter(service.client)
    settle(service.client)
    runtime = call_ok(impl, "HTTP-001.1", "rt-open", path=str(service.path))["runtime"]
    try:
        content = {"blob": b"12".hex()}
        call_ok(impl, "HTTP-001.1", "rt-send", runtime=runtime, to=actor, mt="inc", content=content)
        deadline = time.monotonic() + scaled(30)
        count = 0
        while time.monotonic() < deadline:
            response = service.client.get(f"/v1/actors/{actor}/queries/count")
            count = body_of(response, 200, "HTTP-006.1")
            if count == 12:
                break
            time.sleep(0.05)
        check_equal(
            "HTTP-001.1",
            12,
            count,
            "the count within 30 s of a message another runtime sent on the same store",
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
        check_equal("HTTP-001.5", {"ready": True}, answer, "GET /readyz after a restart")
