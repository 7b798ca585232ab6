"""A configuration's actors, made in its store before its processes start, and those
whose steps cross shares (``_multi``; RUN-002, RUN-021).

:func:`prepare` opens a store and makes a plan's actors there (:func:`make_actors`): the
counters of ``disjoint`` with their genesis, the ping-pong pairs of ``cross`` and
``half`` with every ball in play, the rings of ``ring`` (``_ring``).  Each runtime
process (``_multi_process``) counts the steps of the actors :func:`crossing_actors`
names, whose every send crosses to another share.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ._multi_plan import Plan, counter_core, pair_shares, tagged
from ._ring import RING, actors_of, crossing_senders, make_rings

if TYPE_CHECKING:
    from gritwit import ObjectId
    from gritwit.runtime import Runtime


def crossing_actors(plan: Plan) -> set[ObjectId]:
    """The echoes of the pairs whose two ends are in two shares (``cross``, ``half`` with
    shares): each step of one sends across; none without shares."""
    import gritwit as g

    if plan.workload == RING:
        return crossing_senders(plan)
    if plan.workload == "disjoint" or not plan.shares or plan.placed:
        return set()  # placed: both ends in the first's share (RUN-021.6)
    found = set()
    for j in range(plan.pairs):
        ping, pong = pair_shares(plan, j)
        if ping != pong:
            found.add(g.object_id(tagged("echo", f"ping {j}", ping, plan.processes)[0]))
            found.add(g.object_id(tagged("fanout", f"pong {j}", pong, plan.processes)[0]))
    return found


async def make_actors(runtime: Runtime, plan: Plan) -> None:
    """Make the plan's actors in ``runtime``'s store and, for ``cross``, put every ball in play."""
    import gritwit as g
    from gritwit.wit import test_actor_core, wit_blob

    if plan.workload == RING:
        return await make_rings(runtime, plan)
    if plan.workload == "disjoint":
        cores = [counter_core(i) for i in range(plan.counters)]
        actors = [g.object_id(core) for core, _ in cores]
        objects = [obj for _, objs in cores for obj in objs]
        await runtime.send_all([(a, a, {"mt": "genesis"}, False) for a in actors], objects)
        await runtime.run_until_quiescent()
        return
    # Each pair as in _scenes.start_ping_pong: the second starts as a fanout, sends the
    # first ball, and an update turns it into an echo.  A tag per actor: distinct actors.
    to_echo = g.Tree(entries={"wit": g.object_id(wit_blob("echo"))})
    objects, genesis, balls = [wit_blob("echo"), to_echo], [], []
    for j in range(plan.pairs):
        if plan.shares:  # the two ends in two processes' shares (RUN-021)
            ping, pong = pair_shares(plan, j)
            echo, echo_objects = tagged("echo", f"ping {j}", ping, plan.processes)
            fanout, fanout_objects = tagged("fanout", f"pong {j}", pong, plan.processes)
        else:
            echo, echo_objects = test_actor_core("echo", {"tag": g.Blob(data=b"ping %d" % j)})
            fanout, fanout_objects = test_actor_core("fanout", {"tag": g.Blob(data=b"pong %d" % j)})
        a, b = g.object_id(echo), g.object_id(fanout)
        name = g.Blob(data=a.hex().encode())
        targets = g.Tree(entries={"a": g.object_id(name)})
        objects += [*echo_objects, *fanout_objects, name, targets]
        placing = {"placement": a.hex()} if plan.placed else {}  # RUN-021.7: with a
        genesis += [(a, a, {"mt": "genesis"}, False), (b, b, {"mt": "genesis", **placing}, False)]
        balls += [
            (b, g.object_id(targets), {"mt": "fanout"}, False),
            (b, g.object_id(to_echo), {"mt": "update"}, False),
        ]
    await runtime.send_all(genesis, objects)
    await runtime.run_until_quiescent()
    await runtime.send_all(balls)
    report = await runtime.run_until_quiescent(max_steps=4 * plan.pairs)
    if report.failures or report.quiescent:
        raise AssertionError("the balls are not in play")


def prepare(location: str, plan: Plan) -> None:
    """Open the store at ``location`` (a folder or a ``postgresql://`` URL) and make the actors."""
    from gritwit.runtime import Runtime
    from gritwit.store import Store

    with Store.open(location) as store:
        asyncio.run(make_actors(Runtime(store, actors=actors_of(plan)), plan))
