"""Wrong adapter: an ``{actor}`` path segment is an id, never a name (HTTP-015.1).

The service reads every ``/v1/actors/{actor}/…`` segment as an id, as before names:
a name is refused 400 ``invalid-id`` instead of being resolved through
``names/actors/<name>`` (RUN-026.4).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-015.1"}),
    "failed",
    "a name in an actor path is refused invalid-id instead of resolved",
)


def install() -> None:
    from gritwit.serve import _actors_api, _life_api
    from gritwit.serve._content import parse_id

    async def actor_of(request: Any) -> Any:
        return parse_id(request.path_params["actor"])  # the bug: ids only

    patch(_actors_api, "actor_of", actor_of)
    patch(_life_api, "actor_of", actor_of)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
