"""Wrong adapter: each history step's ``read`` and ``sent`` are counted from the start (HTTP-007.6).

The service compares every step's mailboxes with empty ones instead of its
``previous`` step's: a step names everything read and sent before it too.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-007.6"}),
    "failed",
    "a history step lists every message read and sent up to it, not its own",
)


def install() -> None:
    from gritwit.serve import _reads

    original = _reads.step_traffic

    def step_traffic(store: Any, step: Any, previous: Any) -> Any:
        return original(store, step, None)  # the bug: against empty mailboxes

    patch(_reads, "step_traffic", step_traffic)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
