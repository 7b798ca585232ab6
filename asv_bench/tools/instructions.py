"""Instructions per operation of issue 12's acceptance workloads, counted by callgrind.

Usage (from the repository root, with the ``bench`` extra and valgrind installed)::

    python -m asv_bench.tools.instructions                      # every workload
    python -m asv_bench.tools.instructions -w wasm-kept -w wasm-twin
    python -m asv_bench.tools.instructions --reference /tmp/old/reference --json old.json

The time ratios of ``bench_floor`` and ``bench_wasm_lean`` move by 10–20 % from run
to run on the shared 2-core machine, more than most single changes to the hot path
are worth.  An instruction count does not: valgrind's ``callgrind`` counts the same
total for the same code and inputs whatever else the machine runs.  So this tool
counts, for each workload, the instructions of ``N`` and of ``3 N`` calls in two
processes under ``valgrind --tool=callgrind`` (after the same set-up and warm-up),
and divides the difference by ``2 N`` times the operations per call: set-up, imports
and compilation cancel out.

Two caveats, printed with the figures:

* **Instructions are not time.**  The library floor (cbor2's and blake3's C code)
  retires more instructions per cycle than the interpreter, and a Wasm step, which
  crosses between wasmtime, ctypes and Python six times, fewer; so a time ratio is
  higher than the instruction ratio of the same pair (in issue 12's fifth round by
  about 1.4–1.9× for the runtime workloads).  Use the counts to judge a change; the
  acceptance stays the time ratios of asv.
* **valgrind counts ``rep movsb`` byte by byte**: the 64 KiB copy that resets a kept
  Wasm instance (about 1.5 µs) counts 66,000 instructions.  The ``no copies`` column
  leaves out what the C library's ``memcpy``/``memmove``/``memset`` count.

Workloads (operations per call):

``counter`` / ``counter-floor``
    ``bench_floor.CounterFloor``: one ``inc`` sent from the outside and run (1),
    and its floor, the same 6 canonical encodes and hashes in raw cbor2 + blake3.
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

``--reference DIR`` puts ``DIR`` (a ``reference`` directory of another checkout, e.g. a
``git worktree``) first on the path of the counted processes: the workloads above, from
this checkout, then count that version's ``gritwit``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: Transitions per call of the ping-pong workloads (``bench_floor.BATCH``).
BATCH = 200
#: Per workload: calls in the shorter of the two counted runs (the longer makes 3×),
#: and the operations one call makes.
WORKLOADS = {
    "counter": (100, 1),
    "counter-floor": (100, 1),
    "pingpong": (2, BATCH),
    "pingpong-floor": (2, BATCH),
    "pingpong-minimal": (2, BATCH),
    "wasm-kept": (100, 1),
    "wasm-twin": (100, 1),
    "wasm-engine": (100, 1),
}
#: (numerator, denominator) of each ratio printed.
RATIOS = (
    ("counter", "counter-floor"),
    ("pingpong", "pingpong-floor"),
    ("pingpong-minimal", "pingpong-floor"),
    ("pingpong", "pingpong-minimal"),
    ("wasm-kept", "wasm-twin"),
    ("wasm-engine", "wasm-twin"),
)
#: The C library's byte-copy functions, whose ``rep`` loops valgrind counts per byte.
COPIES = re.compile(r"__(memcpy|memmove|memset)\w*")
_COLLECTED = re.compile(r"==\d+== Collected : ([\d,]+)")


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


def _workload(name: str) -> Callable[[], Any]:
    """The call counted for ``name`` (its operations per call: :data:`WORKLOADS`)."""
    if name.startswith("counter"):
        from asv_bench.bench_floor import CounterFloor

        counter = CounterFloor()
        counter.setup()
        return counter.time_floor if name.endswith("floor") else counter.time_runtime
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
        "wasm-twin": wasm.time_python_twin,
        "wasm-engine": wasm.time_floor_step,
    }
    return calls[name]


def _child(name: str, calls: int) -> None:
    """Set ``name`` up, warm it up, then make ``calls`` calls (what callgrind counts)."""
    import gc

    call = _workload(name)
    gc.disable()  # a collection falls where it falls: not in one run and not the other
    for _ in range(max(3, WORKLOADS[name][0] // 10)):
        call()
    for _ in range(calls):
        call()


# --- counting (the parent) ----------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """Instructions per operation of one workload: in all, and without byte copies."""

    workload: str
    instructions: float
    no_copies: float


def collected(stderr: str) -> int:
    """The total callgrind printed (``==pid== Collected : 1,234``); ValueError if none."""
    found = _COLLECTED.findall(stderr)
    if len(found) != 1:
        raise ValueError(f"callgrind printed {len(found)} totals, not 1")
    return int(found[0].replace(",", ""))


def copy_instructions(annotated: str) -> int:
    """What the byte-copy functions count, from ``callgrind_annotate``'s per-function lines."""
    total = 0
    for line in annotated.splitlines():
        parts = line.split(None, 1)
        if len(parts) == 2 and COPIES.search(parts[1]) and parts[0].replace(",", "").isdigit():
            total += int(parts[0].replace(",", ""))
    return total


