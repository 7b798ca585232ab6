"""Wrong adapter: a step's ``sent`` gives each recipient's messages newest first (HTTP-007.6).

The service walks each recipient's queue back from the step's outbox entry and lists
the messages as it meets them, newest first, without turning the walk round; ``read``
is right. A step that sent one message to each recipient shows no difference.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-007.6"}),
    "failed",
    "a step's sent lists each recipient's messages newest first",
)


def install() -> None:
    from gritwit.serve import _reads

    original = _reads.step_traffic

    def step_traffic(store: Any, step: Any, previous: Any) -> tuple[list[Any], list[Any]]:
        read, sent = original(store, step, previous)
        walked = [m for _, run_ in groupby(sent, key=lambda t: t.party) for m in list(run_)[::-1]]
        return read, walked  # the bug: each recipient's run as walked back, newest first

    patch(_reads, "step_traffic", step_traffic)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
