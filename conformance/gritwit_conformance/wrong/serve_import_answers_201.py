"""Wrong adapter: ``POST /v1/bundles`` answers 201 Created (HTTP-010.2).

An import makes an actor where there was none, so the service answers it as a
creation: 201, not the 200 the clause names (an import may also change nothing).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run
from gritwit_conformance.wrong._serve import Handler, bend_endpoint, rebuilt

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-010.2"}),
    "failed",
    "a bundle imported is answered 201, not 200",
)


def _created(original: Handler) -> Handler:
    async def import_bundle(request: Any) -> Any:
        response = await original(request)
        if response.status_code != 200:
            return response
        return rebuilt(response, status=201)  # the bug

    return import_bundle


def install() -> None:
    bend_endpoint("POST", "/v1/bundles", _created)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
