"""The reference's tokens, its door beyond loopback, TLS and the audit CLI (HTTP-018 … HTTP-021).

``gritwit token add`` prints a token once and the store keeps only its hash; ``token
list`` never shows one; a removed token is refused within the 5 s of HTTP-018.5 by a
service already running; ``gritwit serve`` refuses to listen beyond loopback without a
token unless told ``--insecure-no-auth`` (HTTP-019.1), checked before it tries to listen
(on 192.0.2.1, an address of no machine here, so nothing ever listens beyond loopback);
HTTPS with ``--tls-cert``/``--tls-key`` and a certificate made here by ``openssl``;
``gritwit audit`` prints what a service audited.  Token parsing is a property: no text
but the token issued opens the door.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gritwit.serve._tokens import (
    TokenRecord,
    add_token,
    hash_of,
    list_tokens,
    load_tokens,
    split_token,
    token_matches,
)
from gritwit.store import Store

httpx = pytest.importorskip("httpx", reason="needs the test extra")
pytest.importorskip("uvicorn", reason="needs the serve extra")

from gritwit.serve import Service, ServiceThread  # noqa: E402

_TOKEN = re.compile(r"gwt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}")


def _gritwit(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gritwit", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def _store(path: Path) -> Path:
    Store.open(path).close()
    return path


@pytest.mark.req("HTTP-018.4", "HTTP-018.5", "HTTP-018.3")
def test_token_add_prints_it_once_and_keeps_only_its_hash(tmp_path: Path) -> None:
    store = _store(tmp_path / "store")
    added = _gritwit("token", "add", str(store), "ci", "--scope", "read,send", "--prefix", "t-")
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    assert _TOKEN.fullmatch(token), f"one token on one line, not {added.stdout!r}"
    listed = _gritwit("token", "list", str(store))
    assert listed.returncode == 0, listed.stderr
    (line,) = listed.stdout.splitlines()
    shown = json.loads(line)
    assert shown["name"] == "ci" and shown["scopes"] == ["read", "send"]
    assert shown["prefix"] == "t-" and "hash" not in shown
    secret = token.rsplit("_", 1)[1]
    held = b"".join(path.read_bytes() for path in store.rglob("*") if path.is_file())
    assert secret.encode() not in held, "HTTP-018.4: the store holds the token itself"
    assert hash_of(token).encode() in held, "the store holds the token's hash"
    assert token not in listed.stdout + listed.stderr
    again = _gritwit("token", "add", str(store), "ci", "--scope", "read")
    assert again.returncode == 2 and "exists" in again.stderr
    assert _gritwit("token", "remove", str(store), "ci").returncode == 0
    assert _gritwit("token", "list", str(store)).stdout == ""
    assert _gritwit("token", "remove", str(store), "ci").returncode == 1
    wrong = _gritwit("token", "add", str(store), "x", "--scope", "read,root")
    assert wrong.returncode == 2 and "HTTP-018.2" in wrong.stderr


@pytest.mark.req("HTTP-019.1")
def test_serve_refuses_beyond_loopback_without_a_token(tmp_path: Path) -> None:
    store = _store(tmp_path / "store")
    refused = _gritwit("serve", str(store), "--listen", "192.0.2.1:0")
    assert refused.returncode == 2, refused
    assert "HTTP-019.1" in refused.stderr and "--insecure-no-auth" in refused.stderr
    # told so in those words, it goes on to listen (and fails: no such address here)
    told = _gritwit("serve", str(store), "--listen", "192.0.2.1:0", "--insecure-no-auth")
    assert "HTTP-019.1" not in told.stderr and "cannot listen" in told.stderr, told
    add_token(Store.open(store), "ops", frozenset({"admin"}))
    tokened = _gritwit("serve", str(store), "--listen", "192.0.2.1:0")
    assert "HTTP-019.1" not in tokened.stderr and "cannot listen" in tokened.stderr, tokened


@pytest.mark.req("HTTP-019.1")
def test_a_service_refused_beyond_loopback_closes_the_store_it_was_given() -> None:
    """HTTP-019.1: the refusal leaves no store open behind it (the caller gave it over)."""
    from gritwit.serve._server import OpenDoor

    store = Store.memory()
    with pytest.raises(OpenDoor, match=r"HTTP-019\.1"):
        Service(store, host="192.0.2.1")
    with pytest.raises(ValueError, match="closed"):
        store.get_ref("names/any")


@pytest.mark.req("HTTP-019.1")
def test_serve_refuses_a_host_name_beyond_loopback_without_a_token(tmp_path: Path) -> None:
    """A name that is not an address is not loopback (``localhost`` aside): refused before
    it is looked up, so nothing is resolved or listened on."""
    store = _store(tmp_path / "store")
    refused = _gritwit("serve", str(store), "--listen", "gritwit-test.invalid:0")
    assert refused.returncode == 2, refused
    assert "HTTP-019.1" in refused.stderr and "--insecure-no-auth" in refused.stderr, refused


@contextlib.contextmanager
def _client(path: Path) -> Iterator[httpx.Client]:
    """A client of a service started on the store at ``path``; the service stops after."""
    thread = ServiceThread(Service(Store.open(path)))
    url = thread.start()
    try:
        with httpx.Client(base_url=url, trust_env=False, timeout=30) as client:
            yield client
    finally:
        thread.stop(timeout=60)


@pytest.mark.req("HTTP-018.5", "HTTP-018.1")
def test_a_token_removed_is_refused_within_five_seconds(tmp_path: Path) -> None:
    path = tmp_path / "store"
    token = add_token(Store.open(path), "short", frozenset({"read"}))
    with _client(path) as client:
        headers = {"authorization": f"Bearer {token}"}
        assert client.get("/v1", headers=headers).status_code == 200
        other = Store.open(path)  # another writer on the store: the CLI, another service
        from gritwit.serve._tokens import remove_token

        assert remove_token(other, "short")
        other.close()
        began = time.monotonic()
        while client.get("/v1", headers=headers).status_code != 401:
            assert time.monotonic() - began < 5.0, "HTTP-018.5: still served after 5 s"
            time.sleep(0.2)


@pytest.mark.req("HTTP-019.3", "HTTP-018.1")
def test_tls_with_a_self_signed_certificate(tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("no openssl here to make a certificate (and no cryptography package)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    names = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    made = subprocess.run(
        ["openssl", *request, "-keyout", str(key), "-out", str(cert), *names],
        capture_output=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    path = tmp_path / "store"
    token = add_token(Store.open(path), "tls", frozenset({"read"}))
    thread = ServiceThread(Service(Store.open(path), tls=(str(cert), str(key))))
    url = thread.start()
    try:
        assert url.startswith("https://127.0.0.1:")
        trusted = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(base_url=url, trust_env=False, verify=trusted, timeout=30) as client:
            assert client.get("/healthz").status_code == 200
            answer = client.get("/v1", headers={"authorization": f"Bearer {token}"})
            assert answer.status_code == 200 and answer.json()["protocol"] == 1
        plain = url.replace("https://", "http://")
        with pytest.raises(httpx.TransportError):
            httpx.get(plain + "/healthz", trust_env=False, timeout=10)
    finally:
        thread.stop(timeout=60)


@pytest.mark.req("HTTP-020.1", "HTTP-020.2")
def test_gritwit_audit_prints_what_a_service_audited(tmp_path: Path) -> None:
    path = tmp_path / "store"
    token = add_token(Store.open(path), "oncall", frozenset({"operate", "create"}))
    with _client(path) as client:
        headers = {"authorization": f"Bearer {token}"}
        made = client.post("/v1/actors", json={"test": "counter"}, headers=headers)
        actor = made.json()["actor"]
        cleared = client.delete(f"/v1/actors/{actor}/failed", headers=headers)
        assert cleared.status_code == 200
    printed = _gritwit("audit", str(path))
    assert printed.returncode == 0, printed.stderr
    entries = [json.loads(line) for line in printed.stdout.splitlines()]
    assert [(e["who"], e["what"], e["actor"], e["status"]) for e in entries] == [
        ("oncall", "DELETE /v1/actors/{actor}/failed", actor, 200)
    ]
    assert token not in printed.stdout


_RECORD = TokenRecord(name="n", id="0123456789abcdef", hash="", scopes=frozenset({"read"}))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
@pytest.mark.req("HTTP-018.1", "HTTP-018.4")
def test_no_text_but_the_token_matches_its_record(text: str) -> None:
    token = "gwt_0123456789abcdef_" + "Q" * 43
    record = TokenRecord(**{**_fields(_RECORD), "hash": hash_of(token)})
    assert token_matches(text, record) is (text == token)
    assert token_matches(text, None) is False
    ident = split_token(text)
    assert ident is None or text.startswith(f"gwt_{ident}_")


def _fields(record: TokenRecord) -> dict[str, object]:
    return {name: getattr(record, name) for name in TokenRecord.__dataclass_fields__}


@pytest.mark.req("HTTP-018.5")
def test_tokens_are_read_back_by_id(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "store")
    token = add_token(store, "a", frozenset({"send"}), prefix="p-", rate=3, bytes_per_minute=9)
    (record,) = list_tokens(store)
    assert load_tokens(store) == {record.id: record}
    assert split_token(token) == record.id and token_matches(token, record)
    assert (record.prefix, record.rate, record.bytes_per_minute) == ("p-", 3, 9)
    store.close()


@pytest.mark.req("HTTP-018.5")
def test_a_token_added_to_an_open_service_locks_it_within_five_seconds(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with _client(path) as client:
        assert client.get("/v1").status_code == 200  # no token in the store: open
        other = Store.open(path)
        token = add_token(other, "late", frozenset({"read"}))
        other.close()
        began = time.monotonic()
        while client.get("/v1").status_code != 401:
            assert time.monotonic() - began < 5.0, "HTTP-018.5: still open after 5 s"
            time.sleep(0.2)
        assert client.get("/v1", headers={"authorization": f"Bearer {token}"}).status_code == 200


@pytest.mark.req("HTTP-018.7", "HTTP-009.3")
def test_the_service_namespace_is_shown_to_admin_only(tmp_path: Path) -> None:
    """``names/gritwit/`` (the tokens' records, the audit log) is listed and read through
    ``GET /v1/refs`` by an ``admin`` token only: a ``read`` token's listing leaves it out
    under any prefix, and each of its refs is 404 to it, as a ref that does not exist."""
    from gritwit.store._refs import SERVICE_AUDIT_REF, SERVICE_PREFIX, SERVICE_TOKENS_PREFIX

    path = tmp_path / "store"
    admin = add_token(Store.open(path), "boss", frozenset({"admin"}))
    read = add_token(Store.open(path), "viewer", frozenset({"read"}))
    with _client(path) as client:
        as_admin = {"authorization": f"Bearer {admin}"}
        as_read = {"authorization": f"Bearer {read}"}
        made = client.post("/v1/actors", json={"test": "counter"}, headers=as_admin)
        actor = made.json()["actor"]
        cleared = client.delete(f"/v1/actors/{actor}/failed", headers=as_admin)
        assert cleared.status_code == 200  # audited: the log has its ref now

        def names(headers: dict[str, str], prefix: str = "") -> list[str]:
            found = client.get("/v1/refs", params={"prefix": prefix}, headers=headers)
            assert found.status_code == 200, found.text
            return [ref["name"] for ref in found.json()["refs"]]

        own = [SERVICE_AUDIT_REF, SERVICE_TOKENS_PREFIX + "boss"]
        own.append(SERVICE_TOKENS_PREFIX + "viewer")
        assert sorted(own) == names(as_admin, SERVICE_PREFIX)
        for prefix in ("", "names/", SERVICE_PREFIX, SERVICE_TOKENS_PREFIX):
            shown = names(as_read, prefix)
            assert not [name for name in shown if name.startswith(SERVICE_PREFIX)], shown
        assert f"heads/{actor}" in names(as_read)
        for name in own:
            assert client.get(f"/v1/refs/{name}", headers=as_admin).status_code == 200
            hidden = client.get(f"/v1/refs/{name}", headers=as_read)
            assert hidden.status_code == 404, hidden.text
            assert hidden.json()["error"]["class"] == "not-found"
