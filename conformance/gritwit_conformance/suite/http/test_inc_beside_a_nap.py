"""A counter's ``inc`` sent while a ``sleepy`` naps is run beside the nap, and the
service settles with both adopted (RUN-005.4, RUN-005.6, WIT-030.1, HTTP-011.1).

A runtime bounds a nap's transition away from its other work (RUN-005.6) and keeps
running the other actors meanwhile (RUN-005.4): the counter's ``inc``, sent just after
a nap of 1500 ms, is run while the nap's transition is under way, in the same run. Both
are ordinary transitions, far within the bound of 5 s: a settle after them answers
quiescent, with the count at 1 and sleepy's head moved.
"""

from __future__ import annotations

import httpx
import pytest

from .._check import check, check_equal
from ._api import count_of, create, head_of, send, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: sleepy's nap (WIT-030.1): long enough for the inc to arrive while it runs.
NAP_MS = 1500
#: Seconds a settle of these two transitions may take, before scaling.
SETTLE_WITHIN = 20.0


@pytest.mark.req("RUN-005.4", "RUN-005.6", "WIT-030.1", "WIT-020.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-009.3")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2", "CONV-004")  # its helpers' checks name them
def test_an_inc_sent_while_sleepy_naps_is_adopted_beside_the_nap(http: httpx.Client) -> None:
    sleepy = str(create(http, test="sleepy", state={"tag": b"beside an inc".hex()})["actor"])
    counter = str(create(http, test="counter", state={"tag": b"beside a nap".hex()})["actor"])
    settle(http, SETTLE_WITHIN)
    before = head_of(http, sleepy)
    check(
        "HTTP-009.3",
        before is not None,
        expected="sleepy's genesis step as its head",
        came=before,
        what=f"GET /v1/refs/heads/{sleepy} once its genesis was settled",
    )
    send(http, sleepy, {"blob": str(NAP_MS).encode().hex()}, mt="nap")
    send(http, counter, {"blob": b"1".hex()}, mt="inc")
    settle(http, SETTLE_WITHIN)
    check_equal(
        ("RUN-005.4", "WIT-020.2"),
        1,
        count_of(http, counter),
        f"the counter's count after its inc, sent while sleepy napped {NAP_MS} ms, settled",
    )
    after = head_of(http, sleepy)
    check(
        ("RUN-005.6", "WIT-030.1"),
        after is not None and after != before,
        expected=f"a head other than {before}",
        came=after,
        what=f"sleepy's head after its nap of {NAP_MS} ms (far within the bound of 5 s) settled",
    )
