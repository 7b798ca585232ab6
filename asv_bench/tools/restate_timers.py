"""Our timer against Restate's delayed call, side by side in one run: lateness and CPU.

The same work on both sides:

* ``--pending`` far timers are set first (an hour ahead; not measured): on gritwit by
  alarms (TIM-008) of 1,000 timers each (TIM-004.2's default bound), on Restate by a
  virtual object per 1,000 that sends itself 1,000 delayed calls;
* then ``--near`` timers are set, spread evenly over ``--spread`` seconds starting
  ``--lead`` seconds ahead, one actor (one alarm, one Restate object key) for all of them,
  and the run waits until every one has been delivered.

What is measured, for each near timer:

* **lateness** — when its message was *delivered*, less the time it was set for. On
  gritwit, delivered is the step time (RUN-027) of the alarm's step that read the fire,
  and the time set for is the fire's ``timer-set-for`` (TIM-003.1), which the service set
  as its acceptance plus ``timer-after`` (TIM-002.4); so it counts the service's pass,
  the fire's commit and the alarm's step. On Restate, delivered is the wall clock when
  the handler the delayed call invoked ran, less the handler's wall clock when it sent
  the call plus the delay;
* **CPU** — the user and system time of every process of each side (``gritwit serve``;
  ``restate-server`` and the SDK's Hypercorn process) from the moment the near timers are
  set until the last is delivered, over the near timers: CPU per fired timer, idle
  waiting between fires included, as a server pays it.

Quote the ratios and the percentiles with the load average beside them (the machine is
shared). Restate is not a dependency of this project: give the tool an environment that
has it, made once outside the repository::

    python -m venv /tmp/rs && /tmp/rs/bin/pip install restate-sdk hypercorn
    (cd /tmp/rsn && npm install @restatedev/restate-server)
    python -m asv_bench.tools.restate_timers --restate-python /tmp/rs/bin/python \\
        --restate-server /tmp/rsn/node_modules/.bin/restate-server --pending 100000

Every server listens on loopback only; each is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import gritwit as g
from asv_bench.tools.serve_throughput import running_service
from gritwit.runtime import TIMER, history
from gritwit.store import Store, head_ref, step_times

#: The far timers' distance: an hour, so that none fires during a run.
FAR_MS = 3_600_000
#: Timers an alarm keeps pending (TIM-004.2's default), and a batch send's entries
#: (HTTP-005.7): one batch sets one alarm's timers.
PER_ALARM = 1_000

#: The Restate side's service: a virtual object whose ``set`` sends itself delayed calls
#: of ``ring``, and whose ``ring`` notes when it ran; ``stats`` hands the notes over.
RESTATE_APP = """
import time
from datetime import timedelta

import restate

alarm = restate.VirtualObject("alarm")
stats = restate.Service("stats")
LATE: list[float] = []


@alarm.handler()
async def set(ctx: restate.ObjectContext, req: dict) -> None:
    base = time.time() * 1000
    for i, delay in enumerate(req["delays"]):
        arg = {"at": base + delay, "near": req["near"]}
        ctx.object_send(ring, key=ctx.key(), arg=arg, send_delay=timedelta(milliseconds=delay))


@alarm.handler()
async def ring(ctx: restate.ObjectContext, arg: dict) -> None:
    if arg["near"]:
        LATE.append(time.time() * 1000 - arg["at"])


@stats.handler()
async def late(ctx: restate.Context) -> list:
    return LATE


