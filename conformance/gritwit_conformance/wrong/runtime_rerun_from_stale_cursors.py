"""Wrong adapter: a transition run again after a lost swap reads from its own old cursors.

When a group member's compare-and-swap of ``heads/<actor>`` loses to another writer
(RUN-017.4), the runtime runs the actor again from the winner's head (RUN-002.3), but
over what was pending from the inbox of the head *it* had started from: every message
the winner's step read is delivered again, and the step adopted on top of the winner's
reads it a second time (RUN-007.2). One writer alone never loses a swap, so only two
runtimes on one store show it.
"""

from __future__ import annotations

from typing import Any

from gritwit import Step
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as _adapter_runtime
from gritwit.runtime import Runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-002.3", "RUN-007.2"}),
    "failed",
    "a transition run again after a lost head swap starts from the winner's head but "
    "reads what was pending from the inbox of the head it had started from: what the "
    "winner read is delivered and counted again",
)


class _StaleCursors(Runtime):
    def __init__(self, store: Any, **options: Any) -> None:
        super().__init__(store, **options)
        self._stale: dict[Any, Any] = {}  # actor -> the head its lost member started from
        self._stale_now: Any = None

    def _commit_group(self) -> bool:
        members = list(self._commits.group.members)
        committed = super()._commit_group()
        if not committed:
            lost = self._commits.group._lost
            for member in members:
                if member.built.step_id in lost and member.expected is not None:
                    self._stale.setdefault(member.actor, member.expected)
        return committed

    def _prepare(self, actor: Any, idle: Any) -> Any:
        self._stale_now = self._stale.pop(actor, None)
        try:
            return super()._prepare(actor, idle)
        finally:
            self._stale_now = None

    def _pending(self, actor: Any) -> Any:
        last_id, last, found = super()._pending(actor)
        old = self._stale_now
        if old is not None and old != last_id:  # the bug: the loser's cursors, not the winner's
            started = self._cache.get_object(old)
            assert isinstance(started, Step)
            inbox = self._residents.entries(started.inbox)
            found = self._index.pending_for(self._cache, actor, inbox)
        return last_id, last, found


def install() -> None:
    patch(_adapter_runtime, "Runtime", _StaleCursors)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
