"""A database failover under running runtimes (DUR-010): what it may lose, tested.

A primary and a streaming standby (``pg_pair.py``, both throwaway servers); the runtime
(``runtime_workload.py``: counters, a fan-out to two echoes, a requester, every outside
message numbered by a ``seq`` header) reaches them through one multi-host URL with
``target_session_attrs=read-write``.  Each round SIGKILLs the primary mid-run (its whole
process group), promotes the standby, and copies a new standby from it into the dead
node's place; the runtime, which failed on the lost connection, is started again and
settles what it had sent by reading the store (RUN-019.6).

* **Synchronous standby** (``synchronous_standby_names = '*'``): after each promotion
  the new primary holds every message whose send had returned (nothing acknowledged
  lost, DUR-010.1), and once the script ran to its end the final state is the one the
  script computes — counter totals, one echo per message — so nothing was delivered
  twice (``test_runtime_crash.py``'s checker).  Three failovers under more than 1,000
  messages under ``GRITWIT_PROFILE=deep``; one under about 150 in CI's heavy step.
* **Asynchronous standby**: the primary's WAL sender is stopped (``SIGSTOP``) once the
  standby has caught up (a network cut: the WAL written since never leaves the
  primary), sends are acknowledged, the primary is killed and the standby
  promoted: exactly the messages acknowledged after the sender stopped are gone, and
  every one before is there — the loss the guide says an asynchronous standby allows
  (DUR-010.2).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from childproc import start_child
from pg_pair import Pair, start_pair
from pg_server import ClusterUnavailable
from test_runtime_crash import _assert_final_state, _workload

import gritwit as g
from gritwit.runtime import Runtime, history

CHILD = Path(__file__).with_name("runtime_workload.py")
SEED = int(os.environ.get("GRITWIT_FAILOVER_SEED", "54"))
DEEP = os.environ.get("GRITWIT_PROFILE") == "deep"


def _pair(synchronous: bool) -> Iterator[Pair]:
    try:
        pair = start_pair(synchronous=synchronous)
    except ClusterUnavailable as exc:
        pytest.skip(f"no primary and standby here: {exc}")
    try:
        yield pair
    finally:
        pair.stop()


@pytest.fixture
def synchronous() -> Iterator[Pair]:
    yield from _pair(synchronous=True)


@pytest.fixture
def asynchronous() -> Iterator[Pair]:
    yield from _pair(synchronous=False)


def _sent(url: str) -> set[int]:
    """The ``seq`` of every message the store holds as sent (RUN-019.6's settling read)."""
    with g.Store.open(url) as store:
        return set(_workload().sent_seqs(store))


class _Acks:
    """The child's sends, acknowledged once durable: its sends join its runs' commit
    groups (RUN-019.2), so a ``sent`` line is durable once a later ``ran`` line came."""

    def __init__(self) -> None:
        self.acknowledged: set[int] = set()
        self._pending: list[int] = []
        self.done = False

    def read(self, line: str) -> None:
        if line.startswith("sent "):
            self._pending.append(int(line.split()[1]))
        elif line.startswith("ran ") or line == "done\n":
            self.acknowledged.update(self._pending)
            self._pending.clear()
            self.done = self.done or line == "done\n"

    def drain(self, lines: queue.Queue[str | None]) -> None:
        """Read every line the child printed that is not read yet."""
        while True:
            try:
                line = lines.get_nowait()
            except queue.Empty:
                return
            if line is None:
                return
            self.read(line)


def _failovers(pair: Pair, tmp_path: Path, failovers: int, rng: random.Random) -> tuple[int, int]:
    """Run the workload on ``pair`` through ``failovers`` kills of its primary, then to its
    end; after each promotion, nothing acknowledged may be missing.  The outside's
    messages sent, and the messages delivered (every actor's steps but its genesis)."""
    url = pair.url()
    acks = _Acks()
    for round_ in range(failovers):
        proc, lines, reader = start_child(
            [sys.executable, str(CHILD), url, "900"], tmp_path / f"child-{round_}.log"
        )
        try:
            for _ in range(rng.randint(30, 90)):  # mid-run: after some real work
                line = lines.get(timeout=120)
                assert line is not None and line != "done\n", "the script ended early"
                acks.read(line)
            time.sleep(rng.uniform(0, 0.05))
            pair.kill_primary()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=60)  # it fails on the lost connection
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        reader.join(timeout=30)  # every line it printed, read
        acks.drain(lines)
        pair.promote()
        missing = acks.acknowledged - _sent(url)
        assert not missing, f"failover {round_ + 1} lost acknowledged sends {sorted(missing)}"
        pair.new_standby()
        pair.set_synchronous(True)
    proc, lines, reader = start_child(
        [sys.executable, str(CHILD), url, "900"], tmp_path / "child-final.log"
    )
    assert proc.wait(timeout=900) == 0, (tmp_path / "child-final.log").read_text()[-2000:]
    reader.join(timeout=30)
    acks.drain(lines)
    assert acks.done
    sent = _sent(url)
    assert acks.acknowledged <= sent
    with g.Store.open(url) as store:
        _assert_final_state(store, {})  # every message once: totals, one echo each
        delivered = sum(
            len(list(history(store, g.ObjectId.from_hex(name.removeprefix("heads/"))))) - 1
            for name in store.list_refs("heads/")
        )
    return len(sent), delivered


