"""A stopped service has stopped: ``http-stop`` answers once it has (ADP-021.2, HTTP-001.4).

Once ``http-stop`` answered, nothing of the service may go on: its port takes no
connection (a service that still listens has not stopped), and a message another
runtime sends on the same directory (``rt-send``, ADP-015) is run by no one until that
runtime runs it — a running service would run it (HTTP-001.1).
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from .._check import call_ok, check, check_equal, ok_answer
from ._api import counter, settle
from ._service import Services
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: Seconds a stopped service is given to run a message, were it still running.
QUIET = 3.0


@pytest.mark.req("ADP-021.2", "HTTP-001.4")
def test_a_stopped_services_port_takes_no_connection(services: Services) -> None:
    service = services.start()
    parts = urlsplit(service.url)
    service.stopped = True
    service.client.close()
    reply = services.impl.call("http-stop", url=service.url)
    try:  # at once: the service stopped before http-stop answered
        with socket.create_connection((parts.hostname, parts.port), timeout=scaled(5)):
            taken = True
    except OSError:
        taken = False
    ok_answer(reply, "ADP-021.2", f"http-stop of {service.url}")
    check(
        "ADP-021.2",
        not taken,
        expected="the connection refused: the service stopped before http-stop answered",
        came="a connection taken",
        what=f"a connection to {parts.hostname}:{parts.port} right after http-stop answered",
    )


@pytest.mark.profile("http", "runtime")
@pytest.mark.req("ADP-021.2", "HTTP-001.4", "HTTP-001.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-011.1", "ADP-015")
def test_a_stopped_service_runs_no_message_of_another_runtime(
    services: Services, impl: Implementation
) -> None:
    service = services.start()
    actor = counter(service.client)
    settle(service.client)
    services.stop(service)
    runtime = call_ok(impl, "HTTP-001.1", "rt-open", path=str(service.path))["runtime"]
    try:
        head = call_ok(impl, "ADP-015", "rt-head", runtime=runtime, actor=actor).get("step")
        check(
            "HTTP-004.2",
            head is not None,
            expected="a head: the counter's genesis ran before the stop",
            came="none",
            what=f"rt-head of {actor}",
        )
        content = {"blob": b"12".hex()}
        call_ok(impl, "HTTP-001.1", "rt-send", runtime=runtime, to=actor, mt="inc", content=content)
        time.sleep(scaled(QUIET))
        after = call_ok(impl, "ADP-015", "rt-head", runtime=runtime, actor=actor).get("step")
        check_equal(
            ("ADP-021.2", "HTTP-001.4"),
            head,
            after,
            f"the counter's head {QUIET:.0f} s after another runtime sent it a message, its "
            "service stopped: nothing ran it",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
