"""A stand-in for a chat-completions model endpoint, on loopback, for the agent's guide.

``POST /v1/chat/completions`` with ``Authorization: Bearer KEY`` and a JSON body with
``model`` and ``messages`` answers a chat completion whose text quotes the last user
message, with markup characters in it (so a page that does not escape them shows it);
a wrong or missing key answers 401, a body that is not such JSON 400, as a real endpoint
does.  Every request is recorded (:attr:`StandIn.requests`), so a test reads what the
port sent.  Run it by hand with ``python reference/tests/standin_model.py --listen
127.0.0.1:8399 --key KEY``; the tests start it with :func:`standing_in`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: The path a chat-completions endpoint answers on.
PATH = "/v1/chat/completions"


def answer_text(question: str) -> str:
    """The stand-in's answer to ``question``: markup characters on purpose."""
    return f"A stand-in model read <{question}> & answered: 42."


@dataclass(frozen=True, slots=True)
class Seen:
    """One request the stand-in got: its method, path, headers (lowercase) and body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class StandIn:
    """A running stand-in: its URL (of the endpoint), key and what it got."""

    url: str
    key: str
    requests: list[Seen] = field(default_factory=list)


def _handler(state: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def _reply(self, status: int, value: Any) -> None:
            data = json.dumps(value).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0") or 0)
            body = self.rfile.read(min(length, 1 << 20))
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append(Seen("POST", self.path, headers, body))
            if self.path != PATH:
                return self._reply(404, {"error": {"message": "no such endpoint"}})
            if headers.get("authorization") != f"Bearer {state.key}":
                return self._reply(401, {"error": {"message": "invalid api key"}})
            try:
                request = json.loads(body)
                question = [m for m in request["messages"] if m["role"] == "user"][-1]["content"]
                model = str(request["model"])
            except (ValueError, KeyError, IndexError, TypeError):
                return self._reply(400, {"error": {"message": "not a chat completion request"}})
            choice = {
                "index": 0,
                "message": {"role": "assistant", "content": answer_text(str(question))},
                "finish_reason": "stop",
            }
            return self._reply(
                200,
                {
                    "id": "chatcmpl-standin",
                    "object": "chat.completion",
                    "model": model,
                    "choices": [choice],
                },
            )

    return Handler


@contextlib.contextmanager
def standing_in(key: str, host: str = "127.0.0.1", port: int = 0) -> Iterator[StandIn]:
    """A stand-in on ``host:port`` (a free port for 0) until the block ends."""
    state = StandIn(url="", key=key)
    server = ThreadingHTTPServer((host, port), _handler(state))
    state.url = f"http://{host}:{server.server_address[1]}{PATH}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:8399", metavar="HOST:PORT")
    parser.add_argument("--key", required=True, help="the bearer key it accepts")
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    with standing_in(args.key, host, int(port)) as state:
        print(f"stand-in model: {state.url}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
