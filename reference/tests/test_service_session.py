"""A user's session with ``gritwit serve``, as the guide shows it (docs/guide/serve.md).

On a fresh SQLite store: a Wasm counter, a sandboxed Python counter and a test counter
are created over HTTP (HTTP-004), 1,000 messages sent to them (HTTP-005), the service
settled (HTTP-011) and the counts read back by query (HTTP-006) and, for the Python
actor that answers no query (SBX-014.1), through Grit over HTTP (HTTP-009); the actors
are listed (HTTP-007.1) and one history read (HTTP-007.4); an HTML answer is rendered
by headless Chromium (HTTP-006.1); then the service is stopped by SIGTERM (HTTP-001.4),
started again, and every acknowledged message is there.  The same on PostgreSQL with
two services on shares 0/2 and 1/2 (HTTP-001.2), each sent half the messages.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from chromium_pipe import CHROMIUM, HEADLESS

httpx = pytest.importorskip("httpx", reason="needs the serve extra: pip install -e '.[test]'")
pytest.importorskip("uvicorn", reason="needs the serve extra: pip install -e '.[test]'")

from service_proc import Service, start, stopping  # noqa: E402
from test_serve_actors import PYTHON_COUNTER  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
WASM_COUNTER = ROOT / "conformance" / "wasm" / "actors" / "counter.wasm"
PAGE = "<!doctype html><html><body><h1 id='hello'>Hello from a counter</h1></body></html>"
SENDS = 1_000
#: Of the sends, those to the Python counter: each of its transitions is a CPython run.
TO_PYTHON = 10


def _created(answer: httpx.Response) -> str:
    assert answer.status_code == 201, answer.text
    actor = answer.json()["actor"]
    assert isinstance(actor, str)
    return actor


def create_three(client: httpx.Client) -> dict[str, str]:
    """The session's three counters, by kind."""
    module = WASM_COUNTER.read_bytes().hex()
    return {
        "wasm": _created(client.post("/v1/actors", json={"wasm": module})),
        "python": _created(client.post("/v1/actors", json={"python": PYTHON_COUNTER})),
        "test": _created(client.post("/v1/actors", json={"test": "counter"})),
    }


def plan(actors: dict[str, str]) -> list[str]:
    """The recipient of each of the 1,000 sends."""
    rest = (SENDS - TO_PYTHON) // 2
    return [actors["python"]] * TO_PYTHON + [actors["wasm"]] * rest + [actors["test"]] * rest


