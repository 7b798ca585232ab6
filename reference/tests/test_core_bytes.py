"""A core's bytes are bounded before anything is copied or mounted (SBX-006.14,
SBX-006.16, SBX-006.17).

* the mount's one walk over a core's distinct trees bounds its files' bytes beside its
  entries: a core of exactly the core limit mounts, one byte more is refused
  ``output-too-large`` having read no more than the limit plus one blob; a blob named
  at two paths counts twice, as the read-back counts it (SBX-006.16);
* a ``python-wasi`` actor's genesis core past the bound is refused at its genesis, and an
  update that would leave a core past it at the update, ``too-large``, the last core kept
  (SBX-006.17), the update read and answered (SBX-006.19); at the bound both are adopted;
* a failed attempt's frames hold nothing once it is recorded (SBX-006.14);
* through a fresh ``gritwit runtime run``, beside a counter that steps, a genesis core of
  5 distinct 16 MiB blobs (the deep profile: 40, 640 MiB) and an update of 5 such blobs
  end with ``too-large``, the counter's step committed and the process's peak resident
  size (its own, ``peakrss``: not ``os.wait4``'s, which carries its spawner's) at most
  700 MB.

Memory is measured from outside, in a child; nothing is timed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

import pytest
from peakrss import own_peak, own_peak_command

from gritwit._codec import object_id
from gritwit._errors import OutputTooLarge
from gritwit._objects import Blob, GritObject, Tree
from gritwit.sandbox._interpreter import INSTALL_HINT, interpreter_path
from gritwit.sandbox._mount import MAX_CORE_BYTES, Mounted, count_entries, mount_tree
from gritwit.store import Store
from gritwit.wit import Failure

MIB = 1 << 20
needs_interpreter = pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)
DEEP = os.environ.get("GRITWIT_PROFILE") == "deep"


class Counting:
    """A memory store counting the blob bytes read from it."""

    def __init__(self, objects: list[GritObject]) -> None:
        self.store = Store.memory()
        for obj in objects:
            self.store.put_object(obj)
        self.read = 0

    def get_object(self, oid: Any) -> GritObject:
        obj = self.store.get_object(oid)
        if isinstance(obj, Blob):
            self.read += len(obj.data)
        return obj

    def has(self, oid: Any) -> bool:
        return self.store.has(oid)


def _flat(sizes: list[int]) -> tuple[Tree, list[GritObject]]:
    blobs = [Blob(data=bytes([i % 251]) * size + str(i).encode()) for i, size in enumerate(sizes)]
    tree = Tree(entries={f"f{i}": object_id(b) for i, b in enumerate(blobs)})
    return tree, [*blobs, tree]


@pytest.mark.req("SBX-006.16")
def test_the_bytes_bound_on_both_sides() -> None:
    """Files of exactly ``limit`` bytes mount; one byte more is refused before mounting,
    naming SBX-006.16; the default limit is the core limit, 64 MiB."""
    assert MAX_CORE_BYTES == 64 * MIB
    tree, objects = _flat([100, 200, 300])
    total = sum(len(o.data) for o in objects if isinstance(o, Blob))
    store = Counting(objects)
    top = object_id(tree)
    assert count_entries(store, top, tree, Mounted(), 1 << 18, total) == 3
    root, _ = mount_tree(store, top, max_bytes=total)
    assert sorted(root.entries) == ["f0", "f1", "f2"]
    with pytest.raises(OutputTooLarge, match=r"SBX-006\.16"):
        mount_tree(store, top, max_bytes=total - 1)


@pytest.mark.req("SBX-006.16", "SBX-006.14")
@pytest.mark.parametrize("count", [2, 5, 40])
def test_a_core_past_the_bytes_bound_is_refused_before_reading_the_rest(count: int) -> None:
    """``count`` blobs of 1 000 bytes against a limit of 1 500: refused having read at
    most the limit plus one blob, whatever ``count``."""
    tree, objects = _flat([1000] * count)
    store = Counting(objects)
    with pytest.raises(OutputTooLarge, match=r"SBX-006\.16"):
        mount_tree(store, object_id(tree), max_bytes=1500)
    assert store.read <= 1500 + 1001, store.read


@pytest.mark.req("SBX-006.16")
def test_a_blob_at_two_paths_counts_twice_but_is_read_once() -> None:
    """A tree naming one subtree twice: its blob's bytes count at each path (the read-back
    counts each file, SBX-007.3), the blob is read once."""
    blob = Blob(data=b"x" * 1000)
    below = Tree(entries={"f": object_id(blob)})
    top = Tree(entries={"a": object_id(below), "b": object_id(below)})
    store = Counting([blob, below, top])
    root, _ = mount_tree(store, object_id(top), max_bytes=2000)
    assert store.read == 1000 and sorted(root.entries) == ["a", "b"]
    with pytest.raises(OutputTooLarge, match=r"SBX-006\.16"):
        mount_tree(store, object_id(top), max_bytes=1999)


@pytest.mark.req("SBX-006.14")
def test_a_recorded_failure_keeps_no_frame_locals() -> None:
    """The frames that raised a failure hold none of their locals once it is recorded:
    a failed attempt's mount does not outlive it."""

    def attempt() -> None:
        held = bytearray(1 << 20)  # what an attempt's frame holds (its mount)
        raise OutputTooLarge("SBX-006.16", f"{len(held)}")

    try:
        attempt()
    except OutputTooLarge as exc:
        error = exc
    frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__)]
    assert any("held" in frame.f_locals for frame in frames)
    Failure(object_id(Blob(data=b"")), error)
    assert not any("held" in frame.f_locals for frame in frames)


