"""The PostgreSQL store's faults by their own names, and settling an unknown send.

Each test runs on a throwaway cluster of its own module (``pg_server.py``), since two
stop or reconfigure the server:

* a URL where no server listens → ``store-unavailable`` through ``Store.open`` and the
  adapter (DUR-006.1), never ``internal`` (ADP-007); a server stopped (immediate) between
  commands → ``store-unavailable`` for a read; a pooled connection the server ended
  meanwhile is replaced, and the read succeeds (DUR-006.1);
* a send whose connection is terminated (``pg_terminate_backend`` from a second
  connection) while the write is held in the server → ``outcome-unknown`` naming its
  message (DUR-006.2, RUN-019.6), both ways: held before its commit by a lock on the
  ``gritwit_writer`` row (it never commits: settled absent), and held in its ``COMMIT``
  waiting for a synchronous standby that does not exist (it committed locally: settled
  sent) — DUR-006.3;
* the kill family's client (``_multi.send_settled``) settles the committed one and
  delivers it once; the wrong client that sends again blindly delivers it twice, and the
  family's own check of the queue (``_queue``) reports the duplicate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

psycopg = pytest.importorskip("psycopg")

from pg_server import Cluster, ClusterUnavailable, start_cluster  # noqa: E402

import gritwit as g  # noqa: E402
from gritwit.adapter import ReferenceAdapter  # noqa: E402
from gritwit.store import Store  # noqa: E402
from gritwit_conformance.harness._messages import Response  # noqa: E402
from gritwit_conformance.suite.runtime import _multi  # noqa: E402
from gritwit_conformance.suite.runtime.test_multi_runtime import _queue  # noqa: E402

Json = dict[str, Any]
#: Seconds to wait for the held write to show in ``pg_stat_activity``: a bound on a hang.
WAIT_LIMIT = 60.0


def _cluster() -> Cluster:
    try:
        return start_cluster()
    except ClusterUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    started = _cluster()
    yield started
    started.stop()


class Adapter:
    """The reference's adapter in this process, with the suite's ``call`` (ADP-003)."""

    def __init__(self, url: str) -> None:
        self.handler = ReferenceAdapter(store_url=url)
        self.seq = 0

    def call(self, cmd: str, **args: Any) -> Response:
        self.seq += 1
        answer = self.handler.handle({"seq": self.seq, "cmd": cmd, **args})
        ok = bool(answer["ok"])
        result = {k: v for k, v in answer.items() if k not in ("seq", "ok")}
        return Response(self.seq, ok, result if ok else {}, answer.get("error", {}), cmd)


def _unreachable(tmp_path: Path) -> str:
    """A store URL whose socket directory holds no server."""
    empty = tmp_path / "no-server"
    empty.mkdir()
    return f"postgresql://nobody@/postgres?host={quote(str(empty), safe='')}&connect_timeout=5"


@pytest.mark.req("DUR-006.1")
def test_unreachable_store_is_store_unavailable(tmp_path: Path) -> None:
    """Store.open of a URL where nothing listens: ``store-unavailable``, not a bug."""
    with pytest.raises(g.StoreUnavailable) as raised:
        Store.open(_unreachable(tmp_path))
    assert raised.value.error_class == "store-unavailable"
    assert raised.value.requirement == "DUR-006.1"


@pytest.mark.req("DUR-006.1", "ADP-007")
def test_unreachable_store_through_the_adapter(tmp_path: Path) -> None:
    adapter = Adapter(_unreachable(tmp_path))
    (tmp_path / "store").mkdir()
    reply = adapter.call("rt-open", path=str(tmp_path / "store"), time_limit=5)
    assert not reply.ok and reply.error["class"] == "store-unavailable", reply


@pytest.mark.req("DUR-006.1")
def test_a_read_after_the_server_stopped_is_store_unavailable() -> None:
    own = _cluster()
    try:
        store = Store.open(own.create_database())
        blob = g.Blob(data=b"kept")
        oid = store.put_object(blob)
        assert store.get_object(oid) == blob
        own.stop()  # immediate shutdown, between two commands
        with pytest.raises(g.StoreUnavailable):
            store.get_ref("names/anything")
    finally:
        own.stop()


@pytest.mark.req("DUR-006.1")
def test_a_pooled_connection_the_server_ended_is_replaced_for_a_read(cluster: Cluster) -> None:
    url = cluster.create_database()
    store = Store.open(url)
    oid = store.put_object(g.Blob(data=b"x"))
    with psycopg.connect(cluster.url(url.rsplit("/", 1)[1].split("?")[0]), autocommit=True) as c:
        ended = c.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    assert ended and all(row[0] for row in ended)  # the store's idle connection is gone
    for _ in range(200):  # until the ended session's socket says so
        with psycopg.connect(cluster.url(), autocommit=True) as c:
            left = c.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                (url.rsplit("/", 1)[1].split("?")[0],),
            ).fetchone()
        if left is not None and left[0] == 0:
            break
        time.sleep(0.05)
    assert store.get_object(oid) == g.Blob(data=b"x")  # read again on a new connection, no error


# --- a send whose connection is terminated while the server holds it ----------------------


def _database(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


def _terminate_when(
    cluster: Cluster, database: str, column: str, waiting: str
) -> Callable[[], int]:
    """A function that waits until a session of ``database`` waits on ``waiting`` (its
    ``wait_event_type`` or ``wait_event``: ``column``) and terminates it; it returns the pid."""

    def run() -> int:
        deadline = time.monotonic() + WAIT_LIMIT
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            while time.monotonic() < deadline:
                row = conn.execute(
                    f"SELECT pid FROM pg_stat_activity WHERE datname = %s AND {column} = %s",
                    (database, waiting),
                ).fetchone()
                if row is not None:
                    conn.execute("SELECT pg_terminate_backend(%s)", (row[0],))
                    return int(row[0])
                time.sleep(0.02)
        raise AssertionError(f"no session of {database} waited on {waiting}")

    return run


def _setup(cluster: Cluster, tmp_path: Path) -> tuple[Adapter, str, str, str]:
    """An adapter on a new database, a runtime, and a counter: adapter, handle, counter, db."""
    database_url = cluster.create_database()
    adapter = Adapter(database_url)
    (tmp_path / "s").mkdir()
    handle = str(_multi.ok(adapter, "rt-open", path=str(tmp_path / "s"), time_limit=30)["runtime"])  # type: ignore[arg-type]
    counter = str(
        _multi.ok(adapter, "rt-genesis", runtime=handle, actor="counter", state={})["actor"]  # type: ignore[arg-type]
    )
    return adapter, handle, counter, _database(database_url)


def _inc(counter: str, tag: str) -> tuple[Json, str]:
    """``rt-send`` arguments of an ``inc`` whose content its tag makes unique, and its id."""
    content = g.object_id(g.Blob(data=b"1", headers={"tag": tag})).hex()
    args = {"to": counter, "mt": "inc", "content": {"blob": "31", "headers": {"tag": tag}}}
    return args, content


def _held_send(adapter: Adapter, handle: str, args: Json, terminate: Callable[[], int]) -> Response:
    """``rt-send`` in a thread while ``terminate`` ends its session; the send's answer."""
    answers: list[Response] = []
    sender = threading.Thread(
        target=lambda: answers.append(adapter.call("rt-send", runtime=handle, **args))
    )
    sender.start()
    terminate()
    sender.join(WAIT_LIMIT)
    assert answers, "the held send never answered"
    return answers[0]


