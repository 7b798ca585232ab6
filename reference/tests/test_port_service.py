"""The reference's port service through its Python API (PORT-002, PORT-006, PORT-007).

A request accepted (its port step adopted) whose answer was never adopted, because the
service stopped before it sent it, is sent by the next service on the same store with the
same key, and answered once; a loopback server here counts what it got.  Expected values
come from the clauses: the key is the request's id and its sender's (PORT-006.1).
"""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gritwit import Blob, ObjectId, Store, Tree, object_id
from gritwit.runtime import (
    HTTP,
    SERVICE_TEST_ACTORS,
    PortService,
    Runtime,
    parse_policy,
    requests_in_flight,
)
from gritwit.wit import TEST_ACTORS, mailbox_map, test_actor_core

ACTORS = {**TEST_ACTORS, **SERVICE_TEST_ACTORS}


class _Counting(BaseHTTPRequestHandler):
    keys: list[str] = []

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return None

    def do_GET(self) -> None:  # noqa: N802 - the handler's name
        type(self).keys.append(self.headers.get("idempotency-key", ""))
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def _port_messages(store: Store, actor: ObjectId) -> list[dict[str, str]]:
    head = store.get_ref(f"heads/{HTTP.hex()}")
    if head is None:
        return []
    step = store.get_object(head)
    last = mailbox_map(store, step.outbox).get(actor)  # type: ignore[union-attr]
    out = []
    while last is not None:
        message = store.get_object(last)
        out.append(dict(message.headers))  # type: ignore[union-attr]
        last = message.previous  # type: ignore[union-attr]
    return out[::-1]


@pytest.mark.req("PORT-006.2", "PORT-006.1", "PORT-007.1", "PORT-006.3", "PORT-002.2")
def test_a_request_in_flight_at_a_stop_is_sent_again_with_its_key_and_answered_once(
    tmp_path: Path,
) -> None:
    _Counting.keys = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = int(server.server_address[1])
    where = tmp_path / "store"
    try:
        with Store.open(where) as store:
            runtime = Runtime(store, actors=ACTORS)

            async def ask() -> ObjectId:
                core, objects = test_actor_core("courier", {})
                courier = await runtime.genesis(core, objects)
                await runtime.run_until_quiescent()
                request = Blob(data=b"", headers={"mt": "port-request", "port-method": "GET",
                                                  "port-url": f"http://127.0.0.1:{port}/x"})  # fmt: skip
                heads = Blob(data=b"")
                content = Tree(entries={"headers": object_id(heads)})
                tree = Tree(entries={"request": object_id(request), "content": object_id(content)})
                await runtime.send(courier, object_id(tree), {"mt": "port"},
                                   [request, heads, content, tree], False)  # fmt: skip
                await runtime.run_until_quiescent()
                return courier

            courier = asyncio.run(ask())
            policy = parse_policy([{"scheme": "http", "host": "127.0.0.1", "port": port, "path": "/",
                                    "actors": [courier.hex()], "addresses": ["127.0.0.1/32"]}])  # fmt: skip
            first = PortService(runtime.service_door, policy=policy)
            first.close()  # it sends nothing: as a kill right after the accepting step
            assert first.run_pass() is not None  # the accepting step, adopted
            accepted = requests_in_flight(store)
            runtime.flush()
        assert len(accepted) == 1 and _Counting.keys == []
        ((sender, rid),) = accepted
        with Store.open(where) as store:  # a restart from the store alone
            runtime = Runtime(store, actors=ACTORS)
            again = PortService(runtime.service_door, policy=policy)
            again.run_pass()  # finds the request in flight and sends it (PORT-006.2)
            while again.in_flight:
                again.wait(1.0)
                again.run_pass()
            again.run_pass()
            assert requests_in_flight(store) == {}
            answers = _port_messages(store, courier)
            again.close()
            runtime.flush()
        assert _Counting.keys == [rid.hex() + sender.hex()]
        assert [(a["mt"], a["port-id"], a["port-status"]) for a in answers] == [
            ("port-response", rid.hex(), "200")
        ]
    finally:
        server.shutdown()
        server.server_close()
