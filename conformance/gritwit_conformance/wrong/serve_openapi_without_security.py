"""Wrong adapter: the service's document says nothing of tokens (HTTP-018.6).

Its OpenAPI document was written before tokens came: no ``securitySchemes``, no
``security`` on any operation.  The service still asks for tokens, but a client
generated from its document sends none and gets 401 from every endpoint.
"""

from __future__ import annotations

import json
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run
from gritwit_conformance.wrong._serve import Handler, bend_endpoint, rebuilt

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-018.6"}),
    "failed",
    "the service's OpenAPI document names no security scheme and no operation's scope",
)


def _without_security(original: Handler) -> Handler:
    async def openapi(request: Any) -> Any:
        response = await original(request)
        if response.status_code != 200:
            return response
        document = json.loads(response.body)
        document.get("components", {}).pop("securitySchemes", None)  # the bug
        document.pop("security", None)
        for item in document.get("paths", {}).values():
            for operation in item.values():
                if isinstance(operation, dict):
                    operation.pop("security", None)
        return rebuilt(response, body=json.dumps(document).encode("utf-8"))

    return openapi


def install() -> None:
    bend_endpoint("GET", "/v1/openapi.json", _without_security)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
