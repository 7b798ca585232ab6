"""Hostile actors against the runtime's services: what each gets back, and the host's memory.

Each case runs in a *host* process of its own (``--host CASE``): a reference
:class:`~gritwit.runtime.Runtime` on a fresh SQLite store with its timer service
(TIM-002 … TIM-006) and its port service (PORT-002 … PORT-008) at their default bounds,
the port's policy allowing the hostile actor the suite's world server on loopback
(PORT-003; the rule lists ``127.0.0.1/32``, PORT-004.1).  The world runs in this, the
tool's, process, so the host's memory is its own.  The host runs until quiescent with
every answer adopted, and reports:

* the messages the timer and port parties sent the hostile actor, counted by ``mt``,
  ``error`` and ``clause`` (TIM-004, PORT-005, PORT-008.2): *typed refusals*, never an
  actor marked failed (PORT-002.3) or a crash;
* whether its neighbour, a ``counter`` sent one ``inc`` each pass of the host's loop
  while the hostile work runs, stepped every one (its count equals the sends) and how
  many of its steps came before the hostile actor's last answer;
* its peak resident size (``VmHWM`` of ``/proc/self/status``) and its resident size
  once the case is done, both taken before the answers are tallied (the tally reads
  them from the store one at a time, but it is the tool's work, not the host's).

The cases:

``timers``
    ``flood`` asks for ``--timers`` timers (default 10⁶), 10⁴ in each of its steps: the
    timer service sets ``max_timers`` (TIM-004.2) and refuses the rest ``timer-limit``.
``host``
    a request to a host no rule allows → ``port-refused`` (PORT-003.3), nothing sent.
``redirect``
    the world answers 302 to a loopback URL no rule allows: the answer is the 302
    (PORT-004.3, not followed: the world gets nothing at the target), and the request the
    actor then makes for the target is refused ``port-refused`` (PORT-003.3).
``big``
    the world streams ``--big`` bytes (default 1 GiB, written 64 KiB at a time, never
    held) → ``port-too-large`` (PORT-005.6), the body not read further.
``rate``
    ``flood`` asks for ``--requests`` requests (default 10⁴) in one step, one second of
    the clock → 8 accepted (PORT-005.2's ``max_in_flight``), the rest ``port-busy``
    (and ``port-rate`` past PORT-005.4's 60 a minute, when fewer are in flight).

Also, side by side (``--cost``): the host's CPU per port round trip (a courier's request
to the world, and the answer read as a message) and per timer fire (an alarm's timer set
to fire at once, and the fire read), each the mean over ``--rounds`` rounds.

    python -m asv_bench.tools.port_hostile            # every case, the default sizes
    python -m asv_bench.tools.port_hostile --case big --big 1073741824

Quote each figure with its peak RSS and the load (``uptime``); nothing is asserted here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import gritwit as g
from gritwit.runtime import (
    HTTP,
    SERVICE_TEST_ACTORS,
    TIMER,
    PortBounds,
    PortService,
    Runtime,
    TimerService,
    parse_policy,
)
from gritwit.wit import TEST_ACTORS, BuiltinActor, TransitionInput, TransitionOutput
from gritwit.wit import test_actor_core as actor_core
from gritwit.wit._actors import _Out
from gritwit.wit._model import queued_send

CASES: Final = ("timers", "host", "redirect", "big", "rate")
#: Timer requests ``flood`` sends in one step.
PER_STEP: Final = 10_000
#: A host's peak resident size the issue allows, in bytes.
RSS_BOUND: Final = 700 << 20


def _flood(inp: TransitionInput) -> TransitionOutput:
    """``flood``: for each ``timers`` message, as many ``timer-set`` requests (a day ahead)
    as its data's decimal says; for each ``requests`` message, as many ``port-request``
    GETs of the URL its ``url`` header names."""
    out = _Out(inp)
    empty = g.Blob(data=b"")
    out.objects.append(empty)
    content = g.object_id(empty)
    for _, item in out.messages():
        count = int(out.data(item.message.content) or b"0")
        if item.mt == "timers":
            headers = {"mt": "timer-set", "timer-mt": "ring", "timer-after": "86400000"}
            out.sends += [queued_send(TIMER, content, headers) for _ in range(count)]
        elif item.mt == "requests":
            url = item.message.headers.get("url", "")
            request = {"mt": "port-request", "port-method": "GET", "port-url": url}
            heads = g.Blob(data=b"")
            tree = g.Tree(entries={"headers": g.object_id(heads)})
            out.objects += [heads, tree]
            out.sends += [queued_send(HTTP, g.object_id(tree), request) for _ in range(count)]
    return out.done()


FLOOD: Final = BuiltinActor(
    name="flood",
    description="Asks the timer party or the port for as many requests as it is told.",
    transition=_flood,
    messages={"timers": "Data: how many timers.", "requests": "Data: how many; header url."},
)
ACTORS: Final = {**TEST_ACTORS, **SERVICE_TEST_ACTORS, "flood": FLOOD}


def peak_rss() -> tuple[int, int]:
    """This process's peak and current resident size, in bytes (``VmHWM``, ``VmRSS``)."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            found[name] = int(value.split()[0]) * 1024
    return found["VmHWM"], found["VmRSS"]


