"""Hostile programs, each in a fresh process: the host's peak memory, CPU and disk.

Usage (from the repository root, with the ``sandbox`` extra)::

    python -m asv_bench.tools.host_bounds                       # every program, this checkout
    python -m asv_bench.tools.host_bounds --busy 4              # beside four busy loops
    python -m asv_bench.tools.host_bounds --reference /tmp/old/reference -p chain-8000

Each program runs as ``python -m gritwit …`` in a child process whose ``gritwit`` is
the checkout's (or ``--reference``'s: an older one, for the figures before a change),
and is measured from outside: its peak resident size and CPU time from ``wait4``'s
``rusage``, its resident size watched every 0.1 s and the child killed once it passes
``--cap`` (default 4 GiB: the older hosts would take the machine), and for the disk
program the bytes of the store directory.  ``--busy N`` starts N busy loops beside
every run, so the figures are the ones a loaded machine gets.  The programs:

``chain-8000``
    a chain of 8,000 directories with 255-byte names, made one ``dir_fd`` level at a
    time, then the run ends: the host reads the core back (SBX-006.14).
``descriptors-5000``
    1,000 descriptors of a file at the bottom of a 5,000-level chain of such names
    (SBX-006.14: descriptors hold no path).
``stat-3000``
    ``os.stat`` of a file 3,000 levels down, in a loop: the host's CPU per unit of fuel
    over a spin loop's (SBX-006.7, SBX-006.13), from two runs of each (with and without
    the loop), so the set-up and the start-up cancel out.
``disk``
    a sandboxed actor that pings itself and leaves a new 15 MiB file in its core every
    step, under ``gritwit runtime run DIR`` (RUN-023: a run stops once its steps added
    ``max_run_bytes``, 1 GiB by default).  An older runtime without the bound runs to
    ``--disk-steps`` (150) and the figure is extrapolated to the default 10,000 steps.

``--impl CMD`` runs ``stat-3000``, one-byte ``random_get``, ``writev`` of 1,024 iovecs and
a listing of 2,000 entries through an adapter's ``sandbox-run`` instead (the Node example
adapter's host, say), and gives the adapter process's CPU per unit of fuel for each loop
over the spin loop's: a host's own factor (SBX-006.7), in time.

Figures are quoted in ``docs/guide/sandbox.md``; the time ratios only as ratios measured
side by side (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIB = 1 << 20

#: A chain of ``{depth}`` directories with 255-byte names, made one ``dir_fd`` level at a
#: time; ``fd`` ends as the bottom's descriptor.
CHAIN = (
    "import os\nname = 'a' * 255\nfd = os.open('.', os.O_RDONLY)\n"
    "for i in range({depth}):\n    os.mkdir(name, dir_fd=fd)\n"
    "    below = os.open(name, os.O_RDONLY, dir_fd=fd)\n    os.close(fd)\n    fd = below\n"
)
BOTTOM_FILE = "os.close(os.open('f', os.O_CREAT | os.O_WRONLY, dir_fd=fd))\n"
PROGRAMS: dict[str, str] = {
    "chain-8000": CHAIN.format(depth=8000),
    "descriptors-5000": CHAIN.format(depth=5000)
    + BOTTOM_FILE
    + "keep = [os.open('f', os.O_RDONLY, dir_fd=fd) for _ in range(1000)]\n",
}
STAT_SETUP = CHAIN.format(depth=3000) + BOTTOM_FILE + "n = {turns}\n"
STAT_LOOP = "for i in range(n):\n    os.stat('f', dir_fd=fd)\n"
#: What ``--impl`` runs through an adapter: name → (set-up with ``n = {turns}``, loop, turns
#: over ``--turns``); each against the spin loop.
THROUGH: dict[str, tuple[str, str, float]] = {
    "stat-3000": (STAT_SETUP, STAT_LOOP, 1.0),
    "random_get-1": ("import os\nn = {turns}\n", "for i in range(n):\n    os.urandom(1)\n", 1.0),
    "writev-1024": (
        "import os\nfd = os.open('f', os.O_CREAT | os.O_RDWR)\nparts = [b'y'] * 1024\n"
        "n = {turns}\n",
        "for i in range(n):\n    os.lseek(fd, 0, 0)\n    os.writev(fd, parts)\n",
        0.02,
    ),
    "listdir-2000": (
        "import os\nos.mkdir('d')\nfor i in range(2000):\n    open('d/' + str(i), 'w').close()\n"
        "n = {turns}\n",
        "for i in range(n):\n    os.listdir('d')\n",
        0.002,
    ),
}
SPIN = "n = {turns}\nfor i in range(n):\n    pass\n"
#: The disk program: the first message's data is the actor's own id.
ACTOR = """\\
import base64, json, os
messages = json.load(open('/input/transition.json'))['messages']
me = open('me').read() if os.path.exists('me') else ''
for message in messages:
    if message['headers'].get('mt') == 'go':
        me = base64.b64decode(message['data']).decode()
