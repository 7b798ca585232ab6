"""The reference's port service through its Python API (PORT-002, PORT-006, PORT-007).

A request accepted (its port step adopted) whose answer was never adopted, because the
service stopped before it sent it, is sent by the next service on the same store with the
same key, and answered once; a loopback server here counts what it got.  Expected values
come from the clauses: the key is the request's id and its sender's (PORT-006.1).
"""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from chains import message_chain
from port_requests import courier_request, loopback_rule

from gritwit import Blob, ObjectId, Store, object_id
from gritwit.runtime import (
    HTTP,
    SERVICE_TEST_ACTORS,
    PortService,
    Runtime,
    parse_policy,
    requests_in_flight,
)
from gritwit.wit import TEST_ACTORS, mailbox_map, test_actor_core

ACTORS = {**TEST_ACTORS, **SERVICE_TEST_ACTORS}


class _Counting(BaseHTTPRequestHandler):
    keys: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        type(self).keys.append(self.headers.get("idempotency-key", ""))
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def _port_messages(store: Store, actor: ObjectId) -> list[dict[str, str]]:
    head = store.get_ref(f"heads/{HTTP.hex()}")
    if head is None:
        return []
    step = store.get_object(head)
    last = mailbox_map(store, step.outbox).get(actor)  # type: ignore[union-attr]
    return [dict(message.headers) for _, message in message_chain(store.get_object, last)]


@pytest.mark.req("PORT-006.2", "PORT-006.1", "PORT-007.1", "PORT-006.3", "PORT-002.2")
def test_a_request_in_flight_at_a_stop_is_sent_again_with_its_key_and_answered_once(
    tmp_path: Path,
) -> None:
    _Counting.keys = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = int(server.server_address[1])
    where = tmp_path / "store"
    try:
        with Store.open(where) as store:
            runtime = Runtime(store, actors=ACTORS)

            async def ask() -> ObjectId:
                core, objects = test_actor_core("courier", {})
                courier = await runtime.genesis(core, objects)
                await runtime.run_until_quiescent()
                content, made = courier_request(f"http://127.0.0.1:{port}/x")
                await runtime.send(courier, content, {"mt": "port"}, made, False)
                await runtime.run_until_quiescent()
                return courier

            courier = asyncio.run(ask())
            policy = parse_policy([loopback_rule(port, courier)])
            first = PortService(runtime.service_door, policy=policy)
            first.close()  # it sends nothing: as a kill right after the accepting step
            assert first.run_pass() is not None  # the accepting step, adopted
            accepted = requests_in_flight(store)
            runtime.flush()
        assert len(accepted) == 1 and _Counting.keys == []
        ((sender, rid),) = accepted
        with Store.open(where) as store:  # a restart from the store alone
            runtime = Runtime(store, actors=ACTORS)
            again = PortService(runtime.service_door, policy=policy)
            again.run_pass()  # finds the request in flight and sends it (PORT-006.2)
            while again.in_flight:
                again.wait(1.0)
                again.run_pass()
            again.run_pass()
            assert requests_in_flight(store) == {}
            answers = _port_messages(store, courier)
            again.close()
            runtime.flush()
        assert _Counting.keys == [rid.hex() + sender.hex()]
        assert [(a["mt"], a["port-id"], a["port-status"]) for a in answers] == [
            ("port-response", rid.hex(), "200")
        ]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.req("PORT-007.2", "PORT-007")
def test_each_share_accepts_only_its_own_actors_requests() -> None:
    from gritwit.runtime import Share

    store = Store.memory()
    shares = [Share(k=0, n=2), Share(k=1, n=2)]
    runtimes = [Runtime(store, actors=ACTORS, share=s) for s in shares]

    async def scenario() -> dict[int, ObjectId]:
        by_share: dict[int, ObjectId] = {}
        seed = 0
        while len(by_share) < 2:
            seed += 1
            core, objects = test_actor_core("courier", {"seed": Blob(data=b"%d" % seed)})
            k = int.from_bytes(object_id(core).digest[:8], "big") % 2  # RUN-021.1
            if k not in by_share:
                by_share[k] = await runtimes[k].genesis(core, objects)
                await runtimes[k].run_until_quiescent()
        for k, actor in by_share.items():
            content, parts = courier_request("http://127.0.0.1:9/x")  # refused: no rule
            await runtimes[k].send(actor, content, {"mt": "port"}, parts, False)
            await runtimes[k].run_until_quiescent()
        return by_share

    by_share = asyncio.run(scenario())
    services = [PortService(r.service_door) for r in runtimes]
    services[0].run_pass()  # share 0 reads, and refuses, its own actor's request only
    assert [len(_port_messages(store, by_share[k])) for k in (0, 1)] == [1, 0]
    services[1].run_pass()
    assert [len(_port_messages(store, by_share[k])) for k in (0, 1)] == [1, 1]
    assert {m["error"] for k in (0, 1) for m in _port_messages(store, by_share[k])} == {
        "port-refused"
    }
    for service in services:
        service.close()


