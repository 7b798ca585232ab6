"""Wrong adapter: ``GET /v1/names`` lists names in the order of their actors' ids (HTTP-015.2).

The names come back sorted by the actor each names, not by name (REF-006).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-015.2"}),
    "failed",
    "GET /v1/names lists the names in their actors' order, not by name",
)


def install() -> None:
    from gritwit.serve import _engine_ops

    original = _engine_ops.name_page

    def name_page(state: Any, after: Any, limit: int) -> Any:
        page, following = original(state, after, limit)
        return dict(sorted(page.items(), key=lambda item: item[1])), following  # the bug

    patch(_engine_ops, "name_page", name_page)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