if me:
    open('me', 'w').write(me)
    n = int(open('n').read()) + 1 if os.path.exists('n') else 0
    open('n', 'w').write(str(n))
    open('big', 'wb').write(str(n).encode().ljust(16, b'.') * (15 << 16))
    json.dump([{'to': me, 'headers': {'mt': 'ping'}}], open('/out/sends.json', 'w'))
"""
NAMES = (*PROGRAMS, "stat-3000", "disk")


@dataclass(frozen=True)
class Measured:
    """One child process: how it ended, its peak resident size and its CPU time."""

    code: int
    peak_mib: float
    cpu_s: float
    wall_s: float
    killed_at_cap: bool
    stdout: str
    stderr: str


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(argv: list[str], env: dict[str, str], cap_mib: int, timeout: float) -> Measured:
    """Run ``argv``; kill it past ``cap_mib`` resident or ``timeout`` seconds."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(argv, env=env, stdout=out, stderr=err, cwd=ROOT)
        killed = threading.Event()

        def watch() -> None:
            while child.returncode is None:
                if _rss_kib(child.pid) > cap_mib * 1024 or time.monotonic() - started > timeout:
                    killed.set()
                    child.kill()
                    return
                time.sleep(0.1)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        watcher.join()
        out.seek(0)
        err.seek(0)
        return Measured(
            child.returncode,
            usage.ru_maxrss / 1024,
            usage.ru_utime + usage.ru_stime,
            time.monotonic() - started,
            killed.is_set(),
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


@contextmanager
def busy(loops: int) -> Iterator[None]:
    """``loops`` busy loops beside the block."""
    spinning = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(loops)]
    try:
        yield
    finally:
        for spin in spinning:
            spin.kill()
            spin.wait()


def _gritwit(*args: str) -> list[str]:
    return [sys.executable, "-m", "gritwit", *args]


def _sandbox(program: str, work: Path, fuel: int) -> list[str]:
    path = work / "program.py"
    path.write_text(program)
    return _gritwit(
        "sandbox", "run", str(path), "--json", "--fuel", str(fuel), "--time-limit", "3600"
    )


def _fuel(done: Measured) -> int:
    answer = json.loads(done.stdout)
    if not answer.get("ok"):
        raise RuntimeError(f"the run failed: {answer}")
    return int(answer["fuel"])


def _line(name: str, done: Measured, extra: str = "") -> str:
    ended = "killed at the cap" if done.killed_at_cap else f"exit {done.code}"
    return (
        f"{name:<18} {ended:<18} peak {done.peak_mib:8.0f} MiB  CPU {done.cpu_s:7.1f} s  "
        f"wall {done.wall_s:7.1f} s  {extra}"
    )


def run_program(name: str, env: dict[str, str], cap: int, work: Path) -> str:
    done = measure(_sandbox(PROGRAMS[name], work, 10**12), env, cap, 3600)
    extra = ""
    if not done.killed_at_cap and done.stdout.strip():
        answer = json.loads(done.stdout)
        extra = f"fuel {answer.get('fuel')}" if answer.get("ok") else f"class {answer.get('class')}"
    return _line(name, done, extra)


def run_stat(env: dict[str, str], cap: int, work: Path, turns: int) -> str:
    """The loop's CPU per unit of fuel over the spin loop's, both as differences of two runs."""
    runs = {
        "spin-0": SPIN.format(turns=0),
        "spin": SPIN.format(turns=turns * 400),
        "stat-0": STAT_SETUP.format(turns=0) + STAT_LOOP,
        "stat": STAT_SETUP.format(turns=turns) + STAT_LOOP,
    }
    got = {key: measure(_sandbox(text, work, 10**12), env, cap, 3600) for key, text in runs.items()}
    spin = (got["spin"].cpu_s - got["spin-0"].cpu_s) / (_fuel(got["spin"]) - _fuel(got["spin-0"]))
    stat = (got["stat"].cpu_s - got["stat-0"].cpu_s) / (_fuel(got["stat"]) - _fuel(got["stat-0"]))
    return _line("stat-3000", got["stat"], f"CPU per fuel {stat / spin:.1f} x the spin loop's")


