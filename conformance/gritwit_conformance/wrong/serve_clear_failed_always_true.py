"""Wrong adapter: clearing a failed mark always answers ``cleared: true`` (HTTP-007.5).

``DELETE /v1/actors/{actor}/failed`` removes a mark when there is one, and says it did
when there was none.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-007.5", "HTTP-007.8"}),
    "failed",
    "clearing a failed mark answers cleared: true also when the actor had none",
)


def install() -> None:
    from gritwit.serve import _engine_ops

    original = _engine_ops.clear

    def clear(state: Any, actor: Any) -> bool:
        original(state, actor)
        return True  # the bug

    patch(_engine_ops, "clear", clear)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
