"""Wrong adapter: an actor failed at its genesis is listed nowhere (HTTP-007.9).

The service lists and answers only the actors with a head, as it did before the clause:
an actor marked failed with no head is left out of ``GET /v1/actors`` (and so of
``failed=true``), and ``GET /v1/actors/{actor}`` answers it 404, though a clear acts on
it and the status page counts it.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-007.9"}),
    "failed",
    "an actor failed at its genesis (a mark, no head) is left out of GET /v1/actors and "
    "answered 404 by GET /v1/actors/{actor}",
)


def install() -> None:
    from gritwit.serve import _engine_ops

    page, entry = _engine_ops.actor_page, _engine_ops.actor_entry

    def actor_page(state: Any, where: Any) -> tuple[list[dict[str, Any]], str | None]:
        found, after = page(state, where)
        return [e for e in found if e["head"] is not None], after  # the bug

    def actor_entry(state: Any, actor: Any) -> dict[str, Any] | None:
        found = entry(state, actor)
        return None if found is None or found["head"] is None else found  # the bug

    patch(_engine_ops, "actor_page", actor_page)
    patch(_engine_ops, "actor_entry", actor_entry)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
