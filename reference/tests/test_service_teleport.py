"""Actors move between a service on SQLite and one on PostgreSQL, as bundles over HTTP.

A test counter, a Wasm counter and a sandboxed Python counter live first on a service
over a SQLite directory; each is exported (``GET /v1/actors/{actor}/bundle``,
HTTP-010.1) with messages still to come, imported into a service over a PostgreSQL
schema (``POST /v1/bundles``, HTTP-010.2), goes on there, and comes back the same way
to a fresh SQLite service.  At each move the imported head is the exported one, so the
step ids are kept (RUN-009.7); the history on the other side continues the one before
the move; and every ``inc`` sent on any side is counted exactly once at the end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx", reason="needs the serve extra: pip install -e '.[test]'")
pytest.importorskip("uvicorn", reason="needs the serve extra: pip install -e '.[test]'")

from service_proc import start, stopping  # noqa: E402
from test_serve_actors import PYTHON_COUNTER  # noqa: E402
from test_service_session import WASM_COUNTER  # noqa: E402

ROUNDS = 3  # incs sent on each side


def _create(client: httpx.Client) -> dict[str, str]:
    bodies = {
        "test": {"test": "counter"},
        "wasm": {"wasm": WASM_COUNTER.read_bytes().hex()},
        "python": {"python": PYTHON_COUNTER},
    }
    made = {}
    for kind, body in bodies.items():
        answer = client.post("/v1/actors", json=body)
        assert answer.status_code == 201, answer.text
        made[kind] = answer.json()["actor"]
    return made


def _inc(client: httpx.Client, actors: dict[str, str]) -> None:
    for _ in range(ROUNDS):
        for actor in actors.values():
            answer = client.post(
                f"/v1/actors/{actor}/messages", json={"mt": "inc", "content": {"blob": ""}}
            )
            assert answer.status_code == 202, answer.text
    settled = client.post("/v1/settle", json={"timeout": 300})
    assert settled.json() == {"quiescent": True}, settled.text


def _count(client: httpx.Client, kind: str, actor: str) -> int:
    if kind != "python":
        answer = client.get(f"/v1/actors/{actor}/queries/count")
        assert answer.status_code == 200, answer.text
        return int(answer.content)
    head = client.get(f"/v1/refs/heads/{actor}").json()["target"]
    core = client.get(f"/v1/objects/{head}").json()["core"]
    blob = client.get(f"/v1/objects/{core}").json()["entries"]["count"]
    return int(bytes.fromhex(client.get(f"/v1/objects/{blob}").json()["data"]))


def _move(source: httpx.Client, target: httpx.Client, actor: str) -> str:
    """Export ``actor`` from ``source`` and import it into ``target``; its head there."""
    before = source.get(f"/v1/actors/{actor}").json()["head"]
    bundle = source.get(f"/v1/actors/{actor}/bundle")
    assert bundle.status_code == 200, bundle.text
    assert bundle.headers["content-type"].startswith("application/vnd.gritwit.bundle")
    imported = target.post(
        "/v1/bundles",
        content=bundle.content,
        headers={"content-type": "application/vnd.gritwit.bundle"},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"actor": actor, "head": before}, (
        "RUN-009.7, HTTP-010.2: the imported head is the exported one"
    )
    return str(before)


def _history(client: httpx.Client, actor: str) -> list[str]:
    answer = client.get(f"/v1/actors/{actor}/history", params={"limit": 10_000})
    assert answer.status_code == 200, answer.text
    return [s["step"] for s in answer.json()["steps"]]


@pytest.mark.slow
@pytest.mark.req("HTTP-010.1", "HTTP-010.2", "RUN-009.7")
def test_actors_move_from_sqlite_to_postgresql_and_back(tmp_path: Path, pg_url: str) -> None:
    with stopping([start(tmp_path / "first"), start(pg_url)]) as services:
        first, middle = (httpx.Client(base_url=s.url, timeout=300) for s in services)
        actors = _create(first)
        _inc(first, actors)
        for actor in actors.values():
            _move(first, middle, actor)
        before = {kind: _history(middle, actor) for kind, actor in actors.items()}
        _inc(middle, actors)  # goes on on PostgreSQL
        services.append(start(tmp_path / "home"))
        home = httpx.Client(base_url=services[-1].url, timeout=300)
        for kind, actor in actors.items():
            after = _history(middle, actor)
            assert after[-len(before[kind]) :] == before[kind], (
                f"{kind}: the history on PostgreSQL continues the one that moved"
            )
            _move(middle, home, actor)
        _inc(home, actors)
        counts = {kind: _count(home, kind, actor) for kind, actor in actors.items()}
        assert counts == dict.fromkeys(actors, 3 * ROUNDS), counts
        for client in (first, middle, home):
            client.close()
        assert [s.stop() for s in services] == [0, 0, 0]
