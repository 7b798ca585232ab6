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
from gritwit.runtime import _catchup, _commit, _transition
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


_real_commit = _commit.Commits.commit_group
_real_prepare = _transition.Transitions._prepare
_real_pending = _catchup.CatchUp.pending


def commit_group(self: _commit.Commits) -> bool:
    """The commit part remembers, per actor, the head its lost member started from."""
    stale: dict[Any, Any] = self.__dict__.setdefault("_stale", {})
    members = list(self.group.members)
    committed = _real_commit(self)
    if not committed:
        lost = self.group._lost
        for member in members:
            if member.built.step_id in lost and member.expected is not None:
                stale.setdefault(member.actor, member.expected)
    return committed


def _prepare(self: _transition.Transitions, actor: Any, idle: Any) -> Any:
    """An attempt of ``actor`` tells the routing part which old head it reruns from."""
    routing: Any = self._routing
    routing._stale_now = self._commits.__dict__.get("_stale", {}).pop(actor, None)
    try:
        return _real_prepare(self, actor, idle)
    finally:
        routing._stale_now = None


def pending(self: _catchup.CatchUp, actor: Any) -> Any:
    last_id, last, found = _real_pending(self, actor)
    old = getattr(self, "_stale_now", None)
    if old is not None and old != last_id:  # the bug: the loser's cursors, not the winner's
        started = self._cache.get_object(old)
        assert isinstance(started, Step)
        inbox = self._residents.entries(started.inbox)
        found = self._index.pending_for(self._cache, actor, inbox)
    return last_id, last, found


def install() -> None:
    patch(_commit.Commits, "commit_group", commit_group)
    patch(_transition.Transitions, "_prepare", _prepare)
    patch(_catchup.CatchUp, "pending", pending)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
