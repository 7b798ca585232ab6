"""A runtime alone on a server's store loses no group to its own hints (RUN-020.1, RUN-017).

On a store that is a round trip away the runtime reads the heads of a pass's actors in
one read and gives each transition its head as a hint.  A commit of the open group in
the middle of the pass moves its members' heads: a hint read before it must not send a
member's next transition back to the head before its own commit, or the next group
loses that swap, whole (RUN-017.4), with nobody else writing.  Ping-pong actors in
runs of many steps commit groups in the middle of passes: one runtime, alone, must
lose nothing.
"""

from __future__ import annotations

import asyncio

import pytest

from gritwit.runtime import Runtime
from gritwit.store import Store, create_schema


@pytest.mark.req("RUN-020.1", "RUN-017.4", "RUN-002.4")
def test_one_runtime_alone_loses_no_group_to_its_own_hints(pg_database: str) -> None:
    from asv_bench._multi import Plan, make_actors

    plan = Plan(workload="cross", processes=1, counters=0, pairs=12, steps=600)
    store = Store.open(create_schema(pg_database))
    loop = asyncio.new_event_loop()
    try:
        runtime = Runtime(store)
        loop.run_until_complete(make_actors(runtime, plan))
        before = runtime.conflicts, runtime.group_losses
        report = loop.run_until_complete(runtime.run_until_quiescent(max_steps=600))
        assert len(report.steps) == 600 and not report.failures
        assert (runtime.conflicts, runtime.group_losses) == before, (
            "one runtime alone lost swaps to itself: "
            f"{runtime.conflicts - before[0]} conflicts, "
            f"{runtime.group_losses - before[1]} groups lost"
        )
    finally:
        loop.close()
        store.close()
