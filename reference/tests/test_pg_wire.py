"""A write's statements on libpq's own calls (DUR-005.4): ``store/_pg_wire.py``.

* parameters go in binary and come back as they went: ``bytea``, ``bytea[]`` (empty,
  with empty elements, with ``NULL``), ``int4[]``, ``int8``, ``bool``, ``text``
  (a property test against the server); every element of an ``int4[]``, ``int8[]``
  and ``bytea[]``, ``NULL`` too, is read by the server in its place (another);
* the first error the server answers is raised as psycopg raises it, once every answer
  was read, the statements after it skipped, the connection usable after;
* a statement prepared here survives psycopg's ``DEALLOCATE ALL`` (sent after a
  ``ROLLBACK`` it saw): the pipeline naming it is sent again, preparing it anew;
* the write's plan, made once per connection while a new store's tables are a few
  pages, looks every row up by its key — no scan of a whole table — once they have
  grown (it cost 2.1 ms of the server's CPU per counter transition, 0.6 once planned
  right).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gritwit as g
from gritwit.store import Store, _pg_commit, _pg_wire, create_schema
from gritwit.store._pg_wire import (
    BOOL,
    BYTEA,
    BYTEA_ARRAY,
    INT4,
    INT4_ARRAY,
    INT8,
    INT8_ARRAY,
    TEXT,
    Sql,
)
from gritwit.store._postgres import JOURNAL_KEPT, JOURNAL_PRUNE_EVERY, PostgresBackend


@pytest.fixture(scope="module")
def conn(pg_cluster: object) -> Iterator[psycopg.Connection]:
    database = pg_cluster.create_database()  # type: ignore[attr-defined]
    with psycopg.connect(database, autocommit=True) as opened:
        yield opened


_ECHO = Sql.of(
    "SELECT %(one)s, %(many)s, %(ints)s, %(big)s, %(yes)s, %(text)s, %(one)s",
    {
        "one": BYTEA,
        "many": BYTEA_ARRAY,
        "ints": INT4_ARRAY,
        "big": INT8,
        "yes": BOOL,
        "text": TEXT,
    },
    "gritwit_test_echo",
)


@pytest.mark.req("DUR-005.4")
def test_placeholders_become_numbered_parameters_once_each() -> None:
    sql = Sql.of("SELECT %(a)s, %(b)b, %(a)s, 100 %% 7", {"a": INT4, "b": BYTEA})
    assert sql.text == b"SELECT $1, $2, $1, 100 % 7"
    assert (sql.params, sql.types) == (("a", "b"), (INT4, BYTEA))
    with pytest.raises(ValueError, match="no type for parameters"):
        Sql.of("SELECT %(a)s, %(c)s", {"a": INT4})


@pytest.mark.req("DUR-005.4")
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    one=st.binary(max_size=40),
    many=st.lists(st.one_of(st.none(), st.binary(max_size=40)), max_size=6),
    ints=st.lists(st.integers(-(2**31), 2**31 - 1), max_size=6),
    big=st.integers(-(2**63), 2**63 - 1),
    yes=st.booleans(),
    text=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0")),
)
def test_binary_parameters_come_back_as_they_went(
    conn: psycopg.Connection,
    one: bytes,
    many: list[bytes | None],
    ints: list[int],
    big: int,
    yes: bool,
    text: str,
) -> None:
    params = {"one": one, "many": many, "ints": ints, "big": big, "yes": yes, "text": text}
    (answer,) = _pg_wire.pipeline(conn, [(_ECHO, params)])
    assert answer is not None
    assert bytes(answer.get_value(0, 0)) == one == bytes(answer.get_value(0, 6))
    assert _pg_wire.bytea_array(answer.get_value(0, 1)) == [m for m in many if m is not None]
    assert bytes(answer.get_value(0, 4)) == (b"\x01" if yes else b"\x00")
    assert bytes(answer.get_value(0, 5)).decode() == text
    assert int.from_bytes(bytes(answer.get_value(0, 3)), "big", signed=True) == big


_ARRAYS_AS_JSON = Sql.of(
    "SELECT array_to_json(%(ints)s)::text, array_to_json(%(bigs)s)::text,"
    " (SELECT json_agg(encode(x, 'hex') ORDER BY n)::text"
    "  FROM unnest(%(many)s) WITH ORDINALITY AS m (x, n))",
    {"ints": INT4_ARRAY, "bigs": INT8_ARRAY, "many": BYTEA_ARRAY},
    "gritwit_test_arrays",
)


@pytest.mark.req("DUR-005.4")
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ints=st.lists(st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1)), max_size=6),
    bigs=st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), max_size=6),
    many=st.lists(st.one_of(st.none(), st.binary(max_size=40)), max_size=6),
)
def test_every_element_of_an_array_is_read_by_the_server_in_its_place(
    conn: psycopg.Connection,
    ints: list[int | None],
    bigs: list[int | None],
    many: list[bytes | None],
) -> None:
    """``int4[]``, ``int8[]`` and ``bytea[]``, each element and ``NULL`` in its place, as
    the server reads them (its JSON of each array)."""
    params = {"ints": ints, "bigs": bigs, "many": many}
    (answer,) = _pg_wire.pipeline(conn, [(_ARRAYS_AS_JSON, params)])
    assert answer is not None
    values = [answer.get_value(0, column) for column in range(3)]
    read = [None if v is None else json.loads(bytes(v)) for v in values]
    assert read[0] == ints and read[1] == bigs  # an empty array is read as one: []
    assert read[2] == ([None if m is None else m.hex() for m in many] or None)  # no rows: NULL


@pytest.mark.req("DUR-005.4")
def test_arrays_are_read_by_the_server_as_the_values_sent(conn: psycopg.Connection) -> None:
    """The binary arrays are what the server reads: each element, ``NULL`` and empty kept."""
    sql = Sql.of(
        "SELECT array_length(%(many)s, 1), %(many)s[2] IS NULL, length(%(many)s[3]),"
        " %(ints)s[1] + %(ints)s[2], cardinality(%(none)s)",
        {"many": BYTEA_ARRAY, "ints": INT4_ARRAY, "none": BYTEA_ARRAY},
    )
    params = {"many": [b"a", None, b""], "ints": [2**31 - 1, -(2**31)], "none": []}
    (answer,) = _pg_wire.pipeline(conn, [(sql, params)])
    assert answer is not None
    row = [bytes(answer.get_value(0, i)) for i in range(5)]
    assert [int.from_bytes(v, "big", signed=True) for v in (row[0], row[2], row[3], row[4])] == [
        3,
        0,
        -1,
        0,
    ]
    assert row[1] == b"\x01"


@pytest.mark.req("DUR-005.4")
def test_the_first_error_is_raised_after_every_answer_and_the_rest_skipped(
    conn: psycopg.Connection,
) -> None:
    begin, commit = Sql.of("BEGIN", {}), Sql.of("COMMIT", {})
    boom = Sql.of("SELECT 1 / %(zero)s", {"zero": INT4})
    after = Sql.of("SELECT 2", {})
    with pytest.raises(psycopg.errors.DivisionByZero):
        _pg_wire.pipeline(conn, [(begin, {}), (boom, {"zero": 0}), (after, {}), (commit, {})])
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
    _pg_wire.rollback(conn)
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    (answer,) = _pg_wire.pipeline(conn, [(after, {})])
    assert answer is not None and answer.ntuples == 1


@pytest.mark.req("DUR-005.4")
def test_a_statement_prepared_here_survives_psycopgs_deallocate_all(
    conn: psycopg.Connection,
) -> None:
    """psycopg deallocates every prepared statement after a ``ROLLBACK`` it saw; the next
    pipeline naming one of this module's is sent again, preparing it anew."""
    sql = Sql.of("SELECT %(x)s + 1", {"x": INT4}, "gritwit_test_survives")
    assert _pg_wire.pipeline(conn, [(sql, {"x": 1})])[0] is not None
    assert b"gritwit_test_survives" in _pg_wire._PREPARED[conn]
    for _ in range(6):  # psycopg prepares its own statement on its fifth run
        conn.execute("SELECT %s::int", (1,))
    conn.execute("BEGIN")
    conn.execute("ROLLBACK")  # psycopg sends DEALLOCATE ALL after it
    (named,) = conn.execute(
        "SELECT count(*) FROM pg_prepared_statements WHERE name = 'gritwit_test_survives'"
    ).fetchone()  # type: ignore[misc]
    assert named == 0, "psycopg no longer deallocates: this test no longer tests anything"
    (answer,) = _pg_wire.pipeline(conn, [(sql, {"x": 41})])
    assert answer is not None
    assert int.from_bytes(bytes(answer.get_value(0, 0)), "big") == 42


