"""Wrong adapter: ``GET /v1`` also names the implementation (HTTP-012.3).

The service's description carries one field more than HTTP-001.6 gives and the
OpenAPI document's ``Version`` describes, ``"implementation": "gritwit …"``: a client
generated from the document, which forbids other fields there, rejects the answer.
Every test of HTTP-001.6 checks only the fields it names, so only the answer's check
against the document sees it.
"""

from __future__ import annotations

import json
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run
from gritwit_conformance.wrong._serve import Handler, bend_endpoint, rebuilt

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-012.3"}),
    "failed",
    "GET /v1 answers a field the OpenAPI document does not describe (implementation)",
)


def _named(original: Handler) -> Handler:
    async def version(request: Any) -> Any:
        response = await original(request)
        answer = json.loads(response.body)
        answer["implementation"] = "gritwit (wrong)"  # the bug
        return rebuilt(response, body=json.dumps(answer).encode())

    return version


def install() -> None:
    bend_endpoint("GET", "/v1", _named)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
