"""Child of ``test_pg_gather_kill.py``: a runtime SIGKILLed in the commit of a gathered run.

``python gather_kill_child.py URL K N WINDOW POINT`` runs a runtime of share ``K/N`` with
a gathering window of ``WINDOW`` seconds (RUN-020.8) on the PostgreSQL store ``URL``.
It runs once (nothing of its share is pending), listens, prints ``listening``, waits
for a wake-up and the window after it, prints ``woken R`` (``R``: the notifications its
wait took), then runs, and SIGKILLs itself at the run's first write, at ``POINT``:

* ``uncommitted`` — the write's statements up to its ``COMMIT`` sent and answered inside
  its transaction, its ``COMMIT`` never sent: the server rolls it back;
* ``committed`` — the whole write answered, ``COMMIT`` included, the runtime not told.

It prints ``dying`` before it dies, and ``finished`` if its run ends without a write.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from gritwit.runtime import Runtime, Share
from gritwit.store import Store, _pg_commit, _pg_wire


def _die() -> None:
    print("dying", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def _install(point: str) -> None:
    real = _pg_wire.pipeline

    def pipeline(
        conn: Any, calls: Sequence[tuple[Any, Mapping[str, object]]], *, tail: int = 0
    ) -> Any:
        at = [i for i, (sql, _) in enumerate(calls) if sql is _pg_commit._COMMIT_SQL]
        if not at:
            return real(conn, calls, tail=tail)
        if point == "uncommitted":  # everything before the COMMIT, in its open transaction
            real(conn, calls[: at[0]], tail=0)
            _die()
        answers = real(conn, calls, tail=tail)
        _die()
        return answers

    _pg_wire.pipeline = pipeline  # the commit module calls it through the module


def main(url: str, k: int, n: int, window: float, point: str) -> None:
    store = Store.open(url)
    runtime = Runtime(store, share=Share(k=k, n=n), gather=window)
    asyncio.run(runtime.run_until_quiescent())
    while store.wait_for_swaps(0.2):  # listening from now on; what came before, taken
        pass
    received = store.backend._listener.received  # type: ignore[attr-defined]
    print("listening", flush=True)
    woken = asyncio.run(runtime.wait_for_swaps(120.0))
    taken = store.backend._listener.received - received  # type: ignore[attr-defined]
    print(f"woken {taken}" if woken else "not woken", flush=True)
    _install(point)
    asyncio.run(runtime.run_until_quiescent())
    print("finished", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