@pytest.mark.req("DUR-005.4", "DUR-005.6")
def test_the_writes_plan_made_on_a_new_store_looks_rows_up_by_key(pg_database: str) -> None:
    """The statements of a whole write (one per table change, DUR-005.6) are planned once
    per connection, at their first run: on a new store, over tables of a few pages.
    Once they have grown, those plans still read ``objects``, ``refs`` and
    ``tombstones`` by their keys, never whole."""
    store = Store.open(create_schema(pg_database))
    plans: dict[str, str] = {}
    try:
        backend = store.backend
        assert isinstance(backend, PostgresBackend)
        blobs = [g.encode_object(g.Blob(data=b"grown %d" % i)) for i in range(3000)]
        ids = [g.object_id(g.decode_object(blob)) for blob in blobs]
        # a swap of each kind: set from unset, moved, deleted
        swaps = [("names/a", None, ids[0]), ("names/b", ids[0], ids[1]), ("names/c", ids[0], None)]
        names = [name.encode() for name, _, _ in swaps]
        calls = _pg_commit._whole(
            _pg_commit._sorted([(ids[0], blobs[0])]),
            names,
            swaps,
            [0],
            (JOURNAL_KEPT, JOURNAL_PRUNE_EVERY),
        )
        assert len(calls) == 4, "the whole write no longer has a statement per table change"
        with backend._connection() as conn:
            begin = Sql.of("BEGIN", {})
            with pytest.raises(psycopg.errors.InvalidTextRepresentation):
                _pg_wire.pipeline(conn, [(begin, {}), *calls])  # prepared, then lost
            _pg_wire.rollback(conn)
            store.put_objects([g.decode_object(blob) for blob in blobs])  # the tables grow
            for i in range(40):
                store.cas_ref(f"names/grown/{i}", None, ids[i])
            literal = psycopg.ClientCursor(conn)
            casts = {BYTEA_ARRAY: "bytea[]", INT4_ARRAY: "int4[]", INT4: "int4", INT8: "int8"}
            casts.update({BOOL: "bool", TEXT: "text"})
            for sql, params in calls:
                args = ", ".join(
                    f"%({k})s::{casts[t]}" for k, t in zip(sql.params, sql.types, strict=True)
                )
                name = str(sql.name, "ascii")
                plans[name] = "\n".join(
                    row[0] for row in literal.execute(f"EXPLAIN EXECUTE {name}({args})", params)
                )
    finally:
        store.close()
    assert "gritwit_whole" in plans, plans.keys()
    for name, plan in plans.items():
        for table in ("objects", "refs", "tombstones"):
            assert f"Seq Scan on {table}" not in plan, (name, plan)
        assert "Hash Join" not in plan and "Hash Anti Join" not in plan, (name, plan)


