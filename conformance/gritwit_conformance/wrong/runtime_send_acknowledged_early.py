"""Wrong adapter: every send waits for the next run's group commit, in the default mode too.

``rt-open`` without ``sends`` (or with ``"own"``) gets a runtime whose sends join the
open commit group (RUN-019.2) instead of committing each on its own (RUN-019.1): an
``rt-send`` is answered before its message and outbox are durable, and a kill right
after the answer loses it.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as _adapter_runtime
from gritwit.runtime import Runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-019.1"}),
    "failed",
    "in the default mode (sends 'own') every rt-send joins the next run's commit group: "
    "it is answered before it is durable, and a kill right after the answer loses it",
)


class _Grouped(Runtime):
    def __init__(self, store: Any, **options: Any) -> None:
        if options.get("commit", "group") == "group":
            options["send_commit"] = "group"  # the bug: "own" acknowledged before durable
        super().__init__(store, **options)


def install() -> None:
    patch(_adapter_runtime, "Runtime", _Grouped)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
