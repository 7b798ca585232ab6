"""An ``https`` request is sent to the address the port checked and verified against the
URL's host (PORT-004.2, PORT-005.7).

The port connects to an address it resolved and checked, never resolving the host again
(PORT-004.2); over TLS the server is still the URL's host: the handshake names that host
(SNI) and the certificate must be for it, not for the address. The suite's world serves
only plain HTTP (no server it starts holds a certificate the runtime's trust store
accepts), so this is held here: a TLS server on loopback with a certificate made for
``world.example`` alone, trusted in place of the trust store, the host resolved to
127.0.0.1 by the test. A handshake checked against the address fails, and the request is
answered ``port-connection`` (PORT-005.7).
"""

from __future__ import annotations

import http.server
import ipaddress
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gritwit import ObjectId
from gritwit.runtime import _port_send
from gritwit.runtime._port_policy import Rule, parse_url
from gritwit.runtime._port_secrets import Secrets
from gritwit.runtime._port_send import Failure, PortBounds, Prepared, Response, perform

HOST = "world.example"
RID = ObjectId.from_hex("cd" * 32)


class _Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"host {self.headers.get('host')}".encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A TLS server on 127.0.0.1 whose certificate names ``world.example`` only: its port
    and the certificate (its own authority)."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl here to make a certificate (and no cryptography package)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = subprocess.run(
        [
            *("openssl", "req", "-x509", "-nodes", "-days", "1"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-keyout", str(key), "-out", str(cert)),
            *("-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}"),
        ],
        capture_output=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], cert
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.mark.req("PORT-004.2", "PORT-005.7")
def test_an_https_request_reaches_the_checked_address_as_the_urls_host(
    monkeypatch: pytest.MonkeyPatch, tls_server: tuple[int, Path]
) -> None:
    port, cert = tls_server
    trusted = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(_port_send, "_tls", lambda: trusted)  # in place of the trust store
    target = parse_url(f"https://{HOST}:{port}/p")
    rule = Rule(
        "https", HOST, port, "/", frozenset({RID.hex()}), (ipaddress.ip_network("127.0.0.1/32"),)
    )
    req = Prepared((RID, RID), "GET", target, (), b"", (), 10.0, rule, RID)
    outcome = perform(req, Secrets(), PortBounds(), lambda host, port: ["127.0.0.1"])
    assert not isinstance(outcome, Failure), outcome  # port-connection: a handshake refused
    assert isinstance(outcome, Response) and outcome.status == 200, outcome
    assert outcome.body == f"host {HOST}:{port}".encode()  # the URL's host, at the address