def _call(adapter: Adapter, handle: str) -> Callable[..., Json]:
    return lambda cmd, **a: _multi.ok(adapter, cmd, runtime=handle, **a)  # type: ignore[arg-type]


@pytest.mark.req("DUR-006.2", "DUR-006.3", "RUN-019.6")
def test_a_send_dropped_before_its_commit_is_unknown_and_settled_absent(
    cluster: Cluster, tmp_path: Path
) -> None:
    adapter, handle, counter, database = _setup(cluster, tmp_path)
    mailbox = _multi.outside_ref(counter)  # the counter's mailbox of the outside's (RUN-003.4)
    before = adapter.call("rt-ref", runtime=handle, name=mailbox).result["target"]
    args, content = _inc(counter, "held-before-commit")
    schema = (tmp_path / "s" / "gritwit.postgres").read_text().strip()  # ADP-010.6
    end = _terminate_when(cluster, database, "wait_event_type", "Lock")
    locker = psycopg.connect(cluster.url(database), autocommit=True)
    with locker, locker.transaction():  # the gate, taken alone: the send waits for it
        locker.execute(f"SELECT * FROM {schema}.gritwit_parts FOR UPDATE")
        reply = _held_send(adapter, handle, args, end)
    assert not reply.ok and reply.error["class"] == "outcome-unknown", reply
    named = tuple(reply.error["messages"])
    assert len(named) == 1
    call = _call(adapter, handle)
    assert _multi.settle(call, counter, ids=named) is None
    assert _multi.settle(call, counter, content=content) is None
    assert call("rt-ref", name=mailbox)["target"] == before
    again = _multi.ok(adapter, "rt-send", runtime=handle, **args)  # type: ignore[arg-type]
    assert _multi.settle(call, counter, content=content) == again["message"]