@dataclass
class Host:
    """A runtime with its two services, run as ``rt-run`` runs them (ADP-024.2)."""

    store: g.Store
    runtime: Runtime
    timers: TimerService
    port: PortService

    async def genesis(self, name: str, seed: str = "") -> g.ObjectId:
        state = {"seed": g.Blob(data=seed.encode())} if seed else {}
        core, objects = actor_core(name, state)
        actor = await self.runtime.genesis(core, objects)
        await self.runtime.run_until_quiescent()
        return actor

    async def send(self, to: g.ObjectId, mt: str, data: bytes, **headers: str) -> None:
        blob = g.Blob(data=data)
        await self.runtime.send(to, g.object_id(blob), {"mt": mt, **headers}, [blob], False)

    async def run(self, each_pass: Callable[[], Any] | None = None) -> int:
        """Run, pass both services, wait for the port's answers, until nothing moves;
        ``each_pass`` is awaited before every round (the neighbour's inc). Passes made."""
        passes = 0
        while True:
            passes += 1
            if each_pass is not None:
                await each_pass()
            report = await self.runtime.run_until_quiescent(100_000)
            timed, ported = self.timers.run_pass(), self.port.run_pass()
            if timed is not None or ported is not None or not report.quiescent:
                continue
            if self.port.in_flight:
                await asyncio.to_thread(self.port.wait, 0.5)
                continue
            return passes


def _messages(store: g.Store, party: g.ObjectId, actor: g.ObjectId) -> Iterator[g.Message]:
    """Every message ``party`` sent ``actor``, newest first (its outbox entry's chain,
    WIT-004), one at a time: a million refusals are never held at once."""
    from gritwit.store import head_ref
    from gritwit.wit import mailbox_map

    head = store.get_ref(head_ref(party))
    if head is None:
        return
    step = store.get_object(head)
    assert isinstance(step, g.Step)
    last = mailbox_map(store, step.outbox).get(actor)
    while last is not None:
        message = store.get_object(last)
        assert isinstance(message, g.Message)
        yield message
        last = message.previous


def _classes(store: g.Store, actor: g.ObjectId) -> dict[str, int]:
    """The answers the timer and port parties sent ``actor``: ``mt error clause`` → count."""
    counts: Counter[str] = Counter()
    for party in (TIMER, HTTP):
        for message in _messages(store, party, actor):
            h = message.headers
            status = h.get("port-status", "")
            counts[" ".join(x for x in (h.get("mt", ""), h.get("error", ""), status,
                                        h.get("clause", "")) if x)] += 1  # fmt: skip
    return dict(counts)


