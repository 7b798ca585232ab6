"""Agent OS v0.1.1's side of ``asv_bench/tools/agent_os.py``: its counter transition.

Run by the *other* virtual environment's Python (the one with ``agent-os-py==0.1.1``
installed, whose top-level packages are ``grit``, ``wit`` and ``runtime``); it imports
nothing of gritwit.  Usage::

    python agent_os_counter.py BACKEND TRANSITIONS FOLDER

``BACKEND`` is ``lmdb`` (Agent OS's CLI store: ``SharedEnvironment(dir, writemap=True)``,
so ``map_async`` and ``metasync=False``: no ``fsync``/``fdatasync`` per commit, the
operating system writes the map back when it likes), ``lmdb-sync`` (the same store with
``writemap=False``: py-lmdb's default ``sync=True``, an ``fdatasync`` of the data per
write transaction, none of the meta page) or ``memory``.  The workload is the one of
gritwit's ``bench_runtime.CounterTransition``: a counter actor is created (its genesis
step), then each transition is one message ``inc`` sent from outside
(``Runtime.inject_message``: the runtime agent's step commits its outbox) and the wait
until the runtime has run the counter to its new step (its ``heads/`` reference set).
Prints one JSON line: ``{"cpu": s, "wall": s, "transitions": n, "count": c}``, the
process time (``time.process_time``: user and system, so the kernel's work for a sync
counts) and the wall time of the transitions alone, set-up excluded.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from grit import ObjectStore, References
from grit.stores.lmdb import LmdbObjectStore, LmdbReferences, SharedEnvironment
from grit.stores.memory import MemoryObjectStore, MemoryReferences
from runtime.runtime import Runtime
from wit import Core, InboxMessage, OutboxMessage, Wit


class _MessageHandlers(Protocol):
    """What this module uses of Agent OS's ``Wit`` (untyped there): its ``message`` decorator,
    which registers a handler for a message type (what it returns, nothing here uses)."""

    def message(
        self, message_type: str
    ) -> Callable[[Callable[[InboxMessage, Core], Awaitable[None]]], object]: ...


COUNTER: _MessageHandlers = Wit(generate_wut_query=False)


@COUNTER.message("inc")
async def on_inc(msg: InboxMessage, core: Core) -> None:
    """``count`` from 0; ``inc`` adds its content's number (1 when empty)."""
    stored = await core.getb("count") if "count" in core else None
    count = int(stored.get_as_str()) if stored is not None else 0
    content = (await msg.get_content()).get_as_str() or "1"
    core.makeb("count").set_as_str(str(count + int(content)))


def stores(backend: str, folder: str) -> tuple[ObjectStore, References]:
    """Agent OS's object store and references for ``backend``."""
    if backend == "memory":
        return MemoryObjectStore(), MemoryReferences()
    env = SharedEnvironment(folder, writemap=backend == "lmdb")
    return LmdbObjectStore(env), LmdbReferences(env)


class HeadWatch:
    """Wraps ``References.set`` to wake the sender when the watched reference is set."""

    def __init__(self, references: References) -> None:
        self.moved = asyncio.Event()
        self.ref = ""
        original = references.set

        async def set_and_signal(ref: str, object_id: bytes) -> None:
            await original(ref, object_id)
            if ref == self.ref:
                self.moved.set()

        references.set = set_and_signal


async def measure(backend: str, transitions: int, folder: str) -> dict[str, float | int]:
    """Set the counter up on ``backend``, then time ``transitions`` transitions."""
    store, references = stores(backend, folder)
    watch = HeadWatch(references)
    runtime = Runtime(store, references, "bench")
    runtime.resolver.external_resolver.register("counter", COUNTER)
    running = asyncio.create_task(runtime.start())
    await runtime.wait_until_running()
    core = Core.from_external_wit_ref(store, "counter")
    genesis = await OutboxMessage.from_genesis(store, core)
    actor = genesis.recipient_id
    watch.ref = f"heads/{actor.hex()}"
    watch.moved.clear()
    await runtime.inject_message(genesis)
    await watch.moved.wait()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(transitions):
        watch.moved.clear()
        await runtime.inject_message(OutboxMessage.from_new(actor, "1", mt="inc"))
        await watch.moved.wait()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    head = await references.get(watch.ref)
    step = await store.load(head)
    core_tree = await store.load(step.core)
    count = int((await store.load(core_tree["count"])).data) if "count" in core_tree else 0
    runtime.stop()
    await running
    return {"cpu": cpu, "wall": wall, "transitions": transitions, "count": count}


def main(argv: list[str]) -> int:
    backend, transitions, folder = argv[0], int(argv[1]), argv[2]
    if backend not in ("lmdb", "lmdb-sync", "memory"):
        print(f"unknown backend {backend!r}", file=sys.stderr)
        return 2
    print(json.dumps(asyncio.run(measure(backend, transitions, folder))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