def _hold_commits(cluster: Cluster, held: bool) -> None:
    """Make every commit wait for a synchronous standby that never comes, having committed
    locally (``held``), or undo it: a session terminated in that wait is a write that
    committed, its answer lost."""
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        if held:
            conn.execute("ALTER SYSTEM SET synchronous_standby_names = 'gritwit_nobody'")
        else:
            conn.execute("ALTER SYSTEM RESET synchronous_standby_names")
        conn.execute("SELECT pg_reload_conf()")
    time.sleep(0.3)  # the reload reaches the sessions between their commands


class HeldOnce:
    """The adapter, whose first ``rt-send`` commits held in the server and is terminated
    there, answer lost; every other command runs free."""

    def __init__(self, cluster: Cluster, adapter: Adapter, database: str) -> None:
        self.cluster, self.adapter, self.database = cluster, adapter, database
        self.held = False

    def call(self, cmd: str, **args: Any) -> Response:
        if cmd != "rt-send" or self.held:
            return self.adapter.call(cmd, **args)
        self.held = True
        handle = args.pop("runtime")
        _hold_commits(self.cluster, True)
        try:
            end = _terminate_when(self.cluster, self.database, "wait_event", "SyncRep")
            return _held_send(self.adapter, handle, args, end)
        finally:
            _hold_commits(self.cluster, False)


def _family_client(cluster: Cluster, tmp_path: Path, *, blind: bool) -> tuple[_multi.Model, int]:
    """The kill family's client (``blind``: the wrong one) sends an ``inc`` whose commit is
    held and terminated; the family's check of the counter's queue; how often it sent again."""
    adapter, handle, counter, database = _setup(cluster, tmp_path)
    tag = "w0-0001"
    args, content = _inc(counter, tag)
    model = _multi.Model()
    model.tags[content] = tag
    held = HeldOnce(cluster, adapter, database)
    message, again = _multi.send_settled(held, handle, args, content, blind=blind)  # type: ignore[arg-type]
    assert held.held
    model.acked[counter] = [(message, tag)]
    reader = _multi.Reader(adapter, tmp_path / "s")  # type: ignore[arg-type]
    tags = _queue(reader, model, counter, reader.outside_entry(counter))
    assert tag in tags
    return model, again


@pytest.mark.req("DUR-006.2", "DUR-006.3", "RUN-019.6")
def test_a_send_dropped_after_its_commit_is_unknown_and_settled_sent(
    cluster: Cluster, tmp_path: Path
) -> None:
    adapter, handle, counter, database = _setup(cluster, tmp_path)
    args, content = _inc(counter, "held-in-commit")
    reply = HeldOnce(cluster, adapter, database).call("rt-send", runtime=handle, **args)
    assert not reply.ok and reply.error["class"] == "outcome-unknown", reply
    (named,) = reply.error["messages"]
    call = _call(adapter, handle)
    assert _multi.settle(call, counter, ids=(named,)) == named
    assert _multi.settle(call, counter, content=content) == named


@pytest.mark.req("RUN-019.6")
def test_the_family_client_settles_an_unknown_send_and_delivers_it_once(
    cluster: Cluster, tmp_path: Path
) -> None:
    model, again = _family_client(cluster, tmp_path, blind=False)
    assert again == 0
    assert model.anomalies == []


@pytest.mark.req("RUN-019.6")
def test_a_client_sending_an_unknown_send_again_blindly_is_caught_as_a_duplicate(
    cluster: Cluster, tmp_path: Path
) -> None:
    """The wrong client (``GRITWIT_MULTI_RUNTIME_BLIND``) sends again without settling:
    the send had committed, so the family's check finds it in the queue twice."""
    model, again = _family_client(cluster, tmp_path, blind=True)
    assert again == 1
    assert any("twice" in text for text in model.anomalies), model.anomalies
