"""A stopped service writes nothing more to its store (ADP-021.2, HTTP-001.4).

``http-stop`` stops a service as SIGTERM does and answers once it has stopped: a
transition under way at the stop is finished (and its step committed) or left unrun,
but either way before the answer, never after it. The ``sleepy`` test actor (WIT-030)
holds a run open for a known wall time: a nap of 1,500 ms is sent, the stop is asked
while the nap is likely under way, and the actor's head, read from the store by a tool
once ``http-stop`` answered (the store profile's ``ref-get``, ADP-010.6), must not move
afterwards: read again once the nap would have ended, it is the same.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from .._check import check_equal, ok_answer
from ._api import create, send, settle
from ._service import Services
from ._service import services as services

pytestmark = pytest.mark.profile("http", "store")

#: The nap's milliseconds (WIT-030.1): within every runtime's default time bound.
NAP_MS = 1500


def _head(impl: Implementation, path: Path, actor: str) -> object:
    """``heads/<actor>``'s target as a tool reads it from the store at ``path``."""
    opened = impl.call("store-open", kind="durable", path=str(path))
    handle = str(
        ok_answer(opened, "ADP-010.6", "the service's directory opened as a store")["store"]
    )
    try:
        got = ok_answer(
            impl.call("ref-get", store=handle, name=f"heads/{actor}"),
            "ADP-010.6",
            f"ref-get of heads/{actor} on the service's store",
        )
    finally:
        impl.call("store-close", store=handle)
    return got.get("id")


@pytest.mark.req("ADP-021.2", "HTTP-001.4")
@pytest.mark.req("ADP-010.6", "HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_a_transition_under_way_at_the_stop_is_done_before_http_stop_answers(
    services: Services, impl: Implementation
) -> None:
    service = services.start()
    actor = str(create(service.client, test="sleepy")["actor"])
    settle(service.client)
    sent = time.monotonic()
    send(service.client, actor, {"blob": str(NAP_MS).encode().hex()}, mt="nap")
    time.sleep(0.3)  # the run has most likely begun the nap
    services.stop(service)
    after_stop = _head(impl, service.path, actor)
    wait = NAP_MS / 1000 + scaled(1.5) - (time.monotonic() - sent)
    if wait > 0:
        time.sleep(wait)  # past the nap's end, had it still been under way
    check_equal(
        ("ADP-021.2", "HTTP-001.4"),
        after_stop,
        _head(impl, service.path, actor),
        f"heads/{actor} read from the store {NAP_MS} ms and more after a nap was sent, "
        "against its value once http-stop answered (a stopped service writes nothing)",
    )
