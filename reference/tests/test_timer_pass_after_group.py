"""A timer pass commits the runtime's open group before it reads (RUN-017.7, TIM-002.3).

A send from the outside in the grouped mode (RUN-019.2) is routed at once but durable
only when the open group commits. A timer step is a write outside the group (it is
adopted on its own, TIM-001.4), so it must not become durable ahead of a member it
follows from: a request to the timer party still in the open group is read only once
that group is committed. Through the adapter the two happen inside one ``rt-run`` (its
first timer pass, then the run's commit), so only a crash between them would show the
difference; here the pass is made on its own and the store read after it.
"""

from __future__ import annotations

import asyncio

import pytest

from gritwit import Blob, ObjectId, Store, object_id
from gritwit.runtime import TIMER, Runtime, TimerService
from gritwit.wit import outside_entries, read_outside


def _durable_entry(store: Store) -> ObjectId | None:
    """The outside's outbox entry for the timer party, as the store holds it."""
    return outside_entries(store, read_outside(store, [TIMER])).get(TIMER)


@pytest.mark.req("RUN-017.7", "RUN-019.2", "TIM-002.3", "TIM-001.4")
def test_a_timer_step_is_durable_only_after_the_request_it_reads() -> None:
    with Store.memory() as store:
        runtime = Runtime(store)
        assert runtime.send_commit == "group"  # the outside's sends join the open group
        service = TimerService(runtime.service_door, clock=lambda: 1_000)
        content = Blob(data=b"ring me")
        headers = {"mt": "timer-set", "timer-mt": "ring", "timer-after": "500"}
        request = asyncio.run(runtime.send(TIMER, object_id(content), headers, (content,), False))
        assert _durable_entry(store) is None  # acknowledged, not yet durable (RUN-019.2)
        step = service.run_pass()
        assert step is not None and store.get_ref(f"heads/{TIMER.hex()}") == step
        # the step that read the request is durable: so is the request it read
        assert _durable_entry(store) == request
