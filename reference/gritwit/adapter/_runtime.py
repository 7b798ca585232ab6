"""The ``runtime`` profile of the reference adapter (ADP-015): the asyncio runtime, durably.

Each ``rt-open`` opens :class:`gritwit.runtime.Runtime` on the durable store of the
directory the harness names (a SQLite file in it, or with ``--store-url`` a
PostgreSQL schema it names: ADP-010.6), with its own event loop and an observer that
buffers lifecycle events for ``rt-events``.  Opening a directory used before is
a restart: the runtime recovers from the store alone (RUN-003, RUN-007).
``rt-run`` uses the runtime's deterministic round schedule
(:meth:`~gritwit.runtime.Runtime.run_rounds`) so that step ids can be compared.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from typing import Any

from .._ids import ObjectId
from .._objects import Step
from ..runtime import (
    COMMIT,
    COMMIT_MODES,
    FIRST_BACKOFF,
    MAX_CORE_BYTES,
    MAX_RESIDENT,
    MAX_RUN_BYTES,
    MAX_STEP_BYTES,
    PROTOCOL_SEND_COMMIT,
    SEND_COMMIT_MODES,
    SERVICE_TEST_ACTORS,
    TIME_LIMIT,
    LifecycleEvent,
    PolicyError,
    PortBounds,
    PortService,
    Runtime,
    SecretError,
    TimerBounds,
    TimerService,
    absorb_import,
    absorb_port_import,
    erase_blob,
    export_bundle,
    fork,
    import_bundle,
    parse_policy,
    parse_secrets,
    pending_timers,
    verify_actor,
    wall_clock,
)
from ..store import Store
from ..wit import TEST_ACTORS, Failure, RunReport, test_actor_core
from ._args import BadRequest, Json, _directory, _hex, _id, _str, _text, closed, share_arg
from ._stores import StoreLocations
from ._wit import failure_class, max_steps, send_args, state_blobs, wasm_core

__all__ = ["RuntimeCommands"]

#: The largest integer a JSON number holds exactly (ADP-023.1).
_MAX_SAFE = 2**53 - 1
#: Seconds ``rt-run`` waits for a port answer before it passes again (ADP-024.2).
_PORT_WAIT = 0.5


@dataclass(slots=True)
class _Open:
    """One open runtime: its store, runtime, event loop and buffered events."""

    store: Store
    runtime: Runtime
    loop: asyncio.AbstractEventLoop
    #: Its timer service (TIM-002 … TIM-007), on the harness's clock when ``clock`` is set.
    timers: TimerService
    #: Its port service (PORT-002 … PORT-008), on the same clock (ADP-024.1).
    port: PortService
    #: The harness's clock in milliseconds (ADP-023.1); ``None``: the time of day.
    clock: list[int] | None = None
    events: list[LifecycleEvent] = field(default_factory=list)

    async def run_with_timers(self, bound: int) -> tuple[RunReport, int]:
        """``rt-run`` with timer passes (ADP-023.3): one before the rounds and one each
        time they end quiescent, until a pass adopts no step; timer steps are not counted.
        Also where this call's failed attempts start in the runtime's ``failures``."""
        runtime, timers, port = self.runtime, self.timers, self.port
        first = len(runtime.failures)
        timers.run_pass()
        port.run_pass()
        steps: list[tuple[ObjectId, ObjectId]] = []
        failures: list[Failure] = []
        while True:
            report = await runtime.run_rounds(bound - len(steps))
            steps += report.steps
            failures += report.failures
            done = not report.quiescent or len(steps) >= bound
            if not done:
                # both services pass, the port's too: its answers are steps (ADP-024.2)
                timed, ported = timers.run_pass(), port.run_pass()
                if timed is not None or ported is not None:
                    continue
                if port.in_flight:  # the call waits for every answer (ADP-024.2)
                    await asyncio.to_thread(port.wait, _PORT_WAIT)
                    continue
            return RunReport(tuple(steps), tuple(failures), report.quiescent), first

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def close(self) -> None:
        """Shut down: grouped sends are committed first (ADP-015, RUN-019.2)."""
        try:
            self.port.close()
            self.runtime.flush()
        finally:
            self.loop.close()
            self.store.close()


def _whole(args: Json, name: str, least: int, default: int | None) -> int | None:
    """An integer from ``least`` to 2⁵³ − 1 (ADP-023.1, ADP-023.2), else ``bad-request``."""
    if name not in args:
        return default
    value = args[name]
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= _MAX_SAFE:
        raise BadRequest(f"ADP-023: {name} must be an integer from {least} to 2^53 - 1")
    return value


def _timer_bounds(args: Json) -> TimerBounds:
    """``max_timers``, ``max_past``, ``max_delay``, ``max_fires`` of ``rt-open`` (ADP-023.1)."""
    d = TimerBounds()
    return TimerBounds(
        max_timers=_whole(args, "max_timers", 1, d.max_timers) or d.max_timers,
        max_past=_whole(args, "max_past", 1, d.max_past) or d.max_past,
        max_delay=_whole(args, "max_delay", 1, d.max_delay) or d.max_delay,
        max_fires=_whole(args, "max_fires", 1, d.max_fires) or d.max_fires,
    )


def _port(args: Json) -> tuple[tuple[object, ...], object, PortBounds]:
    """``port`` of ``rt-open`` (ADP-024.1): the policy, the secrets and the bounds."""
    raw = args.get("port", {})
    if not isinstance(raw, dict):
        raise BadRequest("ADP-024.1: port must be an object")
    d = PortBounds()
    names: tuple[str, ...] = ("max_in_flight", "max_in_flight_total", "max_request_bytes")
    names += ("max_response_bytes", "max_per_minute", "max_time")
    unknown = set(raw) - {"policy", "secrets", *names}
    if unknown:
        raise BadRequest(f"ADP-024.1: port has no member {sorted(unknown)[0]!r:.40}")
    try:
        policy = parse_policy(raw.get("policy", []))
        secrets = parse_secrets(raw.get("secrets", {}))
    except (PolicyError, SecretError) as exc:  # their messages name no value (PORT-009.3)
        raise BadRequest(f"ADP-024.1, {exc}") from None
    bounds = PortBounds(**{n: _whole(raw, n, 1, getattr(d, n)) or getattr(d, n) for n in names})
    return policy, secrets, bounds


def _time_limit(args: Json) -> float:
    seconds = _seconds(args.get("time_limit", TIME_LIMIT))
    if seconds is None:
        raise BadRequest("ADP-015: time_limit must be a finite number of seconds > 0")
    return seconds


def _seconds(value: object) -> float | None:
    """A JSON number of seconds, > 0 and finite as a double, else ``None`` (ADP-015):
    ``1e400`` (infinity once read) or an integer of 400 digits is no number of seconds."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:
        return None
    return seconds if seconds > 0 and math.isfinite(seconds) else None


