"""Wrong adapter: a transition that raises has its messages skipped (RUN-004.2).

The runtime protects its actors from *poison messages*: when a test actor's
transition raises, it adopts a step that reads every pending message without
effect (the core kept as it was) instead of failing — a dead-letter policy. The
messages of the failed transition do not stay pending, and nothing is retried,
marked failed or receipted.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _executor
from gritwit.wit._model import TransitionOutput
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-004.2"}),
    "failed",
    "a transition that raises gets a step reading its messages without effect (a "
    "dead-letter policy): they do not stay pending, nothing is retried or marked failed",
    smoke=True,
)

_real_wit = _executor.Executor._wit


def _wit(self: Any, core: Any, gate: Any = None) -> Any:
    wit = _real_wit(self, core, gate)

    def skipping(inp: Any) -> Any:
        try:
            return wit(inp)
        except Exception:  # the bug: the messages are read without effect
            read = {sender: len(items) for sender, items in inp.pending.items()}
            return TransitionOutput(core=inp.core, read=read, new_objects=(inp.core,))

    return skipping


def install() -> None:
    patch(_executor.Executor, "_wit", _wit)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
