"""A body whose client goes away before it ends leaves no trace (HTTP-013.3, HTTP-013.5).

The client announces a body of a few bytes more than it sends, sends a whole JSON
send body, waits for the service to read that much, and closes the connection. The
rest of the body never arrives: the request fails (HTTP-013.3), and a request refused
under that clause leaves no trace in the store (HTTP-013.5). The bytes that did come
happen to be a JSON body a send would take; the message must still not be sent.
"""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from gritwit_conformance.harness._state import scaled

from .._check import check_equal
from ._api import count_of, counter, inc, next_previous, settle
from ._service import _address, request_head
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: Bytes announced and never sent.
MISSING = 8


@pytest.mark.req("HTTP-013.3", "HTTP-013.5", "HTTP-003.3")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1", "HTTP-011.1")
def test_a_send_whose_client_leaves_before_its_body_ends_sends_nothing(
    http: httpx.Client,
) -> None:
    actor = counter(http)
    last = inc(http, actor)
    url = str(http.base_url).rstrip("/")
    body = json.dumps({"content": {"blob": b"5".hex()}, "mt": "inc"}).encode()
    head = request_head(
        "POST",
        url,
        f"/v1/actors/{actor}/messages",
        {"Content-Type": "application/json", "Content-Length": str(len(body) + MISSING)},
    )
    with socket.create_connection(_address(url), timeout=scaled(10)) as sock:
        sock.sendall(head + body)
        time.sleep(scaled(1.0))  # the service reads what came, and waits for the rest
    settle(http)
    check_equal(
        ("HTTP-013.5", "HTTP-013.3"),
        1,
        count_of(http, actor),
        f"the count after an inc of 1, then a send of an inc of 5 whose body stopped "
        f"{MISSING} bytes short and whose client left: that send failed",
    )
    check_equal(
        ("HTTP-013.5", "HTTP-003.3"),
        last,
        next_previous(http, actor),
        "the outside's last message to the actor: the inc of 1 (the cut-off send sent nothing)",
    )
