"""A runtime SIGKILLed in a noted commit loses and duplicates nothing (RUN-002, RUN-020, DUR-005.5).

A ``fanout`` actor of share 1/4 sends to an ``echo`` actor of share 0/4: its commit
journals the head's swap in its own part and a note in the echo's part
(:mod:`gritwit.store._pg_notes`), in one transaction.  The runtime of share 1/4, a child
process (``notes_kill_child.py``), SIGKILLs itself in that commit: before its
``COMMIT`` (the server rolls back the swap and the note together) or after it (both
kept, the runtime never told).  Then runtimes of every share, each reading only its
own journal parts, run to rest: the echo echoes the message exactly once.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest
from childproc import start_child
from test_pg_notes_runtime import Fleet, _core_in, _echoes, _fan_to

import gritwit as g
from gritwit.runtime import Share
from gritwit.store import Store

CHILD = Path(__file__).with_name("notes_kill_child.py")
#: Seconds the child may take before the test calls it hung (a bound, not a measure).
LIMIT = 120


def _journal(store: Store, part: int) -> list[tuple[str, int | None]]:
    """Part ``part``'s journal rows: each ref's name and, for a note, its origin."""
    backend = store.backend
    with backend._connection() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(
            "SELECT name, origin FROM ref_journal_parts WHERE part = %s ORDER BY version",
            (part,),
        ).fetchall()
    return [(bytes(name).decode(), origin) for name, origin in rows]


@pytest.mark.parametrize("senders", [1, 2], ids=["one swap", "a whole write"])
@pytest.mark.parametrize("point", ["uncommitted", "committed"])
@pytest.mark.req("RUN-002", "RUN-020.1", "RUN-021.2", "DUR-005.5", "DUR-003")
def test_a_kill_in_a_noted_commit_loses_and_duplicates_nothing(
    pg_url: str, point: str, senders: int, tmp_path: Path
) -> None:
    """One sender's step is a write of one swap; two senders' steps are one whole group
    commit, whose journal statement holds the notes."""
    fleet = Fleet(pg_url)
    try:
        loop, store = fleet.loop, fleet.stores[0]
        echo_core, echo_objects = _core_in("echo", Share(k=0, n=4), "echo")
        rt = fleet.runtimes[2]
        sent = []
        for i in range(senders):
            core, objects = _core_in("fanout", Share(k=1, n=4), f"killed sender {i}")
            sent.append(loop.run_until_complete(rt.genesis(core, objects)))
        echo = loop.run_until_complete(rt.genesis(echo_core, echo_objects))
        rt.flush()
        fleet.run()
        sender = sent[0]
        head = store.get_ref("heads/" + sender.hex())
        heads = [store.get_ref("heads/" + each.hex()) for each in sent]
        content, blobs = _fan_to(echo)
        for each in sent:
            loop.run_until_complete(
                rt.send(each, g.object_id(content), {"mt": "fanout"}, objects=(content, *blobs))
            )
        rt.flush()
        echo_part = echo[0][7] & 15
        before = _journal(store, echo_part)
        proc, lines, reader = start_child(
            [sys.executable, str(CHILD), pg_url, "1", "4", point], tmp_path / "child.log"
        )
        proc.wait(LIMIT)
        reader.join(LIMIT)
        said = []
        while (line := lines.get()) is not None:
            said.append(line.strip())
        assert proc.returncode == -signal.SIGKILL and said == ["dying"], (
            said,
            (tmp_path / "child.log").read_text()[-2000:],
        )
        moved = store.get_ref("heads/" + sender.hex())
        now = [store.get_ref("heads/" + each.hex()) for each in sent]
        unmoved = sum(a == b for a, b in zip(heads, now, strict=True))
        assert unmoved == (senders if point == "uncommitted" else 0), (
            "DUR-005.5: the killed write, one commit, kept all its swaps or none"
        )
        notes = [
            (name, origin)
            for name, origin in _journal(store, echo_part)[len(before) :]
            if name == "heads/" + sender.hex()
        ]
        if point == "uncommitted":
            assert moved == head and notes == [], (
                "DUR-005.5: a commit killed before its COMMIT keeps neither swap nor note"
            )
        else:
            assert moved != head and len(notes) == 1 and notes[0][1] is not None, (
                "DUR-005.5: a commit killed after its COMMIT keeps its swap and its note"
            )
        fleet.run()
        for each in sent:
            assert _echoes(store, echo, each) == 1, (
                "RUN-002, RUN-021.2: each message crossed once, the kill notwithstanding"
            )
    finally:
        fleet.close()
