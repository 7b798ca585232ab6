"""Hostile requests (HTTP-002.3, HTTP-013): each refused as its clause says, on both sides
of its bound, leaving no trace, and another client served afterwards (HTTP-013.5).

Bodies are sent by httpx with a ``Content-Length`` and chunked (counted as read); what a
polite client cannot send — a head that never ends, a body that stalls, a header section
past 64 KiB in one piece or in many — goes through a socket of the test's own.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_helpers import (
    JSON,
    Served,
    created,
    error_of,
    raw,
    request_head,
    send,
    served,
    serving,
    settle,
    still_serves,
)

from gritwit.serve import ServiceLimits
from gritwit.serve._limits import HEADER_BYTES, MAX_DEPTH, MIB
from gritwit.serve._middleware import header_section_size

__all__ = ["served"]


def _padded(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes, ``{"timeout": 0, "pad": "xxx…"}``: within
    the size limit, it is refused only for its unknown field (400, not 413)."""
    head, tail = b'{"timeout": 0, "pad": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def _chunks(data: bytes, size: int = 1 << 20) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _unchanged(served: Served) -> None:
    """Nothing was stored by a refused request: no head, no message (HTTP-013.5)."""
    assert served.client.get("/v1/refs").json() == {"refs": []}


@pytest.mark.req("HTTP-013.1", "HTTP-013.5")
def test_a_json_body_at_16_mib_is_read_and_one_byte_more_is_refused(served: Served) -> None:
    limit = 16 * MIB
    at = _padded(limit)
    error = error_of(served.client.post("/v1/settle", content=at, headers=JSON), 400, "bad-request")
    assert "pad" in error["message"]  # read and parsed: refused for its field alone
    over = _padded(limit + 1)
    error_of(served.client.post("/v1/settle", content=over, headers=JSON), 413, "request-too-large")
    chunked = served.client.post("/v1/settle", content=_chunks(at), headers=JSON)
    assert "pad" in error_of(chunked, 400, "bad-request")["message"]  # counted, not told
    chunked_over = served.client.post("/v1/settle", content=_chunks(over), headers=JSON)
    error_of(chunked_over, 413, "request-too-large")
    _unchanged(served)
    still_serves(served.url)


@pytest.mark.req("HTTP-013.1")
def test_a_content_length_past_the_limit_is_refused_before_the_body(served: Served) -> None:
    head = request_head(
        "POST",
        "/v1/settle",
        served.url,
        {"Content-Type": "application/json", "Content-Length": str(16 * MIB + 1)},
    )
    answer = raw(served.url, head, seconds=5)  # no byte of the body is ever sent
    assert answer.status == 413, answer
    assert json.loads(answer.body)["error"]["class"] == "request-too-large"
    at_limit = request_head(
        "POST",
        "/v1/settle",
        served.url,
        {"Content-Type": "application/json", "Content-Length": str(16 * MIB)},
    )
    waiting = raw(served.url, at_limit, seconds=0.5)  # within the limit: it waits to read
    assert waiting.status is None and not waiting.closed
    cbor = request_head(
        "POST",
        "/v1/objects",
        served.url,
        {"Content-Type": "application/cbor", "Content-Length": str(16 * MIB + 1024 + 1)},
    )
    assert raw(served.url, cbor, seconds=5).status == 413
    still_serves(served.url)


@pytest.mark.req("HTTP-013.1")
def test_an_endpoint_without_a_body_takes_none(served: Served) -> None:
    error_of(served.client.request("GET", "/v1", content=b"x"), 413, "request-too-large")
    assert served.client.request("GET", "/v1", content=b"").status_code == 200


def _nested_content(trees: int, headers: bool) -> bytes:
    """A send's body whose content is ``trees`` trees deep: JSON depth 2 + 2 * trees,
    one more with the blob's (empty) headers."""
    blob: dict[str, object] = {"blob": ""}
    if headers:
        blob["headers"] = {}
    content: dict[str, object] = blob
    for _ in range(trees):
        content = {"tree": {"a": content}}
    return json.dumps({"mt": "x", "content": content}).encode()


@pytest.mark.req("HTTP-002.3", "HTTP-013.5")
def test_depth_32_is_taken_and_33_refused(served: Served) -> None:
    actor = created(served.client, test="echo")
    at = _nested_content(15, headers=False)
    over = _nested_content(15, headers=True)
    from gritwit.serve._json_body import nesting_depth

    assert (nesting_depth(at), nesting_depth(over)) == (MAX_DEPTH, MAX_DEPTH + 1)
    url = f"/v1/actors/{actor}/messages"
    assert served.client.post(url, content=at, headers=JSON).status_code == 202
    error = error_of(served.client.post(url, content=over, headers=JSON), 400, "bad-request")
    assert "deeper than 32" in error["message"]
    error_of(served.client.post(url, content=b"[" * 200_000, headers=JSON), 400, "bad-request")
    still_serves(served.url)


