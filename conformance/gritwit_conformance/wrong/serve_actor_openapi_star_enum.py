"""Wrong adapter: an actor's OpenAPI ``mt`` enumerates ``*`` as a type (HTTP-012.2).

The messages operation's ``mt`` is always an enumeration of the descriptor's types, so
``echo``'s, which takes any text, allows only the text ``*``.
"""

from __future__ import annotations

import json
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-012.2"}),
    "failed",
    "an actor's OpenAPI mt enumerates '*' literally instead of allowing any text",
)


def install() -> None:
    from gritwit.serve import _actors_api

    original = _actors_api.actor_document

    def actor_document(actor: Any, wut: bytes) -> dict[str, Any]:
        document = original(actor, wut)
        types = [item["mt"] for item in json.loads(wut)["messages"]]
        for path, item in document["paths"].items():
            if path.endswith("/messages"):
                schema = item["post"]["requestBody"]["content"]["application/json"]["schema"]
                schema["properties"]["mt"] = {"enum": types}  # the bug: '*' as a type
        return document

    patch(_actors_api, "actor_document", actor_document)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
