"""Wrong adapter: a history step without a step time is given the head's (HTTP-007.7).

The service fills the ``time`` of every step the store has no time for with the head's,
so the steps a bundle moved in read as adopted when the import was: a time of another
step, which RUN-027.2 forbids.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-007.7"}),
    "failed",
    "a history step without a step time is shown with its head's time",
)


def install() -> None:
    from gritwit.serve import _engine_ops

    original = _engine_ops.history_page

    def history_page(state: Any, actor: Any, limit: int, before: Any) -> Any:
        page = original(state, actor, limit, before)
        if page is None or not page[0]:
            return page
        steps, after = page
        guess = next((step["time"] for step in steps if step["time"] is not None), None)
        return [{**step, "time": step["time"] or guess} for step in steps], after  # the bug

    patch(_engine_ops, "history_page", history_page)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
