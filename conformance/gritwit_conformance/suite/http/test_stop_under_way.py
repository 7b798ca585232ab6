"""A request under way when the service stops is finished or refused (HTTP-001.4).

A settle waiting on a transition that overruns its bound (``slow``, WIT-027) cannot
end soon by itself; ``http-stop`` stops the service as SIGTERM does. The service must
finish the settle (HTTP-011's ``{"quiescent": …}``) or refuse it — and a refusal has
the status of its class (HTTP-003.2), ``service-stopping`` 503 among them.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from gritwit_conformance.harness._state import scaled

from .._check import check, fail, ok_answer
from ._api import STATUS, body_of, create, shown
from ._service import Services
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: Seconds the settle asks to wait: far longer than the test.
WAIT = 300


@pytest.mark.req("HTTP-001.4", "HTTP-003.2", "ADP-021.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-004.2", "HTTP-011.1")
def test_a_settle_under_way_at_a_stop_is_answered_or_refused_by_its_class(
    services: Services,
) -> None:
    service = services.start()
    client = service.client
    create(client, test="slow")

    def settle_long() -> httpx.Response:
        return client.post("/v1/settle", json={"timeout": WAIT}, timeout=scaled(120))

    with ThreadPoolExecutor(max_workers=1) as pool:
        waiting = pool.submit(settle_long)
        time.sleep(scaled(1.0))  # the settle is under way
        stopped = services.impl.call("http-stop", url=service.url)
        service.stopped = True
        try:
            response = waiting.result()
        except httpx.HTTPError as exc:
            fail(
                "HTTP-001.4",
                expected="an answer to the settle under way: finished or refused",
                came=f"no answer ({type(exc).__name__}: {exc})",
                what="POST /v1/settle under way at http-stop",
            )
    client.close()
    ok_answer(stopped, "ADP-021.2", "http-stop with a settle under way")
    if response.status_code == 200:
        answer = body_of(response, 200, "HTTP-011.1")
        check(
            "HTTP-011.1",
            answer in ({"quiescent": True}, {"quiescent": False}),
            expected='{"quiescent": true} or {"quiescent": false}',
            came=lambda: shown(response),
            what="the settle under way at the stop, finished",
        )
        return
    try:
        error_class = json.loads(response.content)["error"]["class"]
    except (ValueError, KeyError, TypeError):
        error_class = None
    check(
        "HTTP-003.1",
        isinstance(error_class, str),
        expected='a body {"error": {"class": …}}',
        came=lambda: shown(response),
        what="the settle under way at the stop, refused",
    )
    check(
        ("HTTP-003.2", "HTTP-001.4"),
        STATUS.get(str(error_class), 400) == response.status_code,
        expected=f"the status of the class {error_class} (HTTP-003.2's table)",
        came=lambda: shown(response),
        what="the settle under way at the stop, refused",
    )
