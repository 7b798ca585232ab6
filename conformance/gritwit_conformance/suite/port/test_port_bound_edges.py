"""Each bound of PORT-001.2 and PORT-005 judged at both edges: a value at the bound is
taken and one past it refused (a time limit from 1 to ``max_time``, a body of
``max_request_bytes``, ``max_in_flight_total`` requests in flight).

``rt-open`` sets small bounds (ADP-024.1) so that each edge is one request away; requests
are put in the courier's queue before one ``rt-run``, so one port pass reads them in the
courier's order (PORT-002.1), and every expected answer is PORT-008's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, check_in
from ._ported import allowed_courier, outcomes
from ._world import World

pytestmark = pytest.mark.profile("port")


@pytest.mark.req("PORT-001.2", "PORT-005.1", "PORT-005.5")
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_a_time_limit_from_1_to_max_time_is_taken_and_one_past_it_refused(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port, max_time=5000)
        for limit in ("1", "5000", "5001"):
            rt.request(courier, f"{world.base}/x", extra={"port-time-limit": limit}, run=False)
        rt.run("ADP-024.2")
        one, at_max, past = outcomes(rt, courier)
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
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_a_body_of_max_request_bytes_is_sent_and_one_byte_more_refused(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port, max_request_bytes=10)
        rt.request(courier, f"{world.base}/ten", method="POST", body=b"x" * 10, run=False)
        rt.request(courier, f"{world.base}/eleven", method="POST", body=b"x" * 11, run=False)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-005.3",
            [("response", "200"), ("port-too-large", "PORT-005.3")],
            outcomes(rt, courier),
            "the answers to bodies of 10 and 11 bytes, max_request_bytes 10",
        )
        check_equal(
            "PORT-005.3",
            [("/ten", b"x" * 10)],
            [(h.path, h.body) for h in world.hits()],
            "what the world got",
        )


@pytest.mark.req("PORT-005.2", "PORT-002.1")
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_requests_past_max_in_flight_total_are_refused_busy(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt, courier = allowed_courier(
            impl, tmp_path / "rt", world.port, max_in_flight=8, max_in_flight_total=2
        )
        for i in range(3):
            rt.request(courier, f"{world.base}/slow?ms=200&n={i}", run=False)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-005.2",
            [("response", "200"), ("response", "200"), ("port-busy", "PORT-005.2")],
            outcomes(rt, courier),
            "the answers to three requests read together, max_in_flight_total 2",
        )
        check_equal("PORT-005.2", 2, len(world.hits("/slow")), "requests the world got")
