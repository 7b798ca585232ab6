"""The reference adapter's ``http`` profile (ADP-021): ``http-serve`` and ``http-stop``.

Driven through :meth:`ReferenceAdapter.handle`, as the in-process harness drives it; the
requests and answers are checked against ``spec/schemas/adapter-protocol.schema.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from gritwit._schemas import load_schema
from gritwit.adapter import ReferenceAdapter

pytest.importorskip("uvicorn", reason="needs the serve extra: pip install -e '.[serve]'")

SCHEMA = load_schema("adapter-protocol.schema.json")


def _checked(adapter: ReferenceAdapter, cmd: str, **args: Any) -> dict[str, Any]:
    """``cmd`` answered; its arguments and results valid against the protocol schema."""
    request = {"seq": 1, "cmd": cmd, **args}
    defs = SCHEMA["$defs"]
    jsonschema.validate(args, {"$defs": defs, **defs["arguments"][cmd]})
    response = adapter.handle(request)
    if response["ok"]:
        result = {k: v for k, v in response.items() if k not in ("seq", "ok")}
        jsonschema.validate(result, {"$defs": defs, **defs["results"][cmd]})
    return response


@pytest.mark.req("ADP-021.1", "ADP-021.2", "HTTP-001.3", "HTTP-001.5")
def test_a_service_started_stopped_and_started_again_keeps_what_it_acknowledged(
    tmp_path: Path,
) -> None:
    adapter = ReferenceAdapter()
    try:
        assert "http" in adapter.cmd_hello({"protocol": 1})["profiles"]
        first = _checked(adapter, "http-serve", path=str(tmp_path))
        url = first["url"]
        assert url.startswith("http://127.0.0.1:") and not url.endswith("/")
        with httpx.Client(base_url=url, trust_env=False, timeout=30) as client:
            assert client.get("/readyz").json() == {"ready": True}
            actor = client.post("/v1/actors", json={"test": "counter"}).json()["actor"]
            sent = client.post(
                f"/v1/actors/{actor}/messages", json={"mt": "inc", "content": {"blob": ""}}
            )
            assert sent.status_code == 202
        assert _checked(adapter, "http-stop", url=url) == {"seq": 1, "ok": True}
        with pytest.raises(httpx.ConnectError):
            httpx.get(url + "/healthz", trust_env=False, timeout=5)
        again = _checked(adapter, "http-serve", path=str(tmp_path))["url"]
        with httpx.Client(base_url=again, trust_env=False, timeout=30) as client:
            assert client.post("/v1/settle", json={"timeout": 30}).json() == {"quiescent": True}
            assert client.get(f"/v1/actors/{actor}/queries/count").content == b"1"
    finally:
        adapter.close()


@pytest.mark.req("ADP-021.1", "ADP-021.2")
def test_bad_arguments_are_bad_requests(tmp_path: Path) -> None:
    adapter = ReferenceAdapter()
    try:
        unknown = adapter.handle({"seq": 1, "cmd": "http-stop", "url": "http://127.0.0.1:1"})
        assert unknown["error"]["class"] == "bad-request"
        nowhere = adapter.handle({"seq": 2, "cmd": "http-serve", "path": str(tmp_path / "no")})
        assert nowhere["error"]["class"] == "bad-request"
        share = adapter.handle(
            {"seq": 3, "cmd": "http-serve", "path": str(tmp_path), "share": [2, 2]}
        )
        assert share["error"]["class"] == "bad-request"
    finally:
        adapter.close()


@pytest.mark.req("ADP-021.1", "ADP-021.3", "HTTP-001.2")
def test_every_service_stops_with_the_adapter(tmp_path: Path) -> None:
    adapter = ReferenceAdapter()
    urls = []
    for k in (0, 1):
        path = tmp_path / f"s{k}"
        path.mkdir()
        urls.append(_checked(adapter, "http-serve", path=str(path), share=[k, 2])["url"])
    for k, url in enumerate(urls):
        assert httpx.get(url + "/v1", trust_env=False).json()["share"] == [k, 2]
    adapter.close()
    for url in urls:
        with pytest.raises(httpx.ConnectError):
            httpx.get(url + "/healthz", trust_env=False, timeout=5)


@pytest.mark.req("ADP-021.1")
def test_an_adapter_without_the_profile_does_not_claim_it() -> None:
    adapter = ReferenceAdapter(profiles=("codec",))
    refused = adapter.handle({"seq": 1, "cmd": "http-serve", "path": "."})
    assert refused["error"]["class"] == "unsupported-command"
    assert "http" not in adapter.cmd_hello({"protocol": 1})["profiles"]
