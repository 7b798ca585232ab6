"""``gritwit serve`` loads the port's policy and secrets from the operator and runs the
port service beside the timers (PORT-002.1, PORT-009.1): a courier created over HTTP asks
the port, the request reaches a loopback server with the secret in its header, and the
answer is a message whose stored bytes hold the secret's reference, not its value.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from serve_helpers import serving

from gritwit import Store
from gritwit.runtime import HTTP, Secrets, parse_policy
from gritwit.serve import EngineSettings
from gritwit.wit import mailbox_map, test_actor_core

VALUE = "Hunter2-serve-Value"


class _Echo(BaseHTTPRequestHandler):
    got: list[str] = []  # noqa: RUF012 - one test's record

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        auth = self.headers.get("authorization", "")
        type(self).got.append(auth)
        body = auth.encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _answered(where: Path) -> bool:
    """Whether the port party sent anything yet (a second reader of the store)."""
    with Store.open(where) as store:
        head = store.get_ref(f"heads/{HTTP.hex()}")
        step = None if head is None else store.get_object(head)
        return step is not None and bool(mailbox_map(store, step.outbox))  # type: ignore[union-attr]


@pytest.mark.req("PORT-009.1", "PORT-002.1", "PORT-009.4")
def test_serve_runs_the_port_with_the_operators_policy_and_secrets(tmp_path: Path) -> None:
    _Echo.got = []
    world = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=world.serve_forever, daemon=True).start()
    port = int(world.server_address[1])
    code = test_actor_core("courier", {})[0].entries["wit"].hex()  # its code id (PORT-003.2)
    rules = [
        {
            "scheme": "http",
            "host": "127.0.0.1",
            "port": port,
            "path": "/",
            "actors": [code],
            "addresses": ["127.0.0.1/32"],
        }
    ]
    settings = EngineSettings(port_policy=parse_policy(rules), secrets=Secrets({"t": VALUE}))
    try:
        with serving(tmp_path / "store", settings=settings) as one:
            made = one.client.post("/v1/actors", json={"test": "courier"})
            assert made.status_code == 201, made.text
            actor = made.json()["actor"]
            request = {
                "blob": "",
                "headers": {
                    "mt": "port-request",
                    "port-method": "GET",
                    "port-url": f"http://127.0.0.1:{port}/",
                },
            }
            content = {
                "tree": {"headers": {"blob": "", "headers": {"authorization": "${secret:t}"}}}
            }
            body = {"mt": "port", "content": {"tree": {"request": request, "content": content}}}
            sent = one.client.post(f"/v1/actors/{actor}/messages", json=body)
            assert sent.status_code in (200, 201, 202), sent.text
            deadline = time.monotonic() + 30
            while not _answered(tmp_path / "store") and time.monotonic() < deadline:
                time.sleep(0.05)  # the answer's step, adopted by the runner woken for it
        assert _Echo.got == [VALUE]
        with Store.open(tmp_path / "store") as store:
            head = store.get_ref(f"heads/{HTTP.hex()}")
            assert head is not None
            step = store.get_object(head)
            answer = mailbox_map(store, step.outbox)  # type: ignore[union-attr]
            assert len(answer) == 1
            (message_id,) = answer.values()
            message = store.get_object(message_id)
            assert message.headers["port-status"] == "200"  # type: ignore[union-attr]
            tree = store.get_object(message.content)  # type: ignore[union-attr]
            data = store.get(tree.entries["body"])  # type: ignore[union-attr,index]
            assert VALUE.encode() not in data and b"${secret:t}" in data
    finally:
        world.shutdown()
        world.server_close()
