"""Wrong adapter: a batch's ``to`` takes ids only (HTTP-015.1, HTTP-005.7).

The service reads every ``to`` as an id, as it did before names: a name there is 400
``invalid-id`` where a path's ``{actor}`` would resolve it.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-015.1"}),
    "failed",
    "a batch's to is read as an id only, never as a name",
)


def install() -> None:
    from gritwit.serve import _actors_api, _content

    async def recipients(request: Any, texts: list[str]) -> list[Any]:
        return [_content.parse_id(text) for text in texts]  # the bug: no name resolved

    patch(_actors_api, "_recipients", recipients)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