app = restate.app([alarm, stats])
"""


def _cpu(pids: Sequence[int]) -> float:
    """User and system seconds of ``pids`` and every process below them."""
    ticks = os.sysconf("SC_CLK_TCK")
    seen: set[int] = set()
    total = 0.0
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(c) for c in children)
    return total


def _post(url: str, body: object, timeout: float = 600.0) -> object:
    data: bytes | None = None  # no body at all (no content type) for a handler without input
    headers: dict[str, str] = {}
    if body is not None:
        data, headers = json.dumps(body).encode(), {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data, headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            data = answer.read()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{url}: {error.code} {error.read()[:500]!r}") from None
    return json.loads(data) if data else None


def _percentiles(late: Sequence[float]) -> dict[str, float]:
    cut = statistics.quantiles(late, n=100, method="inclusive")
    return {"p50_ms": round(cut[49], 1), "p99_ms": round(cut[98], 1), "max_ms": round(max(late), 1)}


def _near_delays(near: int, lead_ms: int, spread_ms: int) -> list[int]:
    return [lead_ms + spread_ms * i // near for i in range(near)]


# --- gritwit ------------------------------------------------------------------------------


def _timer_entries(alarm: str, delays: Sequence[int], far: bool) -> list[dict[str, object]]:
    """One alarm's batch: a ``timer`` message per timer (TIM-008.1), each content distinct."""
    entries: list[dict[str, object]] = []
    for i, delay in enumerate(delays):
        headers = {"mt": "timer-set", "timer-mt": "far" if far else "ring"}
        headers["timer-after"] = str(delay)
        tree = {"request": {"blob": "", "headers": headers}, "content": {"blob": f"{i:08x}"}}
        entries.append({"to": alarm, "mt": "timer", "content": {"tree": tree}})
    return entries