@pytest.mark.req("SBX-006.14", "RUN-004.9")
def test_a_recorded_failure_clears_the_frames_of_its_whole_chain() -> None:
    """The error a failure records may have been raised while another was handled (its
    ``__context__``, no ``__cause__``): that one's frames hold nothing either once it is
    recorded.  A chain that returns to an error on it (a ``__cause__`` set by a caller)
    is walked once: recording it ends."""

    def attempt() -> None:
        held = bytearray(1 << 20)  # what an attempt's frame holds (its mount)
        raise OutputTooLarge("SBX-006.16", f"{len(held)}")

    def judged() -> None:
        try:
            attempt()
        except OutputTooLarge:
            raise RuntimeError("the attempt failed") from None  # its context stays

    try:
        judged()
    except RuntimeError as exc:
        error = exc
    inner = error.__context__
    assert isinstance(inner, OutputTooLarge) and error.__cause__ is None
    frames = [frame for frame, _ in traceback.walk_tb(inner.__traceback__)]
    assert any("held" in frame.f_locals for frame in frames)
    Failure(object_id(Blob(data=b"")), error)
    assert not any("held" in frame.f_locals for frame in frames)

    first, second = ValueError("first"), ValueError("second")
    first.__cause__, second.__cause__ = second, first
    recording = threading.Thread(
        target=Failure, args=(object_id(Blob(data=b"")), first), daemon=True
    )
    recording.start()
    recording.join(30)
    assert not recording.is_alive(), "recording a failure whose chain returns never ended"


# --- the runtime: genesis and update (SBX-006.17) --------------------------------------


def _executor(core_bytes: int) -> Any:
    from gritwit.sandbox import SandboxLimits, SandboxWits
    from gritwit.wit import Executor

    store = Store.memory()
    return store, Executor(store, sandbox=SandboxWits(SandboxLimits(core_bytes=core_bytes)))


def _program(state: dict[str, GritObject]) -> tuple[Tree, tuple[GritObject, ...]]:
    from gritwit.adapter._sandbox import program_core

    return program_core("print(1)\n", state)