def per_operation(short: int, long: int, calls: int, operations: int) -> float:
    """Instructions per operation from a run of ``calls`` calls and one of ``3 * calls``."""
    if long <= short:
        raise ValueError(f"the longer run counted {long}, no more than the shorter ({short})")
    return (long - short) / (2 * calls * operations)


def _count_once(name: str, calls: int, env: dict[str, str], folder: str) -> tuple[int, int]:
    """(instructions, instructions in byte copies) of one child run of ``calls`` calls."""
    out = os.path.join(folder, f"{name}.{calls}.out")
    command = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={out}",
        sys.executable,
        "-m",
        "asv_bench.tools.instructions",
        "--child",
        name,
        str(calls),
    ]
    env = {**env, "PYTHONHASHSEED": "0"}  # the same set and dict orders in every run
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{name}: the counted run failed:\n{done.stderr[-2000:]}")
    annotated = subprocess.run(
        ["callgrind_annotate", "--threshold=100", out],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return collected(done.stderr), copy_instructions(annotated)


def count(name: str, env: dict[str, str]) -> Count:
    """Instructions per operation of workload ``name`` (two counted runs)."""
    calls, operations = WORKLOADS[name]
    with tempfile.TemporaryDirectory(prefix="gritwit-callgrind-") as folder:
        short, short_copies = _count_once(name, calls, env, folder)
        long, long_copies = _count_once(name, 3 * calls, env, folder)
    return Count(
        name,
        per_operation(short, long, calls, operations),
        per_operation(short - short_copies, long - long_copies, calls, operations),
    )


def report(counts: Iterable[Count]) -> list[str]:
    """The lines printed: instructions per operation, then the ratios of :data:`RATIOS`."""
    found = {c.workload: c for c in counts}
    lines = [f"{'workload':<18} {'instructions/op':>16} {'no copies':>12}"]
    lines += [
        f"{c.workload:<18} {c.instructions:>16,.0f} {c.no_copies:>12,.0f}" for c in found.values()
    ]
    lines.append("")
    for top, bottom in RATIOS:
        if top in found and bottom in found:
            a, b = found[top], found[bottom]
            lines.append(
                f"{top + ' / ' + bottom:<36} {a.instructions / b.instructions:6.2f}"
                f"   no copies {a.no_copies / b.no_copies:6.2f}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-w", "--workload", action="append", choices=WORKLOADS)
    parser.add_argument("--reference", help="a reference directory to count instead of this one")
    parser.add_argument("--json", help="also write the counts to this file")
    parser.add_argument("--jobs", type=int, default=2, help="counted runs at once (default 2)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return 0
    if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    env = dict(os.environ)
    paths = [str(ROOT)] + ([str(Path(args.reference).resolve())] if args.reference else [])
    env["PYTHONPATH"] = os.pathsep.join([*reversed(paths), env.get("PYTHONPATH", "")])
    names = args.workload or list(WORKLOADS)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        counts = list(pool.map(lambda name: count(name, env), names))
    print("\n".join(report(counts)))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(c) for c in counts], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
