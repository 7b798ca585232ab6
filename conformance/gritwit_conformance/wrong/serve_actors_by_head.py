"""Wrong adapter: ``GET /v1/actors`` lists the actors in the order of their heads (HTTP-007.1).

The listing sorts its entries by head step id, not by actor id: a client paging
through it with ``after`` skips and repeats actors.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-007.1"}),
    "failed",
    "GET /v1/actors lists the actors in ascending order of their heads, not of their ids",
)


def install() -> None:
    from gritwit.serve import _engine_ops

    original = _engine_ops.actor_page

    def actor_page(state: Any, where: Any) -> tuple[list[dict[str, Any]], str | None]:
        found, after = original(state, where)
        return sorted(found, key=lambda entry: entry["head"] or ""), after  # the bug

    patch(_engine_ops, "actor_page", actor_page)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
