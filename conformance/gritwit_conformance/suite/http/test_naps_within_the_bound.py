"""A service's runtime adopts a transition whose naps stay within its bound (RUN-005.1,
RUN-005.6, WIT-030.1).

``sleepy`` waits each ``nap``'s milliseconds of wall time (WIT-030.1). A service runs its
runtime at the default bound of 5 s (RUN-005.1); a transition whose naps add up to far
less than that is an ordinary transition: it MUST be run and its step adopted, however
its runtime bounds it (in a thread, RUN-005.6). ``test_naps_past_the_bound.py`` checks
the other edge: naps past the bound adopt no step. Here two sends of a short nap each,
each settled in turn, move sleepy's head twice: a runtime that set a pending nap aside
(never ran it, yet counted the actor done) reports itself quiescent with sleepy's head
still where it was.
"""

from __future__ import annotations

import httpx
import pytest

from .._check import check, check_equal
from ._api import create, head_of, send, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: Naps of sleepy, one send each (WIT-030.1): milliseconds, far within the bound of 5 s.
NAPS = [100, 250]


@pytest.mark.req("RUN-005.1", "RUN-005.6", "WIT-030.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2", "CONV-004")  # its helpers' checks name them
def test_naps_within_the_bound_are_adopted(http: httpx.Client) -> None:
    sleepy = str(create(http, test="sleepy", state={"tag": b"within the bound".hex()})["actor"])
    settle(http)
    head = head_of(http, sleepy)
    check(
        "HTTP-009.3",
        head is not None,
        expected="sleepy's genesis step as its head",
        came=head,
        what=f"GET /v1/refs/heads/{sleepy} once its genesis was settled",
    )
    heads = [head]
    for nap in NAPS:
        send(http, sleepy, {"blob": str(nap).encode().hex()}, mt="nap")
        settle(http)
        heads.append(head_of(http, sleepy))
    moved = [heads[i] != heads[i + 1] for i in range(len(NAPS))]
    check_equal(
        ("RUN-005.1", "RUN-005.6", "WIT-030.1"),
        [True] * len(NAPS),
        moved,
        f"whether sleepy's head moved with each settled nap of {NAPS} ms (heads {heads}): "
        "a nap far within the bound of 5 s is an ordinary transition, run and adopted "
        "before the service is quiescent",
    )