@pytest.mark.req("PORT-007.6", "PORT-007.2")
def test_a_pass_with_only_another_shares_requests_pending_adopts_no_step() -> None:
    """Share 0's runtime, caught up with the store, sees share 1's request pending for the
    port; its passes read nothing of it, so each adopts no step and leaves the party's head
    where it was (PORT-007.6); share 1's pass then reads it. An empty step at each pass
    kept a service running again at once for ever, and took the head from share 1."""
    from gritwit.runtime import Share

    store = Store.memory()
    runtimes = [Runtime(store, actors=ACTORS, share=Share(k=k, n=2)) for k in (0, 1)]

    async def theirs() -> ObjectId:
        for seed in range(1, 64):
            core, objects = test_actor_core("courier", {"seed": Blob(data=b"%d" % seed)})
            if int.from_bytes(object_id(core).digest[:8], "big") % 2 == 1:  # RUN-021.1
                actor = await runtimes[1].genesis(core, objects)
                await runtimes[1].run_until_quiescent()
                content, parts = courier_request("http://127.0.0.1:9/x")  # refused: no rule
                await runtimes[1].send(actor, content, {"mt": "port"}, parts, False)
                await runtimes[1].run_until_quiescent()
                await runtimes[0].run_until_quiescent()  # share 0 catches up (RUN-003)
                return actor
        raise AssertionError("63 seeds, none in share 1")

    courier = asyncio.run(theirs())
    services = [PortService(r.service_door) for r in runtimes]
    _, _, found = runtimes[0].service_door().pending(HTTP)
    assert courier in found  # share 0 sees the request pending (else the check is empty)
    before = store.get_ref(f"heads/{HTTP.hex()}")
    assert [services[0].run_pass() for _ in range(3)] == [None, None, None]
    assert store.get_ref(f"heads/{HTTP.hex()}") == before
    assert services[1].run_pass() is not None  # its own share reads and refuses it
    assert [m["error"] for m in _port_messages(store, courier)] == ["port-refused"]
    for service in services:
        service.close()


@pytest.mark.req("PORT-004.2", "PORT-004.1")
def test_the_port_connects_to_the_address_it_checked_not_a_second_lookup() -> None:
    """A name no system resolver knows reaches the server only through the checked address
    the service's own lookup gave, with the name in ``Host`` (PORT-004.2)."""
    import ipaddress

    from gritwit.runtime._port import PortBounds, Prepared, Response, perform
    from gritwit.runtime._port_policy import Rule, parse_url
    from gritwit.runtime._port_secrets import Secrets

    seen: list[str] = []

    class _Host(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def do_GET(self) -> None:
            seen.append(self.headers.get("host", ""))
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Host)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = int(server.server_address[1])
    lookups: list[str] = []

    def resolve(host: str, _port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    try:
        rid = ObjectId.from_hex("ab" * 32)
        rule = Rule(
            "http",
            "world.invalid",
            port,
            "/",
            frozenset({"x"}),
            (ipaddress.ip_network("127.0.0.1/32"),),
        )
        url = parse_url(f"http://world.invalid:{port}/p")
        req = Prepared((rid, rid), "GET", url, (), b"", (), 5.0, rule, rid)
        outcome = perform(req, Secrets(), PortBounds(), resolve)
        assert isinstance(outcome, Response) and outcome.status == 204
        assert lookups == ["world.invalid"] and seen == [f"world.invalid:{port}"]
        unlisted = Rule("http", "world.invalid", port, "/", frozenset({"x"}))
        refused = perform(
            Prepared((rid, rid), "GET", url, (), b"", (), 5.0, unlisted, rid),
            Secrets(),
            PortBounds(),
            resolve,
        )
        assert (getattr(refused, "error", None), len(seen)) == ("port-refused", 1)
    finally:
        server.shutdown()
        server.server_close()