def _max_resident(args: Json) -> int | None:
    value = args.get("max_resident", MAX_RESIDENT)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadRequest("max_resident must be a non-negative integer or null")
    return value


def _commit(args: Json) -> str:
    """``commit`` of ``rt-open`` (ADP-015): ``"group"`` or ``"step"`` (RUN-017.1)."""
    value = args.get("commit", COMMIT)
    if value not in COMMIT_MODES:
        raise BadRequest(f"commit must be one of {', '.join(COMMIT_MODES)}")
    return str(value)


def _sends(args: Json, commit: str) -> str:
    """``sends`` of ``rt-open`` (ADP-015): ``"own"`` or ``"group"`` (RUN-019.1, RUN-019.2),
    ``"group"`` only with group commit."""
    value = args.get("sends", PROTOCOL_SEND_COMMIT)  # omitted: "own" (ADP-015)
    if not isinstance(value, str) or value not in SEND_COMMIT_MODES:
        raise BadRequest(f"ADP-015: sends must be one of {', '.join(SEND_COMMIT_MODES)}")
    if value == "group" and commit != "group":
        raise BadRequest("ADP-015, RUN-019.2: sends 'group' needs commit 'group'")
    return value


def _first_delay(args: Json) -> float:
    """``first_delay`` of ``rt-open`` (ADP-015): seconds before the first retry (RUN-004.8)."""
    value = args.get("first_delay", FIRST_BACKOFF)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 3600:
        raise BadRequest("ADP-015: first_delay must be a number of seconds from 0 to 3600")
    return float(value)


def _idle_after(args: Json) -> float | None:
    """``idle_after`` of ``rt-open`` (ADP-015): absent disables the idle timeout (RUN-012.3)."""
    if "idle_after" not in args:
        return None
    seconds = _seconds(args["idle_after"])  # null is no omission (ADP-015)
    if seconds is None:
        raise BadRequest("ADP-015: idle_after must be a finite number of seconds > 0 or absent")
    return seconds


def _byte_bound(args: Json, name: str, default: int, clause: str) -> int:
    """``max_step_bytes``, ``max_run_bytes`` or ``max_core_bytes`` of ``rt-open``
    (ADP-015): an integer from 1 to 2**53 - 1, or absent for the default (RUN-022.2,
    RUN-023.2, SBX-007.7); ``null``, a bool or a fraction is no such integer."""
    value = args.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**53 - 1:
        raise BadRequest(f"ADP-015, {clause}: {name} must be an integer from 1 to 2**53 - 1")
    return value