@pytest.mark.req("DUR-005.4")
def test_a_pipeline_that_prepared_one_statement_and_missed_another_is_sent_again(
    conn: psycopg.Connection,
) -> None:
    """The first attempt prepares a new statement, then names one the server dropped: the
    retry prepares only what the server does not hold (not the new one again)."""
    dropped = Sql.of("SELECT %(x)s + 2", {"x": INT4}, "gritwit_test_dropped")
    fresh = Sql.of("SELECT %(x)s + 3", {"x": INT4}, "gritwit_test_fresh")
    assert _pg_wire.pipeline(conn, [(dropped, {"x": 0})])[0] is not None
    conn.execute("DEALLOCATE gritwit_test_dropped")  # behind this module's back
    first, second = _pg_wire.pipeline(conn, [(fresh, {"x": 1}), (dropped, {"x": 1})])
    assert first is not None and second is not None
    assert [int.from_bytes(bytes(a.get_value(0, 0)), "big") for a in (first, second)] == [4, 3]


@pytest.mark.req("DUR-005.4")
def test_a_pipeline_larger_than_the_drivers_buffer_is_sent_whole(
    conn: psycopg.Connection,
) -> None:
    """A statement of megabytes (a bundle's objects) is flushed whole before the answers
    are awaited: reading first would wait for answers to bytes the server never got (a
    run of the store's profile timed out so on a 16 MiB bundle)."""
    big = Sql.of("SELECT length(%(data)s)", {"data": BYTEA})
    data = bytes(range(256)) * (12 * 4096)  # 12 MiB
    done: list[object] = []
    thread = threading.Thread(
        target=lambda: done.append(_pg_wire.pipeline(conn, [(big, {"data": data})])[0]),
        daemon=True,
    )
    thread.start()
    thread.join(120)  # a bound against a hang, not a measure: it takes well under a second
    assert done, "the pipeline waited for answers before the statement was sent"
    answer: Any = done[0]
    assert answer is not None
    assert int.from_bytes(bytes(answer.get_value(0, 0)), "big") == len(data)
