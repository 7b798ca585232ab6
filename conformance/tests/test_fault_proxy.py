"""The suite's fault proxy does what its tests rely on (ADP-022.3), against an echo server.

No database: a loopback echo server in a thread stands for a store's server.  Each fault
is checked from the client's side — a refused connect, a closed connection, an answer
that never comes after a cut write, bytes still forwarded in order when delayed — and
``store_server``'s two forms are read, and malformed ones refused (ADP-022.1).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit_conformance.harness import FaultProxy, parse_server

#: Seconds a client socket waits: a bound on a hang, not a timing assertion.
WAIT = 10.0


@pytest.fixture
def echo() -> Iterator[tuple[str, int]]:
    """A loopback server that echoes every connection until the client closes it."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve_one(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()
    stop.set()
    thread.join(WAIT)
    listener.close()


def _client(proxy: FaultProxy) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", proxy.port), timeout=WAIT)
    client.settimeout(WAIT)
    return client


def _exchange(client: socket.socket, data: bytes) -> bytes:
    client.sendall(data)
    got = b""
    while len(got) < len(data):
        chunk = client.recv(65536)
        if not chunk:
            break
        got += chunk
    return got


@pytest.mark.req("ADP-022.3")
def test_it_forwards_and_counts(echo: tuple[str, int]) -> None:
    with FaultProxy(echo) as proxy, _client(proxy) as client:
        assert proxy.address == f"127.0.0.1:{proxy.port}"
        assert _exchange(client, b"hello") == b"hello"
        seen = proxy.stats()
        assert (seen.connections, seen.bytes_up, seen.bytes_down, seen.cuts) == (1, 5, 5, 0)


@pytest.mark.req("ADP-022.3", "DUR-006.1")
def test_refused_then_accepted_again(echo: tuple[str, int]) -> None:
    with FaultProxy(echo) as proxy:
        open_before = _client(proxy)
        assert _exchange(open_before, b"a") == b"a"
        proxy.refuse()
        assert open_before.recv(10) == b""  # closed with the listener
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", proxy.port), timeout=WAIT)
        proxy.accept()
        with _client(proxy) as client:
            assert _exchange(client, b"again") == b"again"
        open_before.close()


@pytest.mark.req("ADP-022.3")
def test_dropped_connections_close_and_new_ones_are_served(echo: tuple[str, int]) -> None:
    with FaultProxy(echo) as proxy:
        first = _client(proxy)
        assert _exchange(first, b"x") == b"x"
        proxy.drop()
        assert first.recv(10) == b""
        first.close()
        with _client(proxy) as second:
            assert _exchange(second, b"y") == b"y"


@pytest.mark.req("ADP-022.3", "DUR-006.2", "DUR-007.2")
def test_a_cut_lets_the_write_go_up_and_never_answers(echo: tuple[str, int]) -> None:
    with FaultProxy(echo) as proxy:
        with _client(proxy) as warm:
            assert _exchange(warm, b"warm") == b"warm"  # not armed: forwarded
        proxy.cut_after(1000)
        with _client(proxy) as client:
            assert _exchange(client, b"s" * 999) == b"s" * 999  # below the threshold
            client.sendall(b"w" * 2)  # the threshold crossed: the answer is cut
            assert client.recv(10) == b""
        seen = proxy.stats()
        assert seen.cuts == 1 and seen.up_after_cut == 0
        with _client(proxy) as after:  # disarmed by the cut; counted as sent after it
            assert _exchange(after, b"z" * 3) == b"z" * 3
        assert proxy.stats().up_after_cut == 3
        with pytest.raises(ValueError):
            proxy.cut_after(0)


@pytest.mark.req("ADP-022.3")
def test_delayed_bytes_arrive_whole_and_in_order(echo: tuple[str, int]) -> None:
    with FaultProxy(echo, delay=0.02) as proxy, _client(proxy) as client:
        data = bytes(range(256)) * 300
        assert _exchange(client, data) == data


@pytest.mark.req("ADP-022.1")
def test_store_server_forms() -> None:
    assert parse_server("/run/pg/.s.PGSQL.5432") == "/run/pg/.s.PGSQL.5432"
    assert parse_server("db:1") == ("db", 1)
    assert parse_server("db:65535") == ("db", 65535)
    assert parse_server("[::1]:5432") == ("::1", 5432)
    for bad in ("db", "db:", ":5432", "db:0", "db:65536", "db:x", "db:٣", "relative/path:1x"):
        with pytest.raises(ValueError):
            parse_server(bad)


@given(st.integers(min_value=-(10**6), max_value=10**6))
@pytest.mark.req("ADP-022.1")
def test_store_server_ports(port: int) -> None:
    text = f"host:{port}"
    if 0 < port < 65536:
        assert parse_server(text) == ("host", port)
    else:
        with pytest.raises(ValueError):
            parse_server(text)
