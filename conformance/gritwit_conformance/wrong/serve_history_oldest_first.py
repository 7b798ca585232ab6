"""Wrong adapter: an actor's history is answered oldest first (HTTP-007.4).

Each page holds the right steps, reversed: the first entry is the oldest of the page,
not the head.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-007.4"}),
    "failed",
    "an actor's history is answered oldest step first, not from the head back",
)


def install() -> None:
    from gritwit.serve import _engine_ops

    original = _engine_ops.history_page

    def history_page(state: Any, actor: Any, limit: int, before: Any) -> Any:
        page = original(state, actor, limit, before)
        if page is None:
            return None
        steps, after = page
        return list(reversed(steps)), after  # the bug

    patch(_engine_ops, "history_page", history_page)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
