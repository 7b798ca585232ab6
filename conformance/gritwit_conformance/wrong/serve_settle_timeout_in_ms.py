"""Wrong adapter: a settle's ``timeout`` is read as milliseconds (HTTP-011.2).

``{"timeout": 0.5}`` waits half a millisecond: a settle answers ``quiescent: false``
long before the seconds it was given have passed.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-011.2"}),
    "failed",
    "a settle's timeout is taken in milliseconds, not seconds",
)


def install() -> None:
    from gritwit.serve import _grit_api

    original = _grit_api.json_body

    async def json_body(request: Any, fields: Any) -> Any:
        body = await original(request, fields)
        if fields is _grit_api._SETTLE_FIELDS:
            body["timeout"] = body["timeout"] / 1000  # the bug
        return body

    patch(_grit_api, "json_body", json_body)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
