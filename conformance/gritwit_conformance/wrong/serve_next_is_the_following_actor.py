"""Wrong adapter: a listing's ``next`` is the first actor not answered (HTTP-007.2).

The cursor names the actor the next page starts with, but ``after`` starts after the
actor it names: every page boundary skips one actor.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-007.2"}),
    "failed",
    "next names the first actor of the next page, not the last answered: paging skips one",
)


def install() -> None:
    from gritwit.serve import _engine_ops

    original = _engine_ops.actor_page

    def actor_page(state: Any, where: Any) -> tuple[list[dict[str, Any]], str | None]:
        found, after = original(state, where)
        if after is not None:  # the bug: the cursor moves one actor on
            following = dataclasses.replace(where, after=ObjectId.from_hex(after), limit=1)
            more, _ = original(state, following)
            after = more[0]["actor"] if more else None
        return found, after

    patch(_engine_ops, "actor_page", actor_page)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
