"""The bounds of PORT-005 a runtime applies when ``rt-open`` names none are the clauses'
defaults (ADP-024.1), each judged at both edges: ``max_time`` 30 000 ms,
``max_in_flight`` 8, ``max_in_flight_total`` 64, ``max_per_minute`` 60,
``max_request_bytes`` and ``max_response_bytes`` 1 048 576.

Where one bound would hide another (60 requests a minute are more than 8 in flight), the
test raises the other through ``rt-open`` and leaves the one it judges to its default.
Requests are put in the courier's queue before one ``rt-run``, so one port pass reads them
in the courier's order (PORT-002.1); every expected answer is PORT-008's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal
from ._ported import allowed_courier, outcomes
from ._world import World

pytestmark = pytest.mark.profile("port")

MIB = 1_048_576
OK = ("response", "200")


@pytest.mark.req("PORT-005.5", "PORT-001.2", "PORT-005.1", "ADP-024.1")
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_the_default_max_time_is_30000_ms(impl: Implementation, tmp_path: Path) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port)
        for limit in ("30000", "30001"):
            rt.request(courier, f"{world.base}/x", extra={"port-time-limit": limit}, run=False)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-005.5",
            [OK, ("port-invalid", "PORT-005.1")],
            outcomes(rt, courier),
            "the answers to port-time-limit 30000 and 30001 (max_time by default)",
        )


@pytest.mark.req("PORT-005.2", "ADP-024.1")
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_the_default_max_in_flight_is_8(impl: Implementation, tmp_path: Path) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port)
        for i in range(9):
            rt.request(courier, f"{world.base}/slow?ms=200&n={i}", run=False)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-005.2",
            [OK] * 8 + [("port-busy", "PORT-005.2")],
            outcomes(rt, courier),
            "the answers to nine requests of one sender read together (max_in_flight 8)",
        )


@pytest.mark.req("PORT-005.2", "PORT-005.4", "ADP-024.1")
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_the_default_max_in_flight_total_is_64_and_max_per_minute_60(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port, max_in_flight=100)
        for i in range(61):
            rt.request(courier, f"{world.base}/r{i}", run=False)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-005.4",
            [OK] * 60 + [("port-rate", "PORT-005.4")],
            outcomes(rt, courier),
            "the answers to 61 requests in one minute (max_per_minute 60)",
        )
        rt.close()
        rt, courier = allowed_courier(
            impl, tmp_path / "total", world.port, max_in_flight=100, max_per_minute=100
        )
        for i in range(65):
            rt.request(courier, f"{world.base}/slow?ms=300&n={i}", run=False)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-005.2",
            [OK] * 64 + [("port-busy", "PORT-005.2")],
            outcomes(rt, courier),
            "the answers to 65 requests read together (max_in_flight_total 64)",
        )


@pytest.mark.req("PORT-005.3", "PORT-005.6", "ADP-024.1")
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_the_default_byte_bounds_are_a_mebibyte(impl: Implementation, tmp_path: Path) -> None:
    with World() as world:
        rt, courier = allowed_courier(impl, tmp_path / "rt", world.port)
        rt.request(courier, f"{world.base}/in", method="POST", body=b"x" * MIB, run=False)
        rt.request(courier, f"{world.base}/in", method="POST", body=b"x" * (MIB + 1), run=False)
        rt.request(courier, f"{world.base}/big?n={MIB}", run=False)
        rt.request(courier, f"{world.base}/big?n={MIB + 1}", run=False)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-005.3",
            [OK, ("port-too-large", "PORT-005.3"), OK, ("port-too-large", "PORT-005.6")],
            outcomes(rt, courier),
            "the answers to bodies of 1 MiB and 1 MiB + 1 sent, then received",
        )
