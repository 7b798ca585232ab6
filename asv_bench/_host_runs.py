"""A workload's two runs and their cost per unit of fuel, for ``bench_host_cost`` and
``tools/host_cost`` (SBX-006.5, SBX-006.7).

A workload's figure is the difference of two runs that differ only in how many times its
loop turns (:func:`loop_pair`), over the difference of the fuel they used; plain
bytecode's is the spin loop run to two fuel limits (:func:`spin_pair`, :data:`SPIN`).
:func:`cpu_ratio` times both pairs, rounds interleaved, and divides the one by the other;
``tools/host_cost`` counts their instructions instead.  Each pair's runs are made once
here with the host's WASI calls and fuel charges counted (:func:`_counting`), so that a
workload that calls something other than it says is seen.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from gritwit.sandbox import SandboxLimits, SandboxResult, run_python
from gritwit.store import Store

from ._host_loops import Loop

if TYPE_CHECKING:
    from gritwit.sandbox.wasi import WasiState

__all__ = ["LIMITS", "SPIN", "SPIN_PROGRAM", "Pair", "cpu_ratio", "loop_pair", "spin_pair"]

#: A run's limits: fuel enough for any workload's longer run, memory for 1 MiB buffers.
LIMITS: Final = SandboxLimits(fuel=50_000_000_000, memory_bytes=256 << 20)
#: The two fuel limits of the spin loop's runs: their difference is spun in the loop.
SPIN: Final = (5_000_000, 25_000_000)
#: The spin loop the ratios are taken against (SBX-006.7).
SPIN_PROGRAM: Final = "while True:\n    pass\n"


@dataclass(frozen=True)
class Pair:
    """The two runs of a workload: ``call(0)`` the shorter, ``call(1)`` the longer.

    ``fuel``: the fuel each used; their difference is what the extra turns cost.
    ``host_fuel``: what the host charged the extra turns (SBX-006.5), and ``calls`` the
    WASI calls they made, by name (both counted in the runs that found ``fuel``).
    """

    call: Callable[[int], object]  # timed only: what a run returns is not read here
    fuel: tuple[int, int]
    host_fuel: int = 0
    calls: dict[str, int] = field(default_factory=dict)

    @property
    def extra_fuel(self) -> int:
        return self.fuel[1] - self.fuel[0]


def loop_pair(loop: Loop, store: Store | None = None) -> Pair:
    """``loop``'s two runs, ready to call: cores of 0 and ``n`` turns (after the warm-up).

    Each is run once here, with the host's calls and charges counted (:func:`_counting`).
    """
    store = store or Store.memory()
    program = loop.program()
    cores = (loop.core.build(store, 0), loop.core.build(store, loop.n))

    def call(which: int) -> SandboxResult:
        result = run_python(program, store=store, core=cores[which], limits=LIMITS)
        if result.stderr:
            raise AssertionError(f"{loop.name}: {result.stderr[-500:]!r}")
        return result

    _snapshot_taken(store)  # the start-up's calls and charges are no run's
    runs = []
    for which in (0, 1):
        with _counting() as counted:
            fuel = call(which).fuel
        runs.append((fuel, counted))
    (short, (short_calls, short_host)), (long, (long_calls, long_host)) = runs
    calls = {k: v - short_calls.get(k, 0) for k, v in long_calls.items()}
    extra = {k: v for k, v in calls.items() if v}
    return Pair(call, (short, long), long_host[0] - short_host[0], extra)


def _snapshot_taken(store: Store) -> None:
    """Take the process's snapshot of the interpreter (SBX-003.4), if no run did yet."""
    if not _TAKEN:
        run_python("pass", store=store)
        _TAKEN.append(True)


_TAKEN: list[bool] = []


@contextlib.contextmanager
def _counting() -> Iterator[tuple[dict[str, int], list[int]]]:
    """Count the WASI calls the host serves, by name, and the fuel it charges, meanwhile.

    The calls are counted where the host serves them: :func:`~gritwit.sandbox.wasi._linker.serve`,
    and the snapshot point's own ``random_get`` and ``clock_res_get``
    (:class:`~gritwit.sandbox._snapshot.Point`); the charges where they are taken.
    """
    from gritwit.sandbox import _snapshot
    from gritwit.sandbox.wasi import _linker, _state

    calls: dict[str, int] = {}
    host = [0]

    def count(name: str) -> None:
        calls[name] = calls.get(name, 0) + 1

    def serving(
        state: WasiState, name: str, function: Callable[..., int | None], args: tuple[int, ...]
    ) -> int | None:
        count(name)
        return serve(state, name, function, args)

    def charging(context: int, fuel: int, what: str) -> None:
        if context:
            host[0] += max(0, fuel)
        charge(context, fuel, what)

    def point(name: str, method: Callable[..., int]) -> Callable[..., int]:
        def call(self: object, state: WasiState, caller: int, *args: int) -> int:
            count(name)
            result: int = method(self, state, caller, *args)
            return result

        return call

    # _state imports charge_context from _cost without re-exporting it (attr-defined), but
    # WasiState calls _state's own binding: that is the one to replace and to restore.
    serve, charge = _linker.serve, _state.charge_context  # type: ignore[attr-defined]
    point_calls = (_snapshot.Point._random_get, _snapshot.Point._clock_res_get)
    _linker.serve = serving
    _state.charge_context = charging  # type: ignore[attr-defined]
    _snapshot.Point._random_get = point("random_get", point_calls[0])  # type: ignore[method-assign]
    _snapshot.Point._clock_res_get = point("clock_res_get", point_calls[1])  # type: ignore[method-assign]
    try:
        yield calls, host
    finally:
        _linker.serve = serve
        _state.charge_context = charge  # type: ignore[attr-defined]
        _snapshot.Point._random_get, _snapshot.Point._clock_res_get = point_calls  # type: ignore[method-assign]


def spin_pair(store: Store | None = None) -> Pair:
    """The spin loop's two runs, to :data:`SPIN`'s two fuel limits (each ends out of fuel)."""
    from gritwit._errors import GritError

    store = store or Store.memory()
    limits = [SandboxLimits(fuel=fuel, memory_bytes=LIMITS.memory_bytes) for fuel in SPIN]

    def call(which: int) -> None:
        try:
            run_python(SPIN_PROGRAM, store=store, limits=limits[which])
        except GritError as error:
            if error.error_class != "fuel-exhausted":
                raise
        else:  # pragma: no cover - the loop never ends
            raise AssertionError("the spin loop ended")

    return Pair(call, SPIN)


def cpu_ratio(loop: Pair, spin: Pair, *, rounds: int = 5) -> float:
    """The loop's CPU time per unit of fuel over the spin loop's, rounds interleaved.

    Each side's time per unit of fuel is the difference of its two runs' median times
    over the difference of their fuel.
    """
    times: list[list[float]] = [[], [], [], []]
    for _ in range(rounds):
        for index, (pair, which) in enumerate(((loop, 0), (loop, 1), (spin, 0), (spin, 1))):
            started = time.thread_time()
            pair.call(which)
            times[index].append(time.thread_time() - started)
    short, long, spin_short, spin_long = (statistics.median(t) for t in times)
    return ((long - short) / loop.extra_fuel) / ((spin_long - spin_short) / spin.extra_fuel)
