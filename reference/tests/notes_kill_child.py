"""Child of ``test_pg_notes_kill.py``: a runtime of a share SIGKILLed in a noted commit.

``python notes_kill_child.py URL K N POINT`` runs a runtime of share ``K/N`` on the
PostgreSQL store ``URL`` and SIGKILLs itself at its first write that journals notes
(:mod:`gritwit.store._pg_notes`), at ``POINT``:

* ``uncommitted`` — the write's statements up to its notes (a whole write's: its journal,
  which holds them) sent and answered inside its transaction, its ``COMMIT`` never
  sent: the server rolls it back;
* ``committed`` — the whole write answered, ``COMMIT`` included, the runtime not told.

It prints ``dying`` before it dies, and ``finished`` if its run ends without a noted
write.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from gritwit.runtime import Runtime, Share
from gritwit.store import Store, _pg_notes, _pg_wire


def _die() -> None:
    print("dying", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def _noted(sql: Any, params: Mapping[str, object]) -> bool:
    """Whether a statement of a write journals notes: a write of one swap's notes, or a
    whole write's journal with notes in it."""
    if sql is _pg_notes.NOTES_SQL:
        return True
    return sql.name == b"gritwit_whole_journal" and bool(params.get("npart"))


def _install(point: str) -> None:
    real = _pg_wire.pipeline

    def pipeline(
        conn: Any, calls: Sequence[tuple[Any, Mapping[str, object]]], *, tail: int = 0
    ) -> Any:
        at = [i for i, (sql, params) in enumerate(calls) if _noted(sql, params)]
        if not at:
            return real(conn, calls, tail=tail)
        if point == "uncommitted":  # everything to the notes, in its open transaction
            real(conn, calls[: at[0] + 1], tail=0)
            _die()
        answers = real(conn, calls, tail=tail)
        _die()
        return answers

    _pg_wire.pipeline = pipeline  # the commit module calls it through the module


def main(url: str, k: int, n: int, point: str) -> None:
    _install(point)
    store = Store.open(url)
    runtime = Runtime(store, share=Share(k=k, n=n))
    asyncio.run(runtime.run_until_quiescent())
    print("finished", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
