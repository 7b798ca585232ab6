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
from gritwit.adapter import _runtime as _adapter_runtime
from gritwit.runtime import Runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-017.6", "RUN-007.1"}),
    "failed",
    "rt-run reports the steps of its last commit group and writes the group only when "
    "the next request arrives: a kill right after the answer loses steps it reported",
)


class _WriteBehind(Runtime):
    def __init__(self, store: Any, **options: Any) -> None:
        super().__init__(store, **options)
        self._held = False

    def _commit_group(self) -> bool:
        members = self._commits.group.members
        if members and not self._held and sys._getframe(1).f_code.co_name == "_rounds":
            # the bug: the run's last group is reported now and written at the next request
            self._commits.sink.extend((m.actor, m.built.step_id) for m in members)
            self._held = True
            return True
        return super()._commit_group()

    def settle(self) -> None:
        if self._held:
            self._held = False
            self._commits._sink = []  # reported already
            super()._commit_group()


class _Adapter(ReferenceAdapter):
    def handle(self, request: Any) -> Any:
        for entry in self._open.values():
            entry.runtime.settle()
        return super().handle(request)


def install() -> None:
    patch(_adapter_runtime, "Runtime", _WriteBehind)


if __name__ == "__main__":
    run(_Adapter, install)
