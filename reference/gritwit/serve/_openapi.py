"""OpenAPI documents: the service's own, and one per actor from its ``wut`` (HTTP-012).

:func:`service_document` is ``spec/schemas/http-openapi.json`` (CONV-006), whose copy
the package carries; :func:`actor_document` builds an OpenAPI 3.1 document from an
actor's answer to the query ``wut`` (WIT-018): one ``get`` per query it lists, one
``post`` on its messages path whose ``mt`` is an enumeration of its message types
(HTTP-012.2).
"""

from __future__ import annotations

import json
from typing import Any, Final
from urllib.parse import quote

from .._errors import UnknownQuery
from .._ids import ObjectId
from .._schemas import schema_bytes

__all__ = ["DOCUMENT", "actor_document", "service_document"]

#: The service's OpenAPI document's file, in ``spec/schemas/`` and the package's copy.
DOCUMENT: Final = "http-openapi.json"

_ERROR: Final = {"$ref": "#/components/schemas/Error"}
#: A failed request's body (HTTP-003.1).
_ERROR_SCHEMA: Final = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["class", "message"],
            "properties": {"class": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


def service_document() -> bytes:
    """The bytes of ``spec/schemas/http-openapi.json`` (HTTP-012.1)."""
    return schema_bytes(DOCUMENT)


def _texts(items: object, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """``items`` when it is a list of objects with text ``fields``, else ``ValueError``."""
    if not isinstance(items, list):
        raise ValueError("a list is expected")
    for item in items:
        if not isinstance(item, dict) or not all(isinstance(item.get(f), str) for f in fields):
            raise ValueError(f"each item has the text fields {', '.join(fields)}")
    return items


def _descriptor(wut: bytes) -> dict[str, Any]:
    """The descriptor of WIT-018 in ``wut``; one without its shape is no answer to it."""
    try:
        found = json.loads(wut.decode("utf-8"))
        if not isinstance(found, dict):
            raise ValueError("not a JSON object")
        for name in ("name", "description"):
            if not isinstance(found.get(name), str):
                raise ValueError(f"no text {name}")
        _texts(found.get("messages"), ("mt", "description"))
        _texts(found.get("queries"), ("name", "description"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnknownQuery("HTTP-012.2", f"the answer to wut is not a descriptor: {exc}") from None
    return found


def _answers() -> dict[str, Any]:
    return {
        "200": {
            "description": "the answer blob, served by HTTP-006.1",
            "content": {"application/json": {}, "text/html": {}},
        },
        "404": {
            "description": "unknown-query",
            "content": {"application/json": {"schema": _ERROR}},
        },
    }


def actor_document(actor: ObjectId, wut: bytes) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``actor`` from its answer ``wut`` (HTTP-012.2)."""
    found = _descriptor(wut)
    base = f"/v1/actors/{actor.hex()}"
    paths: dict[str, Any] = {}
    for item in found["queries"]:
        paths[f"{base}/queries/{quote(item['name'], safe='')}"] = {
            "get": {
                "operationId": f"query-{item['name']}",
                "summary": item["description"],
                "responses": _answers(),
            }
        }
    types = [item["mt"] for item in found["messages"]]
    mt: dict[str, Any] = {"type": "string"} if "*" in types else {"enum": types}
    mt["description"] = "; ".join(f"{m['mt']}: {m['description']}" for m in found["messages"])
    paths[f"{base}/messages"] = {
        "post": {
            "operationId": "send",
            "summary": "send a message from the outside (HTTP-005)",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["content"],
                            "additionalProperties": False,
                            "properties": {
                                "content": {"type": "object"},
                                "mt": mt,
                                "signal": {"type": "boolean"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "202": {"description": "sent, durable (HTTP-005.2)"},
                "200": {"description": "a replay of a keyed send (HTTP-005.3)"},
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": found["name"], "description": found["description"], "version": "1"},
        "paths": paths,
        "components": {"schemas": {"Error": _ERROR_SCHEMA}},
    }
