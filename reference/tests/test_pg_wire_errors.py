"""Which errors a pipeline raises, and what a pipeline cut short leaves (DUR-005.4,
DUR-002): ``store/_pg_wire.py``.

* an error the server answers to the last statement of a pipeline is raised, as one
  to any other (a write's ``COMMIT`` is its last statement: a failed commit must not
  pass for a made one, DUR-002);
* an error of one of the reads sent after a write's ``COMMIT`` (``tail``) is not: that
  read's answer is ``None``, as each skipped after it, and every answer keeps its place;
* a pipeline left on the way (the wait for its answers raised) raises what stopped it,
  not an error of leaving pipeline mode, and closes the connection, whose protocol
  state nobody knows; a server that answered no ``Sync`` is an ``OperationalError``.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

import psycopg
import pytest
from psycopg import generators

from gritwit.store import _pg_wire
from gritwit.store._pg_wire import INT4, Sql


@pytest.fixture(scope="module")
def database(pg_cluster: object) -> str:
    return pg_cluster.create_database()  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def conn(database: str) -> Iterator[psycopg.Connection]:
    """A connection of this test's own: some tests leave theirs closed."""
    with psycopg.connect(database, autocommit=True) as opened:
        yield opened


_ONE = Sql.of("SELECT 1", {})
_BOOM = Sql.of("SELECT 1 / %(zero)s", {"zero": INT4})
_SLOW = Sql.of("SELECT pg_sleep(0.3)", {})


def _value(answer: psycopg.pq.abc.PGresult | None) -> int:
    assert answer is not None
    return int.from_bytes(bytes(answer.get_value(0, 0)), "big", signed=True)  # type: ignore[arg-type]


@pytest.mark.req("DUR-005.4", "DUR-002")
def test_an_error_of_the_last_statement_is_raised(conn: psycopg.Connection) -> None:
    """The last statement's error is raised, alone in its pipeline or after others (no
    ``tail`` given: every statement is the write's)."""
    with pytest.raises(psycopg.errors.DivisionByZero):
        _pg_wire.pipeline(conn, [(_BOOM, {"zero": 0})])
    with pytest.raises(psycopg.errors.DivisionByZero):
        _pg_wire.pipeline(conn, [(_ONE, {}), (_ONE, {}), (_BOOM, {"zero": 0})])
    assert _value(_pg_wire.pipeline(conn, [(_ONE, {})])[0]) == 1  # usable after


@pytest.mark.req("DUR-005.4")
def test_an_error_of_a_read_after_the_write_leaves_its_answer_none_in_its_place(
    conn: psycopg.Connection,
) -> None:
    """With ``tail`` 2, an error of the second last statement is not raised: its answer
    and the skipped last one's are ``None``, the ones before answered, in order; an error
    of the statement just before the tail is raised."""
    answers = _pg_wire.pipeline(
        conn, [(_ONE, {}), (_BOOM, {"zero": 2}), (_BOOM, {"zero": 0}), (_ONE, {})], tail=2
    )
    assert len(answers) == 4
    assert [_value(answers[0]), _value(answers[1])] == [1, 0]
    assert answers[2:] == [None, None]
    with pytest.raises(psycopg.errors.DivisionByZero):
        _pg_wire.pipeline(conn, [(_ONE, {}), (_BOOM, {"zero": 0}), (_ONE, {})], tail=1)


class _Stopped(Exception):
    """What cut the wait for a pipeline's answers short."""


def _generators_with(name: str, replacement: object) -> object:
    """psycopg's generators module as :mod:`._pg_wire` calls it, with ``name`` replaced."""

    class Generators:
        def __getattr__(self, attr: str) -> object:
            return replacement if attr == name else getattr(generators, attr)

    return Generators()


@pytest.mark.req("DUR-005.4", "DUR-002")
def test_a_pipeline_cut_short_raises_what_cut_it_and_closes_its_connection(
    conn: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wait for the answers of a statement the server is still running (a sleep of
    0.3 s) raises: that exception comes out — the connection, busy in pipeline mode, is
    not made to leave it — and the connection is closed."""

    def stopped(_: object) -> object:
        raise _Stopped("the wait was cut short")

    monkeypatch.setattr(_pg_wire, "generators", _generators_with("send", stopped))
    with pytest.raises(_Stopped):
        _pg_wire.pipeline(conn, [(_SLOW, {}), (_ONE, {})])
    assert conn.closed, "a connection left mid-pipeline is closed"


@pytest.mark.req("DUR-005.4")
def test_a_server_that_answered_no_sync_is_an_operational_error(
    conn: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read of the answers finds none before the ``Sync``'s (the answers of a
    statement the server is still running): ``OperationalError``, the connection
    closed."""

    def nothing(_: object) -> Generator[object, object, list[object]]:
        return []
        yield  # a generator, as psycopg's are

    monkeypatch.setattr(_pg_wire, "generators", _generators_with("fetch_many", nothing))
    with pytest.raises(psycopg.OperationalError, match="no Sync"):
        _pg_wire.pipeline(conn, [(_SLOW, {}), (_ONE, {})])
    assert conn.closed