async def _case(host: Host, case: str, world: str, sizes: argparse.Namespace) -> dict[str, Any]:
    flood = await host.genesis("flood")
    neighbour = await host.genesis("counter")
    incs = 0

    async def inc() -> None:
        nonlocal incs
        await host.send(neighbour, "inc", b"")
        incs += 1

    started = time.monotonic()
    cpu = time.process_time()
    passes = 0
    if case == "timers":
        left = sizes.timers
        while left > 0:  # a step's worth at a time: the actor asks again once answered
            await host.send(flood, "timers", str(min(left, PER_STEP)).encode())
            passes += await host.run(inc)
            left -= PER_STEP
    elif case == "host":
        await host.send(flood, "requests", b"1", url="http://not-allowed.invalid/x")
    elif case == "redirect":
        await host.send(flood, "requests", b"1", url=f"{world}/redirect?to={_target(world)}")
    elif case == "big":
        await host.send(flood, "requests", b"1", url=f"{world}/big?n={sizes.big}")
    elif case == "rate":
        await host.send(flood, "requests", str(sizes.requests).encode(), url=f"{world}/echo")
    passes += await host.run(inc)
    if case == "redirect":  # the actor asks for the target itself: judged as any request
        await host.send(flood, "requests", b"1", url=_target(world))
        passes += await host.run(inc)
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    peak, now = (round(x / (1 << 20), 1) for x in peak_rss())  # the host's, before the tally
    count = int(host.runtime.query(neighbour, "count").data)
    return {
        "case": case,
        "peak_rss_mib": peak,
        "rss_mib": now,
        "answers": _classes(host.store, flood),
        "failed": host.runtime.failed(flood) is not None,
        "neighbour_incs": incs,
        "neighbour_count": count,
        "passes": passes,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
    }


def _target(world: str) -> str:
    """Where ``redirect`` points: the world again, on loopback, by a name no rule allows;
    a port that followed would show in the world's log as ``followed``."""
    return world.replace("127.0.0.1", "localhost") + "/echo?followed=1"


def _policy(world_port: int, actors: list[str]) -> tuple[Any, ...]:
    rule = {"scheme": "http", "host": "127.0.0.1", "port": world_port, "path": "/",
            "actors": actors, "addresses": ["127.0.0.1/32"]}  # fmt: skip
    return parse_policy([rule])


def host_main(case: str, world_port: int, sizes: argparse.Namespace) -> dict[str, Any]:
    """One case in this process (the host): its outcome and this process's memory."""
    with tempfile.TemporaryDirectory(prefix="gw-hostile-") as tmp, g.Store.open(Path(tmp)) as store:
        runtime = Runtime(store, actors=ACTORS)
        flood_code = actor_core("flood", {})[0].entries["wit"].hex()
        policy = _policy(world_port, [flood_code, actor_core("courier", {})[0].entries["wit"].hex(),
                                      actor_core("alarm", {})[0].entries["wit"].hex()])  # fmt: skip
        # the cost's rounds ask faster than PORT-005.4's 60 a minute: its bound lifted there
        bounds = PortBounds(max_per_minute=10**9) if case == "cost" else PortBounds()
        host = Host(store, runtime, TimerService(runtime.service_door),
                    PortService(runtime.service_door, policy=policy, bounds=bounds))  # fmt: skip
        world = f"http://127.0.0.1:{world_port}"
        if case == "cost":
            out = asyncio.run(_cost(host, world, sizes.rounds))
        else:
            out = asyncio.run(_case(host, case, world, sizes))
        host.port.close()
        runtime.flush()
    return out


