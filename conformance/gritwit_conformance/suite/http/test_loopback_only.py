"""A service the adapter started listens on loopback only (HTTP-001.3, ADP-021.1).

``http-serve`` names no other address, so the service must listen on a loopback
address and nowhere else: a connection to its port through an address of this machine
that is not loopback must fail. The machine's outward address is the one the system
would send from (a UDP socket connected to a documentation address sends nothing); a
machine with none, or only a loopback one, skips the test.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import httpx
import pytest

from .._check import check
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")

#: TEST-NET-1 (RFC 5737): connecting a UDP socket to it picks the outward address, sends
#: nothing.
OUTWARD_PROBE = ("192.0.2.1", 9)


def _outward_address() -> str | None:
    """An IPv4 address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(OUTWARD_PROBE)
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    if ipaddress.ip_address(address).is_loopback or address == "0.0.0.0":
        return None
    return address


@pytest.mark.req("HTTP-001.3", "ADP-021.1")
def test_the_service_is_not_reached_beyond_loopback(http: httpx.Client) -> None:
    port = urlsplit(str(http.base_url)).port
    address = _outward_address()
    if address is None or port is None:
        pytest.skip("this machine has no address beyond loopback to try")
    try:
        with socket.create_connection((address, port), timeout=5):
            reached = True
    except OSError:
        reached = False
    check(
        "HTTP-001.3",
        not reached,
        expected="no connection: the service listens on loopback only",
        came=f"a connection accepted at {address}:{port}",
        what="a connection to the service's port through this machine's outward address",
    )