@pytest.mark.heavy
@pytest.mark.req("DUR-010", "DUR-010.1", "RUN-019.6", "DUR-006.2")
@pytest.mark.parametrize(
    ("failovers", "ops"),
    [
        pytest.param(1, 60, id="one failover"),
        pytest.param(
            3,
            500,
            id="three failovers, 1,000 messages",
            marks=pytest.mark.skipif(not DEEP, reason="GRITWIT_PROFILE=deep runs it"),
        ),
    ],
)
def test_a_synchronous_standby_loses_and_repeats_nothing(
    synchronous: Pair,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failovers: int,
    ops: int,
) -> None:
    monkeypatch.setenv("GRITWIT_WORKLOAD_OPS", str(ops))  # the child's and the checker's
    sent, delivered = _failovers(synchronous, tmp_path, failovers, random.Random(SEED))
    print(
        f"failover: {failovers} failovers, {sent} outside messages sent once each,"
        f" {delivered} messages delivered once each"
    )
    if failovers == 3:
        assert delivered >= 1000


async def _send(runtime: Runtime, items: list[tuple[int, tuple[object, ...]]]) -> None:
    for seq, (recipient, content, headers, objects) in items:
        await runtime.send(recipient, content, {**headers, "seq": str(seq)}, objects)  # type: ignore[arg-type,dict-item]


@pytest.mark.heavy
@pytest.mark.req("DUR-010", "DUR-010.2")
def test_an_asynchronous_standby_loses_what_it_had_not_received(
    asynchronous: Pair,
) -> None:
    pair = asynchronous
    url = pair.url()
    items = list(enumerate(_workload().script()))[:40]
    before, after = items[:20], items[20:]
    store = g.Store.open(url)
    try:
        runtime = Runtime(store, send_commit="own")  # a send returns once it committed
        asyncio.run(_send(runtime, before))  # acknowledged, and received by the standby
        lsn = pair.sql(pair.primary, "SELECT pg_current_wal_lsn()::text")[0][0]
        deadline = time.monotonic() + 60
        while not pair.sql(pair.standby, f"SELECT pg_last_wal_receive_lsn() >= '{lsn}'::pg_lsn")[0][
            0
        ]:
            assert time.monotonic() < deadline, "the standby does not catch up"
            time.sleep(0.05)
        sender = pair.sender()
        os.kill(sender, signal.SIGSTOP)  # the standby is sent nothing more
        try:
            asyncio.run(_send(runtime, after))  # acknowledged: the primary does not wait
        finally:
            pair.kill_primary()  # SIGKILL ends the stopped sender too
    finally:
        with contextlib.suppress(Exception):
            store.close()
    pair.promote()
    sent = _sent(url)
    assert sent == {seq for seq, _ in before}, sorted(sent)  # exactly the later ones lost
