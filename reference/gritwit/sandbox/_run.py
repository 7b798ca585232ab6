"""One run of a sandboxed Python program (SBX-003 … SBX-008).

The program, the host's prelude and the transition input are files in ``/input``
(read-only); the core tree is the directory ``/core`` (read-write); declared sends
go to ``/out/sends.json``.  The run is one fresh interpreter instance under the
run's fuel and memory limits, serialised with the Wasm executor's calls by its lock;
it starts from the process's snapshot of the interpreter at the snapshot point
(``_snapshot.py``, SBX-003.4), or cold when asked or when the snapshot is larger
than the run's memory limit.  A :class:`~._stop.Deadline` (given, or set by a
runtime's lane for its thread) stops it by wall-clock time → ``time-limit``
(SBX-006.10).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import wasmtime

from .._errors import (
    ForbiddenOperation,
    GritError,
    InvalidTransition,
    MemoryLimit,
    OutputTooLarge,
    ProgramExit,
    StackExhausted,
    WasmTrap,
)
from .._ids import ObjectId
from ..store import Store
from ..wasm._engine import _LOCK, _typed
from ..wasm._raw import frames_cleared
from ._interpreter import load_interpreter, sandbox_engine
from ._mount import ObjectStore, mount_tree, unmount_tree
from ._prelude import EXIT_FORBIDDEN, EXIT_MEMORY, PRELUDE, PRELUDE_NAME, PROGRAM_NAME
from ._snapshot import EXPORT_STACK, STARTUP_FUEL, Point, Snapshot, snapshot_of
from ._stop import Deadline, TimeLimit, current_deadline, watched
from .wasi._fs import Filesystem
from .wasi._linker import ProcExit, WasiState, linker

__all__ = [
    "INPUT_FORMAT",
    "MAX_LIMIT",
    "MEMORY_FLOOR",
    "SandboxLimits",
    "SandboxResult",
    "Send",
    "run_python",
]

INPUT_FORMAT: Final = "gritwit-sandbox/1"
_MB: Final = 1 << 20


#: The largest limit a caller may set: 2**53 - 1, exact in every JSON reader (SBX-006.9).
MAX_LIMIT: Final = (1 << 53) - 1
#: About the least memory the pinned interpreter starts in: its module's minimum (160 pages,
#: 10 MiB) and what its start-up allocates; below it a run fails ``memory-limit`` (SBX-006.8).
MEMORY_FLOOR: Final = 11 * _MB


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    """The limits of one run (SBX-006, SBX-007); each an integer from 1 to 2**53 - 1 (SBX-006.9)."""

    fuel: int = 5_000_000_000
    memory_bytes: int = 256 * _MB
    output_bytes: int = 1 * _MB
    core_bytes: int = 64 * _MB
    sends_bytes: int = 1 * _MB

    def __post_init__(self) -> None:
        for name in ("fuel", "memory_bytes", "output_bytes", "core_bytes", "sends_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(
                    f"[SBX-006.9] the limit {name} must be an integer, not {value!r:.40}"
                )
            if not 1 <= value <= MAX_LIMIT:
                raise ValueError(
                    f"[SBX-006.9] the limit {name} must be from 1 to 2**53 - 1: {value}"
                )


@dataclass(frozen=True, slots=True)
class Send:
    """A message the program declared (SBX-004.5); its content is the blob of ``data``, or,
    when ``tree`` is given, a tree of blobs, each entry's headers and data (SBX-012.5)."""

    to: ObjectId
    headers: Mapping[str, str]
    data: bytes
    tree: Mapping[str, tuple[Mapping[str, str], bytes]] | None = None

    def described(self) -> dict[str, Any]:
        """The send as ``sandbox-run`` answers it, bytes as hex (ADP-019.2): ``data``, or
        ``tree`` with each entry's ``headers`` and ``data``."""
        out: dict[str, Any] = {"to": self.to.hex(), "headers": dict(self.headers)}
        if self.tree is None:
            out["data"] = self.data.hex()
        else:
            out["tree"] = {
                name: {"headers": dict(headers), "data": data.hex()}
                for name, (headers, data) in self.tree.items()
            }
        return out


@dataclass(frozen=True, slots=True)
class SandboxResult:
    """A successful run: what it printed, the new core, its sends and the fuel it used."""

    stdout: bytes
    stderr: bytes
    #: The new core; ``None`` when the program left the mount empty (SBX-004.2).
    core: ObjectId | None
    sends: tuple[Send, ...]
    fuel: int
    interpreter: ObjectId
    _extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


