"""A request that asks for its answer as one blob gets it so (PORT-008.3).

A courier asks a loopback server through the reference's port service with
``port-answer: blob``: the response's content is one blob whose data is the body and whose
headers are the kept headers, where PORT-008.1 gives a tree; a ``port-answer`` that is
neither form is refused ``port-invalid``.  Expected values come from the clause and the
server's own bytes.
"""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from port_requests import courier_request, loopback_rule

from gritwit import Blob, GritObject, ObjectId, Store, Tree
from gritwit.runtime import HTTP, SERVICE_TEST_ACTORS, PortService, Runtime, parse_policy
from gritwit.wit import TEST_ACTORS, mailbox_map, test_actor_core

ACTORS = {**TEST_ACTORS, **SERVICE_TEST_ACTORS}
BODY = b'{"answer": "forty-two"}'


class _Json(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


def _answer(answer: str) -> tuple[Store, dict[str, str], GritObject]:
    """The one message the port sent a courier that asked with ``port-answer: answer``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Json)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = int(server.server_address[1])
    store = Store.memory()
    runtime = Runtime(store, actors=ACTORS)
    try:

        async def ask() -> ObjectId:
            core, objects = test_actor_core("courier", {})
            courier = await runtime.genesis(core, objects)
            url = f"http://127.0.0.1:{port}/v1"
            content, made = courier_request(url, **{"port-answer": answer})
            await runtime.send(courier, content, {"mt": "port"}, made, False)
            await runtime.run_until_quiescent()
            return courier

        courier = asyncio.run(ask())
        rule = loopback_rule(port, courier)
        service = PortService(runtime.service_door, policy=parse_policy([rule]))
        service.run_pass()
        while service.in_flight:
            service.wait(1.0)
            service.run_pass()
        service.run_pass()
        service.close()
        head = store.get_ref(f"heads/{HTTP.hex()}")
        assert head is not None
        step = store.get_object(head)
        message = store.get_object(mailbox_map(store, step.outbox)[courier])  # type: ignore[union-attr]
        return store, dict(message.headers), store.get_object(message.content)  # type: ignore[union-attr]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.req("PORT-008.3", "PORT-008.1")
def test_a_blob_answer_is_one_blob_of_the_body_with_the_kept_headers() -> None:
    _, headers, content = _answer("blob")
    assert headers["mt"] == "port-response" and headers["port-status"] == "200", headers
    assert isinstance(content, Blob), f"PORT-008.3: expected one blob as content, got {content!r}"
    assert content.data == BODY, "PORT-008.3: the blob's data is the response's body"
    assert dict(content.headers) == {"content-type": "application/json"}, (
        "PORT-008.3: the blob's headers are the kept headers (content-type by default)"
    )


@pytest.mark.req("PORT-008.3", "PORT-008.1")
def test_a_tree_answer_is_the_tree_of_headers_and_body() -> None:
    store, _, content = _answer("tree")
    assert isinstance(content, Tree), f"PORT-008.1: expected the tree, got {content!r}"
    body = store.get_object(content.entries["body"])
    assert isinstance(body, Blob) and body.data == BODY


@pytest.mark.req("PORT-008.3", "PORT-008.2")
def test_an_unknown_answer_form_is_refused_port_invalid() -> None:
    _, headers, _ = _answer("json")
    assert (headers["mt"], headers["error"], headers["clause"]) == (
        "port-failed",
        "port-invalid",
        "PORT-008.3",
    ), f"PORT-008.3: a port-answer of 'json' should be refused port-invalid, got {headers}"
