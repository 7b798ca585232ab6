"""Hostile actors against the timer and port services (``asv_bench.tools.port_hostile``).

Each case runs in a host process of its own, as the tool runs it, at sizes a test can
afford (the tool's defaults are the issue's: 10⁶ timers, a 1 GiB response, 10⁴
requests in a second): each gets typed refusals, its class and clause the spec's; the
hostile actor is never marked failed (PORT-002.3); its neighbour stepped every message
it was sent meanwhile; and the host's peak resident size stays under 700 MiB.  No time
is asserted.  Two wrong ports, each installed in the host, show the checks bite: one that
follows redirects (the world gets the target) and one that reads a body of any length
(whose host, given 64 MiB, ends on an object past ENC-013's bound).
"""

from __future__ import annotations

import argparse
from typing import Any

import pytest

pytest.importorskip("httpx", reason="the port sends with httpx: pip install -e '.[test]'")

from asv_bench.tools import port_hostile
from gritwit_conformance.suite.port._world import World

#: Each case and the answers the hostile actor must get: ``mt error clause`` (or the
#: status) → how many, from the clauses and the case's size.
SIZES = argparse.Namespace(
    timers=12_000, big=64 << 20, requests=2_000, rounds=5, limit=600.0, wrong=None
)
EXPECTED = {
    # TIM-004.2: max_timers (1 000) set, the rest refused; those set answer nothing yet
    "timers": {"timer-refused timer-limit TIM-004.2": 11_000},
    # PORT-003.3: no rule allows the host
    "host": {"port-failed port-refused PORT-003.3": 1},
    # PORT-004.3: the 302 is the answer; the target, asked for, is judged: no rule
    "redirect": {"port-response 302": 1, "port-failed port-refused PORT-003.3": 1},
    # PORT-005.6: past max_response_bytes (1 MiB)
    "big": {"port-failed port-too-large PORT-005.6": 1},
    # PORT-005.2: max_in_flight (8) of one sender accepted, the rest busy
    "rate": {"port-response 200": 8, "port-failed port-busy PORT-005.2": 1_992},
}


def _run(case: str, wrong: str | None = None) -> tuple[dict[str, Any], World]:
    sizes = argparse.Namespace(**{**vars(SIZES), "wrong": wrong})
    with World() as world:
        report = port_hostile.run_case(case, world.port, sizes)
    return report, world


@pytest.mark.slow
@pytest.mark.req("TIM-004.2", "PORT-003.3", "PORT-004.3", "PORT-005.6", "PORT-005.2", "PORT-002.3")
@pytest.mark.parametrize("case", port_hostile.CASES)
def test_a_hostile_actor_gets_typed_refusals_and_the_host_stays_small(case: str) -> None:
    report, world = _run(case)
    assert "answers" in report, f"the host of {case!r} ended badly: {report}"
    assert report["answers"] == EXPECTED[case], (
        f"{case}: the answers the hostile actor got, expected {EXPECTED[case]}, "
        f"came {report['answers']}"
    )
    assert not report["failed"], f"PORT-002.3: {case}: the hostile actor was marked failed"
    assert report["neighbour_count"] == report["neighbour_incs"] > 0, (
        f"{case}: the neighbour stepped {report['neighbour_count']} of "
        f"{report['neighbour_incs']} incs sent while the hostile actor ran"
    )
    assert report["peak_rss_mib"] < port_hostile.RSS_BOUND >> 20, (
        f"{case}: the host's peak resident size {report['peak_rss_mib']} MiB"
    )
    assert not world.hits("/echo?followed"), "PORT-004.3: the redirect's target was asked"


@pytest.mark.slow
@pytest.mark.req("PORT-004.3", "PORT-005.6")
@pytest.mark.parametrize(
    ("wrong", "case"),
    [("port_redirect_followed", "redirect"), ("port_response_body_unbounded", "big")],
)
def test_the_checks_fail_on_a_wrong_port(wrong: str, case: str) -> None:
    report, world = _run(case, wrong)
    followed = bool(world.hits("/echo?followed"))
    # a host that crashed, a wrong answer, or the target reached: any of them fails the case
    assert report.get("answers") != EXPECTED[case] or followed, (
        f"the wrong port {wrong} passed the {case} case: {report}"
    )
