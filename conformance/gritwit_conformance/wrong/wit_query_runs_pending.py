"""Wrong adapter: a query first runs the actor's pending messages (WIT-017.1).

The plausible shortcut "a query should see the latest state": before answering,
the executor runs every pending message, so a query creates steps and routes
messages, which a query must never do.
"""

from __future__ import annotations

from gritwit import Blob, ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _executor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-017.1"}),
    "failed",
    "a query first runs the actor's pending messages: it creates a step",
    smoke=False,
)

_original = _executor.Executor.query


def runs_first(self: _executor.Executor, actor: ObjectId, name: str) -> Blob:
    self.run_until_quiescent()  # the bug: a query that writes
    return _original(self, actor, name)


def install() -> None:
    patch(_executor.Executor, "query", runs_first)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
