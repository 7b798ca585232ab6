"""A settle that arrives while a run is under way waits for a run that starts after it
(HTTP-011.1).

Two services share one store (the feature ``shares``, ADP-021.1): share 0/2 runs a
``sleepy`` actor and a counter, share 1/2 takes a send for that counter (HTTP-001.2) and
commits it to the store. The first service learns of that send only from the store
(RUN-020.1), so a run of it that started before the send was acknowledged need not read
it. A settle sent to the first service while ``sleepy`` naps (WIT-030.1: a run under
way, started before the send) must wait for a run that started after the settle
arrived (HTTP-011.1): once it answers quiescent, the counter has read the send. A
service that answered the settle with the run under way would answer with the send
unread. Each round checks this once, the count read right after the answer (a query
runs nothing, WIT-017).
"""

from __future__ import annotations

import itertools
import time

import pytest

import gritwit as g

from .._check import SuiteBug, check_equal
from ._api import core_of, count_of, create, inc, send, settle
from ._service import Services
from ._service import services as services

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("shares")]

#: Rounds of nap, send and settle.
ROUNDS = 3
#: Milliseconds of each nap (WIT-030.1: at most 5,000; within the default bound of 5 s).
NAP_MS = 1500
#: Seconds after the nap is sent when the send to the counter is made: the nap under way.
NAP_UNDER_WAY = 0.3


def _in_share(name: str, k: int, n: int) -> dict[str, str]:
    """The state of the first test actor ``name`` (by its ``seed``) in share ``k/n``."""
    for seed in itertools.count():
        state = {"seed": f"{seed:08x}"}
        actor = g.object_id(core_of(name, state)).hex()
        if int(actor[:16], 16) % n == k:
            return state
    raise SuiteBug("suite bug: no seed puts the actor in the share")


@pytest.mark.req("HTTP-011.1", "HTTP-001.2", "RUN-020.1", "WIT-030.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1")
def test_a_settle_during_a_run_waits_for_a_run_after_it(services: Services) -> None:
    zero = services.start("store", share=[0, 2]).client
    one = services.start("store", share=[1, 2]).client
    sleepy = create(zero, test="sleepy", state=_in_share("sleepy", 0, 2))["actor"]
    counter = create(zero, test="counter", state=_in_share("counter", 0, 2))["actor"]
    settle(zero)
    for round_ in range(1, ROUNDS + 1):
        send(zero, sleepy, {"blob": str(NAP_MS).encode().hex()}, mt="nap")
        time.sleep(NAP_UNDER_WAY)  # the run that reads the nap is under way
        inc(one, counter, 1)  # acknowledged by the other service, before the settle
        settle(zero)
        check_equal(
            "HTTP-011.1",
            round_,
            count_of(zero, counter),
            f"the count of a counter of share 0/2 once its service's settle, sent while a "
            f"run of it was under way (sleepy napping {NAP_MS} ms), answered quiescent, "
            f"after {round_} incs acknowledged by the service of share 1/2 before the settle",
        )
