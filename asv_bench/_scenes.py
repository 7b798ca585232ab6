"""Workload set-ups shared by the runtime benchmarks and the cross-version tool.

Only the public API that every version since the first benchmarks has is used
(``Runtime.send_all``, ``run_until_quiescent``, ``test_actor_core``, ``wit_blob``),
so that ``tools/durable_versions.py`` can run them on an older ``gritwit`` too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import gritwit as g
from gritwit.wit import test_actor_core, wit_blob

__all__ = ["Sends", "make_counters", "start_ping_pong"]


class Sends(Protocol):
    """What these set-ups use of a runtime: the two methods every version has (a duck type,
    so that an older ``gritwit``'s ``Runtime`` serves too)."""

    async def send_all(
        self,
        messages: list[tuple[g.ObjectId, g.ObjectId, dict[str, str], bool]],
        objects: Iterable[g.GritObject] = ...,
    ) -> object: ...

    async def run_until_quiescent(self) -> object: ...


async def start_ping_pong(runtime: Sends) -> None:
    """Make two ``echo`` actors and send the first ball; the caller runs them.

    An echo only answers its senders, so the second echo starts as a ``fanout``: it
    sends the first message, then an update (WIT-013) turns it into an echo.  After
    this, a run of 10 steps puts the ball in play.
    """
    echo, echo_objects = test_actor_core("echo")
    fanout, fanout_objects = test_actor_core("fanout")
    a, b = g.object_id(echo), g.object_id(fanout)
    name = g.Blob(data=a.hex().encode())
    targets = g.Tree(entries={"a": g.object_id(name)})
    to_echo = g.Tree(entries={"wit": g.object_id(wit_blob("echo"))})
    objects = (*echo_objects, *fanout_objects, name, targets, wit_blob("echo"), to_echo)
    await runtime.send_all(
        [(a, a, {"mt": "genesis"}, False), (b, b, {"mt": "genesis"}, False)], objects
    )
    await runtime.run_until_quiescent()
    await runtime.send_all(
        [
            (b, g.object_id(targets), {"mt": "fanout"}, False),
            (b, g.object_id(to_echo), {"mt": "update"}, False),
        ]
    )


async def make_counters(runtime: Sends, count: int) -> list[g.ObjectId]:
    """Make ``count`` ``counter`` actors, each with its own ``tag`` entry, and run their
    genesis; their ids, in the order made."""
    cores = [test_actor_core("counter", {"tag": g.Blob(data=b"%d" % i)}) for i in range(count)]
    actors = [g.object_id(core) for core, _ in cores]
    objects = [obj for _, objs in cores for obj in objs]
    await runtime.send_all([(a, a, {"mt": "genesis"}, False) for a in actors], objects)
    await runtime.run_until_quiescent()
    return actors
