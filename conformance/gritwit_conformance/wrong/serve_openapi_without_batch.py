"""Wrong adapter: the service's OpenAPI document lacks ``POST /v1/messages`` (HTTP-012.1).

The document was written before the batch endpoint (HTTP-005.7) and not updated: it
describes every endpoint but that one.
"""

from __future__ import annotations

import json

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-012.1"}),
    "failed",
    "GET /v1/openapi.json describes every endpoint but POST /v1/messages",
)


def install() -> None:
    from gritwit.serve import _grit_api

    original = _grit_api.service_document

    def service_document() -> bytes:
        document = json.loads(original())
        document["paths"].pop("/v1/messages", None)  # the bug
        return json.dumps(document).encode()

    patch(_grit_api, "service_document", service_document)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
