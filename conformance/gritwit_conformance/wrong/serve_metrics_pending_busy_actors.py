"""Wrong adapter: ``gritwit_pending_messages`` counts busy actors, not messages (HTTP-014.2).

The gauge counts the actors with something pending (the ``busy`` of HTTP-007.1), once
each however many messages wait for them.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-014.2"}),
    "failed",
    "gritwit_pending_messages counts the actors with messages pending, not the messages",
)


def install() -> None:
    from gritwit.runtime import _view

    original = _view.ActorViews.pending  # what the gauge sums (serve/_watch.py)

    def pending(self: Any, actor: Any) -> int:
        return min(1, original(self, actor))  # the bug

    patch(_view.ActorViews, "pending", pending)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
