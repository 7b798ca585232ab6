"""Wrong adapter: a refused send's content is stored all the same (HTTP-013.5, HTTP-003.3).

The service stores the objects a body's ``content`` describes as soon as it finds them,
before it checks the rest of the body: a send refused 400 for a field (a ``signal``
that is not a boolean, say) leaves its content in the store.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-013.5", "HTTP-003.3"}),
    "failed",
    "a send refused for a field of its body leaves the objects of its content stored",
)


def install() -> None:
    from gritwit.serve import _actors_api, _http
    from gritwit.serve._content import build_content
    from gritwit.serve._port import EnginePort, Operation
    from gritwit.serve._problems import HttpProblem

    original = _http.json_body

    class StoreContent(Operation[None]):
        """The content's objects stored in one write (the port has no such operation:
        the bug reaches past it, to the engine's store)."""

        def __init__(self, objects: Any) -> None:
            self.objects = objects

        def run(self, port: EnginePort) -> None:
            port.state.store.put_objects(self.objects)  # type: ignore[attr-defined]

    async def json_body(request: Any, fields: Any) -> Any:
        try:
            return await original(request, fields)
        except HttpProblem:
            with contextlib.suppress(Exception):  # the bug: the content first, whatever else
                described = json.loads(await request.body())["content"]
                _, objects = build_content(described)
                await _http.ask(request, StoreContent(objects))
            raise

    patch(_actors_api, "json_body", json_body)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
