"""What the reference's port puts on the wire where the suite's world cannot look
(PORT-004.2, PORT-005.5).

``Host`` names the URL's host, and its port only when the URL's port is not its
scheme's default (RFC 9110, 7.2): the suite's world listens on an unprivileged port, so
only a server on 80 or 443 would see the default's spelling. Here the sending is caught
by an ``httpx`` transport of the test's own, after the address check, so nothing leaves
the machine. A request's ``port-time-limit`` is milliseconds: read off the prepared
request, exactly, where a suite test could time a response only far more coarsely.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import httpx
import pytest

from gritwit import Blob, GritObject, Message, ObjectId, Tree, object_id
from gritwit.runtime import PortService, parse_policy
from gritwit.runtime._port_policy import Rule, parse_url
from gritwit.runtime._port_secrets import Secrets
from gritwit.runtime._port_send import PortBounds, Prepared, Response, perform

#: A documentation address (RFC 5737): the rules below list it, and nothing connects.
ADDRESS = "192.0.2.10"
RID = ObjectId.from_hex("ab" * 32)


def _host_sent(monkeypatch: pytest.MonkeyPatch, url: str) -> str:
    """The ``Host`` header :func:`perform` sends for ``url``, caught before any connection."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("host", ""))
        return httpx.Response(204, stream=httpx.ByteStream(b""))  # read raw, as sent

    real = httpx.Client

    def client(**options: Any) -> httpx.Client:
        options.pop("verify", None)  # no TLS: the transport below answers itself
        return real(transport=httpx.MockTransport(answer), **options)

    monkeypatch.setattr(httpx, "Client", client)
    target = parse_url(url)
    rule = Rule(
        target.scheme,
        target.host,
        target.port,
        "/",
        frozenset({RID.hex()}),
        (ipaddress.ip_network(f"{ADDRESS}/32"),),
    )
    req = Prepared((RID, RID), "GET", target, (), b"", (), 5.0, rule, RID)
    outcome = perform(req, Secrets(), PortBounds(), lambda host, port: [ADDRESS])
    assert isinstance(outcome, Response) and outcome.status == 204, outcome
    assert len(seen) == 1, seen
    return seen[0]


@pytest.mark.req("PORT-004.2", "PORT-003.2")
@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://world.example/p", "world.example"),
        ("http://world.example:80/p", "world.example"),
        ("http://world.example:81/p", "world.example:81"),
        ("http://world.example:443/p", "world.example:443"),
        ("https://world.example/p", "world.example"),
        ("https://world.example:443/p", "world.example"),
        ("https://world.example:444/p", "world.example:444"),
        ("https://world.example:80/p", "world.example:80"),
        ("http://[2001:db8::1]/p", "[2001:db8::1]"),
        ("http://[2001:db8::1]:8080/p", "[2001:db8::1]:8080"),
    ],
)
def test_host_names_the_port_only_when_it_is_not_the_schemes_default(
    monkeypatch: pytest.MonkeyPatch, url: str, host: str
) -> None:
    """The default port (80 for ``http``, 443 for ``https``, PORT-003.2) is left out of
    ``Host``, named or not in the URL; any other port is written after the host."""
    assert _host_sent(monkeypatch, url) == host


class _Objects:
    """The objects a request message's content is read from (an ``ObjectReader``)."""

    def __init__(self, *objects: GritObject) -> None:
        self.objects = {object_id(o): o for o in objects}

    def get_object(self, oid: ObjectId) -> GritObject:
        return self.objects[oid]

    def has(self, oid: ObjectId) -> bool:
        return oid in self.objects


@pytest.mark.req("PORT-005.5", "PORT-001.2")
@pytest.mark.parametrize(("limit", "seconds"), [("1", 0.001), ("1500", 1.5), ("30000", 30.0)])
def test_a_time_limit_is_milliseconds(limit: str, seconds: float) -> None:
    """``port-time-limit: 1500`` gives the request 1.5 s, to the millisecond."""
    heads = Blob(data=b"")
    content = Tree(entries={"headers": object_id(heads)})
    asked = {
        "mt": "port-request",
        "port-method": "GET",
        "port-url": "http://world.example/p",
        "port-time-limit": limit,
    }
    message = Message(content=object_id(content), headers=asked)
    rule = {"scheme": "http", "host": "world.example", "port": 80, "path": "/"}
    service = PortService(_no_door, policy=parse_policy([{**rule, "actors": [RID.hex()]}]))
    try:
        prepared = service.prepare(_Objects(heads, content), (RID, RID), message, {RID.hex()})
    finally:
        service.close()
    assert prepared.time_limit == seconds


def _no_door() -> Any:
    raise AssertionError("prepare reads only the message: no pass is run")