@pytest.mark.req("HTTP-002.3", "HTTP-002.1", "HTTP-013.5")
@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"mt": "\\ud800", "content": {"blob": ""}}', "lone surrogate"),
        (b'{"mt": "x", "content": {"blob": ""}, "priority": 1}', "no field"),
        (b'{"mt": 1, "content": {"blob": ""}}', "must be text"),
        (b'{"mt": "x"}', "required"),
        (b'{"mt": "x", "content": {"blob": "", "extra": 1}}', "only 'blob'"),
        (b"\xc3\x28", "not UTF-8"),
        (b"[]", "JSON object"),
        (b"", "not JSON"),
    ],
)
def test_malformed_bodies_are_refused_and_send_nothing(
    served: Served, body: bytes, says: str
) -> None:
    actor = created(served.client, test="echo")
    settle(served.client)
    box = served.client.get(f"/v1/refs/names/outside-outbox/{actor[15]}").json()["target"]
    answer = served.client.post(f"/v1/actors/{actor}/messages", content=body, headers=JSON)
    assert says in error_of(answer, 400, "bad-request")["message"]
    after = served.client.get(f"/v1/refs/names/outside-outbox/{actor[15]}").json()["target"]
    assert after == box  # nothing sent (HTTP-003.3)
    still_serves(served.url)


@pytest.mark.req("HTTP-002.3")
@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/cbor", "application/json; charset=latin-1", "json"],
)
def test_a_body_of_another_media_type_is_415(served: Served, content_type: str | None) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    answer = served.client.post("/v1/settle", content=b'{"timeout": 0}', headers=headers)
    error_of(answer, 415, "bad-request")
    for fine in ("application/json", "Application/JSON; charset=UTF-8"):
        ok = served.client.post(
            "/v1/settle", content=b'{"timeout": 0}', headers={"content-type": fine}
        )
        assert ok.status_code == 200


@pytest.mark.req("HTTP-002.4", "HTTP-015.1")
def test_unknown_paths_and_methods_are_bad_requests(served: Served) -> None:
    error_of(served.client.get("/v1/nothing"), 404, "bad-request")
    error_of(served.client.get("/"), 404, "bad-request")
    error_of(served.client.put("/v1/actors", json={}), 405, "bad-request")
    error_of(served.client.get("/v1/objects/not-an-id"), 400, "invalid-id")
    # an actor path takes a name too (HTTP-015.1): this one is bound to nothing
    error_of(served.client.get("/v1/actors/not-an-id"), 404, "not-found")
    error_of(served.client.get("/v1/actors/Not-An-Id"), 400, "invalid-ref-name")
    error_of(send(served.client, "zz" * 32), 404, "not-found")  # 64 characters: a name
    error_of(send(served.client, "ZZ" * 32), 400, "invalid-ref-name")


@pytest.fixture
def tight(tmp_path: Path) -> Iterator[Served]:
    """A service whose bodies together may hold 64 KiB, read within 1 s."""
    limits = ServiceLimits(total_body=64 * 1024, read_timeout=1.0)
    with serving(tmp_path / "tight", limits=limits) as one:
        yield one


@pytest.mark.req("HTTP-013.4", "HTTP-013.3", "HTTP-013.5")
def test_bodies_in_flight_past_the_total_bound_make_the_service_busy(tight: Served) -> None:
    heads = {"Content-Type": "application/json", "Content-Length": str(200 * 1024)}
    stall = request_head("POST", "/v1/settle", tight.url, heads)
    held: list[object] = []
    slow = threading.Thread(
        target=lambda: held.append(raw(tight.url, stall, (b" " * (64 * 1024),), seconds=5))
    )
    slow.start()
    try:
        deadline = time.monotonic() + 5
        while tight.service.app.held < 64 * 1024:  # the stalled body is held
            assert time.monotonic() < deadline
            time.sleep(0.01)
        busy = tight.client.post("/v1/settle", json={"timeout": 0})
        error_of(busy, 503, "service-busy")
        assert busy.headers["retry-after"] == "1"
        assert tight.client.get("/readyz").status_code == 200  # no body: served
    finally:
        slow.join()
    stalled = held[0]
    assert stalled.status == 408, stalled  # HTTP-013.3: the body did not come in time
    assert json.loads(stalled.body)["error"]["class"] == "request-timeout"
    assert tight.service.app.held == 0
    assert tight.client.post("/v1/settle", json={"timeout": 0}).status_code == 200


@pytest.mark.req("HTTP-013.3", "HTTP-013.5")
def test_a_head_that_never_ends_is_408_and_an_idle_connection_closed(tight: Served) -> None:
    partial = f"GET /v1 HTTP/1.1\r\nHost: {tight.url[7:]}\r\nX-Slow: ".encode()
    started = time.monotonic()
    answer = raw(tight.url, partial, seconds=5)
    assert answer.status == 408 and answer.closed, answer
    assert 0.9 <= time.monotonic() - started < 4
    assert json.loads(answer.body)["error"]["class"] == "request-timeout"
    silent = raw(tight.url, b"", seconds=5)
    assert silent.status is None and silent.closed
    still_serves(tight.url)


