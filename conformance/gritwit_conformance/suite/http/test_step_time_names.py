"""Only a swap of a ``heads/`` ref gives a step its time (RUN-027.1, HTTP-007.7).

A step time is "the writer's wall clock at the swap that first set S as the target of a
ref ``heads/<actor>``". A swap of another ref to a step (a ``names/`` ref, which any
writer of the store may point anywhere, REF-002) is no such swap: it must give the step
no time, and change none it has. The suite runs a counter on a service, reads its
history's times, stops the service, opens its directory with the store profile
(ADP-010.6: one path, one store), points two ``names/`` refs at the counter's two steps
at least a second later, and starts the service again: the history must show exactly
the times it showed before, to the second — none where there was none (a store that
records no step times, as it MAY, shows none before and after).
"""

from __future__ import annotations

import time

import pytest

from .._check import call_ok, check, check_equal, ok_answer
from ._api import counter, inc, settle
from ._service import Services
from ._service import services as services
from .test_step_time_again import _epoch, _times

pytestmark = [pytest.mark.profile("http"), pytest.mark.profile("store")]


@pytest.mark.req("RUN-027.1", "HTTP-007.7", "HTTP-007.4", "ADP-010.6", "ADP-021.2")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_a_swap_of_a_names_ref_to_a_step_gives_it_no_time(services: Services) -> None:
    service = services.start("svc")
    actor = counter(service.client)
    settle(service.client)
    inc(service.client, actor, 2)
    settle(service.client)
    before = _times(service.client, actor)
    check(
        "HTTP-007.4", len(before) == 2, expected="a counter that read one inc: 2 steps", came=before
    )
    services.stop(service)
    stamps = [_epoch(t) for _, t in before if t is not None]
    later = max(stamps, default=time.time()) + 1.2  # the swaps below fall in a later second
    while time.time() < later:
        time.sleep(0.1)
    impl = services.impl
    store = call_ok(impl, "ADP-010.6", "store-open", kind="durable", path=str(service.path))[
        "store"
    ]
    try:
        for n, (step, _) in enumerate(before):
            name = f"names/step-time-test/{n}"
            reply = impl.call("ref-cas", store=store, name=name, expected=None, new=step)
            ok_answer(reply, "ADP-010.6", f"ref-cas {name} none -> {step} on the service's path")
    finally:
        impl.call("store-close", store=store)
    service = services.start("svc")
    after = _times(service.client, actor)
    check_equal(
        "RUN-027.1",
        before,
        after,
        "the history's times after names/ refs were pointed at its steps: only a swap of a "
        "heads/ ref gives a step its time, so each step shows the time it showed before",
    )