async def _cost(host: Host, world: str, rounds: int) -> dict[str, Any]:
    """CPU per port round trip and per timer fire, measured alike: ``rounds`` times, one
    request (or timer) asked, the host run until its answer (or fire) is read."""
    courier = await host.genesis("courier")
    alarm = await host.genesis("alarm")
    request = g.Blob(data=b"", headers={"mt": "port-request", "port-method": "GET",
                                        "port-url": f"{world}/"})  # fmt: skip
    heads = g.Blob(data=b"")
    content = g.Tree(entries={"headers": g.object_id(heads)})
    port_tree = g.Tree(entries={"request": g.object_id(request), "content": g.object_id(content)})
    timer = g.Blob(data=b"", headers={"mt": "timer-set", "timer-mt": "ring", "timer-after": "0"})
    body = g.Blob(data=b"")
    timer_tree = g.Tree(entries={"request": g.object_id(timer), "content": g.object_id(body)})
    out: dict[str, Any] = {"case": "cost", "rounds": rounds}
    cases: tuple[tuple[str, g.ObjectId, str, g.Tree, list[g.GritObject]], ...] = (
        ("port_round_trip", courier, "port", port_tree, [request, heads, content, port_tree]),
        ("timer_fire", alarm, "timer", timer_tree, [timer, body, timer_tree]),
    )
    for name, to, mt, tree, parts in cases:
        await host.run()
        cpu, wall = time.process_time(), time.monotonic()
        for _ in range(rounds):
            await host.runtime.send(to, g.object_id(tree), {"mt": mt}, list(parts), False)
            await host.run()
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
        out[f"{name}_cpu_ms"] = round(1000 * cpu / rounds, 3)
        out[f"{name}_wall_ms"] = round(1000 * wall / rounds, 3)
    out["peak_rss_mib"], out["rss_mib"] = (round(x / (1 << 20), 1) for x in peak_rss())
    out["answers_courier"] = _classes(host.store, courier)
    out["answers_alarm"] = _classes(host.store, alarm)
    return out


def run_case(case: str, world_port: int, sizes: argparse.Namespace) -> dict[str, Any]:
    """``case`` in a host process of its own; its JSON report."""
    wrong = ["--wrong", sizes.wrong] if sizes.wrong else []
    command = [sys.executable, "-m", "asv_bench.tools.port_hostile", *wrong, "--host", case,
               "--world-port", str(world_port), "--timers", str(sizes.timers),
               "--big", str(sizes.big), "--requests", str(sizes.requests),
               "--rounds", str(sizes.rounds)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=sizes.limit,
                          stdin=subprocess.DEVNULL, check=False)  # fmt: skip
    if done.returncode != 0:
        return {"case": case, "exit": done.returncode, "stderr": done.stderr[-2000:]}
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--case", action="append", choices=[*CASES, "cost"])
    parser.add_argument("--timers", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=1 << 30)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--limit", type=float, default=3_600.0, help="seconds a case may take")
    parser.add_argument(
        "--wrong",
        metavar="NAME",
        help="install the bug of gritwit_conformance.wrong.NAME in each host first (a "
        "wrong port, to see a check bite)",
    )
    parser.add_argument("--host", choices=[*CASES, "cost"], help=argparse.SUPPRESS)
    parser.add_argument("--world-port", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    sizes = _arguments(argv)
    if sizes.host is not None:
        if sizes.wrong:
            import importlib

            importlib.import_module(f"gritwit_conformance.wrong.{sizes.wrong}").install()
        print(json.dumps(host_main(sizes.host, sizes.world_port, sizes)))
        return 0
    from gritwit_conformance.suite.port._world import World

    with World() as world:
        for case in sizes.case or [*CASES, "cost"]:
            load = os.getloadavg()
            report = run_case(case, world.port, sizes)
            report["load_before"] = [round(x, 2) for x in load]
            report["load_after"] = [round(x, 2) for x in os.getloadavg()]
            report["world_hits"] = len(world.hits())
            report["world_followed"] = len(world.hits("/echo?followed"))
            print(json.dumps(report), flush=True)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"hosts_cpu_seconds": round(used.ru_utime + used.ru_stime, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
