"""Wrong adapter: ``GET /v1`` names the release the spec is heading for (HTTP-001.6).

The service's description drops the development part of the spec version
(``0.4.0.dev0`` → ``0.4.0``): it names a version the implementation does not claim.
"""

from __future__ import annotations

import json
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run
from gritwit_conformance.wrong._serve import Handler, bend_endpoint, rebuilt

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-001.6"}),
    "failed",
    "GET /v1 names the spec version without its development part (0.4.0 for 0.4.0.dev0)",
)


def _released(original: Handler) -> Handler:
    async def version(request: Any) -> Any:
        response = await original(request)
        answer = json.loads(response.body)
        answer["spec"] = str(answer["spec"]).split(".dev")[0]  # the bug
        return rebuilt(response, body=json.dumps(answer).encode())

    return version


def install() -> None:
    bend_endpoint("GET", "/v1", _released)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