class _Bounded:
    """A standard stream kept up to ``limit`` bytes; past it the run fails (SBX-007.2)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.data, self.overflow = limit, bytearray(), False

    def room(self) -> int:
        """The bytes it can still keep: the host copies no more of a write (SBX-005.16)."""
        return max(0, self.limit - len(self.data))

    def __call__(self, chunk: bytes) -> int:
        if len(self.data) + len(chunk) > self.limit:
            self.overflow = True
            self.data += chunk[: max(0, self.limit - len(self.data))]
        else:
            self.data += chunk
        return len(chunk)


def run_python(
    source: str,
    *,
    store: ObjectStore,
    core: ObjectId | None = None,
    messages: tuple[Mapping[str, Any], ...] = (),
    limits: SandboxLimits = SandboxLimits(),
    snapshot: bool = True,
    deadline: Deadline | None = None,
) -> SandboxResult:
    """Run ``source`` with ``core`` mounted at ``/core``; the new core is put into ``store``.

    The run starts from the process's snapshot of the interpreter at the snapshot
    point (SBX-003.4, taken at the first run); ``snapshot=False`` starts it cold.

    ``deadline`` stops the run by wall-clock time, or when it is cancelled from
    another thread (SBX-006.10): ``Deadline(seconds=s)`` allows ``s`` seconds from
    the moment the interpreter starts (after its one-time compilation and snapshot).
    Without one, the run stops at the deadline of the thread's
    :func:`~._stop.deadline_scope` (a runtime's lane, RUN-005.7), if any.

    Typed errors only (SBX-008): ``forbidden-operation``, ``fuel-exhausted``,
    ``time-limit``, ``memory-limit``, ``trap``, ``output-too-large``, ``program-exit``,
    ``invalid-transition`` (a malformed ``/out/sends.json``).
    """
    if deadline is None:
        deadline = current_deadline()
    engine = _shared_engine()
    interpreter = load_interpreter(engine)
    transition = {
        "format": INPUT_FORMAT,
        "core": None if core is None else core.hex(),
        "messages": list(messages),
    }
    transition_bytes = json.dumps(transition, sort_keys=True, separators=(",", ":")).encode()
    seed = hashlib.sha256(
        b"gritwit-sandbox/1\0" + source.encode("utf-8") + b"\0" + transition_bytes
    ).digest()
    # The run's filesystem is in memory: nothing touches the host's disk (SBX-005.1).
    root, mounted = mount_tree(store, core, max_bytes=limits.core_bytes)  # SBX-006.16
    inputs = {PROGRAM_NAME: source.encode(), PRELUDE_NAME: PRELUDE.encode()}
    inputs["transition.json"] = transition_bytes
    stdout, stderr = _Bounded(limits.output_bytes), _Bounded(limits.output_bytes)
    budget = limits.core_bytes + limits.sends_bytes  # the write budget (SBX-007.4)
    fs = Filesystem(root, inputs, budget=budget, stdout=stdout, stderr=stderr)
    state = WasiState(seed, fs)
    image = None
    if snapshot:
        image = snapshot_of(engine, interpreter.module, _startup_state, interpreter.wasm)
    if image is not None and image.size > limits.memory_bytes:
        image = None  # a cold start fails as the limit says
    fuel = _execute(interpreter.module, engine, stdout, stderr, state, limits, image, deadline)
    new_core = unmount_tree(store, fs.core, mounted, limits.core_bytes)
    sends = _sends(fs.out_bytes("sends.json"), limits.sends_bytes)
    return SandboxResult(
        bytes(stdout.data), bytes(stderr.data), new_core, sends, fuel, interpreter.blob_id
    )


#: A trap with the interpreter's stack pointer below this is its stack exhausted (SBX-008.6).
_STACK_END: Final = 1 << 16


def _stack_exhausted(
    trap: wasmtime.Trap, instance: wasmtime.Instance | None, store: wasmtime.Store
) -> bool:
    """Whether ``trap`` is the interpreter's stack exhausted (SBX-008.6).

    The engine's own call stack (``STACK_OVERFLOW``), or the interpreter's stack in its
    linear memory: the pinned build lays it first, growing down toward address 0, so a
    frame it cannot hold takes the stack pointer (its one global, which the derived
    module exports) below 0, read as a signed 32-bit integer, or a function that keeps
    its small frame below the pointer without moving it reaches below 0 from its last
    64 KiB: a trap with the pointer below :data:`_STACK_END` is the stack exhausted.
    """
    if trap.trap_code == wasmtime.TrapCode.STACK_OVERFLOW:
        return True
    if instance is None or trap.trap_code != wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS:
        return False
    pointer = instance.exports(store).get(EXPORT_STACK)
    if not isinstance(pointer, wasmtime.Global):
        return False
    value = pointer.value(store)
    return isinstance(value, int) and value < _STACK_END


def _startup_state() -> WasiState:
    """The state a snapshot is taken with: an empty program, core and input."""
    inputs = {PROGRAM_NAME: b"", PRELUDE_NAME: PRELUDE.encode(), "transition.json": b"{}"}
    root, _ = mount_tree(Store.memory(), None)
    return WasiState(b"", Filesystem(root, inputs, budget=0, stdout=_silent, stderr=_silent))


def _silent(chunk: bytes) -> int:
    """The start-up's standard streams: it writes nothing, or no snapshot is taken."""
    raise WasmTrap("SBX-003.4", f"the interpreter wrote during its start-up: {chunk[:200]!r}")


_ENGINE: list[wasmtime.Engine] = []


def _shared_engine() -> wasmtime.Engine:
    """One engine per process, configured as the Wasm executor's (WASM-003), with epoch
    interruption for deadlines (SBX-006.10)."""
    if not _ENGINE:
        _ENGINE.append(sandbox_engine())
    return _ENGINE[0]


def _execute(
    module: wasmtime.Module,
    engine: wasmtime.Engine,
    stdout: _Bounded,
    stderr: _Bounded,
    state: WasiState,
    limits: SandboxLimits,
    snapshot: Snapshot | None = None,
    deadline: Deadline | None = None,
) -> int:
    """Run the interpreter once; the fuel it used, or the run's typed error (SBX-008.1).

    Cold, or from ``snapshot`` (SBX-003.4); the fuel counts from the snapshot point
    (SBX-006.4).  ``deadline`` stops it → ``time-limit`` (SBX-006.10); one that has
    already passed (a run given up before it began) runs nothing.
    """
    if deadline is not None and deadline.passed():
        raise deadline.error()
    store = wasmtime.Store(engine)
    store.set_fuel(STARTUP_FUEL)
    point = Point(state, limits.fuel)
    store.set_limits(memory_size=limits.memory_bytes, instances=1, memories=1)
    code = 0
    error: GritError | None = None
    instance: wasmtime.Instance | None = None
    try:
        with _LOCK, watched(engine, store, deadline):  # a limit counts from here (SBX-006.10)
            try:
                if snapshot is not None and snapshot.module is not None:
                    module = snapshot.module  # its fresh instance is the snapshot's
                with frames_cleared():  # no cycle keeps the store and the files (RUN-017.10)
                    try:
                        instance = point.link(linker(engine, state)).instantiate(store, module)
                    except wasmtime.WasmtimeError as refused:  # its memory minimum is too high
                        raise _below_floor(limits, str(refused)) from None
                    if snapshot is not None:
                        point.restore(store, instance, snapshot)
                    else:
                        start: Any = instance.exports(store)["_start"]
                        start(store)
            except ProcExit as exit_:
                code = exit_.code
            except GritError as host:  # a host function's typed end: fuel, trap (SBX-005.19)
                error = _forbidden(state, stderr) if state.forbidden else host
            except wasmtime.Trap as trap:
                memory = None if instance is None else instance.exports(store)["memory"]
                at_limit = (
                    isinstance(memory, wasmtime.Memory)
                    and memory.data_len(store) + 16 * _MB > limits.memory_bytes
                )
                if state.forbidden:
                    error = _forbidden(state, stderr)
                elif trap.trap_code == wasmtime.TrapCode.INTERRUPT and deadline is not None:
                    error = deadline.error()  # stopped by wall-clock time (SBX-006.10)
                elif trap.trap_code != wasmtime.TrapCode.OUT_OF_FUEL and at_limit:
                    error = MemoryLimit("SBX-006.2", "the program trapped at its memory limit")
                elif _stack_exhausted(trap, instance, store):
                    error = StackExhausted(
                        "SBX-008.6", "the interpreter exhausted its stack (deep recursion in C)"
                    )
                else:
                    error = _typed(trap)
        stopped = isinstance(error, TimeLimit)  # not the start-up's failure: the clock's
        if not point.reached and not stopped and (error is not None or code != 0):
            error = _below_floor(limits, "its start-up failed")  # no program ran yet
        used = (limits.fuel if point.reached else STARTUP_FUEL) - store.get_fuel()
    finally:
        # Drop the instance and its WASI context now, while this thread holds them: left
        # to the collector, wasmtime's stream threads may call back into a finished
        # interpreter at exit.
        store.close()
    if error is not None:
        try:
            raise error
        finally:
            error = None  # not kept by this frame, which its traceback holds: no cycle
    tail = bytes(stderr.data[-400:]).decode("utf-8", "replace")
    if state.forbidden or code == EXIT_FORBIDDEN:
        raise _forbidden(state, stderr)
    if code == EXIT_MEMORY:
        raise MemoryLimit("SBX-006.2", "the program ran out of memory (MemoryError)")
    if stdout.overflow or stderr.overflow:
        raise OutputTooLarge("SBX-007.2", f"the program wrote more than {stdout.limit} bytes")
    if state.fs is not None and state.fs.overflow:
        raise OutputTooLarge("SBX-007.4", "the program's writes to files exceeded the budget")
    if code != 0:
        raise ProgramExit(
            "SBX-008.3",
            f"the program exited with status {code}; stderr ends {tail.strip()[-300:]!r}",
        )
    return used


def _below_floor(limits: SandboxLimits, why: str) -> MemoryLimit:
    """A memory limit the interpreter cannot start in: ``memory-limit`` (SBX-006.8)."""
    return MemoryLimit(
        "SBX-006.8",
        f"the interpreter cannot start in {limits.memory_bytes} bytes of memory ({why[:120]}); "
        f"it needs about {MEMORY_FLOOR >> 20} MiB",
    )


#: The directories ``tempfile`` tries when it is given none (the environment is empty, so
#: no ``TMPDIR``): all outside the preopens, so it fails at the first (SBX-005.24).
_TEMP_DIRS: Final = ("/tmp/", "/var/tmp/", "/usr/tmp/")
TEMP_HINT: Final = (
    " (there is no temporary directory: give tempfile one, dir='/out' or "
    "tempfile.tempdir = '/out' for scratch files, dropped after the run, or a directory "
    "under /core, whose files are kept in the new core)"
)


def _forbidden(state: WasiState, stderr: _Bounded) -> ForbiddenOperation:
    """The run's ``forbidden-operation``, naming what was tried (SBX-008.2; the first 16
    attempts and the number of the others, SBX-008.5), and what to do instead when it was
    ``tempfile`` looking for a directory (SBX-005.24)."""
    lines = bytes(stderr.data[-400:]).decode("utf-8", "replace").strip().splitlines()
    what = ", ".join(state.forbidden) or (repr(lines[-1][:300]) if lines else "unknown")
    if state.forbidden_more:  # named: the first NAMED_FORBIDDEN only (SBX-008.5)
        what += f", and {state.forbidden_more} more"
    if lines and any(f"forbidden: open {where}" in lines[-1] for where in _TEMP_DIRS):
        what += TEMP_HINT
    return ForbiddenOperation("SBX-008.2", f"the program tried a forbidden operation: {what}")


def _sends(data: bytes | None, limit: int) -> tuple[Send, ...]:
    """The sends declared in ``/out/sends.json`` (SBX-004.5); none if the file is absent."""
    if data is None:
        return ()
    if len(data) > limit:
        raise OutputTooLarge("SBX-007.3", "/out/sends.json exceeds the sends limit")
    try:
        items = json.loads(data)
        if not isinstance(items, list):
            raise ValueError("not a list")
        sends = []
        for item in items:
            if not isinstance(item, dict) or set(item) - {"to", "headers", "data", "tree"}:
                raise ValueError("a send is an object with to, headers, data or tree")
            if "data" in item and "tree" in item:
                raise ValueError("a send has data or tree, not both")
            headers, data = _headers_and_data(item)
            to = item["to"]
            if not isinstance(to, str):
                raise ValueError("to is an id, as text")
            tree = None if "tree" not in item else _tree(item["tree"])
            sends.append(Send(ObjectId.from_hex(to), headers, data, tree))
    except (ValueError, KeyError, binascii.Error, GritError, RecursionError) as exc:
        raise InvalidTransition("SBX-004.5", f"/out/sends.json is malformed: {exc}") from None
    return tuple(sends)


def _headers_and_data(item: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    """A send's or a tree entry's ``headers`` and ``data`` (SBX-004.5); ``ValueError`` if
    either is not so."""
    headers = item.get("headers", {})
    if not isinstance(headers, dict) or not all(_text(k) and _text(v) for k, v in headers.items()):
        raise ValueError("headers map text to text (no lone surrogate)")
    text = item.get("data", "")
    if not isinstance(text, str):  # null is no omission
        raise ValueError("data is base64, as text")
    return headers, base64.b64decode(text, validate=True)


def _tree(value: object) -> dict[str, tuple[Mapping[str, str], bytes]]:
    """A send's ``tree``: entry names to objects with ``headers`` and ``data``, each
    optional (SBX-004.5); the names are checked as the tree is made (SBX-012.5)."""
    if not isinstance(value, dict):
        raise ValueError("tree is an object of entry names")
    entries: dict[str, tuple[Mapping[str, str], bytes]] = {}
    for name, entry in value.items():
        if not _text(name) or not isinstance(entry, dict) or set(entry) - {"headers", "data"}:
            raise ValueError("a tree entry is an object with headers and data")
        entries[name] = _headers_and_data(entry)
    return entries


def _text(value: object) -> bool:
    """A JSON string that is text: encodable as UTF-8, so no lone surrogate (SBX-004.5)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
