"""Each bound of PORT-001.2 and PORT-005 judged at both edges: a value at the bound is
taken and one past it refused (a time limit from 1 to ``max_time``, a body of
``max_request_bytes``, ``max_in_flight_total`` requests in flight).

``rt-open`` sets small bounds (ADP-024.1) so that each edge is one request away; requests
are put in the courier's queue before one ``rt-run``, so one port pass reads them in the
courier's order (PORT-002.1), and every expected answer is PORT-008's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, check_in
from ._ported import Ported, rule
from ._world import World

pytestmark = pytest.mark.profile("port")

Answer = tuple[str | None, str | None]


def _setup(impl: Implementation, path: Path, world: World, **port: Any) -> tuple[Ported, str]:
    rt = Ported(impl, path, {})
    courier = rt.courier()
    rt.close()
    return Ported(impl, path, {"policy": [rule(world.port, [courier])], **port}), courier


def _answers(rt: Ported, courier: str) -> list[Answer]:
    """The answer to each request the courier sent, in its order: ``("response", status)``
    or ``(error, clause)``."""
    by_id: dict[str | None, Answer] = {}
    for a in rt.answers(courier):
        h = a.headers
        if h.get("mt") == "port-response":
            by_id[h.get("port-id")] = ("response", h.get("port-status"))
        else:
            by_id[h.get("port-id")] = (h.get("error"), h.get("clause"))
    return [by_id.get(r, (None, None)) for r in rt.requests(courier)]


@pytest.mark.req("PORT-001.2", "PORT-005.1", "PORT-005.5")
def test_a_time_limit_from_1_to_max_time_is_taken_and_one_past_it_refused(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt, courier = _setup(impl, tmp_path / "rt", world, max_time=5000)
        for limit in ("1", "5000", "5001"):
            rt.request(courier, f"{world.base}/x", extra={"port-time-limit": limit}, run=False)
        rt.run("ADP-024.2")
        one, at_max, past = _answers(rt, courier)
        # 1 ms may not be enough for an answer: a time-out is taken, a refusal is not
        check_in(
            "PORT-001.2",
            one,
            (("response", "200"), ("port-timeout", "PORT-005.5")),
            "the answer to a request with port-time-limit 1",
        )
        check_equal(
            "PORT-001.2", ("response", "200"), at_max, "the answer to port-time-limit max_time"
        )
        check_equal(
            "PORT-005.1",
            ("port-invalid", "PORT-005.1"),
            past,
            "the answer to port-time-limit max_time + 1",
        )


@pytest.mark.req("PORT-005.3", "PORT-008.2")
def test_a_body_of_max_request_bytes_is_sent_and_one_byte_more_refused(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt, courier = _setup(impl, tmp_path / "rt", world, max_request_bytes=10)
        rt.request(courier, f"{world.base}/ten", method="POST", body=b"x" * 10, run=False)
        rt.request(courier, f"{world.base}/eleven", method="POST", body=b"x" * 11, run=False)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-005.3",
            [("response", "200"), ("port-too-large", "PORT-005.3")],
            _answers(rt, courier),
            "the answers to bodies of 10 and 11 bytes, max_request_bytes 10",
        )
        check_equal(
            "PORT-005.3",
            [("/ten", b"x" * 10)],
            [(h.path, h.body) for h in world.hits()],
            "what the world got",
        )


@pytest.mark.req("PORT-005.2", "PORT-002.1")
def test_requests_past_max_in_flight_total_are_refused_busy(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt, courier = _setup(impl, tmp_path / "rt", world, max_in_flight=8, max_in_flight_total=2)
        for i in range(3):
            rt.request(courier, f"{world.base}/slow?ms=200&n={i}", run=False)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-005.2",
            [("response", "200"), ("response", "200"), ("port-busy", "PORT-005.2")],
            _answers(rt, courier),
            "the answers to three requests read together, max_in_flight_total 2",
        )
        check_equal("PORT-005.2", 2, len(world.hits("/slow")), "requests the world got")
