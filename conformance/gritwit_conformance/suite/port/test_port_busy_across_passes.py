"""A request read while another of its sender is in flight counts that one toward
``max_in_flight`` (PORT-005.2), at both edges of the bound.

Within one ``rt-run`` the courier asks for a slow request *A*; ``alarm`` sets a timer due
at once whose fire is an ``mt: port`` message to the courier (TIM-003.1: its content the
request's), so the courier asks for *B* only after the port pass that accepted *A*, and a
later pass reads *B* while *A* is in flight (ADP-023.3, ADP-024.2).  With
``max_in_flight`` 1 *B* is refused ``port-busy``; with 2 it is performed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from .._check import check_equal
from ._ported import Ported, rule
from ._world import World

pytestmark = pytest.mark.profile("port")

#: How long the world takes to answer *A*, in seconds (scaled for a loaded machine): the
#: pass that reads *B* comes well before.
SLOW = 2.0


def _relay(rt: Ported, alarm: str, courier: str, url: str) -> None:
    """Have ``alarm`` set a timer due now whose fire asks the courier for a GET of ``url``."""
    port_request = {"mt": "port-request", "port-method": "GET", "port-url": url}
    fire_content = {
        "tree": {
            "request": {"blob": "", "headers": port_request},
            "content": {"tree": {"headers": {"blob": ""}}},
        }
    }
    timer = {"mt": "timer-set", "timer-mt": "port", "timer-after": "0", "timer-to": courier}
    description = {"tree": {"request": {"blob": "", "headers": timer}, "content": fire_content}}
    rt.ok("ADP-015", "rt-send", to=alarm, mt="timer", content=description)


@pytest.mark.req("PORT-005.2", "PORT-002.2", "ADP-024.2")
@pytest.mark.parametrize(
    ("bound", "want"),
    [(1, ("port-busy", "PORT-005.2")), (2, ("port-response", "200"))],
    ids=["max_in_flight-1", "max_in_flight-2"],
)
def test_a_request_read_while_one_of_its_sender_is_in_flight_counts_it(
    impl: Implementation, tmp_path: Path, bound: int, want: tuple[str, str]
) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        courier, alarm = rt.courier(), rt.alarm()
        rt.close()
        rt = Ported(
            impl, tmp_path / "rt", {"policy": [rule(world.port, [courier])], "max_in_flight": bound}
        )
        slow_ms = round(scaled(SLOW) * 1000)
        rt.request(courier, f"{world.base}/slow?ms={slow_ms}", run=False)
        _relay(rt, alarm, courier, f"{world.base}/b")
        rt.run("ADP-024.2")
        asked = rt.requests(courier)
        check_equal("PORT-005.2", 2, len(asked), "requests the courier sent the port")
        got: dict[str | None, tuple[str | None, str | None]] = {}
        for a in rt.answers(courier):
            h = a.headers
            if h.get("mt") == "port-response":
                got[h.get("port-id")] = ("port-response", h.get("port-status"))
            else:
                got[h.get("port-id")] = (h.get("error"), h.get("clause"))
        check_equal("PORT-005.2", ("port-response", "200"), got.get(asked[0]), "the answer to A")
        check_equal(
            "PORT-005.2",
            want,
            got.get(asked[1]),
            f"the answer to B, read while A was in flight, max_in_flight {bound}",
        )
