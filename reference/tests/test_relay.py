"""The relay that counts round trips to a PostgreSQL store and adds latency (DUR-005).

``asv_bench/_relay.py`` is the instrument of the PostgreSQL measurements
(``asv_bench/tools/pg_roundtrips.py``, ``multi_runtime --delay-ms``, the
``bench_pg_roundtrips`` benchmark).  These tests check what it counts on known
psycopg exchanges with the throwaway server, that it holds each chunk at least the
delay (its own record of each hold: its scheduling, not the wall clock), that its
protocol framing does not depend on how the bytes are cut, and that it stops with a
connection open.
"""

from __future__ import annotations

import struct
from typing import Any

import pytest

from asv_bench._relay import Relay, _Frames, through, unix_socket, upstream_of

pytestmark = pytest.mark.req("DUR-005")


def _relayed(pg_cluster: Any, delay_ms: float = 0.0) -> tuple[Relay, str]:
    relay = Relay(unix_socket(pg_cluster.socket_dir), delay_ms=delay_ms).start()
    return relay, relay.url(pg_cluster.url())


def test_one_statement_is_one_turn(pg_cluster: Any) -> None:
    """Connecting is start-up turns only; one ``SELECT 1`` in autocommit is one turn and
    one statement, and three in a row are three."""
    import psycopg

    relay, url = _relayed(pg_cluster)
    with relay, psycopg.connect(url, autocommit=True) as conn:
        started = relay.stats()
        assert started.connections == 1
        assert started.setup_turns >= 1
        assert started.turns == 0
        relay.reset()
        assert conn.execute("SELECT 1").fetchone() == (1,)
        one = relay.stats()
        assert (one.turns, one.statements, one.setup_turns) == (1, 1, 0)
        assert one.bytes_up > 0 and one.bytes_down > 0
        relay.reset()
        for n in range(3):
            conn.execute("SELECT %s::int", (n,))
        three = relay.stats()
        assert (three.turns, three.statements) == (3, 3)


def test_a_pipeline_with_one_sync_is_one_turn(pg_cluster: Any) -> None:
    """Three statements in one psycopg pipeline, one sync: one turn, three statements."""
    import psycopg

    relay, url = _relayed(pg_cluster)
    with relay, psycopg.connect(url, autocommit=True) as conn:
        relay.reset()
        with conn.pipeline():
            cursors = [conn.execute("SELECT %s::int", (n,)) for n in range(3)]
        assert [c.fetchone() for c in cursors] == [(0,), (1,), (2,)]
        counted = relay.stats()
        assert (counted.turns, counted.statements, counted.syncs) == (1, 3, 1)


def test_each_chunk_is_held_the_delay(pg_cluster: Any) -> None:
    """With ``delay_ms=20`` every chunk forwarded, either way, was held at least 20 ms (the
    relay's record of each hold), and the exchange still works (order kept)."""
    import psycopg

    relay, url = _relayed(pg_cluster, delay_ms=20)
    with relay, psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        held = relay.stats()
    assert held.chunks >= 4  # start-up both ways, the statement both ways
    assert held.min_hold >= 0.020
    assert held.turns == 1


def test_no_delay_holds_nothing_extra(pg_cluster: Any) -> None:
    """Without a delay a chunk is written as soon as it is read (the control of the test
    above: its bound is not met by every relay)."""
    import psycopg

    relay, url = _relayed(pg_cluster)
    with relay, psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT 1")
        held = relay.stats()
    assert held.chunks >= 2  # the kernel may coalesce a side's messages into one chunk
    assert held.min_hold < 0.020  # the fastest chunk, not each: a busy machine delays some


def test_stop_with_a_connection_open(pg_cluster: Any) -> None:
    """Stopping the relay closes its connections: the client's next statement fails
    instead of waiting."""
    import psycopg

    relay, url = _relayed(pg_cluster)
    conn = psycopg.connect(url, autocommit=True)
    try:
        conn.execute("SELECT 1")
        relay.stop()
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
    finally:
        conn.close()
        relay.stop()


def _message(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!I", len(body) + 4) + body


@pytest.mark.parametrize("cut", [1, 2, 3, 7, 1000])
def test_framing_does_not_depend_on_the_cuts(cut: int) -> None:
    """The client's messages are found however the stream is cut into chunks: an
    SSLRequest (one byte answered), the start-up packet, then Parse, Bind, Execute,
    Sync and a simple Query."""
    startup = struct.pack("!II", 8, 80877103)
    body = struct.pack("!I", 196608) + b"user\0me\0\0"
    startup += struct.pack("!I", len(body) + 4) + body
    stream = startup + b"".join(
        _message(k, b)
        for k, b in [(b"P", b"\0SELECT 1\0\0\0"), (b"B", b"\0" * 10), (b"E", b"\0\0\0\0\0"),
                     (b"S", b""), (b"Q", b"SELECT 1\0")]
    )  # fmt: skip
    frames = _Frames(untyped=1)
    seen = []
    for i in range(0, len(stream), cut):
        for kind, code in frames.feed(stream[i : i + cut]):
            if kind == "" and code == 80877103:
                frames.untyped += 1
            seen.append(kind or code)
    assert seen == [80877103, 196608, "P", "B", "E", "S", "Q"]


def test_urls_through_the_relay() -> None:
    """A Unix-socket URL is relayed from its socket file; user, database and options are
    kept, and TLS is off (the relay reads the protocol)."""
    url = "postgresql://me@/db?host=%2Ftmp%2Fs&options=-csearch_path%3Dgw_1"
    assert upstream_of(url) == __import__("pathlib").Path("/tmp/s/.s.PGSQL.5432")
    assert upstream_of("postgresql://me@db.example:6543/x") == ("db.example", 6543)
    relayed = through(url, 4321)
    assert relayed.startswith("postgresql://me@127.0.0.1:4321/db?")
    assert "options=-csearch_path%3Dgw_1" in relayed
    assert "sslmode=disable" in relayed and "host=" not in relayed


def test_a_relay_process_counts_like_the_thread(pg_cluster: Any) -> None:
    """``multi_runtime``'s relay of its own per runtime (a process): one
    statement is one turn, its CPU and its added delay are reported, and it ends."""
    import psycopg

    from asv_bench._relay_process import RelayProcess

    with RelayProcess(unix_socket(pg_cluster.socket_dir)) as relay:
        with psycopg.connect(relay.url(pg_cluster.url()), autocommit=True) as conn:
            relay.reset()
            conn.execute("SELECT 1")
            one = relay.stats()
        assert (one.turns, one.statements) == (1, 1)
        assert one.relay_cpu > 0 and one.mean_excess >= 0
        child = relay.child
    assert child is not None and child.poll() is not None


def test_the_added_delay_is_the_mean_hold_beyond_the_delay() -> None:
    from asv_bench._relay import _Counters

    counted = _Counters()
    assert counted.mean_excess(0.001) == 0.0  # nothing held: nothing added
    counted.hold(0.003)
    counted.hold(0.005)
    assert counted.mean_excess(0.001) == pytest.approx(0.003)
    assert counted.mean_excess(0.004) == pytest.approx(0.0)  # held the delay: none added
    assert counted.mean_excess(0.010) == 0.0  # never negative
