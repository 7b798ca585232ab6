"""Wrong adapter: a query's name is taken from the raw path, escapes and all (HTTP-006.4).

``GET /v1/actors/A/queries/co%75nt`` asks the actor for the query ``co%75nt``, not
``count``: a client that escapes the name as URLs allow gets ``unknown-query``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run
from gritwit_conformance.wrong._serve import Handler, bend_endpoint

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-006.4"}),
    "failed",
    "a query name is read from the raw path, not percent-decoded",
)


def _raw_name(original: Handler) -> Handler:
    async def query(request: Any) -> Any:
        raw = bytes(request.scope.get("raw_path") or b"").decode("latin-1")
        request.path_params["name"] = raw.rsplit("/", 1)[-1]  # the bug
        return await original(request)

    return query


def install() -> None:
    bend_endpoint("GET", "/v1/actors/{actor}/queries/{name}", _raw_name)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
