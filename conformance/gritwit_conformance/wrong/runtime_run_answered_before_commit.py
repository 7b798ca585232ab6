"""Wrong adapter: ``rt-run`` answers before its last commit group is durable.

The group a run ends with (RUN-017.2) is reported adopted in ``steps`` but written only
when the adapter reads its next request: a write-behind commit. Every command sees the
group committed, so one process that is never killed answers as the reference does;
a SIGKILL between ``rt-run``'s answer and the next request loses steps it reported
adopted (RUN-017.6, RUN-007.1), and what they read is pending again.
"""

from __future__ import annotations

import sys
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _commit
from gritwit_conformance.wrong import WrongAdapter, _fault, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-017.6", "RUN-007.1"}),
    "failed",
    "rt-run reports the steps of its last commit group and writes the group only when "
    "the next request arrives: a kill right after the answer loses steps it reported",
)


_real_commit = _commit.Commits.commit_group


def _from_rounds() -> bool:
    """Whether the commit part's commit was called by the runs' rounds (``rt-run``), the
    fault's counting wrapper skipped."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename == _fault.__file__:
        frame = frame.f_back  # type: ignore[assignment]
    return frame is not None and frame.f_code.co_name == "_rounds"


def commit_group(self: _commit.Commits) -> bool:
    members = self.group.members
    if members and not getattr(self, "_held", False) and _from_rounds():
        # the bug: the run's last group is reported now and written at the next request
        self.sink.extend((m.actor, m.built.step_id) for m in members)
        self._held = True  # type: ignore[attr-defined]
        return True
    return _real_commit(self)


def settle(commits: _commit.Commits) -> None:
    """The group held back by a runtime's runs, written when the next request arrives."""
    if getattr(commits, "_held", False):
        commits._held = False  # type: ignore[attr-defined]
        commits._sink = []  # reported already
        _real_commit(commits)


class _Adapter(ReferenceAdapter):
    def handle(self, request: Any) -> Any:
        for entry in self._open.values():
            settle(entry.runtime._commits)
        return super().handle(request)


def install() -> None:
    patch(_commit.Commits, "commit_group", commit_group)


if __name__ == "__main__":
    run(_Adapter, install)