@needs_interpreter
@pytest.mark.req("SBX-006.17", "SBX-006.16")
def test_a_genesis_core_past_the_bound_is_refused_at_its_genesis() -> None:
    """A genesis core whose state holds ``limit`` bytes is adopted; ``limit + 1`` fails its
    genesis ``too-large`` naming SBX-006.17, and a counter beside it steps."""
    from gritwit.wit import test_actor_core

    limit = 4000
    for extra, adopted in ((0, True), (1, False)):
        _, ex = _executor(limit)
        core, objects = _program({"s": Blob(data=b"s" * (limit + extra))})
        actor = ex.genesis(core, objects)
        counter = ex.genesis(*test_actor_core("counter"))
        report = ex.run_until_quiescent()
        assert ex.head(counter) is not None
        if adopted:
            assert not report.failures and ex.head(actor) is not None
        else:
            assert ex.head(actor) is None
            assert [f.error_class for f in report.failures] == ["too-large"], report.failures
            assert "SBX-006.17" in str(report.failures[0].error)


@needs_interpreter
@pytest.mark.req("SBX-006.17", "SBX-006.19", "WIT-013.4")
def test_an_update_past_the_bound_is_refused_at_the_update() -> None:
    """An update merging a file of ``limit - 10`` bytes into a core of 10 is adopted; one
    byte more is refused ``too-large``: read by a step that keeps the last core, not a
    core its next run could not mount (SBX-006.19)."""
    limit = 4000
    for extra, adopted in ((0, True), (1, False)):
        store, ex = _executor(limit)
        core, objects = _program({"s": Blob(data=b"s" * 10)})
        actor = ex.genesis(core, objects)
        assert not ex.run_until_quiescent().failures
        first = ex.head(actor)
        more = Blob(data=b"u" * (limit - 10 + extra))
        update = Tree(entries={"u": object_id(more)})
        store.put_object(more)
        ex.inject(actor, store.put_object(update), {"mt": "update"})
        report = ex.run_until_quiescent()
        if adopted:
            assert not report.failures and ex.head(actor) != first
            assert "u" in ex.core(actor).entries
        else:
            assert not report.failures, report.failures
            assert ex.head(actor) != first and ex.core(actor) == core
            assert not ex.pending_for(actor), "the refused update is read (SBX-006.19)"


# --- a fresh gritwit runtime run, measured from outside --------------------------------