def _gritwit_side(pending: int, delays: list[int], folder: Path) -> dict[str, object]:
    with running_service(folder) as (url, pid):
        alarms = []
        for n in range(pending // PER_ALARM + 1):
            body = {"test": "alarm", "state": {"n": f"{n:08x}"}}
            alarms.append(str(_post(f"{url}/v1/actors", body)["actor"]))  # type: ignore[index]
        for alarm in alarms[1:]:  # the far timers: not measured
            _post(
                f"{url}/v1/messages",
                {"messages": _timer_entries(alarm, [FAR_MS] * PER_ALARM, True)},
            )
        _post(f"{url}/v1/settle", {"timeout": 600})
        deadline = time.monotonic() + 1800
        while _listed(url, alarms[1:]) < len(alarms[1:]) * PER_ALARM:  # all far ones set
            if time.monotonic() > deadline:
                raise SystemExit("gritwit: the far timers were not all set within 1,800 s")
            time.sleep(1.0)
        near = alarms[0]
        before = _cpu([pid])
        started = time.monotonic()
        _post(f"{url}/v1/messages", {"messages": _timer_entries(near, delays, False)})
        listed, left = False, 0  # set (listed) first, then fired (none listed): each is
        while not listed or left:  # listed for its lead of seconds, so a poll sees it
            time.sleep(0.5)
            left = _listed(url, [near])
            listed = listed or left > 0
            if time.monotonic() - started > 600:
                raise SystemExit(f"gritwit: {left} near timers still pending after 600 s")
        _post(f"{url}/v1/settle", {"timeout": 600})
        cpu = _cpu([pid]) - before
    late: list[float] = []
    with Store.open(folder) as store:
        actor = g.ObjectId.from_hex(near)
        steps = history(store, actor)
        times = step_times(store, [oid for oid, _ in steps])
        seen: g.ObjectId | None = None
        for oid, step in steps:
            entry = _inbox_entry(store, step.inbox, TIMER)
            read: list[g.Message] = []
            cursor = entry
            while cursor is not None and cursor != seen:
                message = store.get_object(cursor)
                assert isinstance(message, g.Message)
                read.append(message)
                cursor = message.previous
            seen = entry
            for message in read:
                if message.headers.get("mt") == "ring":
                    late.append(times[oid] * 1000 - int(message.headers["timer-set-for"]))
        assert store.get_ref(head_ref(TIMER)) is not None
    if len(late) != len(delays):
        raise SystemExit(f"gritwit: {len(late)} fires read, {len(delays)} set")
    return {"cpu_s": cpu, "late": late}


def _listed(url: str, alarms: Sequence[str]) -> int:
    """The timers the service lists as pending for ``alarms`` (HTTP-007.10)."""
    total = 0
    for alarm in alarms:
        with urllib.request.urlopen(f"{url}/v1/actors/{alarm}/timers", timeout=60) as answer:
            total += len(json.loads(answer.read())["timers"])
    return total


def _inbox_entry(store: Store, box: g.ObjectId | None, sender: g.ObjectId) -> g.ObjectId | None:
    """The alarm's inbox entry for ``sender``: the last message it read from it (WIT-008),
    found through the mailbox and its bases."""
    while box is not None:
        mailbox = store.get_object(box)
        assert isinstance(mailbox, g.Mailbox)
        if sender in mailbox.entries:
            return mailbox.entries[sender]
        box = mailbox.base
    return None


# --- Restate ------------------------------------------------------------------------------


@contextmanager
def _restate(python: str, server: str, folder: Path) -> Iterator[tuple[str, list[int]]]:
    """restate-server and the SDK's app on loopback; the ingress URL and the pids."""
    (folder / "app.py").write_text(textwrap.dedent(RESTATE_APP))
    env = dict(os.environ, RESTATE_LOG_FILTER="warn")
    procs = [
        subprocess.Popen(
            [server, "--no-logo", "--bind-ip", "127.0.0.1", "--base-dir", str(folder / "data")],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        ),
        subprocess.Popen(
            [python, "-m", "hypercorn", "app:app", "--bind", "127.0.0.1:9080"],
            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        ),
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                body = {"uri": "http://127.0.0.1:9080", "use_http_11": True}
                _post("http://127.0.0.1:9070/deployments", body, timeout=10)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise SystemExit("Restate did not start within 120 s") from None
                time.sleep(0.5)
        yield "http://127.0.0.1:8080", [p.pid for p in procs]
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _restate_side(
    python: str, server: str, pending: int, delays: list[int], folder: Path
) -> dict[str, object]:
    with _restate(python, server, folder) as (url, pids):
        for n in range(pending // PER_ALARM):
            body = {"delays": [FAR_MS] * PER_ALARM, "near": False}
            _post(f"{url}/alarm/far-{n}/set", body)
        before = _cpu(pids)
        started = time.monotonic()
        _post(f"{url}/alarm/near/set", {"delays": delays, "near": True})
        while True:
            time.sleep(0.5)
            late = _post(f"{url}/stats/late", None)
            assert isinstance(late, list)
            if len(late) >= len(delays):
                break
            if time.monotonic() - started > 600:
                raise SystemExit(f"Restate: {len(late)} of {len(delays)} fired after 600 s")
        cpu = _cpu(pids) - before
    return {"cpu_s": cpu, "late": late}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--restate-python", required=True, help="a Python with restate-sdk")
    parser.add_argument("--restate-server", required=True, help="the restate-server binary")
    parser.add_argument("--pending", type=int, default=1_000, help="far timers pending")
    parser.add_argument("--near", type=int, default=1_000, help="timers measured")
    parser.add_argument("--lead", type=float, default=5.0, help="seconds to the first")
    parser.add_argument("--spread", type=float, default=5.0, help="seconds they span")
    args = parser.parse_args(argv)
    delays = _near_delays(args.near, int(args.lead * 1000), int(args.spread * 1000))
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        ours = _gritwit_side(args.pending, delays, Path(tmp) / "gritwit")
    with tempfile.TemporaryDirectory() as tmp:
        theirs = _restate_side(
            args.restate_python, args.restate_server, args.pending, delays, Path(tmp)
        )
    result = {
        "pending": args.pending,
        "near": args.near,
        "load": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "gritwit": {
            **_percentiles(ours["late"]),  # type: ignore[arg-type]
            "cpu_ms_per_timer": round(float(ours["cpu_s"]) * 1000 / args.near, 3),  # type: ignore[arg-type]
        },
        "restate": {
            **_percentiles(theirs["late"]),  # type: ignore[arg-type]
            "cpu_ms_per_timer": round(float(theirs["cpu_s"]) * 1000 / args.near, 3),  # type: ignore[arg-type]
        },
    }
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
