"""A service's runtime bounds a transition whose naps add up past its bound (RUN-005.6,
RUN-005.8, WIT-030.1).

``sleepy`` waits each ``nap``'s milliseconds of wall time, and of several the waits add
up (WIT-030.1); a nap's sleep is the transition's own time (RUN-005.8: what the
transition itself asked for), so an attempt whose naps reach the bound in effect MUST
fail when they do (RUN-005.6). A service runs its runtime at the default bound of 5 s
(RUN-005.1). A batch (HTTP-005.7) of two naps of 3 s is one send, so one transition
reads both: 6 s of naps, past the bound, so every attempt fails and the actor is
marked failed after the last (RUN-004.4), some 40 s later, which the service's stop
waits for (RUN-004.10's back-off after overruns); no attempt ever adopts a step. After 9 s —
the 6 s of naps with room to spare, a line only a runtime that let the naps run to
their end can cross (``docs/guide/time.md``, rule 1: a correct runtime never adopts
one, however loaded) — the actor's head is still its genesis step. A runtime that
runs the transition where its time cannot be bounded, and judges it by its CPU time
alone when it returns, adopts it after 6 s.
"""

from __future__ import annotations

import time

import httpx
import pytest

from .._check import check_equal
from ._api import body_of, create, head_of, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: Two naps of 3 s (WIT-030.1): 6 s in one transition, past the default bound of 5 s.
NAPS = [3000, 3000]
#: Seconds after the batch when the head is read: the naps' 6 s and 3 s more.
LOOK_AFTER = 9.0


@pytest.mark.slow
@pytest.mark.req("RUN-005.6", "RUN-005.8", "WIT-030.1", "RUN-005.1", "HTTP-005.7")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-009.3", "HTTP-011.1", "CONV-004")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2")  # its helpers' checks name them
def test_naps_adding_up_past_the_bound_adopt_no_step(http: httpx.Client) -> None:
    sleepy = str(create(http, test="sleepy", state={"tag": b"past the bound".hex()})["actor"])
    settle(http)
    genesis = head_of(http, sleepy)
    entries = [
        {"to": sleepy, "content": {"blob": str(n).encode().hex()}, "mt": "nap"} for n in NAPS
    ]
    body_of(http.post("/v1/messages", json={"messages": entries}), 202, "HTTP-005.7")
    time.sleep(LOOK_AFTER)
    check_equal(
        ("RUN-005.6", "RUN-005.8"),
        genesis,
        head_of(http, sleepy),
        f"sleepy's head {LOOK_AFTER:.0f} s after a batch of naps of {NAPS} ms: one "
        "transition of 6 s of naps under a bound of 5 s fails every attempt, so the head "
        "is still its genesis step",
    )