@pytest.mark.req("HTTP-013.3")
def test_a_head_in_slow_pieces_within_the_deadline_is_served(tight: Served) -> None:
    head = request_head("GET", "/v1", tight.url, {"Connection": "close"})
    pieces = tuple(head[i : i + 10] for i in range(0, len(head), 10))
    answer = raw(tight.url, b"", pieces, pause=0.05, seconds=5)
    assert answer.status == 200, answer


def _with_section(url: str, size: int) -> bytes:
    """A ``GET /v1`` whose header section is ``size`` bytes, measured as the service
    measures it (HTTP-013.2)."""
    head = request_head("GET", "/v1", url, {"Connection": "close", "X-Pad": ""})
    pad = size - len(head)
    assert pad >= 0
    return head.replace(b"X-Pad: ", b"X-Pad: " + b"p" * pad)


@pytest.mark.req("HTTP-013.2", "HTTP-013.5")
def test_a_header_section_of_64_kib_is_served_and_one_byte_more_is_431(served: Served) -> None:
    at = _with_section(served.url, HEADER_BYTES)
    scope_headers = [
        (line.split(b":", 1)[0].lower(), line.split(b": ", 1)[1])
        for line in at.split(b"\r\n")[1:]
        if line
    ]
    scope = {"method": "GET", "raw_path": b"/v1", "query_string": b"", "headers": scope_headers}
    assert header_section_size(scope) == len(at) == HEADER_BYTES
    assert raw(served.url, at).status == 200
    over = _with_section(served.url, HEADER_BYTES + 1)
    whole = raw(served.url, over)  # one write: h11 takes it whole, the middleware measures
    assert whole.status == 431 and json.loads(whole.body)["error"]["class"] == "headers-too-large"
    big = _with_section(served.url, 4 * HEADER_BYTES)
    pieces = tuple(big[i : i + 4096] for i in range(0, len(big), 4096))
    split = raw(served.url, b"", pieces, pause=0.001)  # in pieces: h11's bound refuses it
    assert split.status == 431 and split.closed, split
    still_serves(served.url)


@pytest.mark.req("HTTP-003.1", "HTTP-013.5")
def test_a_request_h11_cannot_parse_is_a_json_400(served: Served) -> None:
    answer = raw(served.url, b"NOT HTTP AT ALL\r\n\r\n")
    assert answer.status == 400 and answer.closed
    assert json.loads(answer.body)["error"]["class"] == "bad-request"
    still_serves(served.url)


@pytest.mark.req("HTTP-013.5", "HTTP-001.1")
def test_a_stalled_client_does_not_stop_the_others(tight: Served) -> None:
    actor = created(tight.client, test="counter")
    stall = request_head(
        "POST",
        f"/v1/actors/{actor}/messages",
        tight.url,
        {"Content-Type": "application/json", "Content-Length": "1000"},
    )
    slow = threading.Thread(target=raw, args=(tight.url, stall, (b'{"mt": "inc",',)), daemon=True)
    slow.start()
    with httpx.Client(base_url=tight.url, trust_env=False, timeout=10) as other:
        for _ in range(5):
            assert send(other, actor).status_code == 202
        settle(other)
        assert int(other.get(f"/v1/actors/{actor}/queries/count").content) == 5
    slow.join(timeout=10)


#: The limits counted in bytes or events, and those in seconds.
_COUNTS = ("json_body", "cbor_body", "bundle_body", "total_body", "events_buffer")
_SECONDS = ("read_timeout", "keep_alive")


def _limits(name: str, value: object) -> ServiceLimits:
    """The default limits but ``name``, which is ``value``, whatever its type."""
    given: dict[str, Any] = {name: value}
    return ServiceLimits(**given)


@pytest.mark.req("HTTP-013.1", "HTTP-013.3", "HTTP-013.4", "HTTP-008.2")
def test_the_limits_an_operator_gives_are_positive_or_refused() -> None:
    """A limit in bytes or events is a whole number from 1, one in seconds any number
    above 0; anything else (a bool, text, 0, a fraction of a byte) is refused at once,
    before a service starts with it."""
    for name in _COUNTS:
        assert getattr(_limits(name, 1), name) == 1  # the least there is
        for bad in (0, -1, True, 1.5, "3", None):
            with pytest.raises(ValueError, match="positive integer"):
                _limits(name, bad)
    for name in _SECONDS:
        for good in (0.5, 1, 1e-3):
            assert getattr(_limits(name, good), name) == good
        for bad in (0, 0.0, -1.5, True, "30", None):
            with pytest.raises(ValueError, match="seconds > 0"):
                _limits(name, bad)
