"""Wrong adapter: ``GET /v1/actors/{actor}/timers`` lists the timers latest first (HTTP-007.10).

The listing walks the timer party's pending timers from the end, as a log is shown,
newest on top: the timer that fires next is the last one a client sees, not the first
(TIM-003.3's order, which TIM-005.2 and HTTP-007.10 ask for).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-007.10"}),
    "failed",
    "an actor's pending timers are listed in the reverse of the order they fire in",
)


def install() -> None:
    from gritwit.serve import _engine_ops

    original = _engine_ops.timers_of

    def timers_of(state: Any, actor: Any) -> list[dict[str, Any]]:
        return list(reversed(original(state, actor)))  # the bug

    patch(_engine_ops, "timers_of", timers_of)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
