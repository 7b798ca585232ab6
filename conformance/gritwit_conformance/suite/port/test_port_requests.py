"""A request through the port is answered by a message: status, kept headers and body, or
a typed failure, and it carries its idempotency key (PORT-001, PORT-002, PORT-006, PORT-008).

Every expected value comes from the clauses and the suite's own world server: what the
world got is what it recorded, the key is the request's id and the courier's (PORT-006.1),
the request's id the id of the message the courier queued (PORT-001.3).
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, check_type
from ._ported import PORT, Ported, key_of, rule
from ._world import World

pytestmark = pytest.mark.profile("port")


def _blob(rt: Ported, tree: g.GritObject, name: str) -> g.Blob:
    found = rt.entry(tree, name)
    return check_type("PORT-008.1", found, g.Blob, expected=f"an entry {name!r} that is a blob")


@pytest.mark.req(
    "PORT-001",
    "PORT-001.1",
    "PORT-001.2",
    "PORT-001.3",
    "PORT-001.4",
    "PORT-002",
    "PORT-002.1",
    "PORT-008",
    "PORT-008.1",
    "PORT-010",
    "PORT-010.1",
    "ADP-024",
    "ADP-024.1",
    "ADP-024.2",
    "PORT-006.1",
)
def test_a_request_is_answered_with_its_status_kept_headers_and_body(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        courier = rt.courier()
        rt.close()
        rt = Ported(impl, tmp_path / "rt", {"policy": [rule(world.port, [courier])]})
        request = rt.request(
            courier,
            f"{world.base}/echo?x=1",
            method="POST",
            headers={"x-hello": "there"},
            body=b"tea",
            extra={"port-keep": "content-type,x-echo"},
        )
        hits = world.hits("/echo")
        check_equal("PORT-001.4", 1, len(hits), "requests the world got for one adopted step")
        got = [(a.headers, a.id) for a in rt.answers(courier)]
        want = {"mt": "port-response", "port-id": request, "port-status": "200"}
        check_equal("PORT-008.1", [want], [h for h, _ in got], "the answer's headers")
        answer = rt.answers(courier)[0]
        kept = _blob(rt, answer.content, "headers")
        check_equal(
            "PORT-008.1",
            {"content-type": "application/json", "x-echo": ""},
            dict(kept.headers),
            "the kept headers (port-keep)",
        )
        echoed = json.loads(_blob(rt, answer.content, "body").data)
        check_equal(
            "PORT-001.2",
            ("POST", "/echo?x=1", "tea", "there"),
            (echoed["method"], echoed["path"], echoed["body"], echoed["headers"].get("x-hello")),
            "what the world got",
        )
        check_equal(
            "PORT-006.1",
            key_of(request, courier),
            hits[0].headers.get("idempotency-key"),
            "the Idempotency-Key the world got",
        )
        check_equal(
            "PORT-008.1",
            answer.id,
            rt.inbox_entry(courier, PORT),
            "the courier's inbox entry for the port (delivered)",
        )


@pytest.mark.req("PORT-006.1", "PORT-001.3")
def test_two_actors_equal_requests_are_sent_with_their_own_keys(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        one, two = rt.courier("a"), rt.courier("b")
        rt.close()
        rt = Ported(impl, tmp_path / "rt", {"policy": [rule(world.port, [one, two])]})
        first = rt.request(one, f"{world.base}/count")
        second = rt.request(two, f"{world.base}/count")
        check_equal("PORT-001.3", first, second, "the ids of two couriers' first equal requests")
        keys = sorted(h.headers.get("idempotency-key", "") for h in world.hits("/count"))
        check_equal(
            "PORT-006.1",
            sorted([key_of(first, one), key_of(second, two)]),
            keys,
            "the keys the world got: each request's id and its sender's",
        )


@pytest.mark.req("PORT-001.3", "PORT-002.2", "PORT-006.1")
def test_two_actors_requests_of_one_id_are_in_flight_at_once(
    impl: Implementation, tmp_path: Path
) -> None:
    """Two couriers' first equal requests have one id; read in one pass, each is its own
    request (known by its sender and its id, PORT-001.3), both in flight at once."""
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        one, two = rt.courier("a"), rt.courier("b")
        rt.close()
        rt = Ported(impl, tmp_path / "rt", {"policy": [rule(world.port, [one, two])]})
        for courier in (one, two):
            rt.request(courier, f"{world.base}/slow?ms=200", run=False)
        rt.run("ADP-024.2")
        first, second = rt.requests(one)[-1], rt.requests(two)[-1]
        check_equal("PORT-001.3", first, second, "the ids of two couriers' first equal requests")
        got = [
            [
                (a.headers.get("mt"), a.headers.get("port-id"), a.headers.get("port-status"))
                for a in rt.answers(courier)
            ]
            for courier in (one, two)
        ]
        check_equal(
            "PORT-001.3",
            [[("port-response", first, "200")], [("port-response", second, "200")]],
            got,
            "each courier's answers to its request of the same id, read in one pass",
        )
        keys = sorted(h.headers.get("idempotency-key", "") for h in world.hits("/slow"))
        check_equal(
            "PORT-006.1",
            sorted([key_of(first, one), key_of(second, two)]),
            keys,
            "the keys the world got: each request's id and its sender's",
        )


@pytest.mark.req("PORT-008.1", "PORT-004.3", "PORT-002.3")
def test_a_redirect_is_the_answer_and_its_target_is_not_asked(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        courier = rt.courier()
        rt.close()
        rt = Ported(impl, tmp_path / "rt", {"policy": [rule(world.port, [courier])]})
        target = f"{world.base}/target"
        request = rt.request(
            courier, f"{world.base}/redirect?to={target}", extra={"port-keep": "location"}
        )
        check_equal(
            "PORT-004.3",
            0,
            len(world.hits("/target")),
            "requests the world got at the redirect's target",
        )
        answer = rt.answers(courier)[-1]
        check_equal(
            "PORT-004.3",
            {"mt": "port-response", "port-id": request, "port-status": "302"},
            answer.headers,
            "the answer to a redirect",
        )
        check_equal(
            "PORT-004.3",
            {"location": target},
            dict(_blob(rt, answer.content, "headers").headers),
            "the redirect's kept location",
        )


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.req(
    "PORT-002.3",
    "PORT-005",
    "PORT-005.5",
    "PORT-005.6",
    "PORT-005.7",
    "PORT-005.3",
    "PORT-008.2",
    "PORT-008.1",
)
def test_failures_are_typed_messages_and_never_fail_the_actor(
    impl: Implementation, tmp_path: Path
) -> None:
    with World() as world:
        rt = Ported(impl, tmp_path / "rt", {})
        courier = rt.courier()
        rt.close()
        closed = _closed_port()
        policy = [rule(world.port, [courier]), rule(closed, [courier])]
        bounds = {"max_response_bytes": 100, "max_request_bytes": 10}
        rt = Ported(impl, tmp_path / "rt", {"policy": policy, **bounds})
        asked = [
            (rt.request(courier, f"{world.base}/status?code=503"), ("response", "503")),
            (
                rt.request(courier, f"{world.base}/slow?ms=3000", extra={"port-time-limit": "300"}),
                ("port-timeout", "PORT-005.5"),
            ),
            (rt.request(courier, f"{world.base}/big?n=101"), ("port-too-large", "PORT-005.6")),
            (rt.request(courier, f"http://127.0.0.1:{closed}/"), ("port-connection", "PORT-005.7")),
            (
                rt.request(courier, f"{world.base}/post", method="POST", body=b"x" * 11),
                ("port-too-large", "PORT-005.3"),
            ),
            (rt.request(courier, f"{world.base}/big?n=100"), ("response", "200")),
        ]
        got: dict[str | None, tuple[str | None, str | None]] = {}
        for a in rt.answers(courier):
            if a.headers.get("mt") == "port-response":
                got[a.headers.get("port-id")] = ("response", a.headers.get("port-status"))
            else:
                got[a.headers.get("port-id")] = (a.headers.get("error"), a.headers.get("clause"))
        for request, want in asked:
            clause = want[1] if want[0] != "response" else "PORT-008.1"
            check_equal(clause, want, got.get(request), f"the answer to request {request[:12]}")
        check_equal(
            "PORT-005.3", 0, len(world.hits("/post")), "requests sent with a body too large"
        )
        before = len(rt.requests(courier))
        rt.request(courier, f"{world.base}/after")
        asked_after = rt.requests(courier)[before:]
        check_equal(
            "PORT-002.3",
            1,
            len(asked_after),
            "requests the courier sent when asked once more after every failure",
        )
        check_equal("PORT-002.3", 1, len(world.hits("/after")), "requests the world got at /after")
        events = rt.ok("ADP-015", "rt-events")["events"]
        failed = [e for e in events if e["event"] == "failed" and e["actor"] == courier]
        check_equal("PORT-002.3", [], failed, "failed events of the courier")
