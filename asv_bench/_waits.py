"""What the server's backends wait on while runtimes share a store (DUR-005).

Cost per transition that grows with the number of runtimes is either work each runtime
repeats (read from the runtimes' CPU per transition) or waiting in the server: lock
waits (another runtime's transaction holds a row), I/O (the WAL flushed at commit),
or the client (a backend idle in a transaction while its runtime computes).
:class:`Waits` samples ``pg_stat_activity`` (the client backends of the database,
its own excluded) and ``pg_locks`` (lock requests not granted) from a thread of the
tool's own process, every :data:`INTERVAL` seconds, under the label of the
configuration whose round is running; :meth:`Waits.shares` gives, per label, each
wait's share of the backends' active samples (``CPU``: active, waiting on nothing)
and the mean number of lock requests waiting.
"""

from __future__ import annotations

import collections
import contextlib
import threading
from types import TracebackType
from typing import Final

#: Seconds between samples.
INTERVAL: Final = 0.02

_ACTIVE: Final = """
SELECT coalesce(wait_event_type, 'CPU') || coalesce(':' || wait_event, ''), count(*)
FROM pg_stat_activity
WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
  AND datname = current_database()
GROUP BY 1
"""
_WAITING: Final = "SELECT count(*) FROM pg_locks WHERE NOT granted"


class Waits:
    """A sampler of the server's wait events (a context manager); ``label`` names what runs."""

    def __init__(self, url: str, interval: float = INTERVAL) -> None:
        self.url, self.interval = url, interval
        self.label: object = None
        self._events: dict[object, collections.Counter[str]] = {}
        self._samples: collections.Counter[object] = collections.Counter()
        self._waiting: collections.Counter[object] = collections.Counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Waits:
        import psycopg

        conn = psycopg.connect(self.url, autocommit=True)
        self._thread = threading.Thread(target=self._run, args=(conn,), daemon=True)
        self._thread.start()
        return self

    def _run(self, conn: object) -> None:
        import psycopg

        assert isinstance(conn, psycopg.Connection)
        with conn, contextlib.suppress(psycopg.Error):
            while not self._stop.wait(self.interval):
                label = self.label
                if label is None:
                    continue
                rows = conn.execute(_ACTIVE).fetchall()
                waiting = conn.execute(_WAITING).fetchone()
                events = self._events.setdefault(label, collections.Counter())
                for name, count in rows:
                    events[str(name)] += int(count)
                self._samples[label] += 1
                self._waiting[label] += 0 if waiting is None else int(waiting[0])

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def shares(self, label: object, top: int = 4) -> tuple[list[tuple[str, float]], float]:
        """The ``top`` waits of ``label``'s rounds, each as a share of the active backends'
        samples, and the mean lock requests waiting per sample."""
        events = self._events.get(label, collections.Counter())
        total = sum(events.values())
        samples = self._samples[label]
        ranked = [(name, count / total) for name, count in events.most_common(top)] if total else []
        return ranked, (self._waiting[label] / samples if samples else 0.0)
