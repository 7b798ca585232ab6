"""``max_per_minute`` counts each sender's requests accepted in a minute of the service's
clock (PORT-005.4): those of one pass and of earlier passes together, each sender's
alone, and from nothing in a minute that begins.

Two couriers' requests are put in their queues before one ``rt-run``, so one port pass
reads them (PORT-002.1); which sender a pass reads first is the implementation's, so every
expectation holds in either order.  The clock is the harness's (ADP-023.1), so which
minute a request falls in is exact.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal
from ._ported import Ported, outcomes, rule
from ._world import World

pytestmark = pytest.mark.profile("port")

OK = ("response", "200")
RATE = ("port-rate", "PORT-005.4")
#: The start of a minute of the clock.
MINUTE = 6_000_000


@pytest.mark.req("PORT-005.4", "PORT-002.1")
@pytest.mark.req("OBJ-020.1")  # its answers are read back through that check
def test_the_rate_counts_a_pass_and_each_sender_alone(impl: Implementation, tmp_path: Path) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        one, two = rt.courier("one"), rt.courier("two")
        rt.close()
        policy = [rule(world.port, [one, two])]
        rt = Ported(impl, tmp_path / "rt", {"policy": policy, "max_per_minute": 2})
        rt.clock(set=MINUTE)
        for i in range(3):
            rt.request(one, f"{world.base}/one/{i}", run=False)
        for i in range(2):
            rt.request(two, f"{world.base}/two/{i}", run=False)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-005.4", [OK, OK, RATE], outcomes(rt, one), "the first courier's three, one pass"
        )
        check_equal("PORT-005.4", [OK, OK], outcomes(rt, two), "the second courier's two")
        rt.clock(advance=60_000)  # the next minute: every count begins again
        for i in range(2):
            rt.request(one, f"{world.base}/one/later/{i}", run=False)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-005.4",
            [OK, OK, RATE, OK, OK],
            outcomes(rt, one),
            "the first courier's answers, two more in the next minute",
        )
        for i in range(2):  # in a later pass of that minute
            rt.request(two, f"{world.base}/two/later/{i}", run=False)
        rt.run("ADP-024.2")
        check_equal(
            "PORT-005.4",
            [OK, OK, OK, OK],
            outcomes(rt, two),
            "the second courier's answers, two more in a later pass of the next minute",
        )
