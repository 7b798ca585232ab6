"""Round trips and statements per transition on the PostgreSQL store (DUR-005, RUN-017, RUN-019).

The workloads of ``asv_bench/_roundtrips.py`` (a counter transition with its own send,
the same with grouped sends, a ping-pong step in runs of 200), each on a new schema
reached through a relay (``asv_bench/_relay.py``) that counts what crosses it:

* ``RoundTrips.track_round_trips`` — the relay's turns (a client write answered by
  the server; connection start-up excluded) per transition: what a remote database's
  latency multiplies, the target is at most 3 for a counter transition with grouped
  sends;
* ``RoundTrips.track_statements`` — ``Query``/``Execute`` protocol messages per transition.

Both are counts, not times: the same on a loaded machine.  For CPU per transition
beside SQLite and the load, ``python -m asv_bench.tools.pg_roundtrips``.  The server is
the one ``bench_postgres`` uses (``GRITWIT_BENCH_POSTGRES``, else a throwaway cluster);
without psycopg or a server every benchmark here is skipped with the reason.
"""

from __future__ import annotations

from typing import ClassVar, Final

from ._roundtrips import WORKLOADS, Measured, measure_one
from .bench_postgres import database

#: Transitions counted per workload.
TRANSITIONS: Final = 50


class RoundTrips:
    """Round trips and statements per transition on PostgreSQL, through a counting relay."""

    params: ClassVar = (list(WORKLOADS),)
    param_names: ClassVar = ["workload"]
    timeout = 600
    _done: ClassVar[dict[str, Measured]] = {}

    def setup(self, workload: str) -> None:
        database()

    def _measured(self, workload: str) -> Measured:
        done = RoundTrips._done.get(workload)
        if done is None:
            from ._relay import Relay, upstream_of

            url = database()
            with Relay(upstream_of(url)) as relay:
                done = measure_one(workload, "postgres", TRANSITIONS, database=url, relay=relay)
            RoundTrips._done[workload] = done
        return done

    def track_round_trips(self, workload: str) -> float:
        value = self._measured(workload).per("turns")
        assert value is not None
        return value

    track_round_trips.unit = "round trips per transition"  # type: ignore[attr-defined]

    def track_statements(self, workload: str) -> float:
        value = self._measured(workload).per("statements")
        assert value is not None
        return value

    track_statements.unit = "statements per transition"  # type: ignore[attr-defined]