def send(client: httpx.Client, actor: str) -> None:
    answer = client.post(
        f"/v1/actors/{actor}/messages", json={"mt": "inc", "content": {"blob": ""}}
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["replayed"] is False


def settle(client: httpx.Client) -> None:
    answer = client.post("/v1/settle", json={"timeout": 300})
    assert answer.status_code == 200 and answer.json() == {"quiescent": True}, answer.text


def entry(client: httpx.Client, actor: str, name: str) -> bytes:
    """An entry of the actor's head core, read object by object (HTTP-009)."""
    head = client.get(f"/v1/refs/heads/{actor}").json()["target"]
    core = client.get(f"/v1/objects/{head}").json()["core"]
    blob = client.get(f"/v1/objects/{core}").json()["entries"][name]
    raw = client.get(f"/v1/objects/{blob}", params={"form": "raw"})
    assert raw.headers["content-type"].startswith("application/cbor")
    return bytes.fromhex(client.get(f"/v1/objects/{blob}").json()["data"])


def counts(client: httpx.Client, actors: dict[str, str]) -> dict[str, int]:
    found = {}
    for kind in ("wasm", "test"):
        answer = client.get(f"/v1/actors/{actors[kind]}/queries/count")
        assert answer.status_code == 200, answer.text
        assert answer.headers["grit-answer-form"] == "json"
        found[kind] = int(answer.content)
    found["python"] = int(entry(client, actors["python"], "count"))
    return found


def expected(actors: dict[str, str]) -> dict[str, int]:
    rest = (SENDS - TO_PYTHON) // 2
    return {"python": TO_PYTHON, "wasm": rest, "test": rest}


def chromium_dom(tmp: Path, url: str) -> str:
    """The DOM headless Chromium builds from ``url`` (loopback only, no DNS)."""
    assert CHROMIUM is not None
    profile = tmp / "chromium-profile"
    command = [CHROMIUM, *HEADLESS]
    command += [f"--user-data-dir={profile}", "--dump-dom", url]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, err.decode()[-2000:]
    return out.decode("utf-8")


@pytest.mark.slow
@pytest.mark.req(
    "HTTP-001.1",
    "HTTP-001.4",
    "HTTP-004.1",
    "HTTP-004.2",
    "HTTP-005.2",
    "HTTP-006.1",
    "HTTP-007.1",
    "HTTP-007.4",
    "HTTP-009.1",
    "HTTP-009.3",
    "HTTP-011.1",
)
def test_a_session_on_sqlite_survives_a_restart(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    store = tmp_path / "store"
    with stopping([start(store)]) as services:
        with httpx.Client(base_url=services[0].url, timeout=120) as client:
            actors = create_three(client)
            for actor in plan(actors):
                send(client, actor)
            settle(client)
            assert counts(client, actors) == expected(actors)
            listed = client.get("/v1/actors").json()
            assert sorted(a["actor"] for a in listed["actors"]) == sorted(actors.values())
            assert all(a["failed"] is None for a in listed["actors"]), listed
            steps = client.get(f"/v1/actors/{actors['test']}/history", params={"limit": 5})
            assert steps.status_code == 200 and 1 <= len(steps.json()["steps"]) <= 5
            page = _created(
                client.post(
                    "/v1/actors", json={"test": "counter", "state": {"count": PAGE.encode().hex()}}
                )
            )
            settle(client)  # its genesis step first: a query reads the head (HTTP-006.3)
            html = client.get(f"/v1/actors/{page}/queries/count")
            assert html.headers["content-type"].startswith("text/html"), html.headers
            assert html.text == PAGE
        if CHROMIUM is not None:
            dom = chromium_dom(tmp_path, f"{services[0].url}/v1/actors/{page}/queries/count")
            assert "Hello from a counter" in dom and "<h1" in dom, dom[:500]
        record_property("chromium", CHROMIUM is not None)
        assert services[0].stop() == 0
        services.append(start(store))
        with httpx.Client(base_url=services[-1].url, timeout=120) as client:
            assert counts(client, actors) == expected(actors)
        assert services[-1].stop() == 0


@pytest.mark.slow
@pytest.mark.req("HTTP-001.1", "HTTP-001.2", "HTTP-001.4", "HTTP-005.2", "HTTP-011.1")
def test_a_session_on_postgresql_with_two_shares(pg_url: str) -> None:
    def both(shares: list[Service]) -> list[httpx.Client]:
        return [httpx.Client(base_url=s.url, timeout=120) for s in shares]

    with stopping([start(pg_url, "--share", "0/2"), start(pg_url, "--share", "1/2")]) as services:
        clients = both(services)
        try:
            actors = create_three(clients[0])
            for index, actor in enumerate(plan(actors)):
                send(clients[index % 2], actor)
            for client in clients:  # each runs its own share; both settled, all ran
                settle(client)
            for client in clients:
                assert counts(client, actors) == expected(actors)
            shares = {a["actor"]: a["share"] for a in clients[0].get("/v1/actors").json()["actors"]}
            assert {shares[a] for a in actors.values()} <= {0, 1}
        finally:
            for client in clients:
                client.close()
        assert [s.stop() for s in services] == [0, 0]
        services += [start(pg_url, "--share", "0/2"), start(pg_url, "--share", "1/2")]
        clients = both(services[2:])
        try:
            for client in clients:
                assert counts(client, actors) == expected(actors)
        finally:
            for client in clients:
                client.close()
        assert [s.stop() for s in services[2:]] == [0, 0]
