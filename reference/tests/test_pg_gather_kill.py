"""A runtime SIGKILLed in the commit of a gathered run loses and duplicates nothing
(RUN-020.8, RUN-002, RUN-017.3).

A runtime of share 0/2 with a gathering window, a child process
(``gather_kill_child.py``), waits for work; two runtimes of share 1/2 each commit a
send to a counter of share 0/2.  The child takes both wake-ups in its window, runs once,
and SIGKILLs itself in that run's one group commit, before its ``COMMIT`` (the server
keeps neither counter's step) or after it (both kept, the child never told).  Then a
runtime of share 0/2 in this process runs to rest: each counter counted its send
exactly once.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest
from childproc import start_child
from core_numbers import head_count
from test_pg_gather import MINE, senders_and_counters
from test_runtime import _say

from gritwit.runtime import Runtime, verify_actor
from gritwit.store import Store

CHILD = Path(__file__).with_name("gather_kill_child.py")
#: Seconds the child may take before the test calls it hung (a bound, not a measure).
LIMIT = 120
#: The child's window: the second send, made once the child listens, lands in it.
WINDOW = 8.0


@pytest.fixture
def pg_url(pg_database: str) -> str:
    from gritwit.store import create_schema

    return create_schema(pg_database)


def _line(lines: object) -> str:
    line = lines.get(timeout=LIMIT)  # type: ignore[attr-defined]
    assert line is not None, "the child ended early"
    return str(line).strip()


@pytest.mark.parametrize("point", ["uncommitted", "committed"])
@pytest.mark.req("RUN-020.8", "RUN-002", "RUN-017.3", "RUN-020.6", "DUR-003")
def test_a_kill_in_a_gathered_commit_loses_and_duplicates_nothing(
    pg_url: str, point: str, tmp_path: Path
) -> None:
    stores = [Store.open(pg_url) for _ in range(3)]
    try:
        senders, counters = senders_and_counters(stores)
        after = Runtime(stores[0], share=MINE, gather=0)  # runs the share after the kill
        heads = [stores[0].get_ref("heads/" + c.hex()) for c in counters]
        proc, lines, reader = start_child(
            [sys.executable, str(CHILD), pg_url, "0", "2", str(WINDOW), point],
            tmp_path / "child.log",
        )
        try:
            assert _line(lines) == "listening", (tmp_path / "child.log").read_text()[-2000:]
            for i, value in enumerate((2, 3)):  # one commit, one wake-up, each
                asyncio.run(_say(senders[i], counters[i], "inc", str(value)))
            proc.wait(LIMIT)
        finally:
            if proc.poll() is None:
                proc.kill()
        reader.join(LIMIT)
        said = []
        while (line := lines.get()) is not None:
            said.append(line.strip())
        assert proc.returncode == -signal.SIGKILL and said == ["woken 2", "dying"], (
            "RUN-020.8: the child took both wake-ups in its window and died in its commit",
            said,
            (tmp_path / "child.log").read_text()[-2000:],
        )
        now = [stores[0].get_ref("heads/" + c.hex()) for c in counters]
        moved = sum(a != b for a, b in zip(heads, now, strict=True))
        assert moved == (0 if point == "uncommitted" else 2), (
            "RUN-020.8, RUN-017.3: the gathered run's one commit kept both steps or neither",
            point,
            moved,
        )
        asyncio.run(after.run_until_quiescent())
        counts = [head_count(stores[0], c) for c in counters]
        assert counts == [2, 3], (
            "RUN-002, RUN-020.8: each send counted once, the kill notwithstanding",
            counts,
        )
        for c in counters:
            assert verify_actor(stores[0], c).ok, "DUR-003: the killed commit left whole actors"
    finally:
        for store in stores:
            store.close()