def _absorb(store: Store, actor: ObjectId, head: Step) -> None:
    """Both services take an imported actor's requests as read (TIM-007.3, PORT-007.5)."""
    absorb_import(store, actor, head)
    absorb_port_import(store, actor, head)


class RuntimeCommands:
    """The ``rt-*`` commands; mixed into :class:`~gritwit.adapter.ReferenceAdapter`."""

    #: Where ``rt-open`` finds the store of a ``path`` (ADP-010.6); set by the adapter.
    stores: StoreLocations

    def __init__(self) -> None:
        self._open: dict[str, _Open] = {}
        self._next_open = 0

    def close_durable_runtimes(self) -> None:
        for entry in self._open.values():
            entry.close()
        self._open.clear()

    def _rt(self, args: Json) -> _Open:
        handle = _str(args, "runtime")
        if handle not in self._open:
            raise BadRequest(f"no open runtime {handle!r:.60}")
        return self._open[handle]

    def cmd_rt_open(self, args: Json) -> Json:
        path = _directory(args, "path", "ADP-015")
        time_limit, max_resident, idle_after, commit, first_delay = (
            _time_limit(args),
            _max_resident(args),
            _idle_after(args),
            _commit(args),
            _first_delay(args),
        )
        sends, share = _sends(args, commit), share_arg(args, "ADP-015")
        max_step_bytes = _byte_bound(args, "max_step_bytes", MAX_STEP_BYTES, "RUN-022.2")
        max_run_bytes = _byte_bound(args, "max_run_bytes", MAX_RUN_BYTES, "RUN-023.2")
        # the core limit of its python-wasi actors: mount, entry and import (SBX-007.7)
        max_core_bytes = _byte_bound(args, "max_core_bytes", MAX_CORE_BYTES, "SBX-007.7")
        start, bounds = _whole(args, "clock", 0, None), _timer_bounds(args)
        policy, secrets, port_bounds = _port(args)
        store = self.stores.open(path)
        runtime = Runtime(
            store,
            actors={**TEST_ACTORS, **SERVICE_TEST_ACTORS},  # alarm (TIM-008.1)
            time_limit=time_limit,
            max_resident=max_resident,
            idle_after=idle_after,
            commit=commit,
            first_backoff=first_delay,
            send_commit=sends,
            share=share,
            max_step_bytes=max_step_bytes,
            max_run_bytes=max_run_bytes,
            max_core_bytes=max_core_bytes,
        )
        clock = None if start is None else [start]
        timers = TimerService(
            runtime.service_door,
            clock=wall_clock if clock is None else (lambda: clock[0]),
            bounds=bounds,
        )
        port = PortService(
            runtime.service_door,
            policy=policy,  # type: ignore[arg-type]
            secrets=secrets,  # type: ignore[arg-type]
            clock=timers.clock,
            bounds=port_bounds,
        )
        entry = _Open(store, runtime, asyncio.new_event_loop(), timers, port, clock)
        runtime.subscribe(entry.events.append)
        self._next_open += 1
        handle = f"r{self._next_open}"
        self._open[handle] = entry
        settings: Json = {
            "time_limit": time_limit,
            "max_resident": max_resident,
            "idle_after": idle_after,
            "max_step_bytes": max_step_bytes,
            "max_run_bytes": max_run_bytes,
            "max_core_bytes": max_core_bytes,
        }
        if share is not None:  # RUN-021: the share, when one was given
            settings["share"] = [share.k, share.n]
        return {"runtime": handle, "settings": settings}  # ADP-015: defaults filled in

    def cmd_rt_genesis(self, args: Json) -> Json:
        entry = self._rt(args)
        if "module" in args:  # a Wasm Wit (ADP-016) on the runtime
            core, objects = wasm_core(_hex(args, "module"), state_blobs(args))
        else:
            core, objects = test_actor_core(_text(args, "actor"), state_blobs(args))
        # RUN-021.7, ADP-015: an id's text form, else bad-request or invalid-id
        placement = _id(args, "placement") if "placement" in args else None
        genesis = entry.runtime.genesis(core, objects, placement=placement)
        return {"actor": entry.run(genesis).hex()}

    def cmd_rt_send(self, args: Json) -> Json:
        entry = self._rt(args)
        to, content, headers, signal, objects = send_args(args)
        sent = entry.run(entry.runtime.send(to, content, headers, objects, signal))
        return {"message": sent.hex()}

    def cmd_rt_run(self, args: Json) -> Json:
        entry = self._rt(args)
        report, first = entry.run(entry.run_with_timers(max_steps(args)))
        return {
            "steps": [[actor.hex(), step.hex()] for actor, step in report.steps],
            "failures": [[f.actor.hex(), failure_class(f)] for f in report.failures],
            "attempts": [[f.actor.hex(), failure_class(f)] for f in entry.runtime.failures[first:]],
            "quiescent": report.quiescent,
        }

    def cmd_rt_head(self, args: Json) -> Json:
        step = self._rt(args).runtime.head(_id(args, "actor"))
        return {"step": None if step is None else step.hex()}

    def cmd_rt_object(self, args: Json) -> Json:
        return {"bytes": self._rt(args).store.get(_id(args, "id")).hex()}

    def cmd_rt_query(self, args: Json) -> Json:
        entry = self._rt(args)
        actor, name = _id(args, "actor"), _text(args, "name")  # ADP-004.11
        if entry.runtime.head(actor) is None:
            raise BadRequest(f"actor {actor} has no step to query")
        return {"data": entry.runtime.query(actor, name).data.hex()}

    def cmd_rt_ref(self, args: Json) -> Json:
        target = self._rt(args).store.get_ref(_str(args, "name"))
        return {"target": None if target is None else target.hex()}

    def cmd_rt_events(self, args: Json) -> Json:
        entry = self._rt(args)
        events = [
            {"event": e.kind, "actor": e.actor.hex(), "reason": e.reason} for e in entry.events
        ]
        entry.events.clear()
        return {"events": events}

    def cmd_rt_evict(self, args: Json) -> Json:
        evicted = self._rt(args).runtime.evict_idle(everything_idle=True)
        return {"evicted": [actor.hex() for actor in evicted]}

    def cmd_rt_fork(self, args: Json) -> Json:
        entry = self._rt(args)
        child = fork(entry.store, _id(args, "actor"), _id(args, "step"), state_blobs(args))
        return {"actor": child.hex()}

    def cmd_rt_revert(self, args: Json) -> Json:
        entry = self._rt(args)
        actor, step = _id(args, "actor"), _id(args, "step")
        return {"step": entry.runtime.revert(actor, step).hex()}  # RUN-024

    def cmd_rt_clear(self, args: Json) -> Json:
        entry = self._rt(args)
        return {"cleared": entry.runtime.clear_failed(_id(args, "actor"))}  # RUN-025

    def cmd_rt_export(self, args: Json) -> Json:
        entry = self._rt(args)
        return {"bundle": export_bundle(entry.store, _id(args, "actor")).hex()}

    def cmd_rt_import(self, args: Json) -> Json:
        entry = self._rt(args)
        # the runtime's check of the head's core (SBX-006.18), as Runtime.import_bundle
        data, bound = _hex(args, "bundle"), entry.runtime.bound_core
        store = entry.store
        actor, head = import_bundle(
            store, data, bound=bound, before_head=lambda a, s: _absorb(store, a, s)
        )  # TIM-007.3, ADP-023.5, PORT-007.5, ADP-024.4
        return {"actor": actor.hex(), "head": head.hex()}

    def cmd_rt_clock(self, args: Json) -> Json:
        """Set or advance the harness's clock (ADP-023.2); runs nothing."""
        entry = self._rt(args)
        if entry.clock is None:
            raise BadRequest("ADP-023.2: the runtime was opened without a clock")
        if ("set" in args) == ("advance" in args):
            raise BadRequest("ADP-023.2: give exactly one of set and advance")
        if "set" in args:
            entry.clock[0] = _whole(args, "set", 0, None) or 0
        else:
            moved = entry.clock[0] + (_whole(args, "advance", 0, None) or 0)
            if moved > _MAX_SAFE:
                raise BadRequest("ADP-023.2: the clock would pass 2^53 - 1")
            entry.clock[0] = moved
        return {"now": entry.clock[0]}

    def cmd_rt_timers(self, args: Json) -> Json:
        """The timers pending that ``actor`` set (ADP-023.4, TIM-005.2)."""
        entry = self._rt(args)
        timers = pending_timers(entry.store, _id(args, "actor"))
        return {
            "timers": [
                {"id": t.id.hex(), "to": t.to.hex(), "mt": t.mt, "set_for": t.set_for}
                for t in timers
            ]
        }

    def cmd_rt_verify(self, args: Json) -> Json:
        entry = self._rt(args)
        check = verify_actor(entry.store, _id(args, "actor"))
        return {
            "verified": check.ok,
            "steps": check.steps,
            "erased": sorted(oid.hex() for oid in check.erased),
        }

    def cmd_rt_erase(self, args: Json) -> Json:
        entry = self._rt(args)
        blob = _id(args, "blob")  # the table's order: blob, then reason (ADP-004.6)
        reason = _text(args, "reason")
        if not reason:
            raise BadRequest("reason must be non-empty text")
        erase_blob(entry.store, blob, reason)
        return {}

    def cmd_rt_close(self, args: Json) -> Json:
        handle = _str(args, "runtime")
        closed(self._open, handle, f"no open runtime {handle!r:.60}").close()
        return {}
