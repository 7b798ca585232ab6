"""A reference HTTP service in this process, for the ``test_serve_*`` tests.

:func:`serving` starts a :class:`gritwit.serve.Service` on 127.0.0.1, port 0 (a free
port), in a thread with uvicorn and the engine, over a SQLite store in a directory, and
always stops it; :func:`served` is the fixture of one service and an :class:`httpx.Client`
to it (no proxies: loopback only).  :func:`raw` sends bytes on a socket of its own and
reads the answer, for what a polite client cannot send.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

httpx = pytest.importorskip("httpx", reason="needs the test extra: pip install -e '.[test]'")
pytest.importorskip("uvicorn", reason="needs the serve extra: pip install -e '.[serve]'")

from gritwit.serve import EngineSettings, Service, ServiceLimits, ServiceThread  # noqa: E402
from gritwit.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
WASM_COUNTER = ROOT / "conformance" / "wasm" / "actors" / "counter.wasm"
JSON = {"content-type": "application/json"}


@dataclass
class Served:
    """One running service: its URL, a client to it, and the service itself."""

    url: str
    client: httpx.Client
    service: Service
    store_dir: Path


@contextlib.contextmanager
def serving(
    store_dir: Path,
    *,
    settings: EngineSettings | None = None,
    limits: ServiceLimits | None = None,
) -> Iterator[Served]:
    """A service over the store in ``store_dir`` (created if new), stopped at the end."""
    store_dir.mkdir(parents=True, exist_ok=True)
    service = Service(Store.open(store_dir), settings=settings, limits=limits)
    thread = ServiceThread(service)
    url = thread.start()
    client = httpx.Client(base_url=url, timeout=30, trust_env=False)
    try:
        yield Served(url, client, service, store_dir)
    finally:
        client.close()
        thread.stop(timeout=60)
        assert thread.error is None, thread.error


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """One service over a fresh store, with default limits."""
    with serving(tmp_path / "store") as one:
        yield one


def created(client: httpx.Client, **body: Any) -> str:
    """``POST /v1/actors``: the new actor's id (201)."""
    answer = client.post("/v1/actors", json=body)
    assert answer.status_code == 201, answer.text
    actor = answer.json()["actor"]
    assert isinstance(actor, str)
    return actor


def send(
    client: httpx.Client, actor: str, mt: str | None = "inc", data: bytes = b"", **more: Any
) -> httpx.Response:
    """``POST /v1/actors/{actor}/messages`` of a blob of ``data``."""
    body: dict[str, Any] = {"content": {"blob": data.hex()}}
    if mt is not None:
        body["mt"] = mt
    headers = more.pop("headers", None)
    body.update(more)
    return client.post(f"/v1/actors/{actor}/messages", json=body, headers=headers)


def settle(client: httpx.Client, timeout: float = 30.0) -> None:
    answer = client.post("/v1/settle", json={"timeout": timeout})
    assert answer.status_code == 200 and answer.json() == {"quiescent": True}, answer.text


def count(client: httpx.Client, actor: str) -> int:
    answer = client.get(f"/v1/actors/{actor}/queries/count")
    assert answer.status_code == 200, answer.text
    return int(answer.content)


def error_of(answer: httpx.Response, status: int, error_class: str) -> dict[str, Any]:
    """The ``error`` object of a refusal with ``status`` and ``error_class`` (HTTP-003.1)."""
    assert answer.status_code == status, (answer.status_code, answer.text)
    assert answer.headers["content-type"].startswith("application/json"), answer.headers
    body = answer.json()
    assert set(body) == {"error"}, body
    assert body["error"]["class"] == error_class, body
    assert isinstance(body["error"]["message"], str)
    error: dict[str, Any] = body["error"]
    return error


def still_serves(url: str) -> None:
    """Another client is served, and the service is ready (HTTP-013.5)."""
    with httpx.Client(base_url=url, timeout=10, trust_env=False) as other:
        assert other.get("/readyz").json() == {"ready": True}


@dataclass(frozen=True)
class RawAnswer:
    status: int | None
    head: bytes
    body: bytes
    closed: bool


def raw(
    url: str,
    head: bytes,
    chunks: tuple[bytes, ...] = (),
    *,
    seconds: float = 10.0,
    pause: float = 0.0,
) -> RawAnswer:
    """Send ``head`` and ``chunks`` (``pause`` seconds apart) on a new connection, then
    read until the service answers and closes, or ``seconds`` pass."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    received = b""
    closed = False
    with socket.create_connection((host, int(port)), timeout=seconds) as sock:
        try:
            sock.sendall(head)
            for chunk in chunks:
                time.sleep(pause)
                sock.sendall(chunk)
        except OSError:
            closed = True
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = sock.recv(65536)
            except TimeoutError:
                break
            except OSError:
                closed = True
                break
            if not data:
                closed = True
                break
            received += data
    head_part, _, body = received.partition(b"\r\n\r\n")
    status = None
    if head_part.startswith(b"HTTP/"):
        status = int(head_part.split(b" ", 2)[1])
    return RawAnswer(status, head_part, body, closed)


def request_head(method: str, target: str, url: str, headers: dict[str, str]) -> bytes:
    host = url.removeprefix("http://")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
