"""The runtime workloads of the ``perf`` profile (ADP-018.6 … ADP-018.8).

``runtime-counter`` and ``runtime-ping-pong`` are the ``counter`` and
``ping-pong`` of ADP-018.2 run on :class:`~gritwit.runtime.Runtime` — the
engine the reference's users run, with its default settings and its own
scheduler (:meth:`~gritwit.runtime.Runtime.run_until_quiescent`) — over an
in-memory store, and their ``-durable`` twins over the SQLite store in the
directory the harness gives.  The actors are the Wasm modules the harness sends
(the builds of ``conformance/wasm/actors``, WASM-022), so every implementation
runs the same guest code.  All ``n`` repetitions run in one coroutine on one
event loop, as a program using the runtime would write them; the clock
(``time.perf_counter_ns``) covers the sends and the runs only (ADP-018.3).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import blake3

from .._codec import object_id
from .._ids import ObjectId
from .._objects import Blob, Tree
from ..runtime import PROTOCOL_SEND_COMMIT, Runtime
from ..store import Store
from ._args import BadRequest, Json, _directory, _durable_store, _hex
from ._wit import wasm_core

__all__ = ["RUNTIME_WORKLOADS", "RuntimeWorkload", "runtime_arguments", "run_runtime_workload"]

_INC: Final = {"mt": "inc"}
_ASK: Final = {"mt": "ask"}


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeWorkload:
    """One runtime workload of ADP-018.6: what it repeats, on which store, with which actors."""

    #: ``counter`` or ``ping-pong``: the repetition of ADP-018.2 it times.
    kind: str
    #: Whether the runtime's store is durable (DUR-001), in the directory ``path``.
    durable: bool
    #: The members of ``modules`` it runs, in the order its actors are created.
    actors: tuple[str, ...]


#: The runtime workloads of ADP-018.6, in the order they are reported.
RUNTIME_WORKLOADS: Final[dict[str, RuntimeWorkload]] = {
    "runtime-counter": RuntimeWorkload(kind="counter", durable=False, actors=("counter",)),
    "runtime-ping-pong": RuntimeWorkload(
        kind="ping-pong", durable=False, actors=("requester", "echo")
    ),
    "runtime-counter-durable": RuntimeWorkload(kind="counter", durable=True, actors=("counter",)),
    "runtime-ping-pong-durable": RuntimeWorkload(
        kind="ping-pong", durable=True, actors=("requester", "echo")
    ),
}


def _path(args: Json) -> Path:
    """``path`` of a durable workload: a directory (ADP-018.7)."""
    if "path" not in args:
        raise BadRequest("a durable runtime workload needs path, a directory (ADP-018.7)")
    return _directory(args, "path", "ADP-018.7")


def _modules(args: Json, names: tuple[str, ...]) -> dict[str, bytes]:
    """The members ``names`` of ``modules``, each lowercase hex (ADP-018.7); others ignored."""
    value = args.get("modules")
    if not isinstance(value, dict):
        raise BadRequest("modules must be an object of Wasm modules in hex (ADP-018.7)")
    modules: dict[str, bytes] = {}
    for name in names:
        if name not in value:
            raise BadRequest(f"modules lacks {name}, which this workload runs (ADP-018.7)")
        try:
            modules[name] = _hex(value, name)
        except BadRequest as exc:
            raise BadRequest(f"modules: {exc} (ADP-018.7)") from None
    return modules


def runtime_arguments(workload: str, args: Json) -> tuple[Path | None, dict[str, bytes]]:
    """``path`` (durable workloads only) then ``modules``, in the order of ADP-018.7."""
    spec = RUNTIME_WORKLOADS[workload]
    path = _path(args) if spec.durable else None
    return path, _modules(args, spec.actors)


def _load_checked(modules: Mapping[str, bytes]) -> None:
    """WASM-002's load checks of every module, before any runtime opens (ADP-018.7)."""
    from ..wasm import WasmWits

    engine = WasmWits().engine
    for module in modules.values():
        engine.load(ObjectId(blake3.blake3(module).digest()), module)


async def _new_actor(runtime: Runtime, module: bytes) -> ObjectId:
    """A Wasm actor created as ADP-016's ``wit-genesis`` does, run to quiescence (setup)."""
    core, objects = wasm_core(module, {})
    actor = await runtime.genesis(core, objects)
    await runtime.run_until_quiescent()
    return actor


def _head(runtime: Runtime, actor: ObjectId) -> ObjectId:
    head = runtime.head(actor)
    if head is None:  # its genesis failed: say so rather than answer a wrong check
        failures = [f"{f.actor}: {f.error!r}" for f in runtime.failures]
        raise RuntimeError(f"actor {actor} has no step after its workload: {failures}")
    return head


async def _counter(runtime: Runtime, n: int, modules: Mapping[str, bytes]) -> tuple[int, ObjectId]:
    """``counter`` on the runtime: ``n`` sends of ``inc`` and runs (ADP-018.2, ADP-018.6)."""
    counter = await _new_actor(runtime, modules["counter"])
    empty = Blob(data=b"")
    empty_id = object_id(empty)
    start = time.perf_counter_ns()
    for _ in range(n):
        await runtime.send(counter, empty_id, _INC, (empty,))
        await runtime.run_until_quiescent()
    elapsed = time.perf_counter_ns() - start
    return elapsed, _head(runtime, counter)


async def _ping_pong(
    runtime: Runtime, n: int, modules: Mapping[str, bytes]
) -> tuple[int, ObjectId]:
    """``ping-pong`` on the runtime: ``n`` asks, each run to quiescence (ADP-018.2, ADP-018.6)."""
    requester = await _new_actor(runtime, modules["requester"])
    echo = await _new_actor(runtime, modules["echo"])
    to = Blob(data=echo.hex().encode())
    to_id = object_id(to)
    start = time.perf_counter_ns()
    for i in range(n):
        question = Blob(data=str(i).encode())
        ask = Tree(entries={"to": to_id, "question": object_id(question)})
        await runtime.send(requester, object_id(ask), _ASK, (to, question, ask))
        await runtime.run_until_quiescent()
    elapsed = time.perf_counter_ns() - start
    return elapsed, _head(runtime, requester)


_Body = Callable[[Runtime, int, Mapping[str, bytes]], Awaitable[tuple[int, ObjectId]]]
_BODIES: Final[dict[str, _Body]] = {"counter": _counter, "ping-pong": _ping_pong}


def run_runtime_workload(
    workload: str,
    n: int,
    *,
    modules: Mapping[str, bytes],
    path: Path | None = None,
    open_store: Callable[[Path], Store] | None = None,
) -> tuple[int, ObjectId]:
    """Run a runtime workload ``n`` times: (elapsed nanoseconds, check id) (ADP-018.6).

    The runtime is this call's own: its loop and store are closed before it returns.
    """
    spec = RUNTIME_WORKLOADS[workload]
    _load_checked(modules)
    if spec.durable:
        if path is None:
            raise ValueError(f"ADP-018.7: {workload} needs a directory")
        store = _durable_store(path) if open_store is None else open_store(path)
    else:
        store = Store.memory()
    loop = asyncio.new_event_loop()
    try:
        # each send as rt-send makes it: durable when it returns (ADP-018.6, ADP-015)
        runtime = Runtime(store, send_commit=PROTOCOL_SEND_COMMIT)
        return loop.run_until_complete(_BODIES[spec.kind](runtime, n, modules))
    finally:
        loop.close()
        store.close()
