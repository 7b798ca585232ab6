"""An actor whose answer to ``wut`` is no descriptor has no document (HTTP-012.2).

The suite's Wasm ``echo`` answers ``wut`` with a descriptor held whole in its module's
data; the same module with a few bytes of that text changed (the text's length kept, so
the module stays valid and answers all of it) is another actor whose ``wut`` is JSON but
not a descriptor (``spec/schemas/wut.schema.json``): not an object, a ``name`` that is no
text, ``messages`` that are no list, a message type or a query's name that is no text.
Each must be answered ``404 unknown-query`` rather than a document made of it.
"""

from __future__ import annotations

import httpx
import pytest

from gritwit_conformance.data._paths import wasm_dir

from .._check import check, suite_premise
from ._api import create, expect_error, head_of, settle
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http", "wasm")

#: The descriptor the Wasm echo answers ``wut`` with, as its module holds it.
DESCRIPTOR = (
    b'{"description":"Replies to every message with mt \'echo\' and the same content.",'
    b'"messages":[{"description":"Any message: echoed back to its sender.","mt":"*"}],'
    b'"name":"echo","queries":[{"description":"This description, as JSON.","name":"wut"}]}'
)

#: Changes of the descriptor, each of the same length: (what it holds, its bytes).
NOT_DESCRIPTORS: dict[str, tuple[bytes, bytes]] = {
    "an-array": (DESCRIPTOR, b"[" + b" " * (len(DESCRIPTOR) - 2) + b"]"),
    "name-a-number": (b'"name":"echo"', b'"name":123456'),
    "messages-an-object": (
        b'"messages":[{"description":"Any message: echoed back to its sender.","mt":"*"}]',
        b'"messages":{' + b" " * 66 + b"}",
    ),
    "mt-a-number": (b'"mt":"*"', b'"mt":777'),
    "query-name-a-number": (b'"name":"wut"', b'"name":12345'),
}


def _module(case: str) -> bytes:
    """The Wasm echo with its ``wut`` text changed as ``case`` says."""
    module = (wasm_dir() / "actors" / "echo.wasm").read_bytes()
    old, new = NOT_DESCRIPTORS[case]
    suite_premise(
        module.count(DESCRIPTOR) == 1 and module.count(old) == 1 and len(old) == len(new),
        f"the Wasm echo holds its descriptor once, and {old!r:.60} in it once",
    )
    return module.replace(old, new)


@pytest.mark.parametrize("case", list(NOT_DESCRIPTORS))
@pytest.mark.req("HTTP-012.2", "HTTP-003.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-004.2", "HTTP-009.3", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_an_actor_whose_wut_is_no_descriptor_has_no_document(http: httpx.Client, case: str) -> None:
    actor = create(http, wasm=_module(case).hex())["actor"]
    settle(http)
    check(
        "HTTP-004.2",
        head_of(http, actor) is not None,
        expected="a head: the Wasm actor's genesis ran",
        came="none",
        what=f"the head of {actor} (the echo whose wut holds {case})",
    )
    response = http.get(f"/v1/actors/{actor}/openapi.json")
    expect_error(response, 404, "unknown-query", f"HTTP-012.2 (an answer to wut that holds {case})")
