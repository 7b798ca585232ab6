"""SIGKILL the durable store's writer at random moments, then check what is left (DUR-001/002).

``crash_writer.py`` extends one actor's chain of steps; this test kills it
(10 times, 300 under ``GRITWIT_PROFILE=deep``, or ``GRITWIT_CRASH_KILLS``
times when set; at moments drawn from a ``random.Random`` seeded with
``GRITWIT_CRASH_SEED``), and after every kill reopens the store and checks that

* every stored object re-hashes to its id and the SQLite file is intact,
* no ref dangles and the head is a step of its actor,
* the whole ``previous`` chain from the head is present and decodes, step
  numbers counting down to 1,
* the chain never shrinks, holds every step the writer reported (its swap had
  returned), and no object ever disappears.

It runs on the SQLite store and on the PostgreSQL store (DUR-005; a fresh schema
of the tests' throwaway cluster, skipped where the server is missing).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import sys
import time
from pathlib import Path

import blake3
import pytest
from childproc import assert_every_object_rehashes, start_child
from profiles import sized

import gritwit as g
from gritwit.store import Store

WRITER = Path(__file__).with_name("crash_writer.py")
KILLS = sized("GRITWIT_CRASH_KILLS", ci=10, deep=300)
SEED = int(os.environ.get("GRITWIT_CRASH_SEED", "20260509"))
ACTOR = g.ObjectId(blake3.blake3(b"crash-test actor").digest())


def walk_chain(store: Store) -> list[g.ObjectId]:
    """The steps from the head back to the first one, each checked on the way."""
    head = store.get_ref("heads/" + ACTOR.hex())
    chain: list[g.ObjectId] = []
    numbers: list[int] = []
    current = head
    while current is not None:
        step = store.get_object(current)  # re-hashes and decodes
        assert isinstance(step, g.Step) and step.actor == ACTOR
        core = store.get_object(step.core)
        assert isinstance(core, g.Tree) and set(core.entries) == {"counter", "payload"}
        counter = store.get_object(core.entries["counter"])
        assert isinstance(counter, g.Blob)
        assert isinstance(store.get_object(core.entries["payload"]), g.Blob)
        chain.append(current)
        numbers.append(int(counter.data))
        current = step.previous
    assert numbers == list(range(len(chain), 0, -1))
    return chain


def run_and_kill(rng: random.Random, location: str, log: Path) -> tuple[list[str], bool]:
    """Start the writer, SIGKILL it at a random moment; its complete stdout lines."""
    proc, lines, reader = start_child(
        [sys.executable, str(WRITER), location, ACTOR.hex(), "60"], log
    )
    seen: list[str] = []
    waited = rng.random() < 0.7
    try:
        if waited:  # let it do real work first: 1 to 30 steps, then a little more
            for _ in range(rng.randint(1, 30)):
                line = lines.get(timeout=30)
                assert line is not None, log.read_text()
                seen.append(line)
            time.sleep(rng.uniform(0, 0.01))
        else:  # anywhere, including start-up, opening and WAL recovery
            time.sleep(rng.uniform(0, 0.3))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        reader.join(timeout=30)
    assert proc.returncode == -signal.SIGKILL, log.read_text()
    while (line := lines.get_nowait()) is not None:
        seen.append(line)
    return [line for line in seen if line.endswith("\n")], waited


@pytest.mark.req(
    "DUR-001",
    "DUR-002.1",
    "DUR-002.2",
    "STO-004.1",
    "STO-006",
    "REF-002.1",
    "REF-003.1",
    "DUR-005.1",
    "DUR-005.2",
    "DUR-009.1",
)
@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
@pytest.mark.parametrize("backend", ["sqlite", "sqlite-process", "postgres"])
def test_sigkill_at_random_moments(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    rng = random.Random(SEED)
    directory = tmp_path / "store"
    location = (
        request.getfixturevalue("pg_url")
        if backend == "postgres"
        else str(directory) + ("?gritwit_durability=process" if backend == "sqlite-process" else "")
    )
    length = 0  # chain length seen after the previous kill
    ids: set[g.ObjectId] = set()
    waited_rounds = 0
    for kill in range(KILLS):
        reported, waited = run_and_kill(rng, location, tmp_path / f"writer-{kill}.log")
        waited_rounds += waited
        if backend != "postgres" and not directory.exists():
            continue  # killed before it created anything
        with Store.open(location) as store:
            now = assert_every_object_rehashes(store)
            report = store.verify()
            assert report.ok, report
            chain = walk_chain(store)
        assert ids <= now  # nothing disappears
        assert len(chain) >= length  # the chain never shrinks
        for line in reported:  # every swap that returned survived the kill
            number, step = line.split()
            assert int(number) <= len(chain)
            assert chain[len(chain) - int(number)] == g.ObjectId.from_hex(step)
        ids, length = now, len(chain)
    if backend != "postgres":
        with sqlite3.connect(directory / "gritwit.sqlite3") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.close()
    assert waited_rounds == 0 or length >= waited_rounds  # the writer did real work