_SETUP = """\
import asyncio, sys
import gritwit as g
from gritwit.adapter._sandbox import program_core
from gritwit.runtime import Runtime
from gritwit.wit import test_actor_core

def blobs(count):
    # distinct blobs of 16 MiB less a little: one object each (ENC-013)
    return {f"b{i}": g.Blob(data=bytes([i]) * ((16 << 20) - 64)) for i in range(count)}

async def main(folder, kind, count):
    with g.Store.open(folder) as store:
        rt = Runtime(store, send_commit="own")
        counter = await rt.genesis(*test_actor_core("counter"))
        if kind == "genesis":
            core, objects = program_core("print(1)\\n", blobs(count))
            actor = await rt.genesis(core, objects)
        else:
            core, objects = program_core("print(1)\\n", {"s": g.Blob(data=b"small")})
            actor = await rt.genesis(core, objects)
            state = blobs(count)
            tree = g.Tree(entries={k: g.object_id(v) for k, v in state.items()})
            await rt.send(actor, g.object_id(tree), {"mt": "update"}, [*state.values(), tree])
        await rt.send(counter, g.object_id(g.Blob(data=b"")), {"mt": "inc"}, [g.Blob(data=b"")])
        print(actor.hex(), counter.hex())

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


def _runtime_run(folder: Path, kind: str, count: int) -> tuple[dict[str, Any], int, str, str]:
    """Set up ``kind`` with ``count`` blobs beside a counter (in one child), run a fresh
    ``gritwit runtime run`` on it (another child, measured by ``os.wait4``): the failed mark
    of the hostile actor, the run's peak resident size, the counter's count and whether
    the hostile actor's head holds its genesis core (``kept``), another (``changed``) or
    there is none (``none``)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    made = subprocess.run(
        [sys.executable, "-c", _SETUP, str(folder), kind, str(count)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    actor_hex, counter_hex = made.stdout.split()
    command = [sys.executable, "-m", "gritwit", "runtime", "run", "--quiet", str(folder)]
    out, report = folder.with_suffix(".out"), folder.with_suffix(".peak")
    with out.open("wb") as sink:
        child = subprocess.Popen(
            own_peak_command(command, report), env=env, stdout=sink, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(child.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, out.read_text()[-2000:]
    from gritwit import ObjectId
    from gritwit.runtime import Runtime

    with Store.open(folder) as store:
        rt = Runtime(store)
        actor, counter = ObjectId.from_hex(actor_hex), ObjectId.from_hex(counter_hex)
        failed = rt.failed(actor) or {}
        head = rt.head(counter)
        assert head is not None and rt.failed(counter) is None
        step = store.get_object(head)
        core = store.get_object(step.core)  # type: ignore[attr-defined]
        count = store.get_object(core.entries["count"]).data.decode()  # type: ignore[attr-defined]
        head = rt.head(actor)
        step = None if head is None else store.get_object(head)
        # the genesis core's id is the actor's: "kept" when the head still holds it
        history = "none" if step is None else "kept" if step.core == actor else "changed"  # type: ignore[attr-defined]
    del usage  # its ru_maxrss carries the spawner's peak (peakrss): the child's own instead
    return failed, own_peak(report), count, history


def _sizes(light: int, deep: int) -> list[Any]:
    return [
        light,
        pytest.param(
            deep,
            marks=[
                pytest.mark.heavy,
                pytest.mark.skipif(not DEEP, reason="GRITWIT_PROFILE=deep runs it"),
            ],
        ),
    ]


@needs_interpreter
@pytest.mark.slow
@pytest.mark.req("SBX-006.17", "SBX-006.14", "SBX-013.2", "RUN-004.4")
@pytest.mark.parametrize("count", _sizes(5, 40))
def test_runtime_run_refuses_a_genesis_core_of_16_mib_blobs_beside_a_counter(
    tmp_path: Path, count: int
) -> None:
    """A ``python-wasi`` genesis core of ``count`` distinct 16 MiB blobs (80 MiB; deep:
    640 MiB, before: past 4 GB, killed, nothing committed) ends marked failed
    ``too-large``; the counter beside it counted 1; peak resident size at most 700 MB."""
    failed, peak, count_text, _ = _runtime_run(tmp_path / "store", "genesis", count)
    assert failed.get("error") == "too-large", failed
    assert count_text == "1"
    assert peak <= 700_000_000, peak
    print(f"genesis of {count} blobs: peak {peak >> 20} MiB")


@needs_interpreter
@pytest.mark.slow
@pytest.mark.req("SBX-006.17", "SBX-006.19", "SBX-006.14", "WIT-013.4")
@pytest.mark.parametrize("count", _sizes(5, 40))
def test_runtime_run_refuses_an_update_of_16_mib_blobs_beside_a_counter(
    tmp_path: Path, count: int
) -> None:
    """An update merging ``count`` distinct 16 MiB blobs (80 MiB, the issue's; deep:
    640 MiB) into a sandboxed actor is refused ``too-large`` at the update (before:
    adopted, then every later run failed ``output-too-large``): read and answered, the
    actor unmarked and its head still on its genesis core (SBX-006.19); the counter
    counted 1; peak resident size at most 700 MB."""
    failed, peak, count_text, history = _runtime_run(tmp_path / "store", "update", count)
    assert failed == {}, f"a refused update marks nothing (SBX-006.19): {failed}"
    assert history == "kept", history
    assert count_text == "1"
    assert peak <= 700_000_000, peak
    print(f"update of {count} blobs: peak {peak >> 20} MiB")


# --- one step at every limit: through the runtime against the one-off -------------------

_AT_LIMITS = """\
import json, os, sys
held = bytearray({memory} << 20)  # the guest's memory, near its limit in the deep profile
for i in range(4):  # four files of one object each: the core limit in the deep profile
    path = f"/core/f{{i}}"
    old = open(path, "rb").read(1) if os.path.exists(path) else b"A"
    with open(path, "wb") as f:
        f.write(bytes([old[0] + 1]) * (({file} << 20) - 4096))
json.dump([{{"to": "00" * 32, "data": "QUFB" * 2000}}] * {sends}, open("/out/sends.json", "w"))
sys.stdout.write("x" * (({output} << 10) - 100))
"""

_STEP = """\
import asyncio, sys
import gritwit as g
from gritwit.adapter._sandbox import program_core
from gritwit.runtime import Runtime

async def main(folder, program, kind):
    with g.Store.open(folder) as store:
        rt = Runtime(store, send_commit="own")
        core, objects = program_core(open(program).read(), {})
        if kind == "genesis":
            await rt.genesis(core, objects)
        else:
            blob = g.Blob(data=b"")
            await rt.send(g.object_id(core), g.object_id(blob), {"mt": "go"}, [blob])

asyncio.run(main(*sys.argv[1:]))
"""


def _peak(command: list[str], report: Path) -> int:
    """The child's own peak resident size (``peakrss``: not ``wait4``'s, its spawner's)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        own_peak_command(command, report),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, _ = os.wait4(child.pid, 0)
    assert child.stderr is not None
    err = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    assert os.waitstatus_to_exitcode(status) == 0, err[-2000:]
    return own_peak(report)


@needs_interpreter
@pytest.mark.slow
@pytest.mark.req("SBX-006.14", "SBX-010.1")
@pytest.mark.parametrize(
    "sizes",
    [
        (24, 2, 10, 64),
        pytest.param(
            (200, 16, 100, 1024),
            marks=[
                pytest.mark.heavy,
                pytest.mark.skipif(not DEEP, reason="GRITWIT_PROFILE=deep runs it"),
            ],
        ),
    ],
)
def test_one_step_at_every_limit_through_the_runtime_peaks_within_1_3_times_the_one_off(
    tmp_path: Path, sizes: tuple[int, int, int, int]
) -> None:
    """A program that holds ``memory`` MiB, leaves four files of ``file`` MiB in its core,
    declares ``sends`` sends of 6 000 bytes and prints ``output`` KiB (deep: 200 MiB of
    its 256, the 64 MiB core limit, about 800 KiB of sends, the 1 MiB output), run once by
    ``gritwit sandbox run`` and as an actor by ``gritwit runtime run``: its genesis step,
    then a second step that mounts that core and rewrites it.  Each runtime peak is at
    most 1.3 times the one-off's (before: the second step held the state three times)."""
    memory, file, sends, output = sizes
    program = tmp_path / "main.py"
    program.write_text(_AT_LIMITS.format(memory=memory, file=file, sends=sends, output=output))
    (tmp_path / "core").mkdir()
    gritwit = [sys.executable, "-m", "gritwit"]
    report = tmp_path / "peak"
    one_off = _peak(
        [*gritwit, "sandbox", "run", "--mount", str(tmp_path / "core"), str(program)], report
    )
    folder = str(tmp_path / "store")
    run_dir = [*gritwit, "runtime", "run", "--quiet", "--time-limit", "120", folder]
    peaks = []
    for kind in ("genesis", "go"):
        _peak([sys.executable, "-c", _STEP, folder, str(program), kind], report)
        peaks.append(_peak(run_dir, report))
    with Store.open(folder) as store:
        from gritwit.adapter._sandbox import program_core
        from gritwit.runtime import Runtime, history

        actor = object_id(program_core(program.read_text(), {})[0])
        rt = Runtime(store)
        assert rt.failed(actor) is None and len(history(store, actor)) == 2
    assert max(peaks) <= 1.3 * one_off, (one_off >> 20, [p >> 20 for p in peaks])
    print(f"one-off {one_off >> 20} MiB, runtime {[p >> 20 for p in peaks]} MiB")