def _cpu_of(pid: int) -> float:
    """The CPU seconds process ``pid`` used so far, all its threads (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_through(command: str, turns: int, rounds: int) -> str:
    """The programs of :data:`THROUGH` through an adapter's ``sandbox-run`` (ADP-019): the
    adapter process's CPU per unit of fuel for each loop over a spin loop's, each the
    difference of two runs, the least of ``rounds`` rounds (a host's own factor, SBX-006.7,
    for a host the callgrind gate cannot count)."""
    from gritwit_conformance.harness._implementation import Subprocess

    impl = Subprocess(command, timeout=3600.0)
    impl.info()
    pid = impl.pid
    assert pid is not None

    fuels: dict[str, int] = {}

    def run(program: str) -> tuple[float, int]:
        """The adapter's CPU for ``program``; its fuel is the reference's, which every
        conforming host meets to the unit (the suite's exact-fuel tests), as
        ``sandbox-run`` answers none."""
        if program not in fuels:
            from gritwit import Store
            from gritwit.sandbox import SandboxLimits, run_python

            with Store.memory() as store:
                fuels[program] = run_python(
                    program, store=store, limits=SandboxLimits(fuel=10**12)
                ).fuel
        started = _cpu_of(pid)
        reply = impl.call("sandbox-run", program=program, limits={"fuel": 10**12})
        if not reply.ok:
            raise RuntimeError(f"{command}: {reply}")
        return _cpu_of(pid) - started, fuels[program]

    def per_fuel(zero: str, more: str) -> float:
        (cpu0, fuel0), (cpu1, fuel1) = run(zero), run(more)
        return (cpu1 - cpu0) / (fuel1 - fuel0)

    try:
        run(SPIN.format(turns=0))  # warm
        lines = []
        for name, (setup, loop, share) in THROUGH.items():
            ratios = []
            many = max(1, int(turns * share))
            for _ in range(rounds):
                spin = per_fuel(SPIN.format(turns=0), SPIN.format(turns=turns * 400))
                call = per_fuel(setup.format(turns=0) + loop, setup.format(turns=many) + loop)
                ratios.append(call / spin)
            shown = ", ".join(f"{r:.1f}" for r in ratios)
            lines.append(f"{name:<18} CPU per fuel {min(ratios):5.1f} x the spin loop's ({shown})")
    finally:
        impl.close()
    return f"through {command!r}:\n" + "\n".join(lines)


def run_disk(env: dict[str, str], cap: int, work: Path, steps: int) -> str:
    store = work / "store"
    code = work / "actor.py"
    code.write_text(ACTOR)
    made = subprocess.run(
        _gritwit("sandbox", "actor", str(code), "--store", str(store), "--create"),
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    actor = made.stdout.strip().splitlines()[-1]
    subprocess.run(
        _gritwit("sandbox", "send", actor, "--mt", "go", "--data", actor, "--store", str(store)),
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    help_text = subprocess.run(
        _gritwit("runtime", "run", "--help"), env=env, capture_output=True, text=True, cwd=ROOT
    ).stdout
    bounded = "--max-run-bytes" in help_text
    argv = _gritwit("runtime", "run", str(store))
    if not bounded:
        argv += ["--max-steps", str(steps)]
    done = measure(argv, env, cap, 3600)
    stored = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
    summary = done.stdout.strip().splitlines()[-1:] or [""]
    extra = f"store {stored / 1e9:.2f} GB"
    if not bounded:
        at_default = stored / steps * 10_000 / 1e9
        extra += f" after {steps} steps, {at_default:.0f} GB at 10,000 (no byte bound)"
    return _line("disk", done, f"{extra}; {summary[0][:90]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-p", "--program", action="append", choices=NAMES)
    parser.add_argument("--reference", type=Path, help="another checkout's reference directory")
    parser.add_argument("--busy", type=int, default=0, help="busy loops beside every run")
    parser.add_argument("--cap", type=int, default=4096, help="MiB resident: killed past it")
    parser.add_argument("--turns", type=int, default=20_000, help="stats of stat-3000's loop")
    parser.add_argument("--disk-steps", type=int, default=150, help="an unbounded run's steps")
    parser.add_argument(
        "--impl",
        help="an adapter's command: stat-3000 through its sandbox-run instead (its CPU per fuel)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --impl's stat-3000")
    options = parser.parse_args(argv)
    if options.impl:
        with busy(options.busy):
            print(run_through(options.impl, options.turns, options.rounds), flush=True)
        print(f"{'':<18} load {os.getloadavg()[0]:.1f}", flush=True)
        return 0
    reference = (options.reference or ROOT / "reference").resolve()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(reference), str(ROOT)]))
    print(f"gritwit from {reference}; {options.busy} busy loops beside; cap {options.cap} MiB")
    with busy(options.busy):
        for name in options.program or NAMES:
            work = Path(tempfile.mkdtemp(prefix=f"gritwit-bounds-{name}-"))
            try:
                if name == "stat-3000":
                    line = run_stat(env, options.cap, work, options.turns)
                elif name == "disk":
                    line = run_disk(env, options.cap, work, options.disk_steps)
                else:
                    line = run_program(name, env, options.cap, work)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            print(line, flush=True)
            load = os.getloadavg()[0]
            print(f"{'':<18} load {load:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
