"""The service's HTTP/1.1 protocol against the uvicorn installed: the seam it subclasses.

:mod:`gritwit.serve._protocol` subclasses uvicorn's h11 protocol, an internal class, to
answer a header section past the bound ``431`` and a malformed request ``400`` as JSON
(HTTP-013.2, HTTP-003.1) and to bound a request head's wait (HTTP-013.3).  pyproject
pins uvicorn to the minor versions this was tested on; these tests fail on one whose
class no longer has what the subclass overrides or uses, before a served request does:

* each method it overrides is uvicorn's, with the same parameters, and none of its own
  helpers shadows one of uvicorn's;
* on one instance, fed bytes through a stand-in transport, uvicorn still calls
  ``send_400_response`` for what h11 refuses, with the h11 connection at ``conn`` and
  the transport and loop where the subclass reads them.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Iterator
from typing import Any

import h11
import pytest
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from gritwit.serve._protocol import _Guarded, guarded_protocol

#: What the subclass overrides of uvicorn's class (its other methods are its own).
OVERRIDDEN = (
    "__init__",
    "connection_made",
    "data_received",
    "connection_lost",
    "on_response_complete",
    "send_400_response",
)


def _parameters(function: Any) -> list[str]:
    return [
        name
        for name, parameter in inspect.signature(function).parameters.items()
        if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    ]


@pytest.mark.req("HTTP-013.2", "HTTP-013.3")
def test_each_method_the_subclass_overrides_is_uvicorns_with_its_parameters() -> None:
    own = {name for name, value in vars(_Guarded).items() if inspect.isfunction(value)}
    assert own >= set(OVERRIDDEN), sorted(set(OVERRIDDEN) - own)
    for name in sorted(own):
        if name in OVERRIDDEN:
            assert name in vars(H11Protocol), f"uvicorn's H11Protocol has no {name} now"
            if name != "__init__":  # the subclass takes whatever uvicorn's takes
                assert _parameters(getattr(_Guarded, name)) == _parameters(
                    getattr(H11Protocol, name)
                ), f"{name}: uvicorn's parameters changed"
        else:
            assert not hasattr(H11Protocol, name), f"{name} now shadows one of uvicorn's"


class _Transport(asyncio.Transport):
    """What uvicorn's protocol writes to, kept in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        pass


async def _app(scope: Any, receive: Any, send: Any) -> None:  # never reached here
    raise AssertionError("a refused request reached the app")


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def _fed(loop: asyncio.AbstractEventLoop, *pieces: bytes) -> _Transport:
    """A guarded protocol's transport after ``pieces`` arrived, each in one read."""
    config = Config(_app, lifespan="off", log_config=None, h11_max_incomplete_event_size=1024)
    config.load()
    protocol = guarded_protocol(30.0)(config, ServerState(), {}, _loop=loop)
    transport = _Transport()
    protocol.connection_made(transport)
    # where the subclass reads them: h11's connection, the transport, the loop
    assert isinstance(protocol.conn, h11.Connection)
    assert protocol.transport is transport and protocol.loop is loop
    for piece in pieces:
        if transport.closed:  # a closed connection reads no more
            break
        protocol.data_received(piece)
    protocol.connection_lost(None)
    return transport


def _answer(transport: _Transport) -> tuple[int, dict[str, Any]]:
    head, _, body = bytes(transport.written).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


@pytest.mark.req("HTTP-003.1", "HTTP-013.2")
def test_uvicorn_still_hands_the_subclass_what_h11_refuses(
    loop: asyncio.AbstractEventLoop,
) -> None:
    refused = _fed(loop, b"NOT HTTP AT ALL\r\n\r\n")
    status, body = _answer(refused)
    assert (status, body["error"]["class"]) == (400, "bad-request"), (status, body)
    assert refused.closed
    # a header section past uvicorn's bound, in pieces: h11's refusal, answered 431
    head = b"GET /v1 HTTP/1.1\r\nhost: x\r\n"
    split = _fed(loop, head, b"x-long: " + b"a" * 2048, b"\r\n\r\n")
    status, body = _answer(split)
    assert (status, body["error"]["class"]) == (431, "headers-too-large"), (status, body)
    assert split.closed


@pytest.mark.req("HTTP-013.3")
def test_a_head_deadline_passing_on_a_closing_connection_answers_nothing(
    loop: asyncio.AbstractEventLoop,
) -> None:
    """HTTP-013.3: the head's deadline judges an open connection awaiting a head; one
    already closing (by another of its deadlines, its last answer still unsent) is
    answered nothing more, though part of a next head came."""
    config = Config(_app, lifespan="off", log_config=None)
    config.load()
    protocol = guarded_protocol(30.0)(config, ServerState(), {}, _loop=loop)
    transport = _Transport()
    protocol.connection_made(transport)
    protocol.data_received(b"GET /v1 HTT")  # part of a head: its deadline runs
    assert protocol.conn.their_state is h11.IDLE and protocol.conn.trailing_data[0]
    transport.close()
    protocol._head_overdue()
    assert bytes(transport.written) == b"", bytes(transport.written)
    protocol.connection_lost(None)
